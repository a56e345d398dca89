// A path a writer types ("~/Downloads/model.gguf") means their home folder, as in every shell and file dialog.
import { homedir } from 'node:os';
import { join } from 'node:path';

export function expandHome(path: string, home: string = homedir()): string {
  const trimmed = path.trim();
  if (trimmed === '~') return home;
  if (trimmed.startsWith('~/')) return join(home, trimmed.slice(2));
  return trimmed;
}
