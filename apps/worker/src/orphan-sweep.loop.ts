import type { OrphanSweeper } from '@airlock/registry';
import type { Logger } from '@airlock/runtime';
import type { Counter } from 'prom-client';

/**
 * Runs the orphan sweep every `intervalMs`, one pass at a time (a slow pass delays the next instead of overlapping).
 * Safe on many replicas at once: each deletion is decided under the digest's lock.
 */
export class OrphanSweepLoop {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;

  constructor(
    private readonly sweeper: OrphanSweeper,
    private readonly options: { intervalMs: number; graceMs: number },
    private readonly logger: Logger,
    private readonly deletedCounter: Counter,
  ) {}

  start(): void {
    if (this.options.intervalMs <= 0) return;
    const tick = () => {
      this.running = this.runOnce().finally(() => {
        this.timer = setTimeout(tick, this.options.intervalMs);
      });
    };
    this.timer = setTimeout(tick, this.options.intervalMs);
  }

  async runOnce(): Promise<void> {
    try {
      const result = await this.sweeper.sweep({ graceMs: this.options.graceMs });
      this.deletedCounter.inc(result.deleted.length);
      if (result.deleted.length > 0) this.logger.info({ deleted: result.deleted }, 'orphan artifacts deleted');
    } catch (error) {
      this.logger.error({ err: error }, 'orphan sweep failed; retrying next interval');
    }
  }

  async stop(): Promise<void> {
    clearTimeout(this.timer);
    await this.running;
  }
}
