import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Channel, Envelope, Input, Output } from '../../src-preload/contract';
import type { App } from '../app/create-app';
import { generateManuscript, shortParagraphsManuscript } from '../../test/fixtures/manuscript';
import { longestWait } from '../../test/support/longest-wait';
import { useTempDir } from '../../test/support/temp-dir';
import { useTestApp } from '../../test/support/test-app';
import { openDatabase } from '../store/database';
import { MIGRATIONS } from '../store/migrations';
import { ID_BY_HASH, STALE_IDS } from './documents-repo';
import { KEPT_STRUCTURES } from './manuscripts-service';
import { naturalCompare } from './source-reader';
import { parseStructure } from './structure';

const testApp = useTestApp();
const tempDir = useTempDir('quire-manuscript-');
const internal = { transport: 'internal' as const };

/** The dispatcher's reply, typed by the contract. */
async function call<C extends Channel>(app: App, channel: C, input: Input<C>): Promise<Envelope<Output<C>>> {
  return (await app.dispatcher.call(channel, input, internal)) as Envelope<Output<C>>;
}

describe('manuscripts:* channels', () => {
  it('opens a long Markdown file, keeps it in SQLite with numbered chapters and paragraphs, lists, gets, deletes', async () => {
    const app = await testApp.app();
    const dir = tempDir();
    const text = generateManuscript({
      words: 40_000,
      chapters: 10,
      plant: [{ chapter: 7, paragraph: 3, text: 'Mara’s eyes were grey as the harbour.' }],
    });
    writeFileSync(join(dir, 'The Lantern.md'), text);
    const opened = await call(app, 'manuscripts:open', { path: join(dir, 'The Lantern.md') });
    if (!opened.ok) throw new Error(JSON.stringify(opened.error));
    const doc = opened.value;
    expect(doc).toMatchObject({ title: 'The Lantern', source_kind: 'file', chapter_count: 10 });
    expect(doc.text).toBe(text);
    expect(doc.word_count).toBeGreaterThanOrEqual(40_000);
    // Its paragraphs are not sent (nor stored): a run parses them again from the stored text, as it was opened.
    expect(doc).not.toHaveProperty('blocks');
    const { blocks } = (await app.services.manuscripts.structureOf(text))!;
    expect(blocks).toEqual(parseStructure(text, { fallbackTitle: 'The Lantern' }).blocks);
    const planted = blocks.find((b) => doc.text.slice(b.start, b.end).startsWith('Mara’s eyes'))!;
    expect([planted.chapter, planted.paragraph]).toEqual([7, 3]);
    expect(doc.paragraph_count).toBe(blocks.filter((b) => b.kind === 'text').length);

    const listed = await call(app, 'manuscripts:list', undefined);
    expect(listed.ok && listed.value.map((m) => m.id)).toEqual([doc.id]);
    const got = await call(app, 'manuscripts:get', { id: doc.id });
    expect(got.ok && got.value).toEqual(doc);
    expect((await call(app, 'manuscripts:delete', { id: doc.id })).ok).toBe(true);
    const gone = await call(app, 'manuscripts:get', { id: doc.id });
    expect(!gone.ok && gone.error.code).toBe('not_found');
    expect(app.services.db.prepare('SELECT COUNT(*) AS n FROM document_chapters').get()).toEqual({ n: 0 });
  });

  it("finds the manuscript with a run's text through an index, never reading every manuscript's text", async () => {
    const app = await testApp.app();
    const plan = app.services.db.prepare(`EXPLAIN QUERY PLAN ${ID_BY_HASH}`).all('0'.repeat(64)) as {
      detail: string;
    }[];
    expect(plan.map((p) => p.detail).join('\n')).toMatch(/SEARCH documents USING (COVERING )?INDEX documents_sha256/);
    // And at start-up, the manuscripts an earlier Quire numbered, without reading the others.
    const stale = app.services.db.prepare(`EXPLAIN QUERY PLAN ${STALE_IDS}`).all(2) as { detail: string }[];
    expect(stale.map((p) => p.detail).join('\n')).toMatch(
      /SEARCH documents USING (COVERING )?INDEX documents_structure_version/,
    );
  });

  it("keeps the last manuscripts' structures: a run on one does not parse its text again, nor finds another's", async () => {
    const app = await testApp.app();
    const { manuscripts } = app.services;
    const dir = tempDir();
    const open = async (name: string, text: string) => {
      writeFileSync(join(dir, name), text);
      const reply = await call(app, 'manuscripts:open', { path: join(dir, name) });
      if (!reply.ok) throw new Error(JSON.stringify(reply.error));
      return reply.value;
    };
    // No headings: the whole text is one chapter named after its file, so which manuscript answered shows.
    const text = 'Rain on the harbour.\n\n* * *\n\nThe lantern went out.\n';
    await open('Book.md', text);
    const first = await manuscripts.structureOf(text);
    expect(first).toEqual(parseStructure(text, { fallbackTitle: 'Book' }));
    // A 48 MB manuscript took seconds to parse, and it was parsed again for every run on it.
    expect(await manuscripts.structureOf(text)).toBe(first);

    // The same text opened again under another name: the newest is the one a run numbers it as, until it is deleted.
    const copy = await open('Copy.md', text);
    expect((await manuscripts.structureOf(text))?.chapters[0]!.title).toBe('Copy');
    await call(app, 'manuscripts:delete', { id: copy.id });
    expect((await manuscripts.structureOf(text))?.chapters[0]!.title).toBe('Book');

    // A few are kept, not every manuscript's: one of 1.8 million paragraphs holds about 130 MB.
    for (let i = 0; i < KEPT_STRUCTURES; i++) {
      const other = `Other book ${i}.\n`;
      await open(`Other ${i}.md`, other);
      await manuscripts.structureOf(other);
    }
    const again = await manuscripts.structureOf(text);
    expect(again).not.toBe(first);
    expect(again).toEqual(first);
  });

  it('answers other calls while a run numbers a long manuscript: its parse does not hold them for its whole length', async () => {
    const app = await testApp.app();
    const { manuscripts } = app.services;
    const dir = tempDir();
    // 200,000 short paragraphs, 5 MB (the 48 MB manuscript that held every call for 2.4 s had 1.8 million).
    const text = shortParagraphsManuscript(200_000);
    writeFileSync(join(dir, 'Long.md'), text);
    const opened = await call(app, 'manuscripts:open', { path: join(dir, 'Long.md') });
    expect(opened.ok && opened.value.paragraph_count).toBe(200_000);
    // Other manuscripts opened since: its structure is no longer kept, so a run on it parses its text again.
    for (let i = 0; i < KEPT_STRUCTURES; i++) {
      writeFileSync(join(dir, `Other ${i}.md`), `Other book ${i}.\n`);
      await call(app, 'manuscripts:open', { path: join(dir, `Other ${i}.md`) });
    }
    const { result, answers } = await longestWait(
      () => manuscripts.structureOf(text),
      () => call(app, 'settings:get', undefined),
    );
    expect(result).toEqual(parseStructure(text, { fallbackTitle: 'Long' }));
    // Parsed at once, no other call was answered until it ended; in slices of ~10 ms, one between each two.
    expect(answers).toBeGreaterThanOrEqual(3);
  });

  it('opens a folder of chapter files in natural order (Chapter 2 before Chapter 10), one chapter per file', async () => {
    const app = await testApp.app();
    const dir = join(tempDir(), 'novel');
    mkdirSync(dir);
    for (const n of [10, 2, 1]) writeFileSync(join(dir, `Chapter ${n}.md`), `# The ${n}\n\nParagraph of ${n}.\n`);
    writeFileSync(join(dir, 'notes.pdf'), 'not a chapter');
    writeFileSync(join(dir, '.hidden.md'), 'hidden');
    const opened = await call(app, 'manuscripts:open', { path: dir });
    if (!opened.ok) throw new Error(JSON.stringify(opened.error));
    expect(opened.value.chapters.map((c) => [c.number, c.title, c.source_file])).toEqual([
      [1, 'The 1', 'Chapter 1.md'],
      [2, 'The 2', 'Chapter 2.md'],
      [3, 'The 10', 'Chapter 10.md'],
    ]);
    const third = (await app.services.manuscripts.structureOf(opened.value.text))!.blocks.find(
      (b) => b.chapter === 3 && b.paragraph === 1,
    )!;
    expect(opened.value.text.slice(third.start, third.end)).toBe('Paragraph of 10.');
    expect(['Chapter 10', 'Chapter 2', 'chapter 1'].sort(naturalCompare)).toEqual([
      'chapter 1',
      'Chapter 2',
      'Chapter 10',
    ]);
  });

  it('opens a folder with a chapter file not written yet (empty) as a chapter with no text; all empty is refused', async () => {
    // A novelist's placeholder: the whole folder was refused ("07 - TODO.md is empty… Move that file out").
    const app = await testApp.app();
    const dir = join(tempDir(), 'novel');
    mkdirSync(dir);
    writeFileSync(join(dir, '06 The Letter.md'), '# The Letter\n\nShe read it twice.\n');
    writeFileSync(join(dir, '07 - TODO.md'), '');
    writeFileSync(join(dir, '08 Winter.md'), ' \n\n');
    writeFileSync(join(dir, '09 Spring.md'), 'The ice broke.\n');
    const opened = await call(app, 'manuscripts:open', { path: dir });
    if (!opened.ok) throw new Error(JSON.stringify(opened.error));
    expect(opened.value.chapters.map((c) => [c.title, c.paragraph_count, c.source_file])).toEqual([
      ['The Letter', 1, '06 The Letter.md'],
      ['07 - TODO', 0, '07 - TODO.md'],
      ['08 Winter', 0, '08 Winter.md'],
      ['09 Spring', 1, '09 Spring.md'],
    ]);
    const spring = (await app.services.manuscripts.structureOf(opened.value.text))!.blocks.find(
      (b) => b.chapter === 4 && b.paragraph === 1,
    )!;
    expect(opened.value.text.slice(spring.start, spring.end)).toBe('The ice broke.');

    const blank = join(tempDir(), 'blank');
    mkdirSync(blank);
    writeFileSync(join(blank, '01.md'), '');
    writeFileSync(join(blank, '02.md'), '\n');
    const refused = await call(app, 'manuscripts:open', { path: blank });
    expect(refused.ok).toBe(false);
    if (!refused.ok)
      expect(refused.error.message).toBe(
        'The folder “blank” has no text in its chapter files (01.md and 02.md are empty). Check that its chapters ' +
          'were saved there, then open it again.',
      );
  });

  it('opens a folder again as the manuscript it was when nothing in it changed; a changed one is a new version', async () => {
    // Each open stored another copy: a novelist opening the folder every morning saw "The Lighthouse Keeper" listed
    // once per day, each alike.
    const app = await testApp.app();
    const dir = join(tempDir(), 'The Lighthouse Keeper');
    mkdirSync(dir);
    writeFileSync(join(dir, '01 Arrival.md'), '# Arrival\n\nThe boat came in.\n');
    writeFileSync(join(dir, '02 The Harbour.md'), '# The Harbour\n\nMara’s eyes were green.\n');
    const first = await call(app, 'manuscripts:open', { path: dir });
    if (!first.ok) throw new Error(JSON.stringify(first.error));
    // Saved again unchanged (an editor's save touches the file's time, not its words).
    writeFileSync(join(dir, '02 The Harbour.md'), '# The Harbour\n\nMara’s eyes were green.\n');
    const again = await call(app, 'manuscripts:open', { path: dir });
    if (!again.ok) throw new Error(JSON.stringify(again.error));
    expect(again.value.id).toBe(first.value.id);
    expect(again.value.on_disk).toBe('unchanged');
    const listed = await call(app, 'manuscripts:list', undefined);
    expect(listed.ok && listed.value.map((m) => m.id)).toEqual([first.value.id]);
    // Its words changed: a new version, the one opened before kept (runs were made on it).
    writeFileSync(join(dir, '02 The Harbour.md'), '# The Harbour\n\nMara’s eyes were brown.\n');
    const changed = await call(app, 'manuscripts:open', { path: dir });
    if (!changed.ok) throw new Error(JSON.stringify(changed.error));
    expect(changed.value.id).not.toBe(first.value.id);
    const both = await call(app, 'manuscripts:list', undefined);
    expect(both.ok && both.value.map((m) => m.id).sort()).toEqual([first.value.id, changed.value.id].sort());
    const old = await call(app, 'manuscripts:get', { id: first.value.id });
    expect(old.ok && old.value.text).toContain('green');
  });

  it('titles a chapter file by the heading it opens with, underlined (setext) or not, as its text is numbered', async () => {
    // An underlined opening heading is the file's heading in its numbering, but the chapter was titled by the file name.
    const app = await testApp.app();
    const dir = join(tempDir(), 'novel');
    mkdirSync(dir);
    writeFileSync(join(dir, '01.md'), 'The Storm\n=========\n\nRain came.\n');
    writeFileSync(join(dir, '02.md'), 'After the Storm\n---------------\n\nThe boats were gone.\n');
    // A sentence over a scene break is prose: the file's name is its title.
    writeFileSync(join(dir, '03.md'), 'She left at dawn.\n---\nHe stayed.\n');
    const opened = await call(app, 'manuscripts:open', { path: dir });
    if (!opened.ok) throw new Error(JSON.stringify(opened.error));
    expect(opened.value.chapters.map((c) => c.title)).toEqual(['The Storm', 'After the Storm', '03']);
  });

  it('refuses a missing file, a binary file, non-UTF-8 text, an empty file, a FIFO and a device, storing nothing', async () => {
    const app = await testApp.app();
    const dir = tempDir();
    writeFileSync(join(dir, 'binary.md'), Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0x00, 0x00, 0x10]));
    writeFileSync(join(dir, 'latin1.txt'), Buffer.from('Caf\xe9 au lait', 'latin1'));
    writeFileSync(join(dir, 'empty.md'), ' \n\n \n');
    writeFileSync(join(dir, 'novel.docx'), 'PK');
    execFileSync('mkfifo', [join(dir, 'pipe.md')]);
    symlinkSync('/dev/zero', join(dir, 'device.txt'));
    mkdirSync(join(dir, 'no-chapters'));
    const cases: [string, RegExp][] = [
      ['missing.md', /no file or folder/],
      ['binary.md', /binary/],
      ['latin1.txt', /not UTF-8/],
      ['empty.md', /empty/],
      ['novel.docx', /not a text manuscript/],
      ['pipe.md', /not an ordinary file/],
      ['device.txt', /not an ordinary file/],
      ['no-chapters', /no chapter files/],
    ];
    for (const [name, message] of cases) {
      const reply = await call(app, 'manuscripts:open', { path: join(dir, name) });
      expect(reply.ok, name).toBe(false);
      if (!reply.ok) {
        expect(reply.error.code, name).toBe('invalid_input');
        expect(reply.error.message, name).toMatch(message);
      }
    }
    const listed = await call(app, 'manuscripts:list', undefined);
    expect(listed.ok && listed.value).toEqual([]);
    expect(app.services.db.prepare('SELECT COUNT(*) AS n FROM documents').get()).toEqual({ n: 0 });
  });
  it('a path that leads nowhere says which part is wrong and what to type; a bare name is never looked for where Quire started', async () => {
    const app = await testApp.app();
    const dir = tempDir();
    writeFileSync(join(dir, 'Draft.md'), '# One\n\nText.\n');
    const copyPath =
      'copy its path in the Finder (select the file, hold Option and choose Edit → Copy as Pathname) and paste it here.';
    const cases: [string, string][] = [
      [
        'Draft.md',
        '“Draft.md” is not a whole path, so Quire cannot tell which folder it is in. Type it from the start, such as ' +
          `~/Documents/Draft.md, or ${copyPath}`,
      ],
      [
        join(dir, 'Draft.txt'),
        `There is no file or folder “Draft.txt” in “${dir}”. Check its name (a manuscript’s ends in .md or .txt), or ${copyPath}`,
      ],
      [
        join(dir, 'Novel', 'Draft.md'),
        `There is no folder “${join(dir, 'Novel')}”. Check the folders in the path, or ${copyPath}`,
      ],
      [
        join(dir, 'Draft.md', 'Chapter 1.md'),
        `“${join(dir, 'Draft.md')}” is a file, not a folder, so nothing can be inside it. Check the path, or ${copyPath}`,
      ],
    ];
    for (const [path, message] of cases) {
      const reply = await call(app, 'manuscripts:open', { path });
      expect(reply.ok ? null : [reply.error.code, reply.error.message, reply.error.advised], path).toEqual([
        'invalid_input',
        message,
        true,
      ]);
    }
    expect(app.services.db.prepare('SELECT COUNT(*) AS n FROM documents').get()).toEqual({ n: 0 });
  });
  it('refuses a folder with chapters it cannot read (Word, RTF, a subfolder of chapters), naming them, rather than leave them out', async () => {
    const app = await testApp.app();
    const dir = join(tempDir(), 'novel');
    mkdirSync(join(dir, 'Part Two'), { recursive: true });
    mkdirSync(join(dir, 'research'));
    writeFileSync(join(dir, 'Chapter 1.md'), '# One\n\nFirst chapter.\n');
    writeFileSync(join(dir, 'Chapter 2.rtf'), '{\\rtf1\\ansi Second chapter.}');
    writeFileSync(join(dir, 'Chapter 3.md'), '# Three\n\nThird chapter.\n');
    writeFileSync(join(dir, 'Chapter 5.docx'), 'PK');
    writeFileSync(join(dir, 'Part Two', 'Chapter 4.md'), '# Four\n\nFourth chapter.\n');
    // Not chapters: pictures and PDFs beside the chapters, a folder without chapter files in it.
    writeFileSync(join(dir, 'cover.jpg'), 'jpeg');
    writeFileSync(join(dir, 'research', 'map.pdf'), 'pdf');
    const reply = await call(app, 'manuscripts:open', { path: dir });
    expect(!reply.ok && reply.error.message).toBe(
      'The folder “novel” was not opened: Quire would have to leave out Chapter 2.rtf, Chapter 5.docx and the ' +
        'chapters in “Part Two”. Quire reads .md, .markdown, .txt and .text files directly in the folder: save those ' +
        'chapters as plain text (in TextEdit: Format → Make Plain Text); move the chapters in “Part Two” beside the ' +
        'others, or open it on its own.',
    );
    expect(app.services.db.prepare('SELECT COUNT(*) AS n FROM documents').get()).toEqual({ n: 0 });
  });

  it('refuses a folder whose chapters are partly in an alias (a symbolic link) to another folder, as in a subfolder', async () => {
    const app = await testApp.app();
    const root = tempDir();
    const dir = join(root, 'book');
    mkdirSync(join(root, 'elsewhere'), { recursive: true });
    mkdirSync(dir);
    writeFileSync(join(dir, 'Chapter 1.md'), '# One\n\nFirst chapter.\n');
    writeFileSync(join(root, 'elsewhere', 'Chapter 2.md'), '# Two\n\nSecond chapter.\n');
    symlinkSync(join(root, 'elsewhere'), join(dir, 'Part Two'));
    const reply = await call(app, 'manuscripts:open', { path: dir });
    expect(!reply.ok && reply.error.message).toMatch(/Quire would have to leave out the chapters in “Part Two”/);
  });

  it('says an alias that leads back to itself is one, not that the disk may be disconnected', async () => {
    const app = await testApp.app();
    const dir = tempDir();
    symlinkSync(join(dir, 'loop.md'), join(dir, 'loop.md'));
    const reply = await call(app, 'manuscripts:open', { path: join(dir, 'loop.md') });
    expect(!reply.ok && reply.error.message).toBe(
      '“loop.md” is an alias that leads back to itself, so there is no file to read. Open the original file ' +
        'instead, or remake the alias, then open it again.',
    );
  });

  it('refuses an RTF or Word document named .txt, saying what it is and how to make it plain text', async () => {
    const app = await testApp.app();
    const dir = tempDir();
    writeFileSync(join(dir, 'Novel.txt'), '{\\rtf1\\ansi\\ansicpg1252\n\\f0\\fs24 It was a dark night.\\par\n}');
    writeFileSync(
      join(dir, 'Book.txt'),
      Buffer.concat([Buffer.from('PK\x03\x04\x14\x00', 'latin1'), Buffer.from('word/')]),
    );
    const rtf = await call(app, 'manuscripts:open', { path: join(dir, 'Novel.txt') });
    expect(!rtf.ok && rtf.error.message).toBe(
      'Novel.txt is a rich-text (RTF) document, not plain text. Make it plain text (in TextEdit: Format → Make ' +
        'Plain Text), save it, and open it again.',
    );
    const zipped = await call(app, 'manuscripts:open', { path: join(dir, 'Book.txt') });
    expect(!zipped.ok && zipped.error.message).toBe(
      'Book.txt is a Word, Pages or other packaged document, not plain text. Save or export it as plain text ' +
        '(.txt) or Markdown (.md) and open that.',
    );
  });

  it('opens UTF-16 text (a Windows "Unicode" file), and a folder it cannot open says which file and what to do', async () => {
    const app = await testApp.app();
    const dir = tempDir();
    const text = '# Chapter 1\n\nMara’s eyes were green.\n';
    writeFileSync(join(dir, 'le.txt'), Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]));
    const be = Buffer.from(text, 'utf16le').swap16();
    writeFileSync(join(dir, 'be.txt'), Buffer.concat([Buffer.from([0xfe, 0xff]), be]));
    for (const name of ['le.txt', 'be.txt']) {
      const opened = await call(app, 'manuscripts:open', { path: join(dir, name) });
      expect(opened.ok && opened.value.text, name).toBe(text);
    }
    writeFileSync(join(dir, 'empty.md'), '\n');
    const again = await call(app, 'manuscripts:open', { path: join(dir, 'empty.md') });
    expect(!again.ok && again.error.message).toBe(
      'empty.md is empty: there is no text in it. Check that you chose the right file and that its text was saved.',
    );
    const book = join(dir, 'book');
    mkdirSync(book);
    writeFileSync(join(book, 'Chapter 1.md'), text);
    writeFileSync(join(book, 'Chapter 2.md'), Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0x00, 0x00, 0x10]));
    const folder = await call(app, 'manuscripts:open', { path: book });
    expect(!folder.ok && folder.error.message).toBe(
      'The folder “book” was not opened: Chapter 2.md looks like a binary file, not text (it contains zero bytes). ' +
        'Move that file out of the folder or fix it, then open the folder again.',
    );
  });

  it('numbers a manuscript stored by an earlier Quire again when it starts, as this one opens it', async () => {
    const dataDir = tempDir();
    const file = join(dataDir, 'quire.sqlite');
    // "Chapter N" lines straight above their text: an earlier Quire took the whole book for one chapter.
    const text = 'Chapter 1\nMara walked.\n\nShe stopped.\n\nChapter 2\nThe sea rose.\n';
    const old = openDatabase(
      file,
      MIGRATIONS.filter((m) => m.version < 20),
    );
    old
      .prepare(
        `INSERT INTO documents (id, title, source_path, source_kind, text, word_count, sha256, created_at)
         VALUES ('d1', 'Old', '/books/old.md', 'file', ?, 10, ?, '2026-11-01T10:00:00.000Z')`,
      )
      .run(text, createHash('sha256').update(text).digest('hex'));
    old
      .prepare(
        `INSERT INTO document_chapters (document_id, position, number, title, start_offset, end_offset,
         paragraph_count, source_file) VALUES ('d1', 0, 1, 'Old', 0, ?, 3, NULL)`,
      )
      .run(text.length);
    old.close();

    const app = await testApp.app({ dataDir });
    const got = await call(app, 'manuscripts:get', { id: 'd1' });
    expect(got.ok && got.value.chapters.map((c) => [c.number, c.title, c.paragraph_count])).toEqual([
      [1, 'Chapter 1', 2],
      [2, 'Chapter 2', 1],
    ]);
    const listed = await call(app, 'manuscripts:list', undefined);
    expect(listed.ok && listed.value).toMatchObject([{ id: 'd1', chapter_count: 2, paragraph_count: 3 }]);
  });

  it('opens a manuscript stored with a row per paragraph (before migration 19): same count, same structure', async () => {
    const dataDir = tempDir();
    const file = join(dataDir, 'quire.sqlite');
    const text = '# One\n\nA b.\n\n***\n\nC d.\n\n# Two\n\nE f.\n';
    const old = openDatabase(
      file,
      MIGRATIONS.filter((m) => m.version < 19),
    );
    const structure = parseStructure(text, { fallbackTitle: 'Old' });
    old
      .prepare(
        `INSERT INTO documents (id, title, source_path, source_kind, text, word_count, sha256, created_at)
         VALUES ('d1', 'Old', '/books/old.md', 'file', ?, 6, ?, '2026-11-01T10:00:00.000Z')`,
      )
      .run(text, createHash('sha256').update(text).digest('hex'));
    structure.chapters.forEach((c, i) =>
      old
        .prepare(
          `INSERT INTO document_chapters (document_id, position, number, title, start_offset, end_offset,
           paragraph_count, source_file) VALUES ('d1', ?, ?, ?, ?, ?, ?, NULL)`,
        )
        .run(i, c.number, c.title, c.start, c.end, c.paragraphCount),
    );
    structure.blocks.forEach((b, i) =>
      old
        .prepare(
          `INSERT INTO document_paragraphs (document_id, position, chapter, kind, paragraph, start_offset, end_offset)
           VALUES ('d1', ?, ?, ?, ?, ?, ?)`,
        )
        .run(i, b.chapter, b.kind, b.paragraph, b.start, b.end),
    );
    old.close();

    const app = await testApp.app({ dataDir });
    const listed = await call(app, 'manuscripts:list', undefined);
    expect(listed.ok && listed.value).toMatchObject([{ id: 'd1', chapter_count: 2, paragraph_count: 3 }]);
    expect(await app.services.manuscripts.structureOf(text)).toEqual(structure);
    const tables = app.services.db.prepare("SELECT name FROM sqlite_master WHERE name = 'document_paragraphs'").all();
    expect(tables).toEqual([]);
  });
});
