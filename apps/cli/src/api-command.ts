import { InvalidArgumentError, type Command } from 'commander';
import { ApiClient } from './api-client.js';
import { describeSource, requireKey, resolveApiConfig, type ConfigFlags } from './cli-config.js';

/** The options every API command takes. */
export interface ApiOptions extends ConfigFlags {
  readonly json?: boolean;
}

/**
 * Adds `--url`, `--key`, `--profile` and `--json` to a command that talks to the API. They sit on each
 * command (not the root) so `airlock models list --profile prod` reads naturally and `--help` shows them.
 */
export function withApiOptions(command: Command): Command {
  return command
    .option('--url <url>', 'API base URL (else AIRLOCK_URL, the profile, http://127.0.0.1:8080)')
    .option('--key <key>', 'API key (else AIRLOCK_API_KEY, the profile)')
    .option('--profile <name>', 'profile of the config file (else AIRLOCK_PROFILE, "default")')
    .option('--json', 'print the API’s JSON instead of a table');
}

/** A client for the configured API; exit 2 with every way to set a key when none is configured. */
export async function connect(options: ConfigFlags): Promise<ApiClient> {
  const config = await resolveApiConfig(options, process.env);
  const key = requireKey(config);
  return new ApiClient({ url: config.url, key, keyOrigin: describeSource(config.keySource, 'key', config) });
}

/** Commander argument/option parsers shared by the API commands. */
export function positiveInteger(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < 1) throw new InvalidArgumentError('must be a positive integer');
  return n;
}

export function positiveSeconds(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('must be a positive number of seconds');
  return n;
}

/** Path segments are user input: encode them so a name can never reach another route. */
export const segment = (value: string | number): string => encodeURIComponent(String(value));
