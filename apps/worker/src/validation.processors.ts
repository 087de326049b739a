import type { Logger } from '@airlock/runtime';
import type { PgBoss } from '@airlock/queue';
import { AGGREGATE_QUEUE, DEAD_AGGREGATE_QUEUE, DEAD_SHARD_QUEUE, SHARD_QUEUE, type QueuePolicy, type RunInputs, type ShardJob, type ValidationService } from '@airlock/validation';
import { Histogram, type Registry } from 'prom-client';
import { QueueLoop } from './queue-loop.js';

/**
 * Thin edge: queued jobs → validation use-cases. Shards run `concurrency` at a time and heartbeat while they run,
 * so a killed worker's shard goes back to the queue and another worker takes it.
 */
export async function startValidationProcessors(options: {
  readonly boss: PgBoss;
  readonly validation: ValidationService;
  readonly inputs: RunInputs;
  readonly concurrency: number;
  readonly policy: QueuePolicy;
  readonly logger: Logger;
  readonly metrics: Registry;
  /** Each gate of a judged run (its outcome on /metrics). */
  readonly onGate?: (gate: string, phase: string) => void;
}): Promise<{ stop(): Promise<void> }> {
  const { boss, validation, inputs, logger } = options;
  const duration = new Histogram({
    name: 'airlock_job_duration_seconds',
    help: 'Job processing time in seconds, by queue and outcome',
    labelNames: ['queue', 'outcome'],
    buckets: [0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300],
    registers: [options.metrics],
  });
  const timed = async <T>(queue: string, work: () => Promise<T>): Promise<T> => {
    const end = duration.startTimer({ queue });
    try {
      const result = await work();
      end({ outcome: typeof result === 'string' ? result : 'done' });
      return result;
    } catch (error) {
      end({ outcome: 'error' });
      throw error;
    }
  };
  await validation.createQueues({ owner: true });
  const heartbeatMs = (options.policy.heartbeatSeconds * 1000) / 3;
  const loops = [
    new QueueLoop<ShardJob>(
      boss,
      SHARD_QUEUE,
      async (job) => {
        logger.info({ runId: job.data.runId, shard: job.data.index, attempt: job.retryCount + 1 }, 'validation shard started');
        const outcome = await timed(SHARD_QUEUE, () => validation.processShard(job.data, { retryCount: job.retryCount }, inputs));
        logger.info({ runId: job.data.runId, shard: job.data.index, attempt: job.retryCount + 1, outcome }, 'validation shard');
      },
      { concurrency: options.concurrency, idleMs: 200, heartbeatMs },
      logger,
    ),
    new QueueLoop<{ runId: string }>(
      boss,
      AGGREGATE_QUEUE,
      async (job) => {
        try {
          const report = await timed(AGGREGATE_QUEUE, () => validation.aggregate(job.data.runId));
          if (report) {
            logger.info({ runId: job.data.runId, phase: report.phase }, 'validation run judged');
            for (const gate of report.gates) options.onGate?.(gate.name, gate.phase);
          }
        } catch (error) {
          // The last attempt fails the run with the reason (the dead-letter queue covers a worker lost on it).
          if (job.retryCount >= options.policy.shardRetryLimit) {
            await validation.failRun(job.data.runId, `aggregation failed on every attempt: ${(error as Error).message}`);
            return;
          }
          throw error;
        }
      },
      { concurrency: 1, idleMs: 200, heartbeatMs },
      logger,
    ),
    new QueueLoop<ShardJob>(
      boss,
      DEAD_SHARD_QUEUE,
      async (job) => {
        await validation.failRun(job.data.runId, `shard ${job.data.index} failed on every attempt (errors or a worker lost mid-shard)`);
        logger.warn({ runId: job.data.runId, shard: job.data.index }, 'validation shard exhausted its retries; run failed');
      },
      { concurrency: 1, idleMs: 1000, heartbeatMs },
      logger,
    ),
    new QueueLoop<{ runId: string }>(
      boss,
      DEAD_AGGREGATE_QUEUE,
      async (job) => {
        await validation.failRun(job.data.runId, 'aggregation failed on every attempt (errors or a worker lost mid-aggregation)');
        logger.warn({ runId: job.data.runId }, 'validation aggregation exhausted its retries; run failed');
      },
      { concurrency: 1, idleMs: 1000, heartbeatMs },
      logger,
    ),
  ];
  for (const loop of loops) loop.start();
  return { stop: async () => void (await Promise.all(loops.map((l) => l.stop()))) };
}
