// A path as a writer types or pastes it: trimmed, and out of the quotes Terminal and Finder's "Copy as Pathname" may
// wrap it in. One rule for the settings' check (a full path) and the main process's reading of it
// (src-main/local/home-path.ts, which also reads "~", a shell's escapes and file:// addresses).

/** `path` trimmed, and without a pair of quotes around it. */
export function unquotedPath(path: string): string {
  const trimmed = path.trim();
  return /^(['"])(.*)\1$/s.exec(trimmed)?.[2] ?? trimmed;
}

/**
 * A path that names one place: from the root, from the home folder ("~/…") or a file:// address, quoted or not. A bare
 * "Models" would be relative to wherever Quire happened to start.
 */
export function isFullPath(path: string): boolean {
  const p = unquotedPath(path);
  return p.startsWith('/') || p === '~' || p.startsWith('~/') || p.startsWith('file://');
}
