// SQLite rows <-> manuscripts: a document, its text in pieces, and its chapters as offsets. Its blocks (paragraphs,
// headings, scene breaks) are not stored: they are parsed from its text (ManuscriptsService.structureOf keeps the last
// few in memory).
import type { Manuscript, ManuscriptChapter, ManuscriptSummary } from '../../src-preload/contract';
import type { Db } from '../store/database';
import { groupCommitOf } from '../store/group-commit';
import { immediate } from '../store/write';
import { nextTurn, stretchEnd } from './slices';
import { parseStamp, type SourceStamp } from './source-stamp';

// Each query names its columns as the contract does, so its rows are the domain objects as they are.
const SUMMARY_COLUMNS = `d.id, d.title, d.source_path, d.source_kind,
  (SELECT COUNT(*) FROM document_chapters c WHERE c.document_id = d.id) AS chapter_count,
  (SELECT COALESCE(SUM(c.paragraph_count), 0) FROM document_chapters c WHERE c.document_id = d.id) AS paragraph_count,
  d.word_count, d.created_at`;
const SUMMARY = `SELECT ${SUMMARY_COLUMNS} FROM documents d`;

export interface NewDocument {
  id: string;
  title: string;
  source_path: string;
  source_kind: 'file' | 'folder';
  text: string;
  word_count: number;
  sha256: string;
  created_at: string;
  chapters: ManuscriptChapter[];
  /** The numbering its chapters were made with (STRUCTURE_VERSION). */
  structure_version: number;
  /** Its file or folder as it was read; null when there is no place on disk to compare with (an upload). */
  source_stamp: SourceStamp | null;
}

/** A stored manuscript, with what its source was when it was read (null: stored before Quire kept it, or uploaded). */
export type StoredManuscript = Omit<Manuscript, 'on_disk'> & { source_stamp: SourceStamp | null };

/** The newest manuscript with this text, by its SHA-256 (index documents_sha256: no manuscript's text is read). */
export const ID_BY_HASH = 'SELECT id FROM documents WHERE sha256 = ? ORDER BY created_at DESC, id LIMIT 1';

/** Manuscripts numbered with an older numbering (index documents_structure_version: start-up reads no other row). */
export const STALE_IDS = 'SELECT id FROM documents WHERE structure_version < ?';

/** Characters of a manuscript's text stored in one piece: a few milliseconds for SQLite to write or read. */
export const PIECE_CHARS = 1 << 18;

export class DocumentsRepo {
  constructor(private readonly db: Db) {}

  /**
   * Stores the document: its text a piece at a time, the app's other calls answered between pieces, then its row and
   * chapters in one transaction, so it is listed, found and read only once all of it is there. A failure removes the
   * pieces written.
   */
  async insert(doc: NewDocument): Promise<void> {
    const insertPiece = this.db.prepare('INSERT INTO document_pieces (document_id, position, text) VALUES (?, ?, ?)');
    const insertDoc = this.db.prepare(
      `INSERT INTO documents (id, title, source_path, source_kind, text, word_count, sha256, created_at,
         structure_version, source_stamp)
       VALUES (?, ?, ?, ?, '', ?, ?, ?, ?, ?)`,
    );
    // Each piece commits without waiting for the disk (its fsync runs off this thread); the row's commit waits.
    const group = groupCommitOf(this.db);
    const durable: Promise<void>[] = [];
    try {
      for (let start = 0, position = 0; start < doc.text.length; position++) {
        const end = stretchEnd(doc.text, start, PIECE_CHARS);
        const piece = doc.text.slice(start, end);
        const written = group.write(() => insertPiece.run(doc.id, position, piece)).durable;
        // Awaited below; a failure before then must not go unhandled.
        written.catch(() => undefined);
        durable.push(written);
        start = end;
        await nextTurn();
      }
      await Promise.all(durable);
      immediate(this.db, () => {
        insertDoc.run(
          doc.id,
          doc.title,
          doc.source_path,
          doc.source_kind,
          doc.word_count,
          doc.sha256,
          doc.created_at,
          doc.structure_version,
          doc.source_stamp && JSON.stringify(doc.source_stamp),
        );
        this.insertChapters(doc.id, doc.chapters);
      })();
    } catch (error) {
      this.db.prepare('DELETE FROM document_pieces WHERE document_id = ?').run(doc.id);
      throw error;
    }
  }

  /** Removes the pieces of documents whose row never came (Quire quit while storing them): at start-up. */
  forgetUnfinished(): number {
    return this.db.prepare('DELETE FROM document_pieces WHERE document_id NOT IN (SELECT id FROM documents)').run()
      .changes;
  }

