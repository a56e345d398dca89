// A path a writer types or pastes, read as they meant it: "~/Downloads/model.gguf" is in their home folder, as in every
// shell and file dialog; a path pasted from Terminal (quoted, or a dragged file's `My\ Novel.md`) or from an app that
// copies a file:// address names that file, not one whose name holds the quotes, backslashes or %20s.
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { unquotedPath } from '../../src-preload/contract/typed-path';

export function typedPath(path: string, home: string = homedir()): string {
  const trimmed = unwrapped(path);
  if (trimmed === '~') return home;
  if (trimmed.startsWith('~/')) return join(home, trimmed.slice(2));
  return trimmed;
}

/** The path inside a pair of quotes, a shell's backslash escapes, or a file:// address; else as it is, trimmed. */
function unwrapped(typed: string): string {
  const path = unquotedPath(typed);
  if (path !== typed.trim()) return path;
  if (path.startsWith('file://')) {
    try {
      return fileURLToPath(path);
    } catch {
      return path;
    }
  }
  // A shell escapes a space, a bracket or a quote in a name with a backslash; macOS names hold no backslash before one.
  return path.replace(/\\([ ()'"&;!$`[\]{}*?#<>|])/g, '$1');
}
