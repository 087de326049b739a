/** Resolves after `ms`, or at once when the view is left (the signal aborts): polling loops then end. */
export function sleep(ms, signal) {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    }, { once: true });
  });
}

/** How often live views re-read the API (ms). */
export const POLL_MS = 1000;
