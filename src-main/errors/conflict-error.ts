import { QuireError } from './quire-error';

/** The change clashes with what exists, e.g. editing or deleting a built-in model pack. */
export class ConflictError extends QuireError {
  constructor(message: string) {
    super('conflict', message);
    this.name = 'ConflictError';
  }
}
