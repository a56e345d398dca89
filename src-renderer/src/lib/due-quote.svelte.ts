// A quote a screen shows before a button that spends (Run, "Run as tournament"): asked again, after a typing pause,
// each time what the button would send changes, and ready only once the answer for what is on screen has landed, so
// the writer sees what it may cost before anything is spent.
import type { ErrorInfo } from '$contract';
import { resource } from './resource.svelte';

export class DueQuote<R, Q> {
  readonly #quote;
  /** What the button would send changed and its quote is about to be asked for (a typing pause away). */
  #due = $state(false);

  constructor(fetch: (request: R) => Promise<Q>) {
    // A quote for other inputs would name the wrong models and cost: a failed ask shows none.
    this.#quote = resource(fetch, null as Q | null, { clearOnError: true });
  }

  get value(): Q | null {
    return this.#quote.value;
  }
  /** Why it could not be quoted; the button's request would be refused the same way. */
  get error(): ErrorInfo | null {
    return this.#quote.error;
  }
  /** Asked for: what is shown may be for the previous passage, task or options. */
  get loading(): boolean {
    return this.#quote.loading;
  }
  /** The quote for what is on screen has landed: until then the button waits. */
  get ready(): boolean {
    return !this.#due && !this.#quote.loading && this.#quote.value !== null;
  }

  /** What the button would send changed: the quote on screen is the old one until the new one is asked for and lands. */
  expect(): void {
    this.#due = true;
  }

  /** Asks for `request`'s quote; null (nothing to send yet) forgets the last one. */
  load(request: R | null): Promise<boolean> {
    if (request === null) {
      this.reset();
      return Promise.resolve(false);
    }
    this.#due = false;
    return this.#quote.load(request);
  }

  reset(): void {
    this.#quote.reset();
    this.#due = false;
  }
}
