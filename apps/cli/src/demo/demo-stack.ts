import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { loadApiConfig, startApi, type RunningApi } from '@airlock/api';
import { executionQualityTemplate, LIVE_METRICS, type MetricSpec } from '@airlock/core';
import { loadShadowRunnerConfig, startShadowRunner, type RunningShadowRunner } from '@airlock/shadow-runner';
import { loadWorkerConfig, startWorker, type RunningWorker } from '@airlock/worker';

/** The live analysis interval of the demo's canaries, ms (production default 60 s). */
export const DEMO_ANALYSIS_INTERVAL_MS = 3000;

/**
 * The built-in `execution-quality` template sized for the demo. A 3 s interval (≈ 50 market minutes at 1000×)
 * sees some 100 canary orders finish, and a per-interval IS delta over so few unpaired orders — whose mix of
 * lengths differs between a canary that just started and a stable that has run all day — swings by several bps.
 * The margin is therefore 10 bps (production: 2): the canary here catches gross live failures (a collapsing fill
 * ratio, rejects, limit breaches); IS non-inferiority at 1 bps was settled in shadow on paired orders. One
 * inconclusive interval in three is tolerated.
 */
export const DEMO_ANALYSIS_TEMPLATE: MetricSpec[] = executionQualityTemplate(DEMO_ANALYSIS_INTERVAL_MS, 3).map((m) => ({
  ...m,
  inconclusiveLimit: 1,
  ...(m.name === LIVE_METRICS.is_delta_bps ? { condition: { op: '<=' as const, threshold: 10 } } : {}),
}));

export interface DemoStack {
  readonly api: RunningApi;
  readonly worker: RunningWorker;
  readonly runner: RunningShadowRunner;
  readonly adminKey: string;
  /** The live-flow URI the simulator publishes to and the runner reads (a directory: no broker needed). */
  readonly flowUri: string;
  close(): Promise<void>;
}

/**
 * Airlock in this process on embedded defaults — the API, a validation worker with the rollout controller, and the
 * shadow runner — over one embedded PostgreSQL (PGlite) and a file artifact store under `stateDir`, on free ports.
 * Faster loops than production (controller tick 200 ms, shadow checkpoints 200 ms) so that a day's story fits in
 * minutes; every rule is the production one.
 */
export async function startDemoStack(stateDir: string): Promise<DemoStack> {
  const adminKey = `ak_${randomBytes(32).toString('base64url')}`;
  const flowUri = `file:${join(stateDir, 'live')}`;
  const env = {
    AIRLOCK_DATA_DIR: stateDir,
    LOG_LEVEL: 'error',
    PORT: '0',
    WORKER_PORT: '0',
    SHADOW_RUNNER_PORT: '0',
    AIRLOCK_WORKER_CONCURRENCY: '2',
    AIRLOCK_ROLLOUT_TICK_MS: '200',
    AIRLOCK_ANALYSIS_INTERVAL_MS: String(DEMO_ANALYSIS_INTERVAL_MS),
    AIRLOCK_LIVE_FLOW: flowUri,
    AIRLOCK_SHADOW_DURABLE: 'demo',
    AIRLOCK_SHADOW_CHECKPOINT_MS: '200',
    AIRLOCK_SHADOW_TICK_MS: '200',
    AIRLOCK_SHADOW_SCORE_MS: '500',
    AIRLOCK_ORPHAN_SWEEP_INTERVAL_MS: '0',
  };
  const api = await startApi({ ...loadApiConfig(env), bootstrapAdminKey: adminKey });
  // Where `airlock up` looks for a local install's admin key: `AIRLOCK_DATA_DIR=<state> npm start` serves the demo's world.
  await writeFile(join(stateDir, 'admin-key'), `${adminKey}\n`, { mode: 0o600 });
  const shared = { db: api.db, store: api.store };
  const worker = await startWorker(loadWorkerConfig(env), { ...shared, boss: api.boss, analysisTemplates: { 'execution-quality': DEMO_ANALYSIS_TEMPLATE } });
  const runner = await startShadowRunner(loadShadowRunnerConfig(env), shared);
  return {
    api,
    worker,
    runner,
    adminKey,
    flowUri,
    async close() {
      await runner.close();
      await worker.close();
      await api.close();
    },
  };
}
