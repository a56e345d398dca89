// Opens manuscripts from disk into SQLite (text + numbered structure) and serves them back.
import { randomUUID } from 'node:crypto';
import type { Manuscript, ManuscriptChapter, ManuscriptOnDisk, ManuscriptSummary } from '../../src-preload/contract';
import { bytesText } from '../../src-preload/contract/bytes-text';
import { NotFoundError } from '../errors';
import type { DocumentsRepo } from './documents-repo';
import type { Readable } from 'node:stream';
import { InvalidInputError } from '../errors';
import {
  MAX_MANUSCRIPT_BYTES,
  onDisk,
  readManuscriptSource,
  uploadedSource,
  type ManuscriptSource,
} from './source-reader';
import { openingSetextTitle, parseStructureAsync, STRUCTURE_VERSION, type DocumentStructure } from './structure';
import { digestText, hashText } from './text-digest';

export interface ManuscriptsServiceOptions {
  repo: DocumentsRepo;
  now: () => Date;
  newId?: () => string;
}

/** Joins a folder's chapter files; each file's span in the joined text is its chapter. */
const FILE_SEPARATOR = '\n\n';

/**
 * How many manuscripts' structures are kept after they are parsed (at opening, or for a run), so the next run on one
 * does not parse its text again: a few, not all, as the structure of a 48 MB manuscript of 1.8 million short
 * paragraphs holds about 130 MB.
 */
export const KEPT_STRUCTURES = 2;

export class ManuscriptsService {
  private readonly newId: () => string;
  /**
   * The last structures parsed, by their text's SHA-256 (what the repo finds a run's manuscript by), each with the
   * manuscript it is of: the same text opened again under another name is numbered with that one's title. Oldest
   * first; at most KEPT_STRUCTURES. Kept while they are parsed too, so two runs started together parse it once.
   */
  private readonly structures = new Map<string, { id: string; structure: Promise<DocumentStructure> }>();

  constructor(private readonly options: ManuscriptsServiceOptions) {
    this.newId = options.newId ?? randomUUID;
  }

  async open(path: string): Promise<Manuscript> {
    return this.store(await readManuscriptSource(path));
  }

  /**
   * Opens a manuscript uploaded in the browser host. Text is held whole to be split and stored, so the body is read
   * only up to the 50 MB a manuscript may be, and refused past it.
   */
  async openUpload(fileName: string, body: Readable): Promise<Manuscript> {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of body as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > MAX_MANUSCRIPT_BYTES) {
        body.destroy();
        throw new InvalidInputError(
          `${fileName} is more than ${bytesText(MAX_MANUSCRIPT_BYTES)}, the most Quire opens. Is it the manuscript's text file?`,
          'file',
        );
      }
      chunks.push(chunk);
    }
    return this.store(await uploadedSource(fileName, Buffer.concat(chunks)));
  }

  private async store(source: ManuscriptSource): Promise<Manuscript> {
    const { structure, ...doc } = await documentFrom(source);
    const created_at = this.options.now().toISOString();
    // Opened again with nothing changed (a writer opens their folder each morning): the same manuscript, not a copy.
    const same = this.options.repo.sameAs(doc);
    const id = same ?? this.newId();
    if (same) this.options.repo.reopened(id, doc.source_stamp, created_at);
    else await this.options.repo.insert({ id, ...doc, created_at });
    // A run on it soon after is the usual next step: it numbers the text with this parse.
    void this.keep(doc.sha256, id, Promise.resolve(structure));
    // As the library reads it back, without reading back the text this has (a 48 MB read held other calls).
    return {
      id,
      title: doc.title,
      source_path: doc.source_path,
      source_kind: doc.source_kind,
      chapter_count: doc.chapters.length,
      paragraph_count: doc.chapters.reduce((sum, c) => sum + c.paragraph_count, 0),
      word_count: doc.word_count,
      created_at,
      text: doc.text,
      chapters: doc.chapters,
      // Looked at after the read: a save while it was read is a change already.
      on_disk: await onDisk(doc.source_path, doc.source_kind, doc.source_stamp),
    };
  }

  list(): ManuscriptSummary[] {
    return this.options.repo.list();
  }

  /** A manuscript opened before, and whether its file or folder has changed since (a look at the disk, no read). */
  async get(id: string): Promise<Manuscript> {
    const stored = await this.options.repo.get(id);
    if (!stored) throw new NotFoundError('Manuscript', id);
    const { source_stamp, ...doc } = stored;
    return { ...doc, on_disk: await onDisk(doc.source_path, doc.source_kind, source_stamp) };
  }

  /** Whether a manuscript's file or folder changed since it was opened, its text not read (from SQLite or disk). */
  async check(id: string): Promise<{ on_disk: ManuscriptOnDisk }> {
    const source = this.options.repo.source(id);
    if (!source) throw new NotFoundError('Manuscript', id);
    return { on_disk: await onDisk(source.source_path, source.source_kind, source.source_stamp) };
  }

  /**
   * The structure of the stored manuscript whose text is exactly `text` (the newest, if it was opened more than once),
   * so a run over a manuscript's text numbers it as the library does (a folder's files are its chapters); undefined
   * for any other text. Parsed again from the stored text only when it is not one of the last kept.
   */
  async structureOf(text: string): Promise<DocumentStructure | undefined> {
    const sha256 = await hashText(text);
    const id = this.options.repo.idByHash(sha256);
    if (id === undefined) return undefined;
    const kept = this.structures.get(sha256);
    if (kept?.id === id) return this.keep(sha256, id, kept.structure);
    const doc = this.options.repo.numbering(id);
    return doc ? this.keep(sha256, id, structureOfStored(doc, text)) : undefined;
  }

  /** Keeps `structure` as the newest, forgetting the oldest past KEPT_STRUCTURES. */
  private keep(sha256: string, id: string, structure: Promise<DocumentStructure>): Promise<DocumentStructure> {
    this.structures.delete(sha256);
    this.structures.set(sha256, { id, structure });
    for (const oldest of this.structures.keys()) {
      if (this.structures.size <= KEPT_STRUCTURES) break;
      this.structures.delete(oldest);
    }
    return structure;
  }

  /**
   * Numbers again, with this Quire's numbering, the manuscripts stored with an earlier one (at start-up): the library
   * then shows the chapters a run places its findings in. Returns how many it numbered again (none, normally: an
   * index finds them without reading the others).
   */
  async renumberStale(): Promise<number> {
    const ids = this.options.repo.staleIds(STRUCTURE_VERSION);
    for (const id of ids) {
      const doc = await this.options.repo.get(id);
      if (!doc) continue;
      const files = doc.source_kind === 'folder' ? doc.chapters.map((c) => c.source_file) : [];
      this.options.repo.replaceChapters(
        id,
        storedChapters(await structureOfStored(doc, doc.text), files),
        STRUCTURE_VERSION,
      );
    }
    return ids.length;
  }

  delete(id: string): { deleted: true } {
    if (!this.options.repo.delete(id)) throw new NotFoundError('Manuscript', id);
    for (const [sha256, kept] of this.structures) if (kept.id === id) this.structures.delete(sha256);
    return { deleted: true };
  }
}

