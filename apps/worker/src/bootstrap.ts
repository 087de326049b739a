import { createRolloutActuator } from '@airlock/actuators';
import { createArtifactStore, s3ClientConfigFromEnv, type ArtifactStore } from '@airlock/artifact-store';
import type { Clock, MetricSpec } from '@airlock/core';
import { createDataSource, Database, databaseKind } from '@airlock/persistence';
import { RolloutController, RolloutLeaderLoop } from '@airlock/promotion';
import { OrphanSweeper } from '@airlock/registry';
import { createLogger, createMetricsRegistry, startOpsServer, type Logger } from '@airlock/runtime';
import { startJobQueue, type PgBoss } from '@airlock/queue';
import { RunInputs, ValidationService } from '@airlock/validation';
import { Counter } from 'prom-client';
import { OrphanSweepLoop } from './orphan-sweep.loop.js';
import { registerWorkerMetrics } from './worker-metrics.js';
import { startValidationProcessors } from './validation.processors.js';
import type { WorkerConfig } from './worker-config.js';

export interface RunningWorker {
  readonly url: string;
  readonly sweepLoop: OrphanSweepLoop;
  readonly rolloutLoop: RolloutLeaderLoop;
  close(): Promise<void>;
}

export interface WorkerOverrides {
  /** Shared infrastructure (the all-in-one process hands the API's database, store and queue to the worker). */
  readonly db?: Database;
  readonly store?: ArtifactStore;
  readonly boss?: PgBoss;
  readonly clock?: Clock;
  readonly logger?: Logger;
  /**
   * Analysis templates by name for the rollout controller (default: the built-in `execution-quality` over
   * AIRLOCK_ANALYSIS_INTERVAL_MS). The demo passes one sized to the few orders a short simulated session trades.
   */
  readonly analysisTemplates?: Readonly<Record<string, readonly MetricSpec[]>>;
}

/**
 * The worker process: validation shards and aggregation (pg-boss jobs), and the orphan-artifact sweeper; the
 * rollout controller (issue #6; ticks only on the worker holding the leader lock). The schema is the API's to migrate: the worker only checks it can reach it.
 */
export async function startWorker(config: WorkerConfig, overrides: WorkerOverrides = {}): Promise<RunningWorker> {
  const logger = overrides.logger ?? createLogger('worker', config.logLevel);
  const clock = overrides.clock ?? { now: () => new Date() };
  // What has started so far (only what this call created), stopped in reverse if a later step fails.
  const started: (() => Promise<void>)[] = [];
  try {
    const dataSource = overrides.db
      ? undefined
      : createDataSource({ databaseUrl: config.databaseUrl, embeddedDir: `${config.dataDir}/db`, poolSize: config.databasePoolSize });
    if (dataSource) {
      await dataSource.initialize();
      started.push(() => dataSource.destroy());
    }
    const db = overrides.db ?? new Database(dataSource!, clock);
    const store = overrides.store ?? createArtifactStore(config.artifactStoreUri, { s3: { clientConfig: s3ClientConfigFromEnv(process.env) } });
    if (!overrides.store) started.push(() => store.close());
    const metrics = createMetricsRegistry('worker');
    const deleted = new Counter({ name: 'airlock_orphan_artifacts_deleted_total', help: 'Unreferenced artifacts deleted by the sweeper', registers: [metrics] });
    // The ops server first: if its port is taken, the worker fails before it has taken any job.
    const ops = await startOpsServer({
      host: config.host,
      port: config.port,
      logger,
      metrics,
      checks: [
        { name: 'database', check: () => db.ping() },
        { name: 'artifactStore', check: () => store.ping() },
      ],
    });
    started.push(() => ops.close());
    const boss =
      overrides.boss ??
      (await startJobQueue({
        databaseUrl: config.databaseUrl,
        superviseIntervalSeconds: config.queueSuperviseSeconds,
        onError: (error) => logger.error({ err: error }, 'job queue error'),
      }));
    if (!overrides.boss) started.push(() => boss.stop({ graceful: false, timeout: 1000 }));
    const policy = { shardRetryLimit: config.shardRetryLimit, heartbeatSeconds: config.shardHeartbeatSeconds };
    const validation = new ValidationService(db, store, boss, clock, policy);
    const inputs = new RunInputs(db, store, config.cacheDir);
    const workerMetrics = registerWorkerMetrics(metrics, db, boss);
    const processors = await startValidationProcessors({
      boss,
      validation,
      inputs,
      concurrency: config.concurrency,
      policy,
      logger,
      metrics,
      onGate: (gate, phase) => workerMetrics.gateOutcome('validation', gate, phase),
    });
    const sweepLoop = new OrphanSweepLoop(new OrphanSweeper(db, store, clock), { intervalMs: config.orphanSweepIntervalMs, graceMs: config.orphanGraceMs }, logger, deleted);
    const rolloutLoop = new RolloutLeaderLoop(
      db.dataSource,
      new RolloutController(db, clock, {
        approvalTtlMs: config.approvalTtlMs,
        analysisIntervalMs: config.analysisIntervalMs,
        ...(overrides.analysisTemplates ? { analysisTemplates: overrides.analysisTemplates } : {}),
        ...(config.kubernetes ? { cluster: createRolloutActuator({ kind: 'kubernetes', ...config.kubernetes }) } : {}),
        onMeasurement: (metric, phase) => workerMetrics.gateOutcome('rollout', metric, phase),
        onClusterError: (deployment, error) => logger.error({ err: error, deployment }, 'applying the routing table to the cluster failed; retried at the next tick'),
      }),
      { intervalMs: config.rolloutTickMs, advisoryLock: databaseKind({ databaseUrl: config.databaseUrl }) === 'postgres' },
      logger,
    );
    sweepLoop.start();
    rolloutLoop.start();
    logger.info({ url: ops.url }, 'worker started');
    return {
      url: ops.url,
      sweepLoop,
      rolloutLoop,
      async close() {
        await rolloutLoop.stop();
        await sweepLoop.stop();
        await processors.stop();
        if (!overrides.boss) await boss.stop({ graceful: true, timeout: 5000 });
        await inputs.close();
        await ops.close();
        if (!overrides.store) await store.close();
        if (dataSource?.isInitialized) await dataSource.destroy();
      },
    };
  } catch (error) {
    for (const stop of started.reverse()) await stop().catch(() => undefined);
    throw error;
  }
}
