// Failures raised by the system under Quire (Node's file calls, SQLite), said in a writer's words: the system's own
// text ("EPERM: operation not permitted, scandir '…'", "SQLITE_CORRUPT: database disk image is malformed") is for the
// log, never the message.
import { basename } from 'node:path';
import type { ErrorInfo } from '../../src-preload/contract';

export interface SystemFailure {
  /** Node's errno code (EACCES, ENOENT) or SQLite's (SQLITE_BUSY, SQLITE_CORRUPT_VTAB). */
  code: string;
  /** The file a Node file call was about. */
  path?: string;
  /** The Node call that failed (open, scandir, mkdir). */
  syscall?: string;
}

/** The system code of `error` or of what it wraps (a StorageError around SQLite's), if it has one. */
export function systemFailure(error: unknown): SystemFailure | null {
  for (let e = error, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    const { code, path, syscall } = e as { code?: unknown; path?: unknown; syscall?: unknown };
    if (typeof code !== 'string' || !/^(E[A-Z]+|SQLITE_[A-Z_]+)$/.test(code)) continue;
    return {
      code,
      ...(typeof path === 'string' ? { path } : {}),
      ...(typeof syscall === 'string' ? { syscall } : {}),
    };
  }
  return null;
}

/** SQLite's primary code (SQLITE_CORRUPT of SQLITE_CORRUPT_VTAB); errno codes as they are. */
export function primaryCode(code: string): string {
  const match = /^SQLITE_[A-Z]+/.exec(code);
  return match ? match[0] : code;
}

const READS = new Set(['scandir', 'opendir', 'read', 'stat', 'lstat', 'access', 'readlink', 'realpath']);
const CHANGES = new Set(['mkdir', 'write', 'rename', 'unlink', 'rmdir', 'rm', 'copyfile', 'chmod', 'utime', 'link']);

function verbOf(syscall: string | undefined): string {
  if (syscall && READS.has(syscall)) return 'read';
  if (syscall && CHANGES.has(syscall)) return 'change';
  return 'open';
}

const info = (code: ErrorInfo['code'], message: string, retryable = false): ErrorInfo => ({
  code,
  message,
  retryable,
  advised: true,
});

/**
 * A system failure in words with the step that fixes it, or null when there are no better words for it than "an
 * unexpected error" (the caller's). A full disk is DiskFullError's.
 */
export function systemErrorInfo(error: unknown): ErrorInfo | null {
  const failure = systemFailure(error);
  if (!failure) return null;
  const name = failure.path ? `“${basename(failure.path)}”` : 'a file it needs';
  switch (primaryCode(failure.code)) {
    case 'EACCES':
    case 'EPERM':
      return info(
        'forbidden',
        `Quire isn't allowed to ${verbOf(failure.syscall)} ${name}. Give Quire access in System Settings → Privacy & ` +
          'Security → Files and Folders, then try again.',
      );
    case 'ENOENT':
      return info(
        'not_found',
        `Quire could not find ${name}: it may have been moved, renamed or deleted. Put it back or choose it again, ` +
          'then try again.',
      );
    case 'SQLITE_BUSY':
    case 'SQLITE_LOCKED':
      return info(
        'storage_error',
        'Another Quire kept its library busy, so nothing was changed. Try again in a moment.',
        true,
      );
    case 'SQLITE_CORRUPT':
    case 'SQLITE_NOTADB':
      return info(
        'storage_error',
        'Quire’s library file is damaged, so this could not be done. Quit Quire, put back quire.sqlite from a backup ' +
          '(such as Time Machine), then open Quire again.',
      );
  }
  // Other SQLite failures: the general step (free disk space, permissions of the data folder) is the honest one.
  if (failure.code.startsWith('SQLITE_'))
    return { code: 'storage_error', message: 'Quire could not read or save its library.', retryable: false };
  return null;
}
