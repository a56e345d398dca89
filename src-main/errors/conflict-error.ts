import { QuireError } from './quire-error';

/** The change clashes with what exists, e.g. editing or deleting a built-in model pack. */
export class ConflictError extends QuireError {
  /** `advised`: the message ends with the step that fixes it (the general "pick another name" would not). */
  constructor(message: string, advised = false) {
    super('conflict', message, { advised });
    this.name = 'ConflictError';
  }
}
