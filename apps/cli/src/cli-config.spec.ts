import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { chmod, mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_API_URL, configFilePath, requireKey, resolveApiConfig, writeProfile } from './cli-config.js';
import { CliError } from './cli-error.js';
import { ExitCode } from './run-cli.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'airlock-cli-config-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const failure = (promise: Promise<unknown>) => promise.then(() => undefined, (error: unknown) => error);

describe('resolveApiConfig', () => {
  it('with nothing configured: the default URL, no key, ~/.airlock/config.json; requireKey then refuses with exit 2', async () => {
    const config = await resolveApiConfig({}, { AIRLOCK_CONFIG: join(dir, 'absent.json') });
    expect(config).toMatchObject({ url: DEFAULT_API_URL, key: undefined, profile: 'default', urlSource: 'default', keySource: undefined });
    expect(configFilePath({})).toBe(join(homedir(), '.airlock', 'config.json'));
    expect(configFilePath({ AIRLOCK_CONFIG: '/etc/airlock.json' })).toBe('/etc/airlock.json');
    const error = (() => {
      try {
        return requireKey(config);
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(CliError);
    expect(error).toMatchObject({ exitCode: ExitCode.BadInput, extra: { code: 'NO_API_KEY' } });
  });

  it('takes each value from the first of flag, environment, profile; an empty variable counts as unset', async () => {
    const file = join(dir, 'precedence.json');
    await writeFile(file, JSON.stringify({ profiles: { default: { url: 'http://profile:1', key: 'ak_profile' }, other: { key: 'ak_other' } } }));
    const env = { AIRLOCK_CONFIG: file };
    expect(await resolveApiConfig({}, env)).toMatchObject({ url: 'http://profile:1', key: 'ak_profile', urlSource: 'profile', keySource: 'profile' });
    expect(await resolveApiConfig({}, { ...env, AIRLOCK_URL: 'http://env:2', AIRLOCK_API_KEY: '' })).toMatchObject({ url: 'http://env:2', key: 'ak_profile', urlSource: 'env' });
    expect(await resolveApiConfig({ key: 'ak_flag' }, { ...env, AIRLOCK_API_KEY: 'ak_env' })).toMatchObject({ key: 'ak_flag', keySource: 'flag' });
    // A profile without a URL falls back to the default URL, not to another profile's.
    expect(await resolveApiConfig({ profile: 'other' }, env)).toMatchObject({ url: DEFAULT_API_URL, key: 'ak_other', profile: 'other' });
    expect(await resolveApiConfig({}, { ...env, AIRLOCK_PROFILE: 'other' })).toMatchObject({ key: 'ak_other' });
  });

  it('normalizes the URL (no trailing slash) and refuses what is not http(s)', async () => {
    const env = { AIRLOCK_CONFIG: join(dir, 'absent.json') };
    expect((await resolveApiConfig({ url: 'https://airlock.example.com/base//' }, env)).url).toBe('https://airlock.example.com/base');
    expect(await failure(resolveApiConfig({ url: 'ftp://airlock.example.com' }, env))).toMatchObject({ exitCode: ExitCode.BadInput, message: expect.stringContaining('must be http or https') });
    expect(await failure(resolveApiConfig({}, { ...env, AIRLOCK_URL: 'not a url' }))).toMatchObject({ message: '"not a url" (from AIRLOCK_URL) is not a URL' });
  });

  it('a config file that is not JSON is exit 2 naming the file', async () => {
    const file = join(dir, 'broken.json');
    await writeFile(file, '{ "profiles": ');
    expect(await failure(resolveApiConfig({}, { AIRLOCK_CONFIG: file }))).toMatchObject({ exitCode: ExitCode.BadInput, message: expect.stringContaining(`the config file ${file} is not JSON`) });
  });
});

describe('writeProfile', () => {
  it('narrows an existing file to 0600, keeps other profiles and unknown keys, leaves no temporary file', async () => {
    const folder = join(dir, 'write');
    const file = join(folder, 'config.json');
    await writeProfile(file, 'default', { url: 'http://a:1', key: 'ak_a' });
    expect((await stat(folder)).mode & 0o777).toBe(0o700);
    await writeFile(file, JSON.stringify({ editor: 'vim', profiles: { default: { url: 'http://a:1', key: 'ak_a' } } }));
    await chmod(file, 0o644);
    await writeProfile(file, 'prod', { url: 'https://prod', key: 'ak_prod' });
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual({
      editor: 'vim',
      profiles: { default: { url: 'http://a:1', key: 'ak_a' }, prod: { url: 'https://prod', key: 'ak_prod' } },
    });
    expect(await readdir(folder)).toEqual(['config.json']);
  });
});
