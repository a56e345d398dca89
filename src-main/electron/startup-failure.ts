// What the desktop app shows when Quire cannot start (createApp failed): a writer's title, what happened and the step
// that fixes it. Pure, so the words are tested without Electron; the failure's own text goes to the log.
import { DiskFullError, StorageError, isQuireError } from '../errors';
import { primaryCode, systemFailure } from '../errors/system-error-words';

export interface StartupFailureText {
  title: string;
  message: string;
}

const TITLE = 'Quire could not start';

const CANNOT_USE_FOLDER = new Set([
  'SQLITE_CANTOPEN',
  'SQLITE_READONLY',
  'SQLITE_PERM',
  'SQLITE_AUTH',
  'EACCES',
  'EPERM',
  'EROFS',
  'ENOENT',
]);

/** `dataDir`: the folder of Quire's library (quire.sqlite), as the writer can find it in the Finder. */
export function startupFailure(error: unknown, dataDir: string): StartupFailureText {
  return { title: TITLE, message: messageFor(error, dataDir) };
}

function messageFor(error: unknown, dataDir: string): string {
  if (DiskFullError.matches(error))
    return (
      'The disk is full, so Quire could not open its library. Free some space on the disk (empty the Trash, delete ' +
      'local models you no longer use), then open Quire again.'
    );
  if (isQuireError(error) && error.advised) return error.message;
  if (error instanceof StorageError && error.reason === 'newer_library')
    return (
      `Your library in “${dataDir}” was saved by a newer version of Quire, so this version left it untouched. ` +
      'Update Quire to its latest version, then open it again.'
    );
  if (error instanceof StorageError && error.reason === 'unreadable_settings')
    return (
      'Quire could not read its saved settings: they may have been saved by a newer version of Quire. Update Quire ' +
      'to its latest version, then open it again.'
    );
  const code = primaryCode(systemFailure(error)?.code ?? '');
  if (code === 'SQLITE_CORRUPT' || code === 'SQLITE_NOTADB')
    return (
      `Quire’s library file (quire.sqlite in “${dataDir}”) is damaged, so Quire cannot open it; it was left as it ` +
      'is. Put back quire.sqlite from a backup (such as Time Machine), then open Quire again.'
    );
  if (code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED')
    return 'Another copy of Quire is using your library. Quit it, then open Quire again.';
  if (CANNOT_USE_FOLDER.has(code))
    return (
      `Quire could not open its library in “${dataDir}”: the folder is missing or Quire isn't allowed to change it. ` +
      'Check that the folder is there and that you may change it (Finder → Get Info → Sharing & Permissions), then ' +
      'open Quire again.'
    );
  return (
    'Something unexpected stopped Quire from starting. Open Quire again; if it keeps happening, update Quire to its ' +
    'latest version.'
  );
}
