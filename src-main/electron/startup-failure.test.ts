// What the desktop app shows when Quire cannot start: what happened and the step that fixes it, in a writer's words,
// never SQLite's or zod's. The failures are the real ones where they can be made: a library written by a newer Quire,
// a damaged library file, saved settings this Quire cannot read.
import Database from 'better-sqlite3';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useTempDir } from '../../test/support/temp-dir';
import { createApp } from '../app/create-app';
import { StorageError } from '../errors';
import { openDatabase } from '../store/database';
import { startupFailure } from './startup-failure';

const tempDir = useTempDir('quire-startup-');

/** The error createApp fails with on `dataDir` as it is. */
async function startError(dataDir: string): Promise<unknown> {
  const app = await createApp({ dataDir, env: {} }).catch((error: unknown) => ({ error }));
  if (!('error' in app)) {
    await app.close();
    throw new Error('expected Quire not to start');
  }
  return app.error;
}

describe('startupFailure', () => {
  it('a library written by a newer Quire: update Quire, and nothing more', async () => {
    const dataDir = tempDir();
    const db = new Database(join(dataDir, 'quire.sqlite'));
    db.pragma('user_version = 999');
    db.close();
    expect(startupFailure(await startError(dataDir), dataDir)).toEqual({
      title: 'Quire could not start',
      message:
        `Your library in “${dataDir}” was saved by a newer version of Quire, so this version left it untouched. ` +
        'Update Quire to its latest version, then open it again.',
    });
  });

  it('a damaged library file: in words, with the step, without SQLite’s', async () => {
    const dataDir = tempDir();
    writeFileSync(join(dataDir, 'quire.sqlite'), Buffer.alloc(8192, 'not a database '));
    const { message } = startupFailure(await startError(dataDir), dataDir);
    expect(message).toBe(
      `Quire’s library file (quire.sqlite in “${dataDir}”) is damaged, so Quire cannot open it; it was left as it ` +
        'is. Put back quire.sqlite from a backup (such as Time Machine), then open Quire again.',
    );
  });

  it('saved settings this Quire cannot read: in words, without zod’s', async () => {
    const dataDir = tempDir();
    const db = openDatabase(join(dataDir, 'quire.sqlite'));
    db.prepare('INSERT INTO settings (section, value, updated_at) VALUES (?, ?, ?)').run(
      'runs',
      JSON.stringify({ timeout_s: 'soon' }),
      '2026-01-01T00:00:00Z',
    );
    db.close();
    const { message } = startupFailure(await startError(dataDir), dataDir);
    expect(message).toBe(
      'Quire could not read its saved settings: they may have been saved by a newer version of Quire. Update ' +
        'Quire to its latest version, then open it again.',
    );
  });

  it('knows a newer library and unreadable settings by their kind, whatever their words', () => {
    const dataDir = '/Users/mara/Library/Application Support/Quire';
    const newer = new StorageError('Reworded: schema 999 is past this build', { reason: 'newer_library' });
    expect(startupFailure(newer, dataDir).message).toBe(
      `Your library in “${dataDir}” was saved by a newer version of Quire, so this version left it untouched. ` +
        'Update Quire to its latest version, then open it again.',
    );
    const settings = new StorageError('Reworded: the settings rows do not parse', { reason: 'unreadable_settings' });
    expect(startupFailure(settings, dataDir).message).toBe(
      'Quire could not read its saved settings: they may have been saved by a newer version of Quire. Update ' +
        'Quire to its latest version, then open it again.',
    );
    // The old words without the kind decide nothing.
    const lookalike = new StorageError('The database was written by a newer version of Quire');
    expect(startupFailure(lookalike, dataDir).message).toMatch(/^Something unexpected stopped Quire from starting/);
  });

  it('a full disk, a library folder Quire may not use, another Quire holding the library', () => {
    const sqlite = (code: string) => Object.assign(new Error(`${code}: raw words`), { code });
    const dataDir = '/Users/mara/Library/Application Support/Quire';
    expect(startupFailure(sqlite('SQLITE_FULL'), dataDir).message).toBe(
      'The disk is full, so Quire could not open its library. Free some space on the disk (empty the Trash, delete ' +
        'local models you no longer use), then open Quire again.',
    );
    const cantOpen = new StorageError('Cannot open the Quire database at …: unable to open database file', {
      cause: sqlite('SQLITE_CANTOPEN'),
    });
    expect(startupFailure(cantOpen, dataDir).message).toBe(
      `Quire could not open its library in “${dataDir}”: the folder is missing or Quire isn't allowed to change it. ` +
        'Check that the folder is there and that you may change it (Finder → Get Info → Sharing & Permissions), ' +
        'then open Quire again.',
    );
    expect(startupFailure(sqlite('SQLITE_BUSY'), dataDir).message).toBe(
      'Another copy of Quire is using your library. Quit it, then open Quire again.',
    );
  });

  it('anything else: no library’s words, and a step that can help', () => {
    const failure = startupFailure(new TypeError("Cannot read properties of undefined (reading 'x')"), '/q');
    expect(failure).toEqual({
      title: 'Quire could not start',
      message:
        'Something unexpected stopped Quire from starting. Open Quire again; if it keeps happening, update Quire ' +
        'to its latest version.',
    });
  });
});
