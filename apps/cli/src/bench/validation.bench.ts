/**
 * `npm run bench:validation`: the medium-tier default suite on the shared GOOG 10-level day, run
 *   (a) in one process, shard after shard, with the engine directly (what `airlock backtest` does: no queue, no DB),
 *   (b) through the API, pg-boss and PostgreSQL with 1 worker process,
 *   (c) the same with 2 worker processes.
 * Prints wall times, the queue + persistence overhead (b vs a) and the speed-up (b / c). Fresh worker processes
 * for (b) and (c), so each pays its own cold start (loading the day, the ONNX session) like (a) does.
 * Falls back to a synthetic day, saying so, when ../shared/data is absent.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, freemem, tmpdir, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { loadApiConfig, startApi } from '@airlock/api';
import { buildMlpPolicy, OnnxPolicy } from '@airlock/onnx';
import { createTestDatabase } from '@airlock/persistence/testing';
import { generateSyntheticDay, loadMarketDay, writeLobsterZip } from '@airlock/sim';
import { aggregateRun, loadSuite, planShards, runShard, type Suite } from '@airlock/validation';
import { pino } from 'pino';
import { spawnWorker, type WorkerProcess } from '@airlock/worker/testing';

const SHARED_DAY = resolve('../shared/data/lobster-2012-06-21/LOBSTER_SampleFile_GOOG_2012-06-21_10.zip');
const FEATURES = ['time_remaining_frac', 'qty_remaining_frac', 'schedule_deviation', 'spread_ticks'];
const ACTIONS = ['participation', 'aggression'];
const CANDIDATE = buildMlpPolicy({ features: FEATURES, actions: ACTIONS, activation: 'relu', output: 'sigmoid', layers: [{ weights: [[0, 0, -8, 0], [-6, 0, -10, 0]], bias: [-2, 1] }] });

const key = 'ak_bench-admin-key-0123456789abcdef';
const scratch = mkdtempSync(join(tmpdir(), 'airlock-bench-validation-'));
const database = await createTestDatabase('airlock_bench');
const api = await startApi(
  loadApiConfig({ PORT: '0', DATABASE_URL: database.url, AIRLOCK_DATA_DIR: scratch, AIRLOCK_ARTIFACT_STORE: pathToFileURL(join(scratch, 'artifacts')).href, AIRLOCK_BOOTSTRAP_ADMIN_KEY: key, LOG_LEVEL: 'silent' }),
  { logger: pino({ level: 'silent' }) },
);
const call = async (method: string, path: string, body?: object | FormData) => {
  const response = await fetch(`${api.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${key}`, ...(body && !(body instanceof FormData) ? { 'content-type': 'application/json' } : {}) },
    body: body instanceof FormData ? body : body ? JSON.stringify(body) : undefined,
  });
  const json = (await response.json()) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${JSON.stringify(json)}`);
  return json;
};
const workers: WorkerProcess[] = [];

try {
  // --- data: the shared day, or a synthetic stand-in ---
  let archive = SHARED_DAY;
  let source = 'shared GOOG 2012-06-21, 10 levels';
  if (!existsSync(SHARED_DAY)) {
    const day = generateSyntheticDay({ regime: 'calm', seed: 101, events: 200_000, levels: 10 });
    archive = await writeLobsterZip(day, scratch, 'synthetic.zip');
    source = 'synthetic calm day (../shared/data is absent)';
  }
  const form = new FormData();
  form.append('name', 'bench-day');
  form.append('file', new Blob([readFileSync(archive)]), 'day.zip');
  await call('POST', '/v1/datasets', form);
  await call('POST', '/v1/models', { name: 'bench-model', owner: 'bench', assetClass: 'equities', tier: 'medium' });
  const reg = new FormData();
  reg.append('manifest', JSON.stringify({ features: FEATURES, actions: ACTIONS }));
  reg.append('artifact', new Blob([CANDIDATE]), 'candidate.onnx');
  await call('POST', '/v1/models/bench-model/versions', reg);

  // The medium-tier default suite on the registered day instead of its synthetic ones; then the same with 5× and
  // 25× the orders, where compute outweighs each worker's fixed costs (cold load of the day, scenario transforms,
  // queue round trips, aggregation).
  const base = loadSuite(undefined, 'medium');
  const cpu = cpus();
  console.log(`bench:validation — ${cpu.length} cores (${cpu[0]?.model.trim()}), ${(totalmem() / 2 ** 30).toFixed(1)} GiB (${(freemem() / 2 ** 30).toFixed(1)} free), Node ${process.version}`);
  console.log(`data: ${source}; suite: ${base.name}@${base.version} on it (${base.scenarios.length} scenarios, ${base.baselines.length} baselines + candidate)`);
  console.log('');
  console.log('| orders | shards | events | one process | 1 worker | 2 workers | overhead (1 worker vs one process) | speed-up (2 vs 1) |');
  console.log('|---|---|---|---|---|---|---|---|');
  for (const orders of [base.orders.count, base.orders.count * 5, base.orders.count * 25]) {
    const suite: Suite = { ...base, name: `bench-${orders}`, datasets: [{ name: 'bench-day' }], orders: { ...base.orders, count: orders } };
    const shards = planShards(suite);

    // (a) one process, no queue or database: the engine as the CLI runs it, cold (the day parsed, then cached).
    const inProcessStart = performance.now();
    const day = await loadMarketDay(archive, { cacheDir: join(scratch, `inproc-cache-${orders}`) });
    const policy = await OnnxPolicy.load(CANDIDATE, { features: FEATURES, actions: ACTIONS }, 'candidate');
    let events = 0;
    const results = [];
    for (const shard of shards) {
      const result = await runShard({ suite, shard, day, candidate: policy });
      events += result.events;
      results.push(result);
    }
    aggregateRun(suite, results, { hasChampion: false, inferenceP99Us: null }); // the comparisons, as the CLI prints them
    const inProcessMs = performance.now() - inProcessStart;
    await policy.dispose();

    // (b), (c): API + pg-boss + PostgreSQL with N fresh worker processes (each loads the day cold, as (a) did).
    const viaQueue = async (count: number): Promise<number> => {
      for (const w of workers.splice(0)) {
        w.kill('SIGTERM');
        await w.exited;
      }
      for (let i = 0; i < count; i++) {
        workers.push(
          await spawnWorker(`bench-${orders}-${count}-${i}`, {
            DATABASE_URL: database.url,
            AIRLOCK_ARTIFACT_STORE: pathToFileURL(join(scratch, 'artifacts')).href,
            AIRLOCK_DATA_DIR: join(scratch, `worker-${orders}-${count}-${i}`),
            AIRLOCK_ORPHAN_SWEEP_INTERVAL_MS: '0',
            LOG_LEVEL: 'info', // spawnWorker waits for the info-level "worker started" line
          }),
        );
      }
      const start = performance.now();
      const { id } = await call('POST', '/v1/models/bench-model/versions/1/validations', { suiteDefinition: suite });
      for (;;) {
        const run = await call('GET', `/v1/validations/${id}`);
        if (['Successful', 'Failed', 'Inconclusive', 'Error'].includes(run.phase)) {
          if (run.phase === 'Error') throw new Error(`run errored: ${run.error}`);
          return performance.now() - start;
        }
        await new Promise((r) => setTimeout(r, 50));
      }
    };
    const oneWorkerMs = await viaQueue(1);
    const twoWorkersMs = await viaQueue(2);
    const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
    console.log(
      `| ${orders} | ${shards.length} | ${events.toLocaleString()} | ${s(inProcessMs)} | ${s(oneWorkerMs)} | ${s(twoWorkersMs)} | ${(((oneWorkerMs - inProcessMs) / inProcessMs) * 100).toFixed(1)}% | ${(oneWorkerMs / twoWorkersMs).toFixed(2)}× |`,
    );
  }
  console.log('');
  console.log('goals: overhead ≤ 15%; 2 workers ≥ 1.7× one. The 2 cores are shared by the API, PostgreSQL and the workers.');
} finally {
  for (const w of workers) w.kill('SIGTERM');
  await Promise.all(workers.map((w) => w.exited));
  await api.close();
  await database.drop();
  rmSync(scratch, { recursive: true, force: true });
}
