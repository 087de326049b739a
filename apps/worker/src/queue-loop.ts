import type { Logger } from '@airlock/runtime';
import type { Job, PgBoss } from '@airlock/queue';

export interface QueueLoopOptions {
  /** Jobs processed at once by this process. */
  readonly concurrency: number;
  /** Sleep when the queue is empty, ms (the only wait: a finished job is followed by the next fetch at once). */
  readonly idleMs: number;
  /** Refresh the job's heartbeat this often while it runs, ms (under the queue's heartbeatSeconds). */
  readonly heartbeatMs: number;
}

/**
 * Fetch → process → complete, continuously. pg-boss's `work()` waits its polling interval (≥ 0.5 s) between
 * single-job fetches even when the queue is full, which cost validation runs more than the work itself
 * (bench:validation); this loop takes the next job as soon as one finishes and only sleeps when there is none.
 * While a job runs its heartbeat is refreshed (`touch`), so a killed worker's job is retried elsewhere.
 */
export class QueueLoop<T extends object> {
  private stopping = false;
  private readonly slots: Promise<void>[] = [];

  constructor(
    private readonly boss: PgBoss,
    private readonly queue: string,
    private readonly handle: (job: Job<T>) => Promise<void>,
    private readonly options: QueueLoopOptions,
    private readonly logger: Logger,
  ) {}

  start(): void {
    for (let i = 0; i < this.options.concurrency; i++) this.slots.push(this.run());
  }

  private async run(): Promise<void> {
    while (!this.stopping) {
      let job: Job<T> | undefined;
      try {
        [job] = await this.boss.fetch<T>(this.queue, { batchSize: 1 });
      } catch (error) {
        this.logger.error({ err: error, queue: this.queue }, 'fetching a job failed');
      }
      if (!job) {
        await new Promise((resolve) => setTimeout(resolve, this.options.idleMs));
        continue;
      }
      const attempt = { id: job.id, retryCount: job.retryCount };
      const beat = setInterval(() => {
        this.boss.touch(this.queue, attempt).catch((error: unknown) => this.logger.warn({ err: error, queue: this.queue }, 'heartbeat failed'));
      }, this.options.heartbeatMs);
      try {
        await this.handle(job);
        await this.boss.complete(this.queue, attempt);
      } catch (error) {
        this.logger.warn({ err: error, queue: this.queue, jobId: job.id, attempt: job.retryCount + 1 }, 'job failed; pg-boss retries it while retries remain');
        await this.boss.fail(this.queue, attempt, { message: (error as Error).message }).catch(() => undefined);
      } finally {
        clearInterval(beat);
      }
    }
  }

  /** Lets running jobs finish, then returns. */
  async stop(): Promise<void> {
    this.stopping = true;
    await Promise.all(this.slots);
  }
}
