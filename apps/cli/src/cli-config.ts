import { chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import { CliError } from './cli-error.js';
import { ExitCode } from './run-cli.js';

/**
 * Where the CLI finds the API and its key. Each value comes from the first of: a flag (`--url`, `--key`), the
 * environment (`AIRLOCK_URL`, `AIRLOCK_API_KEY`), the selected profile of the config file, then (URL only) the
 * default. The profile is `--profile`, else `AIRLOCK_PROFILE`, else "default"; the file is `$AIRLOCK_CONFIG`,
 * else `~/.airlock/config.json`:
 *
 *   { "profiles": { "default": { "url": "http://127.0.0.1:8080", "key": "ak_…" }, "prod": { … } } }
 */
export const DEFAULT_API_URL = 'http://127.0.0.1:8080';
export const DEFAULT_PROFILE = 'default';

export type Env = Readonly<Record<string, string | undefined>>;

export interface ConfigFlags {
  readonly url?: string;
  readonly key?: string;
  readonly profile?: string;
}

/** Where a value came from: shown in hints, so a rejected key can be traced to the place that set it. */
export type ConfigSource = 'flag' | 'env' | 'profile' | 'default';

export interface ApiConfig {
  readonly url: string;
  readonly key: string | undefined;
  readonly profile: string;
  readonly configFile: string;
  readonly urlSource: ConfigSource;
  readonly keySource: ConfigSource | undefined;
}

const profileSchema = z.strictObject({ url: z.string().min(1).optional(), key: z.string().min(1).optional() });
// Other top-level keys are kept as they are (a newer CLI may add some): only `profiles` is ours to check.
const fileSchema = z.looseObject({ profiles: z.record(z.string(), profileSchema).default({}) });

export type Profile = z.infer<typeof profileSchema>;
type ConfigFile = z.infer<typeof fileSchema>;

export const configFilePath = (env: Env): string => env.AIRLOCK_CONFIG || join(homedir(), '.airlock', 'config.json');

const selectedProfile = (flags: ConfigFlags, env: Env): { name: string; explicit: boolean } => {
  const name = flags.profile || env.AIRLOCK_PROFILE;
  return name ? { name, explicit: true } : { name: DEFAULT_PROFILE, explicit: false };
};

/** The parsed config file; a missing file is an empty one, a malformed one is a usage error (exit 2). */
export async function readConfigFile(file: string): Promise<ConfigFile> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { profiles: {} };
    throw new CliError(ExitCode.BadInput, `cannot read the config file ${file}: ${(error as Error).message}`, { code: 'CONFIG_INVALID' });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new CliError(ExitCode.BadInput, `the config file ${file} is not JSON: ${(error as Error).message}`, { code: 'CONFIG_INVALID' });
  }
  const parsed = fileSchema.safeParse(json);
  if (!parsed.success) {
    throw new CliError(ExitCode.BadInput, `the config file ${file} is malformed`, {
      code: 'CONFIG_INVALID',
      errors: parsed.error.issues.map((issue) => ({ field: issue.path.join('.') || '(root)', message: issue.message })),
    });
  }
  return parsed.data;
}

/** A base URL the client can append `/v1/...` to: http(s) only, no trailing slash. */
export function normalizeUrl(raw: string, source: ConfigSource): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new CliError(ExitCode.BadInput, `"${raw}" (from ${describeSource(source, 'url')}) is not a URL`, { code: 'VALIDATION_FAILED', hint: 'e.g. --url http://127.0.0.1:8080' });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new CliError(ExitCode.BadInput, `the API URL must be http or https, got "${raw}"`, { code: 'VALIDATION_FAILED' });
  }
  return url.href.replace(/\/+$/, '');
}

/** Resolves URL and key by precedence (flag > env > profile > default). Does not require a key: see `requireKey`. */
export async function resolveApiConfig(flags: ConfigFlags, env: Env): Promise<ApiConfig> {
  const configFile = configFilePath(env);
  const { name, explicit } = selectedProfile(flags, env);
  const file = await readConfigFile(configFile);
  const profile: Profile | undefined = file.profiles[name];
  if (!profile && explicit) {
    const known = Object.keys(file.profiles);
    throw new CliError(ExitCode.BadInput, `no profile "${name}" in ${configFile}`, {
      code: 'CONFIG_INVALID',
      hint: known.length > 0 ? `profiles there: ${known.join(', ')}` : `create it: airlock login --profile ${name} --url URL --key KEY`,
    });
  }
  const pick = (flag: string | undefined, envValue: string | undefined, fromProfile: string | undefined) =>
    flag ? { value: flag, source: 'flag' as const } : envValue ? { value: envValue, source: 'env' as const } : fromProfile ? { value: fromProfile, source: 'profile' as const } : undefined;
  const url = pick(flags.url, env.AIRLOCK_URL, profile?.url) ?? { value: DEFAULT_API_URL, source: 'default' as const };
  const key = pick(flags.key, env.AIRLOCK_API_KEY, profile?.key);
  return {
    url: normalizeUrl(url.value, url.source),
    key: key?.value,
    profile: name,
    configFile,
    urlSource: url.source,
    keySource: key?.source,
  };
}

/** Human words for where a value came from, e.g. `AIRLOCK_API_KEY` or `profile "prod" in ~/.airlock/config.json`. */
export function describeSource(source: ConfigSource | undefined, what: 'url' | 'key', config?: Pick<ApiConfig, 'profile' | 'configFile'>): string {
  switch (source) {
    case 'flag':
      return `--${what}`;
    case 'env':
      return what === 'url' ? 'AIRLOCK_URL' : 'AIRLOCK_API_KEY';
    case 'profile':
      return config ? `profile "${config.profile}" in ${config.configFile}` : 'the profile';
    default:
      return 'the default';
  }
}

/** The key, or a usage error that says every way to give one (exit 2). */
export function requireKey(config: ApiConfig): string {
  if (config.key) return config.key;
  throw new CliError(ExitCode.BadInput, 'no API key: this command needs one', {
    code: 'NO_API_KEY',
    hint: `pass --key KEY, set AIRLOCK_API_KEY, or save one with \`airlock login --url ${config.url} --key KEY\` (profile "${config.profile}" in ${config.configFile})`,
  });
}

/**
 * Saves a profile, keeping the others. Written to a temporary file created 0600 and renamed over the old one, so
 * the key is never readable by others, not even for a moment, and a crash leaves the old file whole.
 */
export async function writeProfile(file: string, name: string, profile: Profile): Promise<void> {
  const current = await readConfigFile(file);
  const next = { ...current, profiles: { ...current.profiles, [name]: profile } };
  await mkdir(dirname(file), { recursive: true, mode: 0o700 });
  const temporary = `${file}.${process.pid}.tmp`;
  await writeFile(temporary, `${JSON.stringify(next, null, 2)}\n`, { mode: 0o600 });
  await chmod(temporary, 0o600); // the umask may have narrowed, never widened, but be exact
  await rename(temporary, file);
}
