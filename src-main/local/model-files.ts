// The models folder holds the writer's files as well as Quire's: Quire never overwrites a name it did not choose,
// never writes through a symlink, and never opens a FIFO, device or folder as if it were a model (a FIFO never ends,
// /dev/zero never ends, and either would tie up the file I/O pool for good).
import { constants, lstatSync, mkdirSync, readdirSync } from 'node:fs';
import { link, lstat, open, rename, stat, unlink, type FileHandle } from 'node:fs/promises';
import { basename, isAbsolute, join } from 'node:path';
import type { Stats } from 'node:fs';
import { LocalModelError } from '../errors';
import { COPY_PATH, missingPathText, notWholePathText } from '../errors/path-words';

const { O_CREAT, O_EXCL, O_NOFOLLOW, O_NONBLOCK, O_RDONLY, O_TRUNC, O_APPEND, O_WRONLY } = constants;

/** Private until verified: nobody else on the machine reads a half-downloaded file. */
export const PRIVATE_FILE_MODE = 0o600;

function kind(info: Stats): string | null {
  if (info.isFile()) return null;
  if (info.isFIFO()) return 'a pipe (FIFO)';
  if (info.isCharacterDevice() || info.isBlockDevice()) return 'a device';
  if (info.isDirectory()) return 'a folder';
  if (info.isSocket()) return 'a socket';
  return 'not a file';
}

/** Refuses anything but a regular file, at once and without opening it. */
export async function assertRegularFile(path: string): Promise<Stats> {
  // A bare name would be looked for wherever Quire happened to start, and said to be missing "in “.”".
  if (!isAbsolute(path))
    throw new LocalModelError('invalid_file', notWholePathText(path, `~/Downloads/${basename(path)}`), {
      advised: true,
    });
  let info: Stats;
  try {
    info = await stat(path);
  } catch (error) {
    throw new LocalModelError('invalid_file', await notThere(path, error), { cause: error, advised: true });
  }
  const what = kind(info);
  if (what) throw notAFile(path, what);
  return info;
}

function notAFile(path: string, what: string): LocalModelError {
  return new LocalModelError(
    'invalid_file',
    `“${path}” is ${what}, not a model file. Type the path of the .gguf file itself, or ${COPY_PATH}`,
    { advised: true },
  );
}

/**
 * Why a path the writer gave leads to no file, with the step for that cause: most often a mistyped name or folder,
 * which the writer fixes in the path (not by getting the model again).
 */
async function notThere(path: string, error: unknown): Promise<string> {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'EACCES' || code === 'EPERM')
    return (
      `Quire isn't allowed to read “${path}”. Give Quire access in System Settings → Privacy & Security → Files and ` +
      'Folders, or move the file into your Downloads folder, then import it again.'
    );
  if (code !== 'ENOENT' && code !== 'ENOTDIR')
    return `Quire could not read “${path}”. Check that the file is there and that you may open it, then import it again.`;
  return missingPathText(path, { noun: 'file', checkName: 'Check the file’s name (a model file’s ends in .gguf)' });
}

/**
 * Opens a file for reading that must be a regular file: O_NONBLOCK so a FIFO swapped in after the check cannot block
 * the open, and the type checked again on the open handle.
 */
export async function openRegularForRead(path: string): Promise<FileHandle> {
  const handle = await open(path, O_RDONLY | O_NONBLOCK);
  const what = kind(await handle.stat());
  if (what) {
    await handle.close();
    throw notAFile(path, what);
  }
  return handle;
}

/**
 * Opens a file Quire writes in the models folder: never through a symlink (O_NOFOLLOW), never a FIFO or device,
 * 0600. `create` makes a new file and refuses one that exists; `truncate` and `append` reopen Quire's own partial file.
 */
