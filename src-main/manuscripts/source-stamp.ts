// What a manuscript's file or folder was when Quire read it (sizes and modification times; a folder's chapter files by
// name too), so picking it again can say whether the writer has changed it since: by looking at the disk (a stat per
// file, source-reader's onDisk), never by reading its text again.
import type { Stats } from 'node:fs';
import { z } from 'zod';

const fileStamp = z.strictObject({ size: z.number(), mtime_ms: z.number() });
export type FileStamp = z.infer<typeof fileStamp>;

/** A file's stamp; a folder's: its chapter files', by name (one added or removed is a change). */
const sourceStamp = z.union([fileStamp, z.strictObject({ chapters: z.record(z.string(), fileStamp) })]);
export type SourceStamp = z.infer<typeof sourceStamp>;

/** Taken before the file is read: a save while it is read then shows as a change, never hides one. */
export function fileStampOf(info: Pick<Stats, 'size' | 'mtimeMs'>): FileStamp {
  return { size: info.size, mtime_ms: info.mtimeMs };
}

/** The stored stamp; null for none (stored before there were stamps) or one this Quire cannot read. */
export function parseStamp(json: string | null): SourceStamp | null {
  if (json === null) return null;
  try {
    return sourceStamp.parse(JSON.parse(json));
  } catch {
    return null;
  }
}

/** A folder's chapter files now (by name; null: one that could not be looked at) against its stamp. */
export function sameChapters(
  now: ReadonlyMap<string, FileStamp | null>,
  then: Readonly<Record<string, FileStamp>>,
): boolean {
  const names = Object.keys(then);
  return now.size === names.length && names.every((name) => sameFile(now.get(name), then[name]!));
}

export function sameFile(now: FileStamp | null | undefined, then: FileStamp): boolean {
  return !!now && now.size === then.size && now.mtime_ms === then.mtime_ms;
}
