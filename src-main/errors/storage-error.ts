import { QuireError } from './quire-error';

/** The database cannot be used as it is (newer than this Quire, corrupt, locked). */
export class StorageError extends QuireError {
  constructor(message: string, cause?: unknown) {
    super('storage_error', message, { cause });
    this.name = 'StorageError';
  }
}
