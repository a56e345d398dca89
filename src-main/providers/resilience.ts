// Per-provider circuit breakers and per-call timeouts. The timeout is cockatiel's; the breaker is Quire's own small
// one on the injected clock (circuit-breaker.ts), so its state exists once and tests move time without sleeping. The
// SDKs do the retrying (maxRetries); nothing here retries. Health (state, failures, last error) is providers:health.
import { TaskCancelledError, timeout, TimeoutStrategy, type TimeoutPolicy } from 'cockatiel';
import { providerLabel } from '../../src-preload/contract/provider-table';
import type { ProviderHealth } from '../../src-preload/contract/providers';
import { CircuitOpenError, TimeoutError, isQuireError } from '../errors';
import { CircuitBreaker } from './circuit-breaker';

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

interface Guard {
  breaker: CircuitBreaker;
  lastError: ProviderHealth['last_error'];
}

/** Failures that say something about the provider (not the writer cancelling or a bad request of ours). */
function countsAgainstProvider(error: unknown): boolean {
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
  /** Timeout policies are stateless: one per length, shared by every provider. */
  private readonly timeouts = new Map<number, TimeoutPolicy>();
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
    const { breaker } = guard;
    const admission = breaker.admit();
    if (admission === 'refused') throw new CircuitOpenError(provider, this.waitSeconds(provider));
    if (admission === 'probe') this.changed();
    // What a failed call left running (a body still streaming) is stopped; a call that returned has nothing left, so
    // its signal is not aborted (cockatiel's default would: an exception object and undici's abort work per call).
    const leftovers = new AbortController();
    try {
      const result = await this.timeoutOf(timeoutMs).execute(({ signal }) => {
        signal.addEventListener('abort', () => leftovers.abort(signal.reason), { once: true });
        return fn(leftovers.signal);
      });
      if (breaker.failures > 0 || breaker.state !== 'closed') {
        breaker.succeeded();
        this.changed();
      }
      return result;
    } catch (error) {
      leftovers.abort();
      const mapped =
        error instanceof TaskCancelledError
          ? new TimeoutError(
              // The provider as the writer knows it: this text is also what the keys and endpoints screens show.
              `${upperFirst(providerLabel(provider))} took longer than ${Math.round(timeoutMs / 1000)} s to answer ` +
                '(the “Cloud call timeout” in Settings → Runs).',
              error,
            )
          : error;
      if (countsAgainstProvider(mapped)) {
        breaker.failed();
        const code = isQuireError(mapped) ? mapped.code : 'internal';
        const message = mapped instanceof Error ? mapped.message : String(mapped);
        const redact = this.options.redact ?? ((text: string) => text);
        guard.lastError = { code, message: redact(message), at: this.options.now().toISOString() };
        this.changed();
      } else if (admission === 'probe') {
        // Cancelled: no news, the next call probes. Anything else was an answer (a refused request): it is alive.
        if (isQuireError(mapped) && mapped.code === 'cancelled') breaker.released();
        else breaker.succeeded();
        this.changed();
      }
      throw mapped;
    }
  }

  /** Seconds until a paused provider is tried again; null when that is not known (not paused, or its probe runs). */
  waitSeconds(provider: string): number | null {
    const retryAt = this.guards.get(provider)?.breaker.retryAt ?? null;
    return retryAt === null ? null : Math.max(0, (retryAt - this.options.now().getTime()) / 1000);
  }

  /** True while the breaker refuses calls: open and cooling down, or its one probe is in flight. */
  isBlocked(provider: string): boolean {
    return this.guards.get(provider)?.breaker.blocked ?? false;
  }

  health(provider?: string): ProviderHealth[] {
    const names = provider ? [provider] : [...this.guards.keys()].sort();
    return names.map((name) => {
      const guard = this.guards.get(name);
      if (!guard) return { provider: name, state: 'closed', failure_count: 0, last_error: null, retry_at: null };
      const retryAt = guard.breaker.retryAt;
      return {
        provider: name,
        state: guard.breaker.state,
        failure_count: guard.breaker.failures,
        last_error: guard.lastError,
        retry_at: retryAt === null ? null : new Date(retryAt).toISOString(),
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
    let guard = this.guards.get(provider);
    if (!guard) {
      guard = {
        breaker: new CircuitBreaker({
          threshold: this.threshold,
          cooldownMs: this.cooldownMs,
          now: () => this.options.now().getTime(),
        }),
        lastError: null,
      };
      this.guards.set(provider, guard);
    }
    return guard;
  }

  private timeoutOf(ms: number): TimeoutPolicy {
    let policy = this.timeouts.get(ms);
    if (!policy) {
      policy = timeout(ms, { strategy: TimeoutStrategy.Aggressive, abortOnReturn: false });
      this.timeouts.set(ms, policy);
    }
    return policy;
  }

  private changed(): void {
    this.options.onChange?.(this.health());
  }
}

function upperFirst(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
