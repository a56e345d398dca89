// One provider's circuit breaker, on the injected clock: closed until `threshold` consecutive failures, then open for
// `cooldownMs`, then one probe; the probe's outcome closes it or opens it again. This is the only copy of the state.

export type BreakerState = 'closed' | 'open' | 'half_open';

/** What the breaker lets a call do: go ahead, go ahead as the one probe after a cool-down, or not at all. */
export type Admission = 'call' | 'probe' | 'refused';

export interface CircuitBreakerOptions {
  threshold: number;
  cooldownMs: number;
  /** Milliseconds on the injected clock. */
  now: () => number;
}

export class CircuitBreaker {
  private consecutiveFailures = 0;
  private openedAt: number | null = null;
  private probing = false;

  constructor(private readonly options: CircuitBreakerOptions) {}

  get failures(): number {
    return this.consecutiveFailures;
  }

  get state(): BreakerState {
    if (this.openedAt === null) return 'closed';
    return this.probing ? 'half_open' : 'open';
  }

  /** When an open breaker lets the next probe through (injected-clock ms); null unless open. */
  get retryAt(): number | null {
    return this.openedAt === null || this.probing ? null : this.openedAt + this.options.cooldownMs;
  }

  /** True while calls are refused: open and cooling down, or a probe is already out. */
  get blocked(): boolean {
    if (this.openedAt === null) return false;
    return this.probing || this.options.now() < this.openedAt + this.options.cooldownMs;
  }

  admit(): Admission {
    if (this.openedAt === null) return 'call';
    if (this.blocked) return 'refused';
    this.probing = true;
    return 'probe';
  }

  /** The call succeeded, or failed in a way that says nothing against the provider (it answered). */
  succeeded(): void {
    this.consecutiveFailures = 0;
    this.openedAt = null;
    this.probing = false;
  }

  /** The probe ended without saying anything either way (cancelled): the next call may probe again. */
  released(): void {
    this.probing = false;
  }

  /**
   * A failure that counts against the provider. The threshold opens a closed breaker; a failed probe opens it again
   * for a full cool-down; a call admitted before it opened and failing late does not extend the cool-down.
   */
  failed(): void {
    this.consecutiveFailures += 1;
    if (this.probing || (this.openedAt === null && this.consecutiveFailures >= this.options.threshold)) {
      this.openedAt = this.options.now();
      this.probing = false;
    }
  }
}
