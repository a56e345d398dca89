import { QuireError } from './quire-error';

/** The database cannot be used as it is (newer than this Quire, corrupt, locked). */
export class StorageError extends QuireError {
  /** `advised`: the message ends with the step that fixes it (the general "check disk space" would not). */
  constructor(message: string, cause?: unknown, advised = false) {
    super('storage_error', message, { cause, advised });
    this.name = 'StorageError';
  }
}