/**
 * The stored form of a source: one text and its chapters as offsets (its blocks are parsed again when needed), with
 * the structure they were made from.
 */
export async function documentFrom(source: ManuscriptSource) {
  let text: string;
  let structure: DocumentStructure;
  const files: { title: string; start: number; end: number; name: string }[] = [];
  if (source.kind === 'folder') {
    let offset = 0;
    const pieces: string[] = [];
    for (const file of source.files) {
      if (pieces.length > 0) offset += FILE_SEPARATOR.length;
      files.push({
        title: chapterTitle(file.name, file.text),
        start: offset,
        end: offset + file.text.length,
        name: file.name,
      });
      pieces.push(file.text);
      offset += file.text.length;
    }
    text = pieces.join(FILE_SEPARATOR);
    structure = await parseStructureAsync(text, { chapterFiles: files });
  } else {
    text = source.files[0]!.text;
    structure = await parseStructureAsync(text, { fallbackTitle: source.title });
  }
  const { words, sha256 } = await digestText(text);
  return {
    title: source.title,
    source_path: source.path,
    source_kind: source.kind,
    text,
    word_count: words,
    sha256,
    chapters: storedChapters(
      structure,
      files.map((f) => f.name),
    ),
    structure_version: STRUCTURE_VERSION,
    source_stamp: source.stamp,
    structure,
  };
}

/** A structure's chapters as they are stored; `files`: a folder's chapter file names, in order. */
function storedChapters(structure: DocumentStructure, files: readonly (string | null)[]): ManuscriptChapter[] {
  return structure.chapters.map((c, i) => ({
    number: c.number,
    title: c.title,
    start: c.start,
    end: c.end,
    paragraph_count: c.paragraphCount,
    source_file: files[i] ?? null,
  }));
}

/**
 * A stored manuscript's structure: its text parsed again as it was opened — a folder's files (its chapters' spans and
 * titles) as its chapters, a file's own headings with its title for a text without any.
 */
function structureOfStored(
  doc: Pick<Manuscript, 'title' | 'source_kind' | 'chapters'>,
  text: string,
): Promise<DocumentStructure> {
  return doc.source_kind === 'folder'
    ? parseStructureAsync(text, {
        chapterFiles: doc.chapters.map((c) => ({ title: c.title, start: c.start, end: c.end })),
      })
    : parseStructureAsync(text, { fallbackTitle: doc.title });
}

/**
 * A chapter file's title: the underlined (setext) heading it opens with, else its first Markdown heading, else the file
 * name without its extension.
 */
function chapterTitle(name: string, text: string): string {
  const heading = /^\s*#{1,6}\s+(.+?)\s*#*\s*$/m.exec(text.slice(0, 500));
  return openingSetextTitle(text.slice(0, 500)) ?? heading?.[1] ?? name.replace(/\.[^.]+$/, '');
}
