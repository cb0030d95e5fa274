/** Resolves after `ms`, or at once when the signal aborts (a stopping loop must not wait its nap out). */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = (): void => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}

/**
 * Waits for `p` to settle, but no longer than `ms`: a stopping component must not hang on a
 * cluster call that keeps retrying (a deleted group, a node already gone). What it abandons has
 * not moved any position, so it is redone by whoever resumes.
 */
export function settledWithin(p: Promise<unknown>, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    timer.unref();
    const done = (): void => {
      clearTimeout(timer);
      resolve();
    };
    p.then(done, done);
  });
}
