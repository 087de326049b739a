import { DomainError } from '@airlock/core';
import type { ConsumeSummary } from './live-flow.port.js';

/**
 * One `consume()` pass at a time per consumer, shared by the transports: a second call while one runs is refused,
 * and the pass ends when the caller's signal aborts or `stop()` is called (by `close()`).
 */
export class ConsumePass {
  private current: Promise<ConsumeSummary> | undefined;
  private stopper: AbortController | undefined;

  /** The pass in progress, if any. */
  get running(): Promise<ConsumeSummary> | undefined {
    return this.current;
  }

  start(
    durable: string,
    signal: AbortSignal | undefined,
    run: (signal: AbortSignal) => Promise<ConsumeSummary>,
    /** Runs after the pass, whatever its outcome (e.g. release the connection if the consumer was closed meanwhile). */
    afterPass?: () => Promise<void>,
  ): Promise<ConsumeSummary> {
    if (this.current !== undefined) return Promise.reject(new DomainError('CONFLICT', `consume() is already running for durable "${durable}"`));
    const stopper = new AbortController();
    const onAbort = (): void => stopper.abort();
    if (signal?.aborted) stopper.abort();
    signal?.addEventListener('abort', onAbort, { once: true });
    this.stopper = stopper;
    const pass = (async () => {
      try {
        return await run(stopper.signal);
      } finally {
        signal?.removeEventListener('abort', onAbort);
        this.current = undefined;
        this.stopper = undefined;
        await afterPass?.();
      }
    })();
    this.current = pass;
    return pass;
  }

  stop(): void {
    this.stopper?.abort();
  }
}
