import { createArtifactStore, s3ClientConfigFromEnv, type ArtifactStore } from '@airlock/artifact-store';
import type { Clock } from '@airlock/core';
import { createLiveFlowConsumer, createLiveFlowReader } from '@airlock/live-flow';
import { createDataSource, Database } from '@airlock/persistence';
import { createLogger, createMetricsRegistry, startOpsServer, type Logger } from '@airlock/runtime';
import { liveExecutionConfig, registryVersionResolver, ShadowRunner, ShadowService } from '@airlock/shadow';
import { Counter, Gauge } from 'prom-client';
import type { ShadowRunnerConfig } from './shadow-runner-config.js';

export interface RunningShadowRunner {
  readonly url: string;
  /** Resolves when the runner's loop ends (close(), or a failure: then it rejects). */
  readonly done: Promise<void>;
  close(): Promise<void>;
}

export interface ShadowRunnerOverrides {
  /** Shared infrastructure (the all-in-one process hands the API's database and store to the runner). */
  readonly db?: Database;
  readonly store?: ArtifactStore;
  readonly clock?: Clock;
  readonly logger?: Logger;
}

const monotonicNs = (): number => Number(process.hrtime.bigint());

/**
 * The shadow runner process: consumes the live flow under one durable name and scores every Running shadow
 * session (docs/shadow.md). It never sends an order. Checkpoints go to PostgreSQL before the flow is acked;
 * /metrics shows how far behind it is (events and event-time seconds), its position and the sessions.
 */
export async function startShadowRunner(config: ShadowRunnerConfig, overrides: ShadowRunnerOverrides = {}): Promise<RunningShadowRunner> {
  const logger = overrides.logger ?? createLogger('shadow-runner', config.logLevel);
  const clock = overrides.clock ?? { now: () => new Date() };
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

    const metrics = createMetricsRegistry('shadow-runner');
    const lagEvents = new Gauge({ name: 'airlock_shadow_lag_events', help: 'Live-flow events stored after the runner’s acked position', registers: [metrics] });
    const lagSeconds = new Gauge({ name: 'airlock_shadow_lag_seconds', help: 'Event time between the newest stored event and the runner’s acked position, s', registers: [metrics] });
    const position = new Gauge({ name: 'airlock_shadow_position', help: 'Last live-flow position counted and checkpointed', registers: [metrics] });
    const sessionsGauge = new Gauge({ name: 'airlock_shadow_sessions_running', help: 'Shadow sessions being scored', registers: [metrics] });
    const inFlight = new Gauge({ name: 'airlock_shadow_orders_in_flight', help: 'Parent orders open in the flow', registers: [metrics] });
    const completed = new Counter({ name: 'airlock_shadow_sessions_completed_total', help: 'Sessions ended, by verdict of each candidate', labelNames: ['verdict'], registers: [metrics] });
    const gates = new Counter({ name: 'airlock_gate_outcomes_total', help: 'Gates judged, by source (validation, shadow, rollout), gate and phase', labelNames: ['source', 'gate', 'phase'], registers: [metrics] });

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

    const consumer = await createLiveFlowConsumer(config.liveFlowUri, { durable: config.durable, baseDir: process.cwd(), nats: { ackPolicy: 'all' } });
    started.push(() => consumer.close());
    const reader = await createLiveFlowReader(config.liveFlowUri, { baseDir: process.cwd() });
    started.push(() => reader.close());
    const versions = registryVersionResolver(db, store, () => clock.now().getTime());
    started.push(() => versions.close());
    const service = new ShadowService(db, () => clock.now(), store);
    const runner = new ShadowRunner(service, consumer, reader, versions, {
      durable: config.durable,
      execution: liveExecutionConfig(),
      windowNs: config.windowNs,
      checkpointEvery: config.checkpointEvery,
      checkpointIntervalMs: config.checkpointIntervalMs,
      scoreIntervalMs: config.scoreIntervalMs,
      clockNs: monotonicNs,
      onCheckpoint: (info) => {
        position.set(info.position);
        sessionsGauge.set(info.sessions);
        inFlight.set(info.ordersInFlight);
        if (info.lag) {
          lagEvents.set(info.lag.events);
          lagSeconds.set((info.lag.ns ?? 0) / 1e9);
        }
      },
      onSessionCompleted: (id, verdicts) => {
        for (const v of Object.values(verdicts)) {
          completed.inc({ verdict: v.verdict });
          for (const g of v.gates) gates.inc({ source: 'shadow', gate: g.name, phase: g.phase });
        }
        logger.info({ session: id, verdicts: Object.fromEntries(Object.entries(verdicts).map(([k, v]) => [k, v.verdict])) }, 'shadow session completed');
      },
    });
    const abort = new AbortController();
    const timer = setInterval(() => {
      runner.tick().catch((error: unknown) => logger.error({ err: error }, 'shadow runner idle checkpoint failed'));
    }, config.tickMs);
    timer.unref();
    const done = runner.run({ follow: true, signal: abort.signal }).then(() => undefined);
    done.catch((error: unknown) => logger.error({ err: error }, 'shadow runner stopped on an error'));
    logger.info({ url: ops.url, flow: config.liveFlowUri, durable: config.durable }, 'shadow runner started');
    return {
      url: ops.url,
      done,
      async close() {
        clearInterval(timer);
        abort.abort();
        await consumer.close();
        await done.catch(() => undefined);
        await reader.close();
        await versions.close();
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
