/**
 * `work`'s result, how long it took, the longest time other calls waited meanwhile and how many were answered:
 * `other` is called every millisecond, so the longest gap between two of its answers (or between the work's start or
 * end and one) is how long the work held the event loop at once, and its answers can only come between the pieces the
 * work lets go of the event loop in. Work that never lets go of it makes one wait as long as itself and lets none
 * through. Tests count the answers (a loaded machine stretches every wait, but work done in slices still lets calls
 * through between them); the benchmark reports the wait.
 */
export async function longestWait<T>(
  work: () => Promise<T>,
  other: () => unknown = () => undefined,
): Promise<{ result: T; waitMs: number; workMs: number; answers: number }> {
  const start = performance.now();
  let last = start;
  let waitMs = 0;
  let answers = 0;
  const answered = () => {
    const now = performance.now();
    waitMs = Math.max(waitMs, now - last);
    last = now;
  };
  const calls = setInterval(
    () =>
      void Promise.resolve(other()).then(() => {
        answers++;
        answered();
      }),
    1,
  );
  try {
    const result = await work();
    answered();
    return { result, waitMs, workMs: last - start, answers };
  } finally {
    clearInterval(calls);
  }
}
