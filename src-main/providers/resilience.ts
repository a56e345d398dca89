// Per-provider circuit breakers and per-call timeouts, composed with cockatiel. The SDKs do the retrying (maxRetries);
// nothing here retries. Health (state, failures, last error) is what providers:health shows.
import {
  BrokenCircuitError,
  circuitBreaker,
  CircuitState,
  ConsecutiveBreaker,
  handleWhen,
  TaskCancelledError,
  timeout,
  TimeoutStrategy,
  wrap,
  type CircuitBreakerPolicy,
  type IBackoff,
  type IBackoffFactory,
  type IHalfOpenAfterBackoffContext,
} from 'cockatiel';
import type { ProviderHealth } from '../../src-preload/contract/providers';
import { CircuitOpenError, TimeoutError, isQuireError } from '../errors';

export interface ResilienceOptions {
  now: () => Date;
  /** Consecutive failures that open a provider's breaker. */
  failureThreshold?: number;
  /** How long an open breaker rejects calls before one probe is let through, ms. */
  cooldownMs?: number;
  /** Masks keys in the last error kept for providers:health. */
  redact?: (text: string) => string;
  /** Called whenever a provider's health changes. */
  onChange?: (health: ProviderHealth[]) => void;
}

const compose = (breaker: CircuitBreakerPolicy, timeoutMs: number) =>
  wrap(breaker, timeout(timeoutMs, TimeoutStrategy.Aggressive));

interface Guard {
  breaker: CircuitBreakerPolicy;
  /** The breaker composed with a timeout, per timeout length. */
  policies: Map<number, ReturnType<typeof compose>>;
  failures: number;
  lastError: ProviderHealth['last_error'];
  /** Injected-clock time the breaker opened; null when not open. */
  openedAt: number | null;
}

/** Failures that say something about the provider (not the writer cancelling or a bad request of ours). */
function countsAgainstProvider(error: unknown): boolean {
  if (error instanceof TaskCancelledError) return true;
  if (!isQuireError(error)) return true;
  switch (error.code) {
    case 'provider_error':
      return error.retryable;
    case 'timeout':
    case 'rate_limited':
      return true;
    default:
      return false;
  }
}

export class ProviderResilience {
  private readonly guards = new Map<string, Guard>();
  private readonly threshold: number;
  private readonly cooldownMs: number;

  constructor(private readonly options: ResilienceOptions) {
    this.threshold = options.failureThreshold ?? 5;
    this.cooldownMs = options.cooldownMs ?? 30_000;
  }

  /**
   * Runs one call for `provider` under its breaker and a timeout of `timeoutMs`. The function gets a signal that fires
   * on timeout. Throws CircuitOpenError while the breaker is open, TimeoutError on timeout.
   */
  async execute<T>(provider: string, timeoutMs: number, fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const guard = this.guard(provider);
    // Built once per timeout and reused: composing cockatiel policies on every call was a visible share of a run.
    let policy = guard.policies.get(timeoutMs);
    if (!policy) {
      policy = compose(guard.breaker, timeoutMs);
      guard.policies.set(timeoutMs, policy);
    }
    try {
      const result = await policy.execute(({ signal }) => fn(signal));
      if (guard.failures > 0 || guard.openedAt !== null) {
        guard.failures = 0;
        guard.openedAt = null;
        this.changed();
      }
      return result;
    } catch (error) {
      if (error instanceof BrokenCircuitError) throw new CircuitOpenError(provider);
      const mapped =
        error instanceof TaskCancelledError
          ? new TimeoutError(`${provider} took longer than ${Math.round(timeoutMs / 1000)} s`, error)
          : error;
      if (countsAgainstProvider(mapped)) {
        guard.failures += 1;
        const code = isQuireError(mapped) ? mapped.code : 'internal';
        const message = mapped instanceof Error ? mapped.message : String(mapped);
        const redact = this.options.redact ?? ((text: string) => text);
        guard.lastError = { code, message: redact(message), at: this.options.now().toISOString() };
        this.changed();
      }
      throw mapped;
    }
  }

  /** True while the breaker is open and still cooling down (after the cool-down one probe may go through). */
  isBlocked(provider: string): boolean {
    const guard = this.guards.get(provider);
    if (!guard || guard.openedAt === null || guard.breaker.state !== CircuitState.Open) return false;
    return this.options.now().getTime() - guard.openedAt < this.cooldownMs;
  }

  health(provider?: string): ProviderHealth[] {
    const names = provider ? [provider] : [...this.guards.keys()].sort();
    return names.map((name) => {
      const guard = this.guards.get(name);
      if (!guard) return { provider: name, state: 'closed', failure_count: 0, last_error: null, retry_at: null };
      const state = guard.breaker.state;
      return {
        provider: name,
        state: state === CircuitState.Open ? 'open' : state === CircuitState.HalfOpen ? 'half_open' : 'closed',
        failure_count: guard.failures,
        last_error: guard.lastError,
        retry_at:
          state === CircuitState.Open && guard.openedAt !== null
            ? new Date(guard.openedAt + this.cooldownMs).toISOString()
            : null,
      };
    });
  }

  /** Admin reset: closes the breaker (a fresh one) and forgets the failures. */
  reset(provider?: string): ProviderHealth[] {
    const names = provider ? [provider] : [...this.guards.keys()];
    for (const name of names) this.guards.delete(name);
    this.changed();
    return this.health();
  }

  private guard(provider: string): Guard {
    const guard = this.guards.get(provider);
    if (guard) return guard;
    const created: Guard = {
      breaker: undefined as unknown as CircuitBreakerPolicy,
      policies: new Map(),
      failures: 0,
      lastError: null,
      openedAt: null,
    };
    created.breaker = circuitBreaker(
      handleWhen((error) => countsAgainstProvider(error)),
      {
        breaker: new ConsecutiveBreaker(this.threshold),
        halfOpenAfter: this.cooldownFactory(created),
      },
    );
    created.breaker.onBreak(() => {
      created.openedAt = this.options.now().getTime();
      this.changed();
    });
    created.breaker.onReset(() => {
      created.openedAt = null;
      created.failures = 0;
      this.changed();
    });
    this.guards.set(provider, created);
    return created;
  }

  /**
   * cockatiel compares its own Date.now() against the backoff's duration. This backoff answers with the time that is
   * left on the injected clock (plus the real time already elapsed), so the cool-down follows the injected clock.
   */
  private cooldownFactory(guard: Guard): IBackoffFactory<IHalfOpenAfterBackoffContext> {
    const factory: IBackoffFactory<IHalfOpenAfterBackoffContext> = {
      next: () => {
        const realAtOpen = Date.now();
        const injectedAtOpen = this.options.now().getTime();
        guard.openedAt = injectedAtOpen;
        const backoff: IBackoff<IHalfOpenAfterBackoffContext> = {
          get duration() {
            return Date.now() - realAtOpen + cooldownLeft();
          },
          next: () => factory.next(undefined as unknown as IHalfOpenAfterBackoffContext),
        };
        const cooldownLeft = () => this.cooldownMs - (this.options.now().getTime() - injectedAtOpen);
        return backoff;
      },
    };
    return factory;
  }

  private changed(): void {
    this.options.onChange?.(this.health());
  }
}
