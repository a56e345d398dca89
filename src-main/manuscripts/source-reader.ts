// Reads a manuscript from disk: one .md/.txt file, or a folder of chapter files in natural order ("Chapter 2" before
// "Chapter 10"). Refuses, in a writer's words and before anything is stored, what is not readable text: a missing
// path, a pipe or device, a binary file, text that is not UTF-8, an empty file (a folder's chapter not written yet is
// a chapter with no text; a folder of only those is refused), something too large. Looks again later
// (onDisk) to tell whether what it read has changed since.
import type { Dirent } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, extname, isAbsolute, join } from 'node:path';
import { bytesText, sizeOverText } from '../../src-preload/contract/bytes-text';
import { MAX_MANUSCRIPT_BYTES } from '../../src-preload/contract/constants';
import type { ManuscriptOnDisk } from '../../src-preload/contract';
import { InvalidInputError } from '../errors';
import { missingPathText, notWholePathText, type Sought } from '../errors/path-words';
import { fileStampOf, sameChapters, sameFile, type FileStamp, type SourceStamp } from './source-stamp';
import { decodeText, type SourceFile } from './text-decoding';
import { joinAnd } from '../../src-preload/contract/list-text';

export const TEXT_EXTENSIONS = ['.md', '.markdown', '.txt', '.text'];
/**
 * Chapters a writer keeps in a word processor's format: in a folder of chapters they are chapters Quire cannot read,
 * so the folder is refused rather than opened without them. Other files (a cover, a PDF of research) are not chapters.
 */
const DOCUMENT_EXTENSIONS = ['.rtf', '.rtfd', '.doc', '.docx', '.odt', '.pages'];
export { MAX_MANUSCRIPT_BYTES };

export type { SourceFile };

export interface ManuscriptSource {
  kind: 'file' | 'folder';
  path: string;
  title: string;
  files: SourceFile[];
  /** What was read, as it was on disk; null for an upload (its name is no place on this computer). */
  stamp: SourceStamp | null;
}

const natural = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' });

/** "Chapter 2.md" before "Chapter 10.md"; ties (case) broken by the raw name so the order is total. */
export function naturalCompare(a: string, b: string): number {
  return natural.compare(a, b) || (a < b ? -1 : a > b ? 1 : 0);
}

/**
 * The system would not let Quire read a file or folder (macOS privacy settings, permissions) or the disk failed: said
 * by its name, with the step that fixes it. Node's own words ("EPERM: operation not permitted, scandir '…'") are not
 * the writer's. `folder`: the folder being opened, when the file is one of its chapters.
 */
class UnreadableError extends InvalidInputError {
  constructor(cause: unknown, path: string, folder?: string) {
    const code = (cause as NodeJS.ErrnoException | undefined)?.code;
    const what = `“${basename(path)}”${folder ? ` in the folder “${basename(folder)}”` : ''}`;
    const again = folder ? 'open the folder again' : 'open it again';
    super(
      code === 'EACCES' || code === 'EPERM'
        ? `Quire isn't allowed to read ${what}. Give Quire access in System Settings → Privacy & Security → Files and ` +
            `Folders, then ${again}.`
        : code === 'ELOOP'
          ? `${what.charAt(0).toUpperCase()}${what.slice(1)} is an alias that leads back to itself, so there is no file ` +
            `to read. Open the original file instead, or remake the alias, then ${again}.`
          : `Quire could not read ${what} from its disk. Check that the disk is still connected, then ${again}.`,
      'path',
      { cause, advised: true },
    );
    this.name = 'UnreadableError';
  }
}

const MANUSCRIPT: Sought = {
  noun: 'file or folder',
  checkName: 'Check its name (a manuscript’s ends in .md or .txt)',
};

export async function readManuscriptSource(path: string): Promise<ManuscriptSource> {
  // A bare name would be looked for wherever Quire happened to start, and stored as a place that is no place.
  if (!isAbsolute(path))
    throw new InvalidInputError(notWholePathText(path, `~/Documents/${basename(path)}`), 'path', { advised: true });
  const info = await stat(path).catch(async (cause: NodeJS.ErrnoException) => {
    if (cause.code === 'ENOENT' || cause.code === 'ENOTDIR')
      throw new InvalidInputError(await missingPathText(path, MANUSCRIPT), 'path', { cause, advised: true });
    throw new UnreadableError(cause, path);
  });
  if (info.isDirectory()) return readFolder(path);
  const { file, stamp } = await readTextFile(path);
  return { kind: 'file', path, title: titleOf(basename(path)), files: [file], stamp };
}

