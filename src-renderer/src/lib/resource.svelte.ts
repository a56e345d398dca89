// One value the host answers for (settings, a month of spend, the run history…) with the bookkeeping every manager
// needs around it: a loading flag, the error of the last attempt, and last-asked-wins ordering, so an earlier, slower
// answer never overwrites a later one. And one kind of change a screen makes (save, export…), with its busy flag and
// the reason the last attempt failed.
import type { ErrorInfo } from '$contract';
import { toErrorInfo } from './api/error-guidance';

export interface ResourceOptions {
  /** On a failed load show the initial value again rather than the last answer (a stale answer would mislead). */
  clearOnError?: boolean;
}

export class Resource<T, A extends unknown[] = []> {
  readonly #fetch: (...args: A) => Promise<T>;
  readonly #initial: T;
  readonly #clearOnError: boolean;
  // Snapshots are always replaced whole, never mutated in place: no deep proxy.
  #value = $state.raw() as T;
  #error = $state.raw<ErrorInfo | null>(null);
  #loading = $state(false);
  #loaded = $state(false);
  /** Bumped by every load, apply, set and reset: only the newest may write. */
  #seq = 0;
  /** The newest request in flight, for superseded ones to wait on. */
  #latest: Promise<unknown> = Promise.resolve();

  constructor(fetch: (...args: A) => Promise<T>, initial: T, options: ResourceOptions = {}) {
    this.#fetch = fetch;
    this.#initial = initial;
    this.#clearOnError = options.clearOnError ?? false;
    this.#value = initial;
  }

  get value(): T {
    return this.#value;
  }
  /** Why the last load failed; null once a value arrives. */
  get error(): ErrorInfo | null {
    return this.#error;
  }
  /** A load is in flight whose answer will be shown. */
  get loading(): boolean {
    return this.#loading;
  }
  /** A value has arrived (loaded or set) since creation or the last reset. */
  get loaded(): boolean {
    return this.#loaded;
  }

  /**
   * Asks the host. Resolves true when this answer is the one now shown; false when it failed (see `error`) or a later
   * request superseded it, in which case it waits for that one first, so that after `await load()` the newest answer
   * (or its error) is what is shown.
   */
  async load(...args: A): Promise<boolean> {
    const seq = ++this.#seq;
    this.#loading = true;
    const request = this.#fetch(...args);
    this.#latest = request;
    try {
      const value = await request;
      if (seq !== this.#seq) return await this.#superseded();
      this.#accept(value);
      return true;
    } catch (error) {
      if (seq !== this.#seq) return await this.#superseded();
      if (this.#clearOnError) this.#value = this.#initial;
      this.#error = toErrorInfo(error);
      return false;
    } finally {
      if (seq === this.#seq) this.#loading = false;
    }
  }

  /**
   * Sends a request whose reply is the whole new value (`settings:set` answers with the settings), ordered with loads
   * like one. Its failure belongs to the action, not to the value: it is thrown to the caller and the value is kept.
   */
  async apply(request: () => Promise<T>): Promise<boolean> {
    const seq = ++this.#seq;
    // A load this supersedes will not be shown.
    this.#loading = false;
    const reply = request();
    this.#latest = reply;
    const value = await reply;
    if (seq !== this.#seq) return this.#superseded();
    this.#accept(value);
    return true;
  }

  /** load() for an action that needs the fresh value: a failure is thrown to the caller, as apply() does. */
  loadOrThrow(...args: A): Promise<boolean> {
    return this.apply(() => this.#fetch(...args));
  }

  /** A whole new value from elsewhere (a pushed snapshot): shown at once; loads in flight are dropped. */
  set(value: T): void {
    this.#seq++;
    this.#loading = false;
    this.#accept(value);
  }

  /** Changes what is shown (a pushed progress tick, an optimistic edit); a load in flight still lands over it. */
  update(change: (value: T) => T): void {
    this.#value = change(this.#value);
  }

  /** Back to the initial value with no error; answers to loads in flight are dropped. */
  reset(): void {
    this.#seq++;
    this.#value = this.#initial;
    this.#error = null;
    this.#loading = false;
    this.#loaded = false;
  }

  /** Waits until the newest request has settled (and been shown), then reports this one as not shown. */
  async #superseded(): Promise<false> {
    let latest: Promise<unknown>;
    do {
      latest = this.#latest;
      await latest.catch(() => undefined);
    } while (latest !== this.#latest);
    return false;
  }

  #accept(value: T): void {
    this.#value = value;
    this.#error = null;
    this.#loaded = true;
  }
}

/** A host-answered value: `resource(() => client.call('settings:get'), null)`. */
export function resource<T, A extends unknown[] = []>(
  fetch: (...args: A) => Promise<T>,
  initial: T,
  options?: ResourceOptions,
): Resource<T, A> {
  return new Resource(fetch, initial, options);
}

export interface ActionOptions {
  /**
   * When the last failure stops being shown: as soon as a new attempt starts (the default), or only once one succeeds
   * (the reason stays on screen while the writer waits for the retry).
   */
  clearError?: 'on-start' | 'on-success';
}

/** One kind of change a screen makes: whether one is in flight and, in the host's words, why the last one failed. */
export class Action {
  readonly #clearOnStart: boolean;
  #busy = $state(false);
  #error = $state.raw<ErrorInfo | null>(null);

  constructor(options: ActionOptions = {}) {
    this.#clearOnStart = (options.clearError ?? 'on-start') === 'on-start';
  }

  get busy(): boolean {
    return this.#busy;
  }
  get error(): ErrorInfo | null {
    return this.#error;
  }

  /**
   * Runs the change. Resolves true when it succeeded; false when it threw (the reason is then in `error`) or answered
   * false itself (a reply that was superseded and not shown).
   */
  async run(work: () => Promise<unknown>): Promise<boolean> {
    this.#busy = true;
    if (this.#clearOnStart) this.#error = null;
    try {
      const result = await work();
      if (!this.#clearOnStart) this.#error = null;
      return result !== false;
    } catch (error) {
      this.#error = toErrorInfo(error);
      return false;
    } finally {
      this.#busy = false;
    }
  }

  /** Shows a failure found outside run() (the clipboard refused a copy), or none. */
  report(error: ErrorInfo | null): void {
    this.#error = error;
  }

  reset(): void {
    this.#busy = false;
    this.#error = null;
  }
}

/** A change a screen makes: `readonly #export = action()`, then `this.#export.run(() => client.call(...))`. */
export function action(options?: ActionOptions): Action {
  return new Action(options);
}