export async function openPrivateForWrite(path: string, how: 'create' | 'truncate' | 'append'): Promise<FileHandle> {
  const flags =
    O_WRONLY |
    O_NOFOLLOW |
    O_NONBLOCK |
    O_CREAT |
    (how === 'create' ? O_EXCL : how === 'truncate' ? O_TRUNC : O_APPEND);
  let handle: FileHandle;
  try {
    handle = await open(path, flags, PRIVATE_FILE_MODE);
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    if (code === 'ELOOP' || code === 'EEXIST' || code === 'ENXIO')
      throw new LocalModelError('invalid_file', `Quire will not write to ${path}: something else is already there`, {
        cause,
      });
    throw cause;
  }
  const what = kind(await handle.stat());
  if (what) {
    await handle.close();
    throw new LocalModelError('invalid_file', `Quire will not write to ${path}: it is ${what}`);
  }
  await handle.chmod(PRIVATE_FILE_MODE);
  return handle;
}

/** Whether anything (a file, a folder, a dangling symlink) has this name. */
export async function taken(path: string): Promise<boolean> {
  return lstat(path).then(
    () => true,
    () => false,
  );
}

/** The folder for unfinished files, made by Quire: refused if it is a link or a file put there by someone else. */
export function ensurePartialDir(modelsDir: string, name: string): string {
  const dir = join(modelsDir, name);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const info = lstatSync(dir);
  if (info.isSymbolicLink() || !info.isDirectory())
    throw new LocalModelError(
      'invalid_file',
      `${dir} is a link or a file, not the folder Quire keeps unfinished downloads in; move it away and try again`,
    );
  return dir;
}

/**
 * Puts a checked partial file into the models folder as `<stem>.gguf`, or `<stem>-2.gguf`… when the name is taken, and
 * has `record` record it there; resolves with the file's new path. A hard link gives the file its new name (it fails
 * rather than replace anything, so the writer's file or a symlink under that name is never touched); the partial name
 * is removed only once `record` has returned. So a crash at any point leaves the partial file whole (with, before the
 * record, a new name nothing records: `otherNames` finds it at the next start) or the model recorded. A `record` that
 * throws takes the new name away again and leaves the partial file as it was.
 */
export async function installFile(
  partial: string,
  dir: string,
  stem: string,
  record: (final: string) => void,
): Promise<string> {
  for (let i = 1; i < 1000; i++) {
    const final = join(dir, `${i === 1 ? stem : `${stem}-${i}`}.gguf`);
    if (await taken(final)) continue;
    try {
      await link(partial, final);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EEXIST') continue;
      // A volume without hard links: the name was free a moment ago; rename is the best left (and on such a volume a
      // crash between the rename and the record leaves the file unrecorded).
      if (code === 'EPERM' || code === 'ENOTSUP' || code === 'EXDEV') {
        await rename(partial, final);
        try {
          record(final);
        } catch (cause) {
          await rename(final, partial).catch(() => undefined);
          throw cause;
        }
        return final;
      }
      throw error;
    }
    try {
      record(final);
    } catch (cause) {
      await unlink(final).catch(() => undefined);
      throw cause;
    }
    // The partial name is now only a second name of the model's file; one a failure or a crash leaves is removed at
    // the next start.
    await unlink(partial).catch(() => undefined);
    return final;
  }
  throw new LocalModelError('invalid_file', `No free file name for ${stem}.gguf in ${dir}`);
}

/** The names in `dir` that the file at `path` also has (hard links to it): none unless it has more than one. */
export function otherNames(path: string, dir: string): string[] {
  let file: Stats;
  let names: string[];
  try {
    file = lstatSync(path);
    if (!file.isFile() || file.nlink < 2) return [];
    names = readdirSync(dir);
  } catch {
    return [];
  }
  return names
    .map((name) => join(dir, name))
    .filter((other) => {
      if (other === path) return false;
      try {
        const info = lstatSync(other);
        return info.isFile() && info.ino === file.ino && info.dev === file.dev;
      } catch {
        return false;
      }
    });
}
