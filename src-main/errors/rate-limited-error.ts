import { QuireError } from './quire-error';

/**
 * The provider asked us to slow down (429); `retryAfterS` is what it asked for, when it said. A 429 is an answer that
 * refused the call, so nothing was billed.
 */
export class RateLimitedError extends QuireError {
  readonly provider: string;
  readonly retryAfterS: number | undefined;

  /** `advised`: the message ends with its step (it says how long to wait, or to pick another model). */
  constructor(provider: string, message: string, retryAfterS?: number, cause?: unknown, advised = false) {
    super('rate_limited', message, { retryable: true, cause, billing: 'none', advised });
    this.name = 'RateLimitedError';
    this.provider = provider;
    this.retryAfterS = retryAfterS;
  }
}
