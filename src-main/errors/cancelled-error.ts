import { QuireError } from './quire-error';

/** The writer (or shutdown) cancelled the work. */
export class CancelledError extends QuireError {
  constructor(message = 'The run was cancelled') {
    super('cancelled', message);
    this.name = 'CancelledError';
  }
}