async function readFolder(path: string): Promise<ManuscriptSource> {
  const listed = await readdir(path, { withFileTypes: true }).catch((cause: unknown) => {
    throw new UnreadableError(cause, path);
  });
  const entries = listed.filter((e) => !e.name.startsWith('.'));
  // A folder, or an alias (symbolic link) to one: its chapters are not read, so the folder is refused below.
  const folders = new Set<string>();
  for (const e of entries) {
    if (e.isDirectory() || (e.isSymbolicLink() && (await stat(join(path, e.name)).catch(() => null))?.isDirectory()))
      folders.add(e.name);
  }
  const names = entries
    .filter((e) => !folders.has(e.name) && isChapterName(e.name))
    .map((e) => e.name)
    .sort(naturalCompare);
  await refuseLeftOut(path, entries, folders);
  if (names.length === 0)
    throw new InvalidInputError(
      `The folder ${path} has no chapter files (${TEXT_EXTENSIONS.join(', ')}) in it.`,
      'path',
    );
  const files: SourceFile[] = [];
  const chapters: Record<string, FileStamp> = {};
  let total = 0;
  for (const name of names) {
    let read: { file: SourceFile; stamp: FileStamp };
    try {
      read = await readTextFile(join(path, name), path);
    } catch (error) {
      // One chapter file that cannot be read: the folder is not opened, and the writer is told which file it is.
      if (!(error instanceof InvalidInputError) || error instanceof UnreadableError) throw error;
      throw new InvalidInputError(
        `The folder “${basename(path)}” was not opened: ${error.message} Move that file out of the folder or fix it, ` +
          'then open the folder again.',
        'path',
      );
    }
    total += read.file.text.length;
    if (total > MAX_MANUSCRIPT_BYTES)
      throw new InvalidInputError(
        `The chapter files in ${path} add up to more than ${bytesText(MAX_MANUSCRIPT_BYTES)} of text.`,
        'path',
      );
    files.push(read.file);
    chapters[name] = read.stamp;
  }
  if (files.every((f) => f.text.trim() === ''))
    throw new InvalidInputError(
      `The folder “${basename(path)}” has no text in its chapter files (${joinAnd(names)} ` +
        `${names.length > 1 ? 'are' : 'is'} empty). Check that its chapters were saved there, then open it again.`,
      'path',
    );
  return { kind: 'folder', path, title: basename(path), files, stamp: { chapters } };
}

/** A file a folder's chapter may be in: a text file, not hidden (a folder of that name is not one). */
function isChapterName(name: string): boolean {
  return !name.startsWith('.') && hasExtension(name, TEXT_EXTENSIONS);
}

/**
 * How the file or folder at `path` stands against what was read from it: a stat of the file or of each chapter file,
 * its text not read. The chapter files are found as readFolder finds them, so one added or removed is a change.
 */
export async function onDisk(
  path: string,
  kind: 'file' | 'folder',
  stamp: SourceStamp | null,
): Promise<ManuscriptOnDisk> {
  if (!stamp || 'chapters' in stamp !== (kind === 'folder')) return 'unknown';
  try {
    if ('chapters' in stamp) return sameChapters(await chapterStamps(path), stamp.chapters) ? 'unchanged' : 'changed';
    const info = await stat(path);
    if (!info.isFile()) return 'missing';
    return sameFile(fileStampOf(info), stamp) ? 'unchanged' : 'changed';
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    // Not allowed to look, or the disk failed: Quire cannot tell, and says nothing rather than something wrong.
    return code === 'ENOENT' || code === 'ENOTDIR' ? 'missing' : 'unknown';
  }
}

/** A folder's chapter files now, by name; null for one that could not be looked at (it differs from its stamp). */
async function chapterStamps(folder: string): Promise<Map<string, FileStamp | null>> {
  const entries = await readdir(folder, { withFileTypes: true });
  const chapters = new Map<string, FileStamp | null>();
  await Promise.all(
    entries
      .filter((e) => !e.isDirectory() && isChapterName(e.name))
      .map(async (e) => {
        const info = await stat(join(folder, e.name)).catch(() => null);
        // An alias to a folder is no chapter.
        if (!info?.isDirectory()) chapters.set(e.name, info && fileStampOf(info));
      }),
  );
  return chapters;
}

function hasExtension(name: string, extensions: readonly string[]): boolean {
  return extensions.includes(extname(name).toLowerCase());
}

