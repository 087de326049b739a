import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildMlpPolicy } from '@airlock/onnx';
import { generateSyntheticDay, writeLobster } from '@airlock/sim';
import { zipSync } from 'fflate';
import { pino } from 'pino';
import { registrationForm, startTestApi, type Json, type TestApi } from '../../api/src/testing/api-harness.js';
import { startWorker, type RunningWorker } from './bootstrap.js';
import { loadWorkerConfig } from './worker-config.js';

const FEATURES = ['time_remaining_frac', 'qty_remaining_frac', 'schedule_deviation', 'spread_ticks'];
const ACTIONS = ['participation', 'aggression'];

/**
 * A shard that keeps failing with a transient error is retried a bounded number of times, then fails the run with
 * the reason — never a stuck run. The failure is real: this worker's cache folder is misconfigured (a file stands
 * where the folder should be), so every attempt to fetch the registered dataset fails with ENOTDIR.
 */
describe('validation retries are bounded', () => {
  let t: TestApi;
  let worker: RunningWorker;
  let scratch: string;

  beforeAll(async () => {
    scratch = mkdtempSync(join(tmpdir(), 'airlock-retries-'));
    t = await startTestApi();
    const notAFolder = join(scratch, 'cache-is-a-file');
    writeFileSync(notAFolder, 'not a folder');
    worker = await startWorker(
      loadWorkerConfig({
        AIRLOCK_CACHE_DIR: notAFolder,
        AIRLOCK_SHARD_RETRY_LIMIT: '2',
        AIRLOCK_ORPHAN_SWEEP_INTERVAL_MS: '0',
        WORKER_PORT: '0',
      }),
      { db: t.api.db, store: t.api.store, boss: t.api.boss, logger: pino({ level: 'silent' }) },
    );
  }, 60_000);
  afterAll(async () => {
    await worker?.close();
    await t?.close();
    rmSync(scratch, { recursive: true, force: true });
  });

  it('fails the run with the reason once the retries are used up', async () => {
    const day = generateSyntheticDay({ regime: 'calm', seed: 11, events: 20_000, levels: 5 });
    const files = await writeLobster(day, join(scratch, 'lobster'));
    const form = new FormData();
    form.append('name', 'calm-11');
    form.append(
      'file',
      new Blob([zipSync({ [files.messageFile.split('/').pop()!]: readFileSync(files.messageFile), [files.orderbookFile.split('/').pop()!]: readFileSync(files.orderbookFile) })]),
      'calm-11.zip',
    );
    expect((await t.call('POST', '/v1/datasets', { form })).status).toBe(201);
    expect((await t.call('POST', '/v1/models', { json: { name: 'retry-me', owner: 'desk', assetClass: 'eq', tier: 'low' } })).status).toBe(201);
    const policy = buildMlpPolicy({ features: FEATURES, actions: ACTIONS, activation: 'relu', output: 'sigmoid', layers: [{ weights: [[0, 0, -8, 0], [-6, 0, -10, 0]], bias: [-2, 1] }] });
    expect((await t.call('POST', '/v1/models/retry-me/versions', { form: registrationForm(policy, { features: FEATURES, actions: ACTIONS }) })).status).toBe(201);
    const smoke = JSON.parse(readFileSync(new URL('../../../packages/validation/suites/smoke.json', import.meta.url), 'utf8'));
    const suite = { ...smoke, name: 'one-shard', datasets: [{ name: 'calm-11' }], scenarios: [{ name: 'base' }], orders: { ...smoke.orders, count: 5 }, ordersPerShard: 5 };
    const requested = await t.call('POST', '/v1/models/retry-me/versions/1/validations', { json: { suiteDefinition: suite } });
    expect(requested.status).toBe(202);

    const deadline = Date.now() + 60_000;
    let run: Json;
    do {
      await new Promise((resolve) => setTimeout(resolve, 250));
      run = (await t.call('GET', `/v1/validations/${requested.body.id}`)).body;
    } while (!['Successful', 'Failed', 'Inconclusive', 'Error'].includes(run.phase) && Date.now() < deadline);
    expect(run.phase).toBe('Error');
    expect(run.error).toMatch(/^shard 0: .*(ENOTDIR|not a directory)/);
    // Three attempts: the first and two retries (pg-boss counts a retry when it hands the job out again).
    const attempts = (await t.api.db.dataSource.query(`SELECT retry_count FROM pgboss.job WHERE name = 'validation-shard' AND data->>'runId' = $1`, [requested.body.id])) as { retry_count: number }[];
    expect(attempts.map((a) => a.retry_count)).toEqual([2]);
  }, 90_000);
});
