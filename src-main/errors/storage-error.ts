import { QuireError, type QuireErrorOptions } from './quire-error';

/** The database cannot be used as it is (newer than this Quire, corrupt, locked). */
export class StorageError extends QuireError {
  /** `advised`: the message ends with the step that fixes it (the general "check disk space" would not). */
  constructor(message: string, options: Pick<QuireErrorOptions, 'cause' | 'advised'> = {}) {
    super('storage_error', message, options);
    this.name = 'StorageError';
  }
}
