import type { Logger } from '@airlock/runtime';
import type { PgBoss } from '@airlock/queue';
import { AGGREGATE_QUEUE, DEAD_SHARD_QUEUE, SHARD_QUEUE, type RunInputs, type ShardJob, type ValidationService } from '@airlock/validation';
import { Histogram, type Registry } from 'prom-client';

/**
 * Thin edge: pg-boss jobs → validation use-cases. Shards run `concurrency` at a time; a shard's job heartbeats
 * while it runs (pg-boss), so a killed worker's shard goes back to the queue and another worker takes it.
 */
export async function startValidationProcessors(options: {
  readonly boss: PgBoss;
  readonly validation: ValidationService;
  readonly inputs: RunInputs;
  readonly concurrency: number;
  readonly logger: Logger;
  readonly metrics: Registry;
}): Promise<void> {
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
      end({ outcome: String(result ?? 'done') });
      return result;
    } catch (error) {
      end({ outcome: 'error' });
      throw error;
    }
  };
  await validation.createQueues();
  await boss.work<ShardJob>(SHARD_QUEUE, { batchSize: 1, localConcurrency: options.concurrency, pollingIntervalSeconds: 0.5 }, async ([job]) => {
    if (!job) return;
    logger.info({ runId: job.data.runId, shard: job.data.index, attempt: job.retryCount + 1 }, 'validation shard started');
    const outcome = await timed(SHARD_QUEUE, () => validation.processShard(job.data, { retryCount: job.retryCount }, inputs));
    logger.info({ runId: job.data.runId, shard: job.data.index, attempt: job.retryCount + 1, outcome }, 'validation shard');
  });
  await boss.work<{ runId: string }>(AGGREGATE_QUEUE, { batchSize: 1, pollingIntervalSeconds: 0.5 }, async ([job]) => {
    if (!job) return;
    const report = await timed(AGGREGATE_QUEUE, () => validation.aggregate(job.data.runId));
    if (report) logger.info({ runId: job.data.runId, phase: report.phase }, 'validation run judged');
  });
  await boss.work<ShardJob>(DEAD_SHARD_QUEUE, { batchSize: 1, pollingIntervalSeconds: 1 }, async ([job]) => {
    if (!job) return;
    await validation.failRun(job.data.runId, `shard ${job.data.index} failed on every attempt (errors or a worker lost mid-shard)`);
    logger.warn({ runId: job.data.runId, shard: job.data.index }, 'validation shard exhausted its retries; run failed');
  });
}
