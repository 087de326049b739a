import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildMlpPolicy } from '@airlock/onnx';
import { generateSyntheticDay, writeLobster } from '@airlock/sim';
import { zipSync } from 'fflate';
import pg from 'pg';
import { registrationForm, startTestApi, type Json, type TestApi } from '../../api/src/testing/api-harness.js';
import { spawnWorker, type WorkerProcess } from './testing/index.js';

// End to end on the machine's PostgreSQL: the API in this process, two real worker processes, pg-boss between them.

const FEATURES = ['time_remaining_frac', 'qty_remaining_frac', 'schedule_deviation', 'spread_ticks'];
const ACTIONS = ['participation', 'aggression'];
const MANIFEST = { features: FEATURES, actions: ACTIONS };

/** participation = σ(−8·schedule_deviation − 2), aggression = σ(−6·time_remaining − 10·schedule_deviation + 1): rests passively, catches up when behind. */
const GOOD = buildMlpPolicy({ ...MANIFEST, activation: 'relu', output: 'sigmoid', layers: [{ weights: [[0, 0, -8, 0], [-6, 0, -10, 0]], bias: [-2, 1] }] });
/** Never trades: participation σ(−30) ≈ 0. */
const IDLE = buildMlpPolicy({ ...MANIFEST, activation: 'relu', output: 'sigmoid', layers: [{ weights: [[0, 0, 0, 0], [0, 0, 0, 0]], bias: [-30, 0] }] });
/** Another passive policy, used where the numbers only need to be reproducible. */
const STEADY = buildMlpPolicy({ ...MANIFEST, activation: 'relu', output: 'sigmoid', layers: [{ weights: [[0, 0, -6, 0], [-8, 0, -6, 0]], bias: [-2.5, 0.5] }] });

const TERMINAL = ['Successful', 'Failed', 'Inconclusive', 'Error'];

function storedFile(dir: string, sha256: string): string {
  const walk = (d: string): string[] => readdirSync(d).flatMap((n) => (statSync(join(d, n)).isDirectory() ? walk(join(d, n)) : [join(d, n)]));
  const found = walk(dir).find((f) => f.endsWith(sha256));
  if (!found) throw new Error(`no stored file for ${sha256}`);
  return found;
}

