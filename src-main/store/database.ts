import Database from 'better-sqlite3';
import { chmodSync, closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import { StorageError } from '../errors';
import { MIGRATIONS, type Migration } from './migrations';

export type Db = Database.Database;

/**
 * Opens (creating if needed) the Quire database and brings its schema up to date. A database written by a newer
 * Quire is refused before anything is written to it, so an older build never damages a newer writer's data.
 */
export function openDatabase(file: string, migrations: readonly Migration[] = MIGRATIONS): Db {
  if (file !== ':memory:') makePrivate(file);
  let db: Db;
  try {
    db = new Database(file);
  } catch (cause) {
    throw new StorageError(`Cannot open the Quire database at ${file}: ${(cause as Error).message}`, {
      cause,
    });
  }
  try {
    // First: another process (a second host, the CLI) may hold the file; wait for it rather than fail at once.
    db.pragma('busy_timeout = 5000');
    const latest = migrations.at(-1)?.version ?? 0;
    const current = db.pragma('user_version', { simple: true }) as number;
    if (current > latest) {
      throw new StorageError(
        `The database at ${file} was written by a newer version of Quire (schema ${current}; this version knows up to ${latest}). ` +
          'It has been left untouched: update Quire to open it.',
        { reason: 'newer_library' },
      );
    }
    db.pragma('journal_mode = WAL');
    // FULL: a committed charge survives even a power cut, not only a crash of the process.
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = ON');
    migrate(db, migrations, current);
    // Temporary storage in memory. A write of the money path is a savepoint (ledger.ts), and a savepoint's journal
    // holds every page it changes: past 64 KiB (a gateway call's reservation, its run row and its link to the app are
    // 17 pages, its WAL frames counted) SQLite's default moved it to a temporary file, created, written and deleted on
    // the event loop for each call (0.08–0.19 ms of a gateway call on the bench, 1.3 ms at concurrency 8). What stays
    // in memory is at most the pages one transaction changes that existed before it: Quire's large writes (a
    // manuscript's pieces) are new pages or single statements, which journal nothing. Set after the migrations, whose
    // index builds may sort whole tables and keep spilling those sorts to disk; the reads that scan a year of rows (the
    // CSV export) run on connections of their own (readSnapshot), which keep the default.
    db.pragma('temp_store = MEMORY');
    if (file !== ':memory:') for (const extra of ['-wal', '-shm']) chmodIfExists(file + extra);
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}

/**
 * Runs `read` on a read-only connection of its own, inside one read transaction: every page it reads is the same
 * instant of the file (WAL keeps that snapshot for it) while `db` goes on writing, and the event loop is free between
 * pages. An in-memory database has no file to share; it is read on its own connection.
 */
export async function readSnapshot<T>(db: Db, read: (snapshot: Db) => Promise<T>): Promise<T> {
  if (db.memory) return read(db);
  const snapshot = new Database(db.name, { readonly: true, fileMustExist: true });
  try {
    snapshot.pragma('busy_timeout = 5000');
    snapshot.exec('BEGIN');
    // A deferred transaction takes its snapshot at its first read: now, not at the first page.
    snapshot.prepare('SELECT COUNT(*) FROM sqlite_schema').get();
    const result = await read(snapshot);
    snapshot.exec('COMMIT');
    return result;
  } finally {
    snapshot.close();
  }
}

function migrate(db: Db, migrations: readonly Migration[], current: number): void {
  if (!migrations.some((m) => m.version > current)) return;
  const apply = db.transaction(() => {
    // Under the write lock: a process that started at the same moment may have just applied these.
    const now = db.pragma('user_version', { simple: true }) as number;
    const pending = migrations.filter((m) => m.version > now);
    if (pending.length === 0) return;
    for (const migration of pending) {
      try {
        db.exec(migration.sql);
      } catch (cause) {
        throw new StorageError(
          `Migration ${migration.version} (${migration.name}) failed: ${(cause as Error).message}`,
          { cause },
        );
      }
    }
    db.pragma(`user_version = ${pending.at(-1)!.version}`);
  });
  apply.immediate();
}

/**
 * The data directory 0700 and the database 0600 (manuscripts and spending are nobody else's business). SQLite gives
 * its -wal and -shm files the database file's mode, so the file is made private before SQLite first opens it.
 */
function makePrivate(file: string): void {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  chmodSync(dirname(file), 0o700);
  if (!existsSync(file)) closeSync(openSync(file, 'a', 0o600));
  for (const path of [file, `${file}-wal`, `${file}-shm`]) chmodIfExists(path);
}

function chmodIfExists(path: string): void {
  if (existsSync(path)) chmodSync(path, 0o600);
}
