import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildMlpPolicy } from '@airlock/onnx';
import { loadWorkerConfig, startWorker, type RunningWorker } from '@airlock/worker';
import { pino } from 'pino';
import { registrationForm, startTestApi, type TestApi } from '../../../api/src/testing/api-harness.js';
import { ExitCode } from '../run-cli.js';
import { runAirlock } from '../testing/cli-harness.js';
import { registerModelsCommands } from './models.command.js';
import { registerValidateCommands } from './validate.command.js';

// `airlock validate` end to end: the API and a worker in this process, sharing the database, store and queue.

const MODULES = [registerModelsCommands, registerValidateCommands];
const FEATURES = ['time_remaining_frac', 'qty_remaining_frac', 'schedule_deviation', 'spread_ticks'];
const ACTIONS = ['participation', 'aggression'];
const policy = (weights: number[][], bias: number[]) => buildMlpPolicy({ features: FEATURES, actions: ACTIONS, activation: 'relu', output: 'sigmoid', layers: [{ weights, bias }] });
/** Rests passively, catches up when behind: passes the smoke suite. */
const GOOD = policy([[0, 0, -8, 0], [-6, 0, -10, 0]], [-2, 1]);
/** Never trades (participation σ(−30) ≈ 0): fails the completion gate. */
const IDLE = policy([[0, 0, 0, 0], [0, 0, 0, 0]], [-30, 0]);

interface Run {
  id: string;
  phase: string;
  progress: { done: number; total: number };
  gates: { name: string; phase: string; value: number | null; interval: [number, number] | null; condition: string; message: string }[];
}

let t: TestApi;
let quant: string;
let dir: string;
let worker: RunningWorker | undefined;
let tinySuite: string;

const airlock = (...args: string[]) => runAirlock(MODULES, args, { AIRLOCK_URL: t.api.url, AIRLOCK_API_KEY: quant, AIRLOCK_CONFIG: join(dir, 'none.json') });

function setTty(value: boolean): void {
  for (const stream of [process.stdout, process.stderr]) Object.defineProperty(stream, 'isTTY', { value, configurable: true });
}

beforeAll(async () => {
  t = await startTestApi();
  quant = await t.keyWith('quant');
  dir = await mkdtemp(join(tmpdir(), 'airlock-cli-validate-'));
  expect((await t.call('POST', '/v1/models', { key: quant, json: { name: 'val-cli', owner: 'desk', assetClass: 'equities', tier: 'low' } })).status).toBe(201);
  for (const bytes of [GOOD, IDLE]) {
    expect((await t.call('POST', '/v1/models/val-cli/versions', { key: quant, form: registrationForm(bytes, { features: FEATURES, actions: ACTIONS }) })).status).toBe(201);
  }
  // The smoke suite cut down to four shards (two scenarios × two chunks of three orders): quick, and too few pairs to decide (Inconclusive).
  const smoke = JSON.parse(await readFile(new URL('../../../../packages/validation/suites/smoke.json', import.meta.url), 'utf8')) as { orders: object };
  tinySuite = join(dir, 'tiny.json');
  await writeFile(tinySuite, JSON.stringify({ ...smoke, name: 'tiny', orders: { ...smoke.orders, count: 6 }, ordersPerShard: 3 }));
  setTty(false);
}, 120_000);

