// A manuscript picked again after the writer went on editing its file elsewhere: Quire says whether the file or folder
// on disk is still what it opened, by size and modification time (times set with utimes, no waiting for a clock).
import { createHash } from 'node:crypto';
import { mkdirSync, renameSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { Channel, Envelope, Input, Output } from '../../src-preload/contract';
import type { App } from '../app/create-app';
import { useTempDir } from '../../test/support/temp-dir';
import { useTestApp } from '../../test/support/test-app';
import { openDatabase } from '../store/database';
import { MIGRATIONS } from '../store/migrations';

const testApp = useTestApp();
const tempDir = useTempDir('quire-on-disk-');
const internal = { transport: 'internal' as const };

async function call<C extends Channel>(app: App, channel: C, input: Input<C>): Promise<Output<C>> {
  const reply = (await app.dispatcher.call(channel, input, internal)) as Envelope<Output<C>>;
  if (!reply.ok) throw new Error(JSON.stringify(reply.error));
  return reply.value;
}

async function onDisk(app: App, id: string) {
  return (await call(app, 'manuscripts:get', { id })).on_disk;
}

/** Moves a file's modification time `ms` later than it is, as a save in another editor would. */
function later(path: string, ms: number): void {
  const { atime, mtimeMs } = statSync(path);
  utimesSync(path, atime, new Date(mtimeMs + ms));
}

describe('a manuscript on disk since Quire opened it', () => {
  it('a file: unchanged as opened; changed once written or touched; opened again, the new copy is unchanged', async () => {
    const app = await testApp.app();
    const file = join(tempDir(), 'Draft.md');
    writeFileSync(file, '# One\n\nMara’s eyes were brown.\n');
    const opened = await call(app, 'manuscripts:open', { path: file });
    expect(opened.on_disk).toBe('unchanged');
    expect(await onDisk(app, opened.id)).toBe('unchanged');

    // Same size, a later save: changed (an edit can keep the length).
    later(file, 5_000);
    expect(await onDisk(app, opened.id)).toBe('changed');

    const other = join(tempDir(), 'Other.md');
    writeFileSync(other, '# One\n\nMara’s eyes were brown.\n');
    const second = await call(app, 'manuscripts:open', { path: other });
    // New words, the time set back to the one Quire saw: the size still tells.
    const { atime, mtime } = statSync(other);
    writeFileSync(other, '# One\n\nMara’s eyes were green, as the sea.\n');
    utimesSync(other, atime, mtime);
    expect(await onDisk(app, second.id)).toBe('changed');

    // Opened again from the same place: a new copy with the new words; the old one stays, still changed.
    const again = await call(app, 'manuscripts:open', { path: other });
    expect(again.id).not.toBe(second.id);
    expect(again.text).toContain('green, as the sea');
    expect(await onDisk(app, again.id)).toBe('unchanged');
    expect(await onDisk(app, second.id)).toBe('changed');
    expect((await call(app, 'manuscripts:get', { id: second.id })).text).toContain('brown');
  });

  it('a folder: changed when a chapter file is edited, added or removed; not for a file that is no chapter', async () => {
    const app = await testApp.app();
    const book = join(tempDir(), 'Novel');
    mkdirSync(book);
    for (const n of [1, 2]) writeFileSync(join(book, `Chapter ${n}.md`), `# Chapter ${n}\n\nText of ${n}.\n`);
    const opened = await call(app, 'manuscripts:open', { path: book });
    expect(opened.on_disk).toBe('unchanged');
    // A cover, a hidden file, a folder of research: not chapters, so nothing Quire read has changed.
    writeFileSync(join(book, 'cover.png'), 'png');
    writeFileSync(join(book, '.DS_Store'), 'finder');
    mkdirSync(join(book, 'research'));
    expect(await onDisk(app, opened.id)).toBe('unchanged');

    writeFileSync(join(book, 'Chapter 3.md'), '# Chapter 3\n\nText of 3.\n');
    expect(await onDisk(app, opened.id)).toBe('changed');
    rmSync(join(book, 'Chapter 3.md'));
    expect(await onDisk(app, opened.id)).toBe('unchanged');

    // A chapter renamed: the same words under another name are another manuscript's chapters.
    renameSync(join(book, 'Chapter 2.md'), join(book, 'Chapter 02.md'));
    expect(await onDisk(app, opened.id)).toBe('changed');
    renameSync(join(book, 'Chapter 02.md'), join(book, 'Chapter 2.md'));
    expect(await onDisk(app, opened.id)).toBe('unchanged');

    later(join(book, 'Chapter 1.md'), 60_000);
    expect(await onDisk(app, opened.id)).toBe('changed');

    rmSync(join(book, 'Chapter 1.md'));
    expect(await onDisk(app, opened.id)).toBe('changed');
  });

  it('manuscripts:check looks again without fetching the text: as manuscripts:get says; not found once removed', async () => {
    const app = await testApp.app();
    const file = join(tempDir(), 'Draft.md');
    writeFileSync(file, '# One\n\nText.\n');
    const opened = await call(app, 'manuscripts:open', { path: file });
    expect(await call(app, 'manuscripts:check', { id: opened.id })).toEqual({ on_disk: 'unchanged' });
    later(file, 1_000);
    expect(await call(app, 'manuscripts:check', { id: opened.id })).toEqual({ on_disk: 'changed' });
    rmSync(file);
    expect(await call(app, 'manuscripts:check', { id: opened.id })).toEqual({ on_disk: 'missing' });
    await call(app, 'manuscripts:delete', { id: opened.id });
    const gone = await app.dispatcher.call('manuscripts:check', { id: opened.id }, internal);
    expect(!gone.ok && gone.error.code).toBe('not_found');
  });

  it('missing once the file or folder is moved or deleted', async () => {
    const app = await testApp.app();
    const dir = tempDir();
    const file = join(dir, 'Draft.md');
    writeFileSync(file, '# One\n\nText.\n');
    const book = join(dir, 'Novel');
    mkdirSync(book);
    writeFileSync(join(book, 'Chapter 1.md'), '# One\n\nText.\n');
    const fileDoc = await call(app, 'manuscripts:open', { path: file });
    const folderDoc = await call(app, 'manuscripts:open', { path: book });

    renameSync(file, join(dir, 'Draft (moved).md'));
    rmSync(book, { recursive: true });
    expect(await onDisk(app, fileDoc.id)).toBe('missing');
    expect(await onDisk(app, folderDoc.id)).toBe('missing');
    // A folder where the file was is not the file.
    mkdirSync(file);
    expect(await onDisk(app, fileDoc.id)).toBe('missing');
  });

  it('unknown for a manuscript stored before Quire kept what it opened, and for one uploaded in a browser', async () => {
    const dataDir = tempDir();
    const file = join(dataDir, 'old.md');
    const text = '# One\n\nText.\n';
    writeFileSync(file, text);
    const old = openDatabase(
      join(dataDir, 'quire.sqlite'),
      MIGRATIONS.filter((m) => m.version <= 23),
    );
    old
      .prepare(
        `INSERT INTO documents (id, title, source_path, source_kind, text, word_count, sha256, created_at)
         VALUES ('d1', 'Old', ?, 'file', '', 2, ?, '2026-11-01T10:00:00.000Z')`,
      )
      .run(file, createHash('sha256').update(text).digest('hex'));
    old.prepare(`INSERT INTO document_pieces (document_id, position, text) VALUES ('d1', 0, ?)`).run(text);
    old.close();
    const app = await testApp.app({ dataDir });
    // Even edited since: there is nothing to compare with, so nothing is said to have changed.
    later(file, 60_000);
    expect(await onDisk(app, 'd1')).toBe('unknown');

    // The name a browser gave is no place on this computer.
    const uploaded = await app.services.manuscripts.openUpload('old.md', Readable.from([Buffer.from(text)]));
    expect(uploaded.on_disk).toBe('unknown');
    expect(await onDisk(app, uploaded.id)).toBe('unknown');
  });
});
