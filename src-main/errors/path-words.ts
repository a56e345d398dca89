// A path the writer typed or pasted that leads nowhere, said with the step that fixes it: which part of the path is
// wrong (most often a mistyped name or folder, fixed in the path, not by getting the file again), or a bare name that
// Quire cannot place. Importing a model file and opening a manuscript say it the same way.
import { stat } from 'node:fs/promises';
import { basename, dirname } from 'node:path';

export const COPY_PATH =
  'copy its path in the Finder (select the file, hold Option and choose Edit → Copy as Pathname) and paste it here.';

/** A bare name ("Draft.md") would be looked for wherever Quire happened to start. `example`: a whole path to show. */
export function notWholePathText(path: string, example: string): string {
  return (
    `“${path}” is not a whole path, so Quire cannot tell which folder it is in. Type it from the start, such as ` +
    `${example}, or ${COPY_PATH}`
  );
}

/** What was looked for ("file", "file or folder") and the step for a mistyped name. */
export interface Sought {
  noun: string;
  checkName: string;
}

/** Why a whole path leads to nothing (ENOENT, ENOTDIR): the deepest part of it that is there says which part is wrong. */
export async function missingPathText(path: string, sought: Sought): Promise<string> {
  let missing = path;
  for (let up = dirname(path); up !== missing; missing = up, up = dirname(up)) {
    const found = await stat(up).catch(() => null);
    if (!found) continue;
    if (!found.isDirectory())
      return `“${up}” is a file, not a folder, so nothing can be inside it. Check the path, or ${COPY_PATH}`;
    return missing === path
      ? `There is no ${sought.noun} “${basename(path)}” in “${up}”. ${sought.checkName}, or ${COPY_PATH}`
      : `There is no folder “${missing}”. Check the folders in the path, or ${COPY_PATH}`;
  }
  return `There is no ${sought.noun} at “${path}”. Check the path, or ${COPY_PATH}`;
}
