// A QuireApi for manager tests, standing in for the host: it checks every input with the contract's own zod schema
// (as the host does), answers with what the test told it (cloned, as a transport would), can hold calls so a test
// answers them in any order, and pushes events to whoever subscribed.
import type { QuireApi } from '../../src-preload/api';
import {
  contract,
  type Channel,
  type Envelope,
  type ErrorCode,
  type ErrorInfo,
  type EventName,
  type EventPayload,
  type Input,
  type Output,
} from '$contract';

type Answer<C extends Channel> = Output<C> | ((input: Input<C>) => Output<C> | Promise<Output<C>>);

/** Thrown from an answer function to reply with an error envelope. */
export class FakeError extends Error {
  constructor(
    readonly code: ErrorCode,
    message = `${code} (from the fake)`,
    readonly retryable = false,
  ) {
    super(message);
  }
}

/** A call the test answers itself (see FakeApi.hold). */
export interface HeldCall<C extends Channel> {
  readonly input: Input<C>;
  resolve(value: Output<C>): void;
  reject(code: ErrorCode, message?: string): void;
}

/** The calls to one held channel, in the order they were made. */
export class HeldCalls<C extends Channel> {
  readonly #made: HeldCall<C>[] = [];
  readonly #waiting: ((call: HeldCall<C>) => void)[] = [];
  #taken = 0;

  /** The next call not yet taken, waiting for it when the manager has not made it yet. */
  next(): Promise<HeldCall<C>> {
    const call = this.#made[this.#taken];
    if (call) {
      this.#taken++;
      return Promise.resolve(call);
    }
    return new Promise((resolve) => this.#waiting.push(resolve));
  }

  /** How many calls have been made to the channel so far. */
  get count(): number {
    return this.#made.length;
  }

  add(call: HeldCall<C>): void {
    this.#made.push(call);
    const waiter = this.#waiting.shift();
    if (waiter) {
      this.#taken++;
      waiter(call);
    }
  }
}

const created = new Set<FakeApi>();

/** The problems of every fake made since the last call (test/renderer/setup.ts fails a test that had any). */
export function takeProblems(): string[] {
  const problems = [...created].flatMap((fake) => fake.problems);
  created.clear();
  return problems;
}

export class FakeApi implements QuireApi {
  readonly transport = 'http' as const;
  /** Every call, in order, with its input as sent. */
  readonly calls: { channel: Channel; input: unknown }[] = [];
  /** Calls the contract's schema refused, answered with invalid_input as the host would. */
  readonly refused: { channel: Channel; input: unknown; message: string }[] = [];
  /** Calls the fake had no answer for: each one a gap in the test. */
  readonly problems: string[] = [];
  readonly #answers = new Map<Channel, (input: unknown) => Promise<Envelope<unknown>>>();
  readonly #held = new Map<Channel, HeldCalls<Channel>>();
  readonly #listeners = new Map<EventName, Set<(payload: unknown) => void>>();
  readonly #inFlight = new Set<Promise<unknown>>();

  constructor() {
    created.add(this);
  }

