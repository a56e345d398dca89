import { QuireError } from './quire-error';

/** A call took longer than its timeout and was abandoned. */
export class TimeoutError extends QuireError {
  constructor(message: string, cause?: unknown) {
    super('timeout', message, { retryable: true, cause });
    this.name = 'TimeoutError';
  }
}
