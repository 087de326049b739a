/**
 * Coalesces cumulative acks into durable writes. A consumer's handler may call ack() on every delivery without
 * awaiting: while one write (a position file rename, a JetStream ackAck round trip) is in flight, later acks
 * only raise the target, and the next write covers all of them. Each ack's promise resolves once a write at or
 * beyond its position has completed, and rejects if that write failed.
 */
export interface AckRecord {
  /** Stream position being acknowledged (with everything before it). */
  readonly position: number;
}

interface Waiter {
  readonly position: number;
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

export class AckCommitter<T extends AckRecord> {
  private committedPosition: number;
  /** The furthest record asked for and not yet written. */
  private pending: T | undefined;
  private waiters: Waiter[] = [];
  private flushing: Promise<void> | undefined;

  constructor(
    /** Makes `record.position` durable; called one at a time, with strictly increasing positions. */
    private readonly write: (record: T) => Promise<void>,
    initialPosition = 0,
  ) {
    this.committedPosition = initialPosition;
  }

  /** Position of the last completed write. */
  get committed(): number {
    return this.committedPosition;
  }

  request(record: T): Promise<void> {
    if (record.position <= this.committedPosition) return Promise.resolve();
    if (this.pending === undefined || record.position > this.pending.position) this.pending = record;
    const settled = new Promise<void>((resolve, reject) => {
      this.waiters.push({ position: record.position, resolve, reject });
    });
    this.flushing ??= this.flush();
    return settled;
  }

  /** Resolves when no write is in flight or queued (errors are the ack callers' to see). */
  async idle(): Promise<void> {
    while (this.flushing !== undefined) await this.flushing;
  }

  /** Forgets queued records and restarts from a known durable position (a new consume() pass). */
  reset(position: number): void {
    this.committedPosition = position;
    this.pending = undefined;
  }

  private async flush(): Promise<void> {
    try {
      while (this.pending !== undefined) {
        const record = this.pending;
        this.pending = undefined;
        if (record.position <= this.committedPosition) continue;
        try {
          await this.write(record);
        } catch (error) {
          // Everything asked for so far shares the failure; a later ack starts a fresh attempt.
          const failed = this.waiters;
          this.waiters = [];
          this.pending = undefined;
          for (const waiter of failed) waiter.reject(error);
          return;
        }
        this.committedPosition = record.position;
        const still: Waiter[] = [];
        for (const waiter of this.waiters) {
          if (waiter.position <= record.position) waiter.resolve();
          else still.push(waiter);
        }
        this.waiters = still;
      }
    } finally {
      // Cleared in the same microtask the loop ends in, so a request() arriving next starts a new flush.
      this.flushing = undefined;
    }
  }
}
