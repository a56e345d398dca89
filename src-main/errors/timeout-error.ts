import { QuireError, type Billing } from './quire-error';

/** A call took longer than its timeout and was abandoned (billing unknown unless the provider answered 408). */
export class TimeoutError extends QuireError {
  constructor(message: string, cause?: unknown, billing: Billing = 'unknown') {
    super('timeout', message, { retryable: true, cause, billing });
    this.name = 'TimeoutError';
  }
}
