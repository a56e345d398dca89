import { QuireError } from './quire-error';

/** Something needed is not there: no API key, no model that fits, a local model not installed. */
export class UnavailableError extends QuireError {
  constructor(message: string, cause?: unknown) {
    super('unavailable', message, { cause });
    this.name = 'UnavailableError';
  }
}
