// Long work on a whole manuscript (parsing, decoding, hashing, storing) done in steps, with the app's other calls let
// run between slices of them: a 48 MB manuscript held every other call for seconds when any of it ran at once.

/** Work that stops now and then (`yield`) where other calls may run; its value is the work's result. */
export type Steps<T> = Generator<void, T, void>;

/** How long work runs before it lets other calls run: short enough that none waits noticeably. */
export const SLICE_MS = 10;

/** Lets the app's other calls run before going on: between two long steps that are not themselves in slices. */
export function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Runs `steps` to the end at once (for callers that need the result now, on a short text). */
export function runSteps<T>(steps: Steps<T>): T {
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
  }
}

/** Runs `steps` in slices of about SLICE_MS, letting the app's other calls run between them. */
export async function inSlices<T>(steps: Steps<T>): Promise<T> {
  let sliceEnd = performance.now() + SLICE_MS;
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
    if (performance.now() >= sliceEnd) {
      await nextTurn();
      sliceEnd = performance.now() + SLICE_MS;
    }
  }
}

/** Characters worked on between two stops when a text is taken a stretch at a time: well under a millisecond. */
export const STRETCH = 1 << 16;

/**
 * Where a stretch of `text` starting at `start` ends, at most `size` characters on: never between the two halves of a
 * surrogate pair (an emoji, a rare CJK character), which, cut apart, would each be written as U+FFFD.
 */
export function stretchEnd(text: string, start: number, size: number): number {
  const end = Math.min(text.length, start + size);
  if (end === text.length || end - start < 2) return end;
  const last = text.charCodeAt(end - 1);
  return last >= 0xd800 && last <= 0xdbff ? end - 1 : end;
}
