import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { buildMlpPolicy } from '@airlock/onnx';
import { generateSyntheticDay, writeLobster } from '@airlock/sim';
import { zipSync } from 'fflate';
import { startTestApi, TEST_ADMIN_KEY, type TestApi } from '../../../api/src/testing/api-harness.js';
import { ApiClient } from '../api-client.js';
import { CliError } from '../cli-error.js';
import { ExitCode } from '../run-cli.js';
import { runAirlock } from '../testing/cli-harness.js';
import { registerAuditCommands } from './audit.command.js';
import { registerDatasetsCommands } from './datasets.command.js';
import { registerLoginCommand } from './login.command.js';
import { registerModelsCommands } from './models.command.js';

// The CLI against a real API (this process, the machine's PostgreSQL, a file artifact store), over HTTP.

const MODULES = [registerAuditCommands, registerDatasetsCommands, registerLoginCommand, registerModelsCommands];
const FEATURES = ['time_remaining_frac', 'qty_remaining_frac', 'schedule_deviation', 'spread_ticks'];
const ACTIONS = ['participation', 'aggression'];
const POLICY = buildMlpPolicy({ features: FEATURES, actions: ACTIONS, activation: 'relu', output: 'sigmoid', layers: [{ weights: [[0, 0, -8, 0], [-6, 0, -10, 0]], bias: [-2, 1] }] });
/** The API refuses uploads above this: small, so a test can go over it quickly. */
const LIMIT_BYTES = 3 * 1024 * 1024;

let t: TestApi;
let quant: string;
let auditor: string;
let dir: string;
let config: string;
let closedUrl: string;
const files: Record<string, string> = {};

/** `airlock …` with the API's URL and the quant's key in the environment unless `env` says otherwise. */
const airlock = (args: string[], env: Parameters<typeof runAirlock>[2] = { AIRLOCK_URL: t.api.url, AIRLOCK_API_KEY: quant }) =>
  runAirlock(MODULES, args, { AIRLOCK_CONFIG: config, ...env });

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** The tests decide what is a terminal: Jest run in band would otherwise inherit the developer's. */
function setTty(value: boolean): void {
  for (const stream of [process.stdout, process.stderr]) Object.defineProperty(stream, 'isTTY', { value, configurable: true });
}

beforeAll(async () => {
  t = await startTestApi({ AIRLOCK_MAX_ARTIFACT_BYTES: String(LIMIT_BYTES) });
  quant = await t.keyWith('quant');
  auditor = await t.keyWith('auditor');
  dir = await mkdtemp(join(tmpdir(), 'airlock-cli-registry-'));
  config = join(dir, 'config.json');
  closedUrl = `http://127.0.0.1:${await closedPort()}`;
  files.policy = join(dir, 'policy.onnx');
  files.manifest = join(dir, 'manifest.json');
  files.badManifest = join(dir, 'bad-manifest.json');
  await writeFile(files.policy, POLICY);
  await writeFile(files.manifest, JSON.stringify({ features: FEATURES, actions: ACTIONS, training: { dataset: 'synthetic calm', codeCommit: 'abc123' } }));
  await writeFile(files.badManifest, JSON.stringify({ features: ['time_remaining_frac', 'alpha', 'beta', 'spread_ticks'], actions: ACTIONS }));
  setTty(false);
}, 120_000);

