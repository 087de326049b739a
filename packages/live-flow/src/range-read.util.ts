import { DomainError } from '@airlock/core';
import type { LiveFlowReadSummary } from './live-flow.port.js';

/** Refuses (VALIDATION_FAILED) range bounds that are not integers >= 1. */
export function checkReadRange(fromPosition: number, toPosition: number): void {
  const message = 'must be an integer >= 1';
  const errors = [
    ...(Number.isSafeInteger(fromPosition) && fromPosition >= 1 ? [] : [{ field: 'fromPosition', message: `${message} (got ${String(fromPosition)})` }]),
    ...(Number.isSafeInteger(toPosition) && toPosition >= 1 ? [] : [{ field: 'toPosition', message: `${message} (got ${String(toPosition)})` }]),
  ];
  if (errors.length > 0) {
    throw new DomainError('VALIDATION_FAILED', `invalid live-flow read range: ${errors.map((e) => `${e.field} ${e.message}`).join('; ')}`, { errors });
  }
}

/**
 * The reads a reader has running, shared by the transports: close() stops them after their current handler
 * and, unless it was called from inside a handler, waits for them to end.
 */
export class RangeReads {
  private readonly running = new Set<Promise<LiveFlowReadSummary>>();
  private readonly stopper = new AbortController();
  /** Handlers being awaited right now (reads may run concurrently). */
  inHandler = 0;
  private closed = false;

  get isClosed(): boolean {
    return this.closed;
  }

  /** Runs one read; `afterRead` runs after it whatever the outcome (with the count of reads still running). */
  start(what: string, run: (signal: AbortSignal) => Promise<LiveFlowReadSummary>, afterRead?: (stillRunning: number) => Promise<void>): Promise<LiveFlowReadSummary> {
    if (this.closed) return Promise.reject(new DomainError('CONFLICT', `the live-flow reader of ${what} is closed`));
    const entry: { read?: Promise<LiveFlowReadSummary> } = {};
    const read = (async () => {
      try {
        return await run(this.stopper.signal);
      } finally {
        if (entry.read !== undefined) this.running.delete(entry.read);
        await afterRead?.(this.running.size);
      }
    })();
    entry.read = read;
    this.running.add(read);
    return read;
  }

  /** Awaits a handler with inHandler counted (close() from inside it must not wait for its own read). */
  async handle(call: () => void | Promise<void>): Promise<void> {
    this.inHandler += 1;
    try {
      await call();
    } finally {
      this.inHandler -= 1;
    }
  }

  /** Stops every read after its current handler; resolves when they ended (at once when called from a handler). */
  async close(): Promise<{ waited: boolean }> {
    this.closed = true;
    this.stopper.abort();
    if (this.inHandler > 0) return { waited: false };
    await Promise.allSettled([...this.running]);
    return { waited: true };
  }
}
