// Every write transaction takes SQLite's write lock at BEGIN (IMMEDIATE), not at its first write: a deferred
// transaction that read first cannot upgrade once another process has committed (SQLITE_BUSY at once, whatever the
// busy timeout), which is how two hosts on one file lost settlements after the provider had billed. Waiting for the
// lock is the busy timeout's job (database.ts); a transaction that still finds the file locked is retried whole, which
// is safe because it rolled back and only writes the database.
import type { Transaction } from 'better-sqlite3';
import { StorageError } from '../errors';
import type { Db } from './database';

/** Extra whole-transaction attempts after the busy timeout ran out (each waits up to the timeout again). */
const BUSY_RETRIES = 3;

export function isBusy(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED'));
}

/**
 * Wraps `fn` as an IMMEDIATE transaction, retried while another process holds the file. Nested in a caller's
 * transaction it is a savepoint of that transaction (the caller holds or takes the lock) and is not retried alone.
 */
export function immediate<A extends unknown[], R>(db: Db, fn: (...args: A) => R): (...args: A) => R {
  const tx = db.transaction(fn) as Transaction<(...args: A) => R>;
  return (...args: A): R => {
    if (db.inTransaction) return tx(...args);
    for (let attempt = 0; ; attempt++) {
      try {
        return tx.immediate(...args);
      } catch (error) {
        if (!isBusy(error)) throw error;
        if (attempt >= BUSY_RETRIES) {
          throw new StorageError(
            'Another Quire process kept the database busy for too long; nothing was changed. Try again in a moment.',
            { cause: error, advised: true },
          );
        }
      }
    }
  };
}