afterAll(async () => {
  setTty(false);
  await t?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('airlock models and versions', () => {
  it('creates, lists and shows a model, as tables and as JSON', async () => {
    const created = await airlock(['models', 'create', 'exec-cli', '--owner', 'desk-a', '--asset-class', 'equities', '--tier', 'medium', '--description', 'CLI test policy']);
    expect(created.code).toBe(ExitCode.Ok);
    expect(created.out).toMatch(/^created model exec-cli\nname\s+exec-cli\n/);
    expect(created.out).toMatch(/tier\s+medium/);

    const json = await airlock(['models', 'create', 'exec-cli-2', '--owner', 'desk-b', '--asset-class', 'futures', '--tier', 'low', '--json']);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.out)).toMatchObject({ name: 'exec-cli-2', owner: 'desk-b', assetClass: 'futures', tier: 'low', createdBy: expect.any(String) });

    const list = await airlock(['models', 'list']);
    expect(list.code).toBe(0);
    expect(list.out.split('\n')[0]).toMatch(/^name\s+tier\s+owner\s+assetClass\s+createdAt\s+description$/);
    expect(list.out).toMatch(/^exec-cli\s+medium\s+desk-a\s+equities\s+\S+Z\s+CLI test policy$/m);
    expect(list.out).toMatch(/^exec-cli-2\s+low\s+desk-b\s+futures/m);
    const listed = JSON.parse((await airlock(['models', 'list', '--json'])).out) as { items: { name: string }[] };
    expect(listed.items.map((m) => m.name)).toEqual(['exec-cli', 'exec-cli-2']);

    const show = await airlock(['models', 'show', 'exec-cli']);
    expect(show.code).toBe(0);
    expect(show.out).toMatch(/owner\s+desk-a/);
    expect(show.out).toContain('no aliases');
    expect(JSON.parse((await airlock(['models', 'show', 'exec-cli', '--json'])).out)).toMatchObject({ name: 'exec-cli', aliases: [] });
  });

  it('reports the server’s problems with their code and every field, exit 2', async () => {
    const duplicate = await airlock(['models', 'create', 'exec-cli', '--owner', 'x', '--asset-class', 'equities', '--tier', 'low']);
    expect(duplicate.code).toBe(ExitCode.BadInput);
    expect(duplicate.err).toMatch(/^error CONFLICT: /);

    const badName = await airlock(['models', 'create', 'Bad_Name', '--owner', 'x', '--asset-class', 'equities', '--tier', 'low']);
    expect(badName.code).toBe(ExitCode.BadInput);
    expect(badName.err).toMatch(/^error VALIDATION_FAILED: /);
    expect(badName.err).toMatch(/^ {2}name: /m);

    const missing = await airlock(['models', 'show', 'no-such-model']);
    expect(missing.code).toBe(ExitCode.BadInput);
    expect(missing.err).toContain('error NOT_FOUND: model "no-such-model" not found');

    const badTier = await airlock(['models', 'create', 'exec-x', '--owner', 'x', '--asset-class', 'equities', '--tier', 'extreme']);
    expect(badTier.code).toBe(ExitCode.BadInput);
    expect(badTier.err).toContain("argument 'extreme' is invalid");
  });

  it('registers a version from an artifact and a manifest; the same bytes again give the same version', async () => {
    const registered = await airlock(['models', 'register', 'exec-cli', '--artifact', files.policy!, '--manifest', files.manifest!, '--json']);
    expect(registered.code).toBe(ExitCode.Ok);
    const version = JSON.parse(registered.out) as { model: string; version: number; sha256: string; sizeBytes: number; training: unknown };
    expect(version).toMatchObject({ model: 'exec-cli', version: 1, sizeBytes: POLICY.byteLength, training: { dataset: 'synthetic calm', codeCommit: 'abc123' } });
    expect(version.sha256).toBe(createHash('sha256').update(POLICY).digest('hex'));

    const again = await airlock(['models', 'register', 'exec-cli', '--artifact', files.policy!, '--manifest', files.manifest!]);
    expect(again.code).toBe(0);
    expect(again.out).toMatch(/^these bytes are already exec-cli version 1\n/);
    expect(again.out).toContain(`sha256      ${version.sha256}`);

    const list = await airlock(['versions', 'list', 'exec-cli']);
    expect(list.code).toBe(0);
    expect(list.out).toMatch(new RegExp(`^\\s*1\\s+registered\\s+${version.sha256.slice(0, 12)}\\s+${POLICY.byteLength}\\s`, 'm'));

    const show = await airlock(['versions', 'show', 'exec-cli', '1']);
    expect(show.code).toBe(0);
    expect(show.out).toMatch(/features\s+time_remaining_frac, qty_remaining_frac, schedule_deviation, spread_ticks/);
    expect(show.out).toMatch(/actions\s+participation, aggression/);
    expect(show.out).toMatch(/^inspection\s+input \[N,4\] → output \[N,2\]; opset \d+; probe of \d+ rows: min \[.+\] max \[.+\]; inference p50 [\d.]+ µs, p99 [\d.]+ µs$/m);
    expect(JSON.parse((await airlock(['versions', 'show', 'exec-cli', '1', '--json'])).out)).toMatchObject({ version: 1, features: FEATURES, actions: ACTIONS });

    const notANumber = await airlock(['versions', 'show', 'exec-cli', 'latest']);
    expect(notANumber.code).toBe(ExitCode.BadInput);
    expect(notANumber.err).toContain('version: "latest" is not a version number');
  });

  it('a bad manifest → exit 2 listing every offending field, and nothing is stored', async () => {
    const bad = await airlock(['models', 'register', 'exec-cli', '--artifact', files.policy!, '--manifest', files.badManifest!]);
    expect(bad.code).toBe(ExitCode.BadInput);
    expect(bad.err).toMatch(/^error MANIFEST_UNKNOWN_FEATURE: /);
    expect(bad.err).toMatch(/^ {2}manifest\.features\[1\]: .*alpha/m);
    expect(bad.err).toMatch(/^ {2}manifest\.features\[2\]: .*beta/m);
    const versions = JSON.parse((await airlock(['versions', 'list', 'exec-cli', '--json'])).out) as { items: unknown[] };
    expect(versions.items).toHaveLength(1);

    const notJson = join(dir, 'not-json.json');
    await writeFile(notJson, '{ features: nope');
    const invalid = await airlock(['models', 'register', 'exec-cli', '--artifact', files.policy!, '--manifest', notJson]);
    expect(invalid.code).toBe(ExitCode.BadInput);
    expect(invalid.err).toMatch(/^error MANIFEST_INVALID: /);
  });

  it('local files that are not there, or a model that is not, are exit 2 before any upload', async () => {
    const noArtifact = await airlock(['models', 'register', 'exec-cli', '--artifact', join(dir, 'missing.onnx'), '--manifest', files.manifest!]);
    expect(noArtifact.code).toBe(ExitCode.BadInput);
    expect(noArtifact.err).toContain(`--artifact: ${join(dir, 'missing.onnx')}: no such file`);
    const noManifest = await airlock(['models', 'register', 'exec-cli', '--artifact', files.policy!, '--manifest', join(dir, 'missing.json')]);
    expect(noManifest.code).toBe(ExitCode.BadInput);
    expect(noManifest.err).toContain('--manifest: ');
    const noModel = await airlock(['models', 'register', 'no-such-model', '--artifact', files.policy!, '--manifest', files.manifest!]);
    expect(noModel.code).toBe(ExitCode.BadInput);
    expect(noModel.err).toContain('error NOT_FOUND');
  });

  it('streams large uploads, counting bytes, with a bar on a terminal; over the limit → 413 with the limit', async () => {
    const big = join(dir, 'big.onnx');
    const bytes = randomBytes(2 * 1024 * 1024 + 123);
    await writeFile(big, bytes);
    const seen: [number, number][] = [];
    const client = new ApiClient({ url: t.api.url, key: quant });
    const upload = client.upload('/v1/models/exec-cli/versions', [{ name: 'manifest', value: JSON.stringify({ features: FEATURES, actions: ACTIONS }) }, { name: 'artifact', file: big }], (sent, total) => void seen.push([sent, total]));
    const failure = await upload.catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(CliError);
    expect(failure).toMatchObject({ exitCode: ExitCode.BadInput, extra: { code: 'ARTIFACT_NOT_ONNX', status: 422 } });
    expect(seen[0]).toEqual([0, bytes.byteLength]);
    expect(seen.at(-1)).toEqual([bytes.byteLength, bytes.byteLength]);
    for (let i = 1; i < seen.length; i++) expect(seen[i]![0]).toBeGreaterThan(seen[i - 1]![0]);

    // On a terminal the same upload draws a bar (on stderr, so stdout stays the result).
    const drawn: string[] = [];
    const spy = jest.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => (drawn.push(String(chunk)), true));
    setTty(true);
    let bar;
    try {
      bar = await airlock(['models', 'register', 'exec-cli', '--artifact', big, '--manifest', files.manifest!]);
    } finally {
      setTty(false);
      spy.mockRestore();
    }
    expect(bar.code).toBe(ExitCode.BadInput);
    expect(bar.err).toMatch(/^error ARTIFACT_NOT_ONNX: /);
    expect(drawn.join('')).toMatch(/upload \[=+\] 100% \| 2\.0 MiB of 2\.0 MiB/);

    const huge = join(dir, 'huge.onnx');
    await writeFile(huge, randomBytes(LIMIT_BYTES + 2 * 1024 * 1024));
    const tooLarge = await airlock(['models', 'register', 'exec-cli', '--artifact', huge, '--manifest', files.manifest!]);
    expect(tooLarge.code).toBe(ExitCode.BadInput);
    expect(tooLarge.err).toMatch(/^error PAYLOAD_TOO_LARGE: /);
    expect(tooLarge.err).toContain(`hint: the API accepts at most ${LIMIT_BYTES} bytes`);
  });
});

