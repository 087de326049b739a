import type { Command } from 'commander';
import { ApiClient } from '../api-client.js';
import { DEFAULT_API_URL, DEFAULT_PROFILE, configFilePath, normalizeUrl, readConfigFile, writeProfile } from '../cli-config.js';
import { CliError, handleCliErrors } from '../cli-error.js';
import { ExitCode } from '../run-cli.js';

/**
 * `airlock login --url U --key K [--profile P] [--no-verify]`: saves a profile in the config file (mode 0600),
 * keeping the others. The key is tried first (one authenticated GET), so a typo is found now, not at the next
 * command; --no-verify saves without asking the API (e.g. before it is up).
 */
interface LoginOptions {
  url?: string;
  key?: string;
  profile?: string;
  verify: boolean;
}

export function registerLoginCommand(program: Command): void {
  program
    .command('login')
    .description('Save the API URL and key as a profile of the config file (~/.airlock/config.json or $AIRLOCK_CONFIG)')
    .option('--url <url>', `API base URL (else AIRLOCK_URL, the profile's current one, ${DEFAULT_API_URL})`)
    .option('--key <key>', 'API key (else AIRLOCK_API_KEY; prefer the variable: flags end up in shell history)')
    .option('--profile <name>', 'profile to write (else AIRLOCK_PROFILE, "default")')
    .option('--no-verify', 'save without checking the key against the API')
    .action(
      handleCliErrors(async (options: LoginOptions) => {
        const env = process.env;
        const file = configFilePath(env);
        const profile = options.profile || env.AIRLOCK_PROFILE || DEFAULT_PROFILE;
        const existing = (await readConfigFile(file)).profiles[profile];
        const url = options.url || env.AIRLOCK_URL || existing?.url || DEFAULT_API_URL;
        const urlSource = options.url ? 'flag' : env.AIRLOCK_URL ? 'env' : existing?.url ? 'profile' : 'default';
        const key = options.key || env.AIRLOCK_API_KEY;
        if (!key) throw new CliError(ExitCode.BadInput, 'no key to save', { code: 'NO_API_KEY', hint: 'pass --key KEY or set AIRLOCK_API_KEY' });
        const normalized = normalizeUrl(url, urlSource);
        if (options.verify) {
          await new ApiClient({ url: normalized, key, keyOrigin: options.key ? '--key' : 'AIRLOCK_API_KEY' }).get('/v1/models', { limit: 1 });
        }
        await writeProfile(file, profile, { url: normalized, key });
        console.log(`saved profile "${profile}" (${normalized}) to ${file}${options.verify ? '; the API accepted the key' : ''}`);
      }),
    );
}
