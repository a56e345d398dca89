import Database from 'better-sqlite3';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useTempDir } from '../../test/support/temp-dir';
import { openDatabase } from './database';
import { MIGRATIONS } from './migrations';

describe('openDatabase', () => {
  const tempDir = useTempDir();

  it('applies every migration, records user_version, and turns on WAL and foreign keys', () => {
    const file = join(tempDir(), 'quire.sqlite');
    const db = openDatabase(file);
    expect(db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.at(-1)!.version);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    const tables = db.prepare("SELECT name, sql FROM sqlite_schema WHERE type = 'table'").all() as {
      name: string;
      sql: string;
    }[];
    for (const table of tables) expect(table.sql, table.name).toMatch(/\bSTRICT\b/);
    db.close();
  });

  // A write of the money path runs in a savepoint (ledger.ts), whose journal holds the pages it changes. Past 64 KiB
  // (17 pages: a gateway call's reservation, its run and its link to the app) SQLite's default put that journal in a
  // temporary file: one file created, written and deleted per call, on the event loop. Linux's /proc shows it.
  it.runIf(process.platform === 'linux')(
    "keeps a savepoint's journal in memory, never in a temporary file, however many pages it changes",
    () => {
      const db = openDatabase(join(tempDir(), 'quire.sqlite'));
      db.exec('CREATE TABLE pages (id INTEGER PRIMARY KEY, body TEXT NOT NULL) STRICT');
      const insert = db.prepare('INSERT INTO pages (body) VALUES (?)');
      // One row per page: 40 pages that exist before the transaction (new pages are never journaled).
      for (let i = 0; i < 40; i++) insert.run('x'.repeat(3000));
      const deletedFiles = () =>
        readdirSync('/proc/self/fd')
          .map((fd) => {
            try {
              return readlinkSync(`/proc/self/fd/${fd}`);
            } catch {
              return '';
            }
          })
          .filter((target) => target.endsWith('(deleted)'));
      const before = deletedFiles();
      let during: string[] = [];
      db.transaction(() => {
        db.transaction(() => {
          db.prepare("UPDATE pages SET body = 'y' || body").run();
          during = deletedFiles();
        })();
      }).immediate();
      expect(during.filter((f) => !before.includes(f))).toEqual([]);
      expect(db.prepare("SELECT COUNT(*) FROM pages WHERE body LIKE 'yx%'").pluck().get()).toBe(40);
      db.close();
    },
  );

  it('is idempotent: reopening applies nothing twice', () => {
    const file = join(tempDir(), 'quire.sqlite');
    openDatabase(file).close();
    const db = openDatabase(file);
    expect(db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.at(-1)!.version);
    db.close();
  });

  it('refuses a database from a newer Quire and leaves the file byte-for-byte untouched', () => {
    const file = join(tempDir(), 'quire.sqlite');
    const raw = new Database(file);
    raw.exec('CREATE TABLE future (x INTEGER) STRICT');
    raw.pragma('user_version = 999');
    raw.close();
    const before = readFileSync(file);
    expect(() => openDatabase(file)).toThrow(/newer version of Quire \(schema 999/);
    expect(readFileSync(file).equals(before)).toBe(true);
  });

  it('rolls back every migration of a batch when one fails', () => {
    const file = join(tempDir(), 'quire.sqlite');
    const broken = [
      { version: 1, name: 'good', sql: 'CREATE TABLE a (x INTEGER) STRICT;' },
      { version: 2, name: 'bad', sql: 'CREATE TABLE b (x NOPE_TYPE) STRICT;' },
    ];
    expect(() => openDatabase(file, broken)).toThrow(/Migration 2 \(bad\) failed/);
    const db = new Database(file);
    expect(db.pragma('user_version', { simple: true })).toBe(0);
    expect(db.prepare("SELECT count(*) AS n FROM sqlite_schema WHERE name = 'a'").get()).toEqual({ n: 0 });
    db.close();
  });
});