describe('validation pipeline, end to end with two worker processes', () => {
  let t: TestApi;
  let quant: string;
  const workers: WorkerProcess[] = [];
  let scratch: string;
  const versions: Record<string, number> = {};

  const register = async (bytes: Uint8Array, manifest: object = MANIFEST) => {
    const response = await t.call('POST', '/v1/models/val-e2e/versions', { key: quant, form: registrationForm(bytes, manifest) });
    expect([200, 201]).toContain(response.status);
    return response.body.version as number;
  };

  const validate = async (version: number, body: object = { suite: 'smoke' }) => {
    const response = await t.call('POST', `/v1/models/val-e2e/versions/${version}/validations`, { key: quant, json: body });
    expect(response.status).toBe(202);
    expect(response.body.phase).toBe('Pending');
    return response.body.id as string;
  };

  const waitFor = async (runId: string, until: (run: Json) => boolean = (run) => TERMINAL.includes(run.phase), timeoutMs = 120_000): Promise<Json> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const run = (await t.call('GET', `/v1/validations/${runId}`, { key: quant })).body;
      if (until(run)) return run;
      if (Date.now() > deadline) throw new Error(`run ${runId} stuck: ${JSON.stringify(run)}\n${workers.map((w) => w.lines.slice(-20).join('\n')).join('\n---\n')}`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  };

  const spawnWorkers = async (count: number) => {
    for (let i = 0; i < count; i++) {
      workers.push(
        await spawnWorker(`w${workers.length}`, {
          DATABASE_URL: t.config.databaseUrl as string,
          AIRLOCK_ARTIFACT_STORE: t.config.artifactStoreUri,
          AIRLOCK_DATA_DIR: join(scratch, `worker-${workers.length}`),
          AIRLOCK_QUEUE_SUPERVISE_SECONDS: '1',
          AIRLOCK_SHARD_HEARTBEAT_SECONDS: '10',
          AIRLOCK_ORPHAN_SWEEP_INTERVAL_MS: '0',
        }),
      );
    }
  };

  beforeAll(async () => {
    scratch = mkdtempSync(join(tmpdir(), 'airlock-validation-'));
    t = await startTestApi();
    quant = await t.keyWith('quant');
    expect((await t.call('POST', '/v1/models', { key: quant, json: { name: 'val-e2e', owner: 'desk', assetClass: 'equities', tier: 'low' } })).status).toBe(201);
    versions.good = await register(GOOD);
    versions.idle = await register(IDLE);
    versions.steady = await register(STEADY);
    await spawnWorkers(2);
  }, 120_000);

  afterAll(async () => {
    for (const worker of workers) worker.kill('SIGTERM');
    await Promise.all(workers.map((w) => w.exited));
    await t?.close();
    rmSync(scratch, { recursive: true, force: true });
  });

  it('a good policy passes every gate; the version becomes validated, with evidence and audit events', async () => {
    const runId = await validate(versions.good!);
    const run = await waitFor(runId);
    expect(run.phase).toBe('Successful');
    expect(run.progress).toEqual({ done: 4, total: 4 });
    expect(run.gates.map((g: Json) => [g.name, g.phase])).toEqual([
      ['is-non-inferior', 'Successful'],
      ['completion', 'Successful'],
      ['max-participation', 'Successful'],
      ['no-invalid-actions', 'Successful'],
      ['inference-latency', 'Successful'],
    ]);
    const gate = run.gates[0];
    expect(gate.interval[1]).toBeLessThanOrEqual(0.5); // the whole CI is within the non-inferiority margin
    expect((await t.call('GET', `/v1/models/val-e2e/versions/${versions.good}`, { key: quant })).body.status).toBe('validated');
    const evidence = await t.call('GET', `/v1/validations/${runId}/evidence`, { key: quant });
    expect(evidence.body.report.gates).toEqual(run.gates);
    expect(evidence.body.shards).toHaveLength(4);
    const html = await t.call('GET', `/v1/validations/${runId}/report`, { key: quant });
    expect(String(html.body)).toContain('<svg');
    const actions = (await t.call('GET', `/v1/audit?subject=model:val-e2e`)).body.items.filter((e: Json) => e.data?.runId === runId).map((e: Json) => e.action);
    expect(actions).toEqual(['validation.requested', 'version.status-changed', 'validation.completed', 'version.status-changed']);
  });

  it('a policy that never trades fails on the named gate, and the version is rejected', async () => {
    const run = await waitFor(await validate(versions.idle!));
    expect(run.phase).toBe('Failed');
    const completion = run.gates.find((g: Json) => g.name === 'completion');
    expect(completion).toMatchObject({ phase: 'Failed', condition: '>= 0.995' });
    expect(completion.value).toBeLessThan(0.5);
    expect((await t.call('GET', `/v1/models/val-e2e/versions/${versions.idle}`, { key: quant })).body.status).toBe('rejected');
  });

  it('too few episodes to decide → Inconclusive; a suite sent with the request is evidence only and leaves the status alone', async () => {
    const suite = JSON.parse(readFileSync(new URL('../../../packages/validation/suites/smoke.json', import.meta.url), 'utf8'));
    const tiny = { ...suite, name: 'tiny', orders: { ...suite.orders, count: 6 }, ordersPerShard: 3 };
    const before = (await t.call('GET', `/v1/models/val-e2e/versions/${versions.steady}`, { key: quant })).body.status;
    const run = await waitFor(await validate(versions.steady!, { suiteDefinition: tiny }));
    expect(run.phase).toBe('Inconclusive');
    expect(run.affectsStatus).toBe(false);
    expect(run.gates.find((g: Json) => g.name === 'is-non-inferior')).toMatchObject({ phase: 'Inconclusive', message: expect.stringContaining('fewer than the 20 needed') });
    expect((await t.call('GET', `/v1/models/val-e2e/versions/${versions.steady}`, { key: quant })).body.status).toBe(before);
  });

  it('refuses a second status-setting validation of a version while one is running', async () => {
    const version = await register(buildMlpPolicy({ ...MANIFEST, activation: 'relu', output: 'sigmoid', layers: [{ weights: [[0, 0, -9, 0], [-6, 0, -9, 0]], bias: [-2, 1] }] }));
    const first = await validate(version, { suite: 'default-low' }); // seconds of work: still running when the second arrives
    const second = await t.call('POST', `/v1/models/val-e2e/versions/${version}/validations`, { key: quant, json: { suite: 'smoke' } });
    expect(second.status).toBe(409);
    expect(second.body.code).toBe('CONFLICT');
    await waitFor(first);
  });

  it('a worker killed with SIGKILL mid-run loses nothing: the run completes with the same numbers as an uninterrupted one', async () => {
    const suite = JSON.parse(readFileSync(new URL('../../../packages/validation/suites/smoke.json', import.meta.url), 'utf8'));
    // 10 shards of 60 orders each (a few hundred ms apiece) on a larger day, so a kill lands inside one.
    const longer = { ...suite, name: 'crash', datasets: [{ synthetic: { regime: 'calm', seed: 5, events: 300000 } }], scenarios: [{ name: 'base' }], orders: { ...suite.orders, count: 600 }, ordersPerShard: 60 };
    const uninterrupted = await waitFor(await validate(versions.steady!, { suiteDefinition: longer }));
    expect(uninterrupted.phase).not.toBe('Error'); // a real verdict with gates, so the comparison below means something
    expect(uninterrupted.gates.length).toBeGreaterThan(0);

    const runId = await validate(versions.steady!, { suiteDefinition: longer });
    const victim = workers[0]!;
    // Kill it while it holds a shard: its last log line says it started one and has not finished it.
    const deadline = Date.now() + 60_000;
    const holdsShardOfThisRun = () => {
      const last = victim.lines.at(-1) ?? '';
      return last.includes('"validation shard started"') && last.includes(runId);
    };
    while (!holdsShardOfThisRun()) {
      if (Date.now() > deadline) throw new Error(`the victim never held a shard:\n${victim.lines.slice(-10).join('\n')}`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    victim.kill('SIGKILL');
    expect(await victim.exited).toBeNull(); // killed by the signal, no exit code
    const interrupted = await waitFor(runId);

    expect(interrupted.phase).toBe(uninterrupted.phase);
    expect(interrupted.gates).toEqual(uninterrupted.gates);
    expect(interrupted.report).toEqual(uninterrupted.report);
    // The kill hit a shard in flight: pg-boss retried it after its heartbeat stopped.
    const db = new pg.Client({ connectionString: t.config.databaseUrl });
    await db.connect();
    try {
      const { rows } = await db.query(`SELECT max(retry_count) AS retries FROM pgboss.job WHERE name = 'validation-shard' AND data->>'runId' = $1`, [runId]);
      expect(Number(rows[0].retries)).toBeGreaterThanOrEqual(1);
    } finally {
      await db.end();
    }
    await spawnWorkers(1); // back to two for the rest
  }, 180_000);

  describe('bad input: a failed run with its reason, never a stuck one', () => {
    it('an unknown suite is refused at once, listing the known ones', async () => {
      const response = await t.call('POST', `/v1/models/val-e2e/versions/${versions.good}/validations`, { key: quant, json: { suite: 'no-such-suite' } });
      expect(response.status).toBe(404);
      expect(response.body.errors[0].message).toContain('default-low');
    });

    it('a suite naming a missing dataset', async () => {
      const suite = JSON.parse(readFileSync(new URL('../../../packages/validation/suites/smoke.json', import.meta.url), 'utf8'));
      const run = await waitFor(await validate(versions.good!, { suiteDefinition: { ...suite, datasets: [{ name: 'no-such-dataset' }] } }));
      expect(run.phase).toBe('Error');
      expect(run.error).toContain('"no-such-dataset", which is not registered');
    });

    it('a dataset whose stored bytes no longer match its sha256', async () => {
      const day = generateSyntheticDay({ regime: 'calm', seed: 9, events: 30_000, levels: 5 });
      const { messageFile, orderbookFile } = await writeLobster(day, join(scratch, 'lobster'));
      const zip = zipSync({
        [messageFile.split('/').pop()!]: new Uint8Array(readFileSync(messageFile)),
        [orderbookFile.split('/').pop()!]: new Uint8Array(readFileSync(orderbookFile)),
      });
      const form = new FormData();
      form.append('name', 'calm-9');
      form.append('file', new Blob([zip]), 'calm-9.zip');
      const registered = await t.call('POST', '/v1/datasets', { key: quant, form });
      expect(registered.status).toBe(201);
      expect(registered.body).toMatchObject({ name: 'calm-9', levels: 5, messages: day.length, sha256: expect.stringMatching(/^[0-9a-f]{64}$/) });
      expect(registered.body.quality.messages ?? registered.body.quality.events).toBeDefined();
      writeFileSync(storedFile(t.artifactDir, registered.body.sha256), Buffer.from('tampered'));
      const suite = JSON.parse(readFileSync(new URL('../../../packages/validation/suites/smoke.json', import.meta.url), 'utf8'));
      const run = await waitFor(await validate(versions.good!, { suiteDefinition: { ...suite, datasets: [{ name: 'calm-9' }] } }));
      expect(run.phase).toBe('Error');
      expect(run.error).toContain('dataset "calm-9": stored bytes no longer match sha256');
    });

    it('a corrupted model artifact', async () => {
      const corrupt = buildMlpPolicy({ ...MANIFEST, activation: 'relu', output: 'sigmoid', layers: [{ weights: [[0, 0, -7, 0], [-5, 0, -9, 0]], bias: [-2, 1] }] });
      const version = await register(corrupt);
      const sha = (await t.call('GET', `/v1/models/val-e2e/versions/${version}`, { key: quant })).body.sha256 as string;
      writeFileSync(storedFile(t.artifactDir, sha), Buffer.from('not the model any more'));
      const run = await waitFor(await validate(version));
      expect(run.phase).toBe('Error');
      expect(run.error).toContain(`model val-e2e@${version}: stored bytes no longer match sha256`);
      expect((await t.call('GET', `/v1/models/val-e2e/versions/${version}`, { key: quant })).body.status).toBe('needs-review');
    });

    it('a model whose features the engine cannot compute (registered under another catalog)', async () => {
      const version = await register(buildMlpPolicy({ ...MANIFEST, activation: 'relu', output: 'sigmoid', layers: [{ weights: [[0, 0, -5, 0], [-5, 0, -5, 0]], bias: [-2, 1] }] }));
      // The catalog no longer defines one of its features: what a version registered before a catalog change looks like.
      const db = new pg.Client({ connectionString: t.config.databaseUrl });
      await db.connect();
      await db.query(`UPDATE model_versions SET manifest = jsonb_set(manifest, '{features,3}', '"order_flow_toxicity"') WHERE version = $1`, [version]);
      await db.end();
      const run = await waitFor(await validate(version));
      expect(run.phase).toBe('Error');
      expect(run.error).toContain('order_flow_toxicity');
    });
  });
});