  private insertChapters(id: string, chapters: readonly ManuscriptChapter[]): void {
    const insert = this.db.prepare(
      `INSERT INTO document_chapters
       (document_id, position, number, title, start_offset, end_offset, paragraph_count, source_file)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    chapters.forEach((c, i) => insert.run(id, i, c.number, c.title, c.start, c.end, c.paragraph_count, c.source_file));
  }

  /** The manuscripts whose chapters were made with a numbering older than `version` (index: none is read else). */
  staleIds(version: number): string[] {
    return this.db
      .prepare<[number], { id: string }>(STALE_IDS)
      .all(version)
      .map((row) => row.id);
  }

  /** A manuscript's chapters made again with numbering `version`, in one transaction. */
  replaceChapters(id: string, chapters: readonly ManuscriptChapter[], version: number): void {
    this.db.transaction(() => {
      this.db.prepare('DELETE FROM document_chapters WHERE document_id = ?').run(id);
      this.insertChapters(id, chapters);
      this.db.prepare('UPDATE documents SET structure_version = ? WHERE id = ?').run(version, id);
    })();
  }

  list(): ManuscriptSummary[] {
    return this.db.prepare<[], ManuscriptSummary>(`${SUMMARY} ORDER BY d.created_at DESC, d.id`).all();
  }

  /** The document with its text, read a piece at a time with the app's other calls answered between pieces. */
  async get(id: string): Promise<StoredManuscript | undefined> {
    const found = this.db
      .prepare<[string], ManuscriptSummary & { source_stamp: string | null }>(
        `SELECT ${SUMMARY_COLUMNS}, d.source_stamp FROM documents d WHERE d.id = ?`,
      )
      .get(id);
    if (!found) return undefined;
    const { source_stamp, ...row } = found;
    const chapters = this.chapters(id);
    const piece = this.db.prepare<[string, number], { text: string }>(
      'SELECT text FROM document_pieces WHERE document_id = ? AND position = ?',
    );
    let text = '';
    for (let position = 0; ; position++) {
      const read = piece.get(id, position);
      if (!read) break;
      // Joined as it is used (sent): a copy of the whole here would hold other calls as long as a read of it all.
      text += read.text;
      await nextTurn();
    }
    // Deleted while it was read (its row and pieces go together): what was read is not the manuscript.
    if (!this.db.prepare('SELECT 1 FROM documents WHERE id = ?').get(id)) return undefined;
    return { ...row, text, chapters, source_stamp: parseStamp(source_stamp) };
  }

  /** Where a document was opened from and what it was then (for a look at the disk), without its text. */
  source(id: string): Pick<StoredManuscript, 'source_path' | 'source_kind' | 'source_stamp'> | undefined {
    const row = this.db
      .prepare<[string], Pick<ManuscriptSummary, 'source_path' | 'source_kind'> & { source_stamp: string | null }>(
        'SELECT source_path, source_kind, source_stamp FROM documents WHERE id = ?',
      )
      .get(id);
    return row && { ...row, source_stamp: parseStamp(row.source_stamp) };
  }

  /**
   * What numbering a document's text takes besides the text (ManuscriptsService.structureOf): its title and kind and
   * its chapters. Its text is not read: the caller has it (48 MB took half a second to read).
   */
  numbering(id: string): Pick<Manuscript, 'title' | 'source_kind' | 'chapters'> | undefined {
    const row = this.db
      .prepare<[string], Pick<Manuscript, 'title' | 'source_kind'>>(
        'SELECT title, source_kind FROM documents WHERE id = ?',
      )
      .get(id);
    return row && { ...row, chapters: this.chapters(id) };
  }

  private chapters(id: string): ManuscriptChapter[] {
    return this.db
      .prepare<[string], ManuscriptChapter>(
        `SELECT number, title, start_offset AS start, end_offset AS "end", paragraph_count, source_file
         FROM document_chapters WHERE document_id = ? ORDER BY position`,
      )
      .all(id);
  }

  /**
   * The document `doc` already is: opened before from the same place, with the same text (by its SHA-256, index
   * documents_sha256), title and chapters. Its text is not read.
   */
  sameAs(doc: Omit<NewDocument, 'id' | 'created_at' | 'source_stamp'>): string | undefined {
    const ids = this.db
      .prepare<[string, string, string, string, number], { id: string }>(
        `SELECT id FROM documents WHERE sha256 = ? AND source_path = ? AND source_kind = ? AND title = ?
           AND structure_version = ? ORDER BY created_at DESC, id`,
      )
      .all(doc.sha256, doc.source_path, doc.source_kind, doc.title, doc.structure_version);
    const same = (a: ManuscriptChapter, b: ManuscriptChapter | undefined) =>
      b !== undefined &&
      a.number === b.number &&
      a.title === b.title &&
      a.start === b.start &&
      a.end === b.end &&
      a.paragraph_count === b.paragraph_count &&
      a.source_file === b.source_file;
    return ids.find(({ id }) => {
      const stored = this.chapters(id);
      return stored.length === doc.chapters.length && doc.chapters.every((c, i) => same(c, stored[i]));
    })?.id;
  }

  /** A document opened again as it was: what its source is now, and when it was opened. */
  reopened(id: string, stamp: SourceStamp | null, at: string): void {
    immediate(this.db, () => {
      this.db
        .prepare('UPDATE documents SET source_stamp = ?, created_at = ? WHERE id = ?')
        .run(stamp && JSON.stringify(stamp), at, id);
    })();
  }

  /** The newest document whose text has this SHA-256 (its text's identity: NewDocument.sha256). */
  idByHash(sha256: string): string | undefined {
    return this.db.prepare<[string], { id: string }>(ID_BY_HASH).get(sha256)?.id;
  }

  delete(id: string): boolean {
    return this.db.prepare('DELETE FROM documents WHERE id = ?').run(id).changes > 0;
  }
}