describe('configuration and failures', () => {
  it('no key anywhere → exit 2 saying every way to give one', async () => {
    const run = await airlock(['models', 'list'], { AIRLOCK_URL: t.api.url });
    expect(run.code).toBe(ExitCode.BadInput);
    expect(run.err).toContain('error NO_API_KEY: no API key: this command needs one');
    expect(run.err).toContain('hint: pass --key KEY, set AIRLOCK_API_KEY, or save one with `airlock login');
    expect(run.out).toBe('');
  });

  it('a wrong key → exit 2 with a hint naming where the key came from', async () => {
    const flag = await airlock(['models', 'list', '--key', 'ak_wrong'], { AIRLOCK_URL: t.api.url });
    expect(flag.code).toBe(ExitCode.BadInput);
    expect(flag.err).toMatch(/^error UNAUTHENTICATED: /);
    expect(flag.err).toContain(`hint: the API at ${t.api.url} did not accept the key from --key`);
    const env = await airlock(['models', 'list'], { AIRLOCK_URL: t.api.url, AIRLOCK_API_KEY: 'ak_wrong' });
    expect(env.err).toContain('did not accept the key from AIRLOCK_API_KEY');
  });

  it('a role that may not → exit 2 naming the roles that may', async () => {
    const run = await airlock(['models', 'create', 'exec-audit', '--owner', 'x', '--asset-class', 'equities', '--tier', 'low', '--key', auditor]);
    expect(run.code).toBe(ExitCode.BadInput);
    expect(run.err).toMatch(/^error FORBIDDEN: /);
    expect(run.err).toContain('it needs one of: quant, admin');
  });

  it('an API that is not there → exit 3; a URL that is not one → exit 2', async () => {
    const run = await airlock(['models', 'list'], { AIRLOCK_URL: closedUrl, AIRLOCK_API_KEY: quant });
    expect(run.code).toBe(ExitCode.Unavailable);
    expect(run.err).toContain(`error UNREACHABLE: cannot reach the API at ${closedUrl}: ECONNREFUSED`);
    const upload = await airlock(['models', 'register', 'exec-cli', '--artifact', files.policy!, '--manifest', files.manifest!, '--url', closedUrl]);
    expect(upload.code).toBe(ExitCode.Unavailable);
    const notUrl = await airlock(['models', 'list', '--url', 'localhost 8080']);
    expect(notUrl.code).toBe(ExitCode.BadInput);
    expect(notUrl.err).toContain('"localhost 8080" (from --url) is not a URL');
  });

  it('precedence: flag over environment over profile, for the URL and the key', async () => {
    await writeFile(
      config,
      JSON.stringify({ profiles: { default: { url: closedUrl, key: 'ak_stale' }, prod: { url: t.api.url, key: quant }, audit: { url: t.api.url, key: auditor } } }),
    );
    const none = {};
    // The profile alone: its URL is closed.
    expect((await airlock(['models', 'list'], none)).code).toBe(ExitCode.Unavailable);
    // --profile (or AIRLOCK_PROFILE) picks another profile; the flag wins over the variable.
    expect((await airlock(['models', 'list', '--profile', 'prod'], none)).code).toBe(0);
    expect((await airlock(['models', 'list'], { AIRLOCK_PROFILE: 'prod' })).code).toBe(0);
    const forbidden = await airlock(['models', 'create', 'exec-p', '--owner', 'x', '--asset-class', 'e', '--tier', 'low', '--profile', 'audit'], { AIRLOCK_PROFILE: 'prod' });
    expect(forbidden.err).toMatch(/^error FORBIDDEN/);
    // AIRLOCK_URL over the profile's URL; the profile's (stale) key is still used — and named in the hint.
    const stale = await airlock(['models', 'list'], { AIRLOCK_URL: t.api.url });
    expect(stale.code).toBe(ExitCode.BadInput);
    expect(stale.err).toContain(`did not accept the key from profile "default" in ${config}`);
    // AIRLOCK_API_KEY over the profile's key.
    expect((await airlock(['models', 'list'], { AIRLOCK_URL: t.api.url, AIRLOCK_API_KEY: quant })).code).toBe(0);
    // --url and --key over the environment.
    expect((await airlock(['models', 'list', '--url', t.api.url], { AIRLOCK_URL: closedUrl, AIRLOCK_API_KEY: quant })).code).toBe(0);
    const flagKey = await airlock(['models', 'list', '--key', 'ak_flag'], { AIRLOCK_URL: t.api.url, AIRLOCK_API_KEY: quant });
    expect(flagKey.err).toContain('did not accept the key from --key');
    // A profile that is not in the file is a usage error, listing the ones that are.
    const unknown = await airlock(['models', 'list', '--profile', 'staging'], none);
    expect(unknown.code).toBe(ExitCode.BadInput);
    expect(unknown.err).toContain(`no profile "staging" in ${config}`);
    expect(unknown.err).toContain('profiles there: default, prod, audit');
    await writeFile(config, '{ "profiles": { "default": { "url": 42 } } }');
    const malformed = await airlock(['models', 'list'], none);
    expect(malformed.code).toBe(ExitCode.BadInput);
    expect(malformed.err).toContain('profiles.default.url');
    await rm(config);
  });

  it('login checks the key, then writes the profile (mode 0600) keeping the others', async () => {
    const file = join(dir, 'login', 'config.json');
    const env = { AIRLOCK_CONFIG: file };
    const wrong = await runAirlock(MODULES, ['login', '--url', t.api.url, '--key', 'ak_wrong'], env);
    expect(wrong.code).toBe(ExitCode.BadInput);
    expect(wrong.err).toMatch(/^error UNAUTHENTICATED/);
    await expect(stat(file)).rejects.toMatchObject({ code: 'ENOENT' });
    const down = await runAirlock(MODULES, ['login', '--url', closedUrl, '--key', quant], env);
    expect(down.code).toBe(ExitCode.Unavailable);

    const saved = await runAirlock(MODULES, ['login', '--url', `${t.api.url}/`, '--key', quant], env);
    expect(saved.code).toBe(0);
    expect(saved.out).toBe(`saved profile "default" (${t.api.url}) to ${file}; the API accepted the key`);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    const later = await runAirlock(MODULES, ['login', '--profile', 'later', '--url', closedUrl, '--key', 'ak_unchecked', '--no-verify'], env);
    expect(later.code).toBe(0);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual({
      profiles: { default: { url: t.api.url, key: quant }, later: { url: closedUrl, key: 'ak_unchecked' } },
    });
    // The saved default profile is what a bare command uses.
    const list = await runAirlock(MODULES, ['models', 'list', '--json'], env);
    expect(list.code).toBe(0);
    expect((JSON.parse(list.out) as { items: unknown[] }).items.length).toBeGreaterThan(0);
  });
});