/**
 * A folder is opened whole or not at all: chapters in a word processor's format, or a folder of chapters inside it,
 * would be left out without a word, and every check would run on a manuscript with chapters missing.
 */
async function refuseLeftOut(path: string, entries: readonly Dirent[], subfolders: ReadonlySet<string>): Promise<void> {
  const documents = entries
    .filter((e) => !subfolders.has(e.name) && hasExtension(e.name, DOCUMENT_EXTENSIONS))
    .map((e) => e.name)
    .sort(naturalCompare);
  const folders: string[] = [];
  for (const name of subfolders) {
    const inside = await readdir(join(path, name)).catch(() => [] as string[]);
    if (
      inside.some((file) => !file.startsWith('.') && hasExtension(file, [...TEXT_EXTENSIONS, ...DOCUMENT_EXTENSIONS]))
    )
      folders.push(`“${name}”`);
  }
  folders.sort(naturalCompare);
  if (documents.length === 0 && folders.length === 0) return;
  const left = [...documents, ...(folders.length > 0 ? [`the chapters in ${joinAnd(folders)}`] : [])];
  const steps = [
    ...(documents.length > 0 ? ['save those chapters as plain text (in TextEdit: Format → Make Plain Text)'] : []),
    ...(folders.length > 0
      ? [
          `move the chapters in ${joinAnd(folders)} beside the others, or open ${folders.length > 1 ? 'each' : 'it'} on its own`,
        ]
      : []),
  ];
  throw new InvalidInputError(
    `The folder “${basename(path)}” was not opened: Quire would have to leave out ${joinAnd(left)}. Quire reads ` +
      `${joinAnd(TEXT_EXTENSIONS)} files directly in the folder: ${steps.join('; ')}.`,
    'path',
  );
}

/** `folder`: the folder being opened, when this is one of its chapters. Its stamp is taken before it is read. */
async function readTextFile(path: string, folder?: string): Promise<{ file: SourceFile; stamp: FileStamp }> {
  const name = basename(path);
  const info = await stat(path).catch((cause: NodeJS.ErrnoException) => {
    if (cause.code === 'ENOENT' || cause.code === 'ENOTDIR')
      throw new InvalidInputError(`There is no file at ${path}.`, 'path');
    throw new UnreadableError(cause, path, folder);
  });
  // Checked before opening: reading a FIFO would wait forever, a device would never end.
  if (!info.isFile())
    throw new InvalidInputError(`${name} is not an ordinary file (it is a folder, pipe or device).`, 'path');
  if (!TEXT_EXTENSIONS.includes(extname(name).toLowerCase()))
    throw new InvalidInputError(
      `${name} is not a text manuscript: Quire opens ${TEXT_EXTENSIONS.join(', ')} files.`,
      'path',
    );
  if (info.size > MAX_MANUSCRIPT_BYTES)
    throw new InvalidInputError(
      `${name} is ${sizeOverText(info.size, MAX_MANUSCRIPT_BYTES)}; Quire opens up to ${bytesText(MAX_MANUSCRIPT_BYTES)}.`,
      'path',
    );
  const bytes = await readFile(path).catch((cause: unknown) => {
    throw new UnreadableError(cause, path, folder);
  });
  return { file: await decodeText(name, bytes, folder !== undefined), stamp: fileStampOf(info) };
}

/**
 * A manuscript uploaded in the browser host: one .md/.txt file's bytes, with the same checks as a file on disk.
 * `name` is the file's name as the writer's browser gave it; it is shown, never used as a path.
 */
export async function uploadedSource(name: string, bytes: Buffer): Promise<ManuscriptSource> {
  const fileName = basename(name.replaceAll('\\', '/')).trim();
  if (!TEXT_EXTENSIONS.includes(extname(fileName).toLowerCase()))
    throw new InvalidInputError(
      `${fileName || 'That file'} is not a text manuscript: Quire opens ${TEXT_EXTENSIONS.join(', ')} files.`,
      'file',
    );
  if (bytes.length > MAX_MANUSCRIPT_BYTES)
    throw new InvalidInputError(
      `${fileName} is ${sizeOverText(bytes.length, MAX_MANUSCRIPT_BYTES)}; Quire opens up to ${bytesText(MAX_MANUSCRIPT_BYTES)}.`,
      'file',
    );
  return {
    kind: 'file',
    path: fileName,
    title: titleOf(fileName),
    files: [await decodeText(fileName, bytes)],
    stamp: null,
  };
}

function titleOf(fileName: string): string {
  return fileName.slice(0, fileName.length - extname(fileName).length) || fileName;
}