afterAll(async () => {
  setTty(false);
  await worker?.close();
  await t?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('airlock validate, before any worker runs', () => {
  it('without --wait prints the run id and exits 0; validations show tells its phase', async () => {
    const requested = await airlock('validate', 'val-cli', '1', '--suite-file', tinySuite);
    expect(requested.code).toBe(ExitCode.Ok);
    expect(requested.out).toMatch(/^[0-9a-f-]{36}$/);
    expect(requested.err).toContain('validation of val-cli v1 queued (tiny@1, 4 shards); follow it: airlock validations show');
    const show = await airlock('validations', 'show', requested.out);
    expect(show.code).toBe(0);
    expect(show.out).toMatch(/phase\s+Pending/);
    expect(show.out).toMatch(/progress\s+0\/4 shards/);
    expect(show.out).not.toContain('verdict');
    const json = JSON.parse((await airlock('validations', 'show', requested.out, '--json')).out) as Run;
    expect(json).toMatchObject({ id: requested.out, phase: 'Pending', progress: { done: 0, total: 4 } });
    const scripted = await airlock('validate', 'val-cli', '1', '--suite-file', tinySuite, '--json');
    expect(scripted.code).toBe(0);
    expect(JSON.parse(scripted.out)).toMatchObject({ id: expect.stringMatching(/^[0-9a-f-]{36}$/), phase: 'Pending', progress: { done: 0, total: 4 }, suite: { name: 'tiny', version: 1 } });
  });

  it('--timeout gives up with exit 1 and says how to follow the run', async () => {
    const started = Date.now();
    const run = await airlock('validate', 'val-cli', '1', '--suite-file', tinySuite, '--wait', '--timeout', '1.5');
    expect(run.code).toBe(ExitCode.Finding);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1500);
    expect(run.err).toMatch(/error TIMEOUT: gave up waiting after 1\.5 s: validation [0-9a-f-]{36} is still Pending \(0\/4 shards\)/);
    expect(run.err).toMatch(/hint: the run goes on; follow it with: airlock validations show [0-9a-f-]{36}/);
    expect(run.err).toContain('Pending 0/4 shards'); // the plain progress line (no terminal here)
    expect(run.out).toBe('');
  });

  it('bad usage and bad suites → exit 2 with the reason', async () => {
    const both = await airlock('validate', 'val-cli', '1', '--suite', 'smoke', '--suite-file', tinySuite);
    expect(both.code).toBe(ExitCode.BadInput);
    expect(both.err).toContain("option '--suite <name>' cannot be used with option '--suite-file <suite.json>'");
    const timeoutAlone = await airlock('validate', 'val-cli', '1', '--timeout', '5');
    expect(timeoutAlone.code).toBe(ExitCode.BadInput);
    expect(timeoutAlone.err).toContain('--timeout: only means something with --wait');
    const unknown = await airlock('validate', 'val-cli', '1', '--suite', 'nightly');
    expect(unknown.code).toBe(ExitCode.BadInput);
    expect(unknown.err).toContain('error NOT_FOUND: unknown suite "nightly"');
    expect(unknown.err).toMatch(/^ {2}suite: one of .*smoke/m);
    const notJson = join(dir, 'broken.json');
    await writeFile(notJson, '{ "name": ');
    const broken = await airlock('validate', 'val-cli', '1', '--suite-file', notJson);
    expect(broken.code).toBe(ExitCode.BadInput);
    expect(broken.err).toContain(`--suite-file: ${notJson} is not JSON`);
    const invalid = join(dir, 'invalid.json');
    await writeFile(invalid, JSON.stringify({ name: 'x', version: 1, gates: 'none' }));
    const rejected = await airlock('validate', 'val-cli', '1', '--suite-file', invalid);
    expect(rejected.code).toBe(ExitCode.BadInput);
    expect(rejected.err).toMatch(/^error VALIDATION_FAILED: /);
    expect(rejected.err).toMatch(/^ {2}suiteDefinition\.\S+: /m);
    const noVersion = await airlock('validate', 'val-cli', '9', '--suite', 'smoke');
    expect(noVersion.code).toBe(ExitCode.BadInput);
    expect(noVersion.err).toContain('error NOT_FOUND: version 9 of model "val-cli" not found');
  });
});

describe('airlock validate --wait, with a worker', () => {
  beforeAll(async () => {
    worker = await startWorker(
      loadWorkerConfig({
        DATABASE_URL: t.config.databaseUrl,
        AIRLOCK_ARTIFACT_STORE: t.config.artifactStoreUri,
        AIRLOCK_DATA_DIR: join(dir, 'worker'),
        WORKER_PORT: '0',
        AIRLOCK_ORPHAN_SWEEP_INTERVAL_MS: '0',
        LOG_LEVEL: 'silent',
      }),
      { db: t.api.db, store: t.api.store, boss: t.api.boss, logger: pino({ level: 'silent' }) },
    );
  });

  it('a good policy: the smoke suite passes, exit 0, the JSON has every gate Successful', async () => {
    const run = await airlock('validate', 'val-cli', '1', '--suite', 'smoke', '--wait', '--json');
    expect(run.code).toBe(ExitCode.Ok);
    const result = JSON.parse(run.out) as Run;
    expect(result.phase).toBe('Successful');
    expect(result.progress).toEqual({ done: 4, total: 4 });
    expect(result.gates.map((g) => [g.name, g.phase])).toEqual([
      ['is-non-inferior', 'Successful'],
      ['completion', 'Successful'],
      ['max-participation', 'Successful'],
      ['no-invalid-actions', 'Successful'],
      ['inference-latency', 'Successful'],
    ]);
    // Progress went to stderr as plain lines, ending with the verdict's phase.
    expect(run.err).toMatch(new RegExp(`^validation ${result.id} of val-cli v1 \\(smoke@1, 4 shards\\)`));
    expect(run.err.trim().split('\n').at(-1)).toBe('Successful 4/4 shards');
    expect(JSON.parse((await airlock('versions', 'show', 'val-cli', '1', '--json')).out).status).toBe('validated');

    const show = await airlock('validations', 'show', result.id);
    expect(show.code).toBe(0);
    const lines = show.out.split('\n');
    const header = lines.findIndex((l) => /^gate\s+phase\s+value\s+95% CI\s+condition\s+message$/.test(l));
    expect(header).toBeGreaterThan(0);
    const gate = result.gates[0]!;
    expect(lines[header + 1]).toMatch(new RegExp(`^is-non-inferior\\s+Successful\\s+-?[\\d.]+\\s+\\[-?[\\d.]+, -?[\\d.]+\\]\\s+<= 0\\.5\\s+\\S`));
    expect(gate.interval).not.toBeNull();
    expect(show.out).toMatch(/^verdict: Successful$/m);
  });

  it('a policy that never trades: exit 1, the failed gate in the table and the verdict (bar on a terminal)', async () => {
    const drawn: string[] = [];
    const spy = jest.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => (drawn.push(String(chunk)), true));
    setTty(true);
    let run;
    try {
      run = await airlock('validate', 'val-cli', '2', '--suite', 'smoke', '--wait');
    } finally {
      setTty(false);
      spy.mockRestore();
    }
    expect(run.code).toBe(ExitCode.Finding);
    expect(run.out).toMatch(/^completion\s+Failed\s+0(\.\d+)?\s+—\s+>= 0\.995\s+\S/m);
    expect(run.out).toMatch(/^verdict: Failed \(.*completion Failed.*\)$/m);
    expect(drawn.join('')).toMatch(/validate \[=+\] 4\/4 shards \| Failed/);
    expect(JSON.parse((await airlock('versions', 'show', 'val-cli', '2', '--json')).out).status).toBe('rejected');
  });
});