describe('airlock datasets', () => {
  it('registers a LOBSTER archive and lists it; a file that is not one → exit 2', async () => {
    const day = generateSyntheticDay({ regime: 'calm', seed: 11, events: 5_000, levels: 3 });
    const { messageFile, orderbookFile } = await writeLobster(day, join(dir, 'lobster'));
    const zip = join(dir, 'calm-11.zip');
    await writeFile(zip, zipSync({ [basename(messageFile)]: await readFile(messageFile), [basename(orderbookFile)]: await readFile(orderbookFile) }));
    const registered = await airlock(['datasets', 'register', 'calm-11', '--file', zip, '--json']);
    expect(registered.code).toBe(ExitCode.Ok);
    const dataset = JSON.parse(registered.out) as { name: string; levels: number; messages: number; sha256: string };
    expect(dataset).toMatchObject({ name: 'calm-11', levels: 3, messages: day.length });
    expect(dataset.sha256).toBe(createHash('sha256').update(await readFile(zip)).digest('hex'));

    const list = await airlock(['datasets', 'list']);
    expect(list.code).toBe(0);
    expect(list.out).toMatch(new RegExp(`^calm-11\\s+SYNTH\\s+2024-01-02\\s+3\\s+${day.length}\\s`, 'm'));

    const junk = join(dir, 'junk.zip');
    await writeFile(junk, 'not a zip at all');
    const bad = await airlock(['datasets', 'register', 'junk', '--file', junk]);
    expect(bad.code).toBe(ExitCode.BadInput);
    expect(bad.err).toMatch(/^error DATA_INVALID: /);
    expect(JSON.parse((await airlock(['datasets', 'list', '--json'])).out).items.map((d: { name: string }) => d.name)).toEqual(['calm-11']);
  });
});

