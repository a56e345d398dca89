import { QuireError } from './quire-error';

/** The action is refused on purpose (e.g. storing a key where it would not be protected without consent). */
export class ForbiddenError extends QuireError {
  constructor(message: string) {
    super('forbidden', message);
    this.name = 'ForbiddenError';
  }
}
