/**
 * `work`'s result, how long it took and the longest time other calls waited meanwhile: `other` is called every
 * millisecond, so the longest gap between two of its answers (or between the work's start or end and one) is how long
 * the work held the event loop at once. Work that never lets go of it makes one wait as long as itself.
 */
export async function longestWait<T>(
  work: () => Promise<T>,
  other: () => unknown = () => undefined,
): Promise<{ result: T; waitMs: number; workMs: number }> {
  const start = performance.now();
  let last = start;
  let waitMs = 0;
  const answered = () => {
    const now = performance.now();
    waitMs = Math.max(waitMs, now - last);
    last = now;
  };
  const calls = setInterval(() => void Promise.resolve(other()).then(answered), 1);
  try {
    const result = await work();
    answered();
    return { result, waitMs, workMs: last - start };
  } finally {
    clearInterval(calls);
  }
}
