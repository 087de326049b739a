/**
 * The wall clock the file adapter paces replays with (and polls a growing file with). Injected so a test can
 * check a replay schedule without waiting for it (DESIGN.md principle 2: clocks are injected).
 */
export interface ReplayClock {
  /** Monotonic milliseconds (any origin). */
  nowMs(): number;
  /** Resolves after `ms`, or early (without error) when the signal aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const systemReplayClock: ReplayClock = {
  nowMs: () => performance.now(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve) => {
      if (signal?.aborted) {
        resolve();
        return;
      }
      const done = (): void => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, Math.max(0, ms));
      signal?.addEventListener('abort', done, { once: true });
    }),
};
