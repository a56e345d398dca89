import { StorageError } from './storage-error';

/** Error codes of a full disk: SQLite's (better-sqlite3 sets `code`) and the file system's. */
const DISK_FULL_CODES = new Set(['SQLITE_FULL', 'ENOSPC', 'EDQUOT']);

/** The disk (or the user's quota) is full: nothing was saved; the writer must free some space. */
export class DiskFullError extends StorageError {
  constructor(cause?: unknown) {
    super(
      'The disk is full, so Quire could not save its work: free some space on the disk (empty the Trash, delete ' +
        'local models you no longer use), then try again.',
      { cause, advised: true },
    );
    this.name = 'DiskFullError';
  }

  /** Whether `error` (or what it wraps) is a full disk. */
  static matches(error: unknown): boolean {
    for (let e = error, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
      const code = (e as { code?: unknown }).code;
      if (typeof code === 'string' && DISK_FULL_CODES.has(code)) return true;
    }
    return false;
  }
}
