// Room for a model in the models folder, asked before a byte of it is written: an upload or an import is refused up
// front with the sizes, rather than copying gigabytes until the disk is full (and filling the writer's disk).
import { statfs } from 'node:fs/promises';
import { bytesText, sizeOverText } from '../../src-preload/contract/bytes-text';
import { PayloadTooLargeError } from '../errors';

/** Room to leave on the disk beyond the file itself. */
export const FREE_SPACE_MARGIN = 256 * 1024 * 1024;

export async function defaultFreeSpace(dir: string): Promise<number> {
  const s = await statfs(dir);
  return Number(s.bavail) * Number(s.bsize);
}

/**
 * The most bytes a model may have in `dir`, or a refusal when there is no room for one at all. `again` is the step
 * that follows freeing space: "upload it again", "import it again".
 */
export async function modelRoom(
  dir: string,
  freeSpace: (dir: string) => Promise<number>,
  again: string,
): Promise<number> {
  const max = Math.max(0, (await freeSpace(dir)) - FREE_SPACE_MARGIN);
  if (max === 0)
    throw new PayloadTooLargeError(
      `There is no room for a model in the models folder (${dir}): Quire keeps ${bytesText(FREE_SPACE_MARGIN)} free on that disk. Free some space on it, or choose another models folder in Settings, then ${again}.`,
    );
  return max;
}

/** Refuses a model of `bytes` that `dir` has no room for (see modelRoom); resolves with the room there is. */
export async function assertModelRoom(
  dir: string,
  bytes: number,
  freeSpace: (dir: string) => Promise<number>,
  again: string,
): Promise<number> {
  const max = await modelRoom(dir, freeSpace, again);
  if (bytes > max)
    throw new PayloadTooLargeError(
      `This model is ${sizeOverText(bytes, max)}, and there is room for ${bytesText(max)} in the models folder (${dir}). Free some space on that disk, or choose another models folder in Settings, then ${again}.`,
    );
  return max;
}