  /** Answers every later call to `channel` with `value`, or with what `value(input)` returns or throws (FakeError). */
  answer<C extends Channel>(channel: C, value: Answer<C>): this {
    this.#held.delete(channel);
    this.#answers.set(channel, async (input) => {
      try {
        const output = typeof value === 'function' ? await (value as (input: unknown) => unknown)(input) : value;
        return { ok: true, value: structuredClone(output) };
      } catch (error) {
        if (error instanceof FakeError) return failure(error.code, error.message, error.retryable);
        throw error;
      }
    });
    return this;
  }

  /** Fails every later call to `channel` with this error, as the host would reply. */
  fail(channel: Channel, code: ErrorCode, message = `${code} (from the fake)`, retryable = false): this {
    return this.answer(channel, () => {
      throw new FakeError(code, message, retryable);
    });
  }

  /** Later calls to `channel` wait until the test resolves or rejects them, in whatever order it likes. */
  hold<C extends Channel>(channel: C): HeldCalls<C> {
    this.#answers.delete(channel);
    const held = new HeldCalls<C>();
    this.#held.set(channel, held as unknown as HeldCalls<Channel>);
    return held;
  }

  /**
   * Makes one call to `channel` per request, in order, then answers them last first: the newest answer lands before
   * an older, slower one, as a manager must expect. Resolves when every request is done.
   */
  async answerLastFirst<C extends Channel>(
    channel: C,
    requests: [ask: () => Promise<unknown>, answer: Output<C>][],
  ): Promise<void> {
    const held = this.hold(channel);
    const asked = requests.map(([ask]) => ask());
    const calls: HeldCall<C>[] = [];
    for (const _request of requests) calls.push(await held.next());
    for (let i = requests.length - 1; i >= 0; i--) calls[i]!.resolve(requests[i]![1]);
    await Promise.all(asked);
  }

  /** Pushes an event to every listener, as the host does (synchronously, in subscription order). */
  emit<E extends EventName>(event: E, payload: EventPayload<E>): void {
    for (const listener of [...(this.#listeners.get(event) ?? [])]) listener(structuredClone(payload));
  }

  listenerCount(event: EventName): number {
    return this.#listeners.get(event)?.size ?? 0;
  }

  /** The inputs of every call made to `channel`, in order. */
  inputsOf<C extends Channel>(channel: C): Input<C>[] {
    return this.calls.filter((call) => call.channel === channel).map((call) => call.input as Input<C>);
  }

  countOf(channel: Channel): number {
    return this.calls.filter((call) => call.channel === channel).length;
  }

  /**
   * Resolves once every answered call has been delivered and what the managers did with it has run, including the
   * calls those answers led to. Held calls are the test's to answer and are not waited for.
   */
  async settled(): Promise<void> {
    for (;;) {
      const made = this.calls.length;
      await Promise.allSettled([...this.#inFlight]);
      // One macrotask: every promise continuation queued by those answers runs before it.
      await new Promise((resolve) => setImmediate(resolve));
      if (this.#inFlight.size === 0 && this.calls.length === made) return;
    }
  }

  invoke<C extends Channel>(channel: C, input?: Input<C>): Promise<Envelope<Output<C>>> {
    this.calls.push({ channel, input });
    const parsed = contract[channel].input.safeParse(input);
    if (!parsed.success) {
      // As the host refuses it (InvalidInputError.fromZod): the first issue, prefixed by its path.
      const issue = parsed.error.issues[0];
      const path = issue?.path.map(String).join('.') ?? '';
      const message = path ? `${path}: ${issue?.message}` : (issue?.message ?? 'Invalid input');
      this.refused.push({ channel, input, message });
      return Promise.resolve({ ok: false, error: { code: 'invalid_input', message, retryable: false, path } });
    }
    const held = this.#held.get(channel);
    if (held) {
      return new Promise((resolve) =>
        held.add({
          input: input as Input<Channel>,
          resolve: (value) => resolve({ ok: true, value: structuredClone(value) as Output<C> }),
          reject: (code, message = `${code} (from the fake)`) => resolve(failure(code, message, false)),
        }),
      );
    }
    const answer = this.#answers.get(channel);
    if (!answer) {
      this.problems.push(`${channel}: no answer set`);
      return Promise.resolve(failure('unknown_channel', `The fake has no answer for ${channel}`, false));
    }
    const reply = answer(input) as Promise<Envelope<Output<C>>>;
    this.#inFlight.add(reply);
    void reply.finally(() => this.#inFlight.delete(reply));
    return reply;
  }

  on<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void {
    const set = this.#listeners.get(event) ?? new Set();
    this.#listeners.set(event, set);
    const wrapped = listener as (payload: unknown) => void;
    set.add(wrapped);
    return () => set.delete(wrapped);
  }
}

/** A manager wired to a fresh fake host: `withFakeApi((api) => new SettingsManager(api))`. */
export function withFakeApi<M>(create: (api: FakeApi) => M): { fake: FakeApi; manager: M } {
  const fake = new FakeApi();
  return { fake, manager: create(fake) };
}

function failure(code: ErrorCode, message: string, retryable: boolean): { ok: false; error: ErrorInfo } {
  return { ok: false, error: { code, message, retryable } };
}
