import { QuireError, type QuireErrorOptions } from './quire-error';

/**
 * Which refusal of the library this is, where a caller branches on it (the desktop app's start-up dialog): a library
 * written by a newer Quire, or saved settings this Quire cannot read. Never its words, which may be reworded.
 */
export type StorageFailure = 'newer_library' | 'unreadable_settings';

/** The database cannot be used as it is (newer than this Quire, corrupt, locked). */
export class StorageError extends QuireError {
  readonly reason: StorageFailure | null;

  /** `advised`: the message ends with the step that fixes it (the general "check disk space" would not). */
  constructor(
    message: string,
    { reason, ...options }: Pick<QuireErrorOptions, 'cause' | 'advised'> & { reason?: StorageFailure } = {},
  ) {
    super('storage_error', message, options);
    this.name = 'StorageError';
    this.reason = reason ?? null;
  }
}
