import { QuireError, type QuireErrorOptions } from './quire-error';

/** Something needed is not there: no API key, no model that fits, a local model not installed. */
export class UnavailableError extends QuireError {
  /** `advised`: the message ends with the step that fixes it (the general "check the service is reachable" would not). */
  constructor(message: string, options: Pick<QuireErrorOptions, 'cause' | 'advised'> = {}) {
    super('unavailable', message, options);
    this.name = 'UnavailableError';
  }
}