describe('airlock audit verify', () => {
  it('exit 0 on an intact chain, 2 for a role that may not read it, 1 once an event was altered, 3 when the API fails', async () => {
    const ok = await airlock(['audit', 'verify', '--key', TEST_ADMIN_KEY]);
    expect(ok.code).toBe(ExitCode.Ok);
    expect(ok.out).toMatch(/^audit chain OK: \d+ events, last hash [0-9a-f]{64}$/);
    expect(JSON.parse((await airlock(['audit', 'verify', '--json', '--key', auditor])).out)).toMatchObject({ ok: true });

    const quantTry = await airlock(['audit', 'verify']);
    expect(quantTry.code).toBe(ExitCode.BadInput);
    expect(quantTry.err).toContain('it needs one of: auditor, risk, admin');

    // Rewrite history behind the API's back (the table refuses UPDATE: lift the trigger, as an attacker with DBA rights would).
    await t.api.db.dataSource.query('ALTER TABLE audit_events DISABLE TRIGGER audit_events_append_only');
    await t.api.db.dataSource.query(`UPDATE audit_events SET actor = 'key:mallory' WHERE seq = 3`);
    await t.api.db.dataSource.query('ALTER TABLE audit_events ENABLE TRIGGER audit_events_append_only');
    const broken = await airlock(['audit', 'verify', '--key', TEST_ADMIN_KEY]);
    expect(broken.code).toBe(ExitCode.Finding);
    expect(broken.out).toMatch(/^audit chain BROKEN at event 3\nreason\s+hash-mismatch/);
    const json = await airlock(['audit', 'verify', '--json', '--key', TEST_ADMIN_KEY]);
    expect(json.code).toBe(ExitCode.Finding);
    expect(JSON.parse(json.out)).toMatchObject({ ok: false, brokenAt: 3, reason: 'hash-mismatch' });

    // The API failing (here: its table gone) is exit 3, with the request id to find in its log.
    await t.api.db.dataSource.query('ALTER TABLE audit_events RENAME TO audit_events_away');
    try {
      const failed = await airlock(['audit', 'verify', '--key', TEST_ADMIN_KEY]);
      expect(failed.code).toBe(ExitCode.Unavailable);
      expect(failed.err).toMatch(/^error INTERNAL: /);
      expect(failed.err).toMatch(/hint: the API failed; its log has the details under request id \S+/);
    } finally {
      await t.api.db.dataSource.query('ALTER TABLE audit_events_away RENAME TO audit_events');
    }
  });
});
