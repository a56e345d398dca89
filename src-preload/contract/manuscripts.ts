// Whole manuscripts: a long .md/.txt file or a folder of chapter files, kept in SQLite (its text and chapters; its
// paragraphs are numbered from the text when a run needs them), so every finding has a location a writer can jump to.
import { z } from 'zod';
import { channel, noInput } from './define';

/** The longest text a run takes: a passage, or one message of a conversation (characters). */
export const MAX_TEXT_CHARS = 2_000_000;

/**
 * A kept manuscript a run's or a tournament's passage is, or is taken from, and where that passage starts in its text
 * (runs:start and tournaments:start `manuscript`).
 */
export const manuscriptRefSchema = z.strictObject({
  id: z.string().min(1).max(100),
  offset: z.number().int().min(0).max(MAX_TEXT_CHARS),
});

export interface ManuscriptSummary {
  id: string;
  title: string;
  source_path: string;
  source_kind: 'file' | 'folder';
  chapter_count: number;
  paragraph_count: number;
  word_count: number;
  created_at: string;
}

export interface ManuscriptChapter {
  /** 1-based in reading order; 0 for text before the first chapter heading ("Opening"). */
  number: number;
  title: string;
  /** Offsets into `text`, [start, end). */
  start: number;
  end: number;
  paragraph_count: number;
  /** Folder mode: the file this chapter came from. */
  source_file: string | null;
}

/**
 * Whether the file or folder a manuscript was opened from is still as Quire read it. Quire keeps its own copy, and
 * every run uses that copy, so a writer who went on editing elsewhere is told before a run quotes words they changed.
 * Checked by looking at the disk (sizes and modification times), never by reading the text again.
 * - `unchanged`: as Quire read it.
 * - `changed`: saved since; for a folder, a chapter file edited, added, removed or renamed. Opening the same path again
 *   brings in the new words as a new manuscript (this one and its runs stay as they are).
 * - `missing`: nothing is at its place any more (moved, renamed or deleted).
 * - `unknown`: nothing to compare with (opened by an earlier Quire, or uploaded from a browser, which gives no place on
 *   this computer), or the disk cannot be looked at now. Never said to have changed.
 */
export type ManuscriptOnDisk = 'unchanged' | 'changed' | 'missing' | 'unknown';

/**
 * Its paragraphs' offsets are not sent: a window shows the text and chapters, and a finding carries its own location
 * (a file of 1.8 million short paragraphs sent them as 150 MB).
 */
export interface Manuscript extends ManuscriptSummary {
  text: string;
  chapters: ManuscriptChapter[];
  /** Its file or folder now, looked at when it is opened or fetched (manuscripts:open, manuscripts:get). */
  on_disk: ManuscriptOnDisk;
}

const byId = z.strictObject({ id: z.string().min(1).max(100) });

export const manuscriptsChannels = {
  /** Opens a file or a folder of chapter files from disk; bad input is refused and nothing is stored. */
  'manuscripts:open': channel<Manuscript>()(z.strictObject({ path: z.string().min(1).max(4096) })),
  'manuscripts:list': channel<ManuscriptSummary[]>()(noInput),
  'manuscripts:get': channel<Manuscript>()(byId),
  /**
   * Its file or folder now, without its text (a look at the disk): asked again when the writer comes back to Quire
   * with the manuscript on screen, as they may have saved it in another editor meanwhile.
   */
  'manuscripts:check': channel<{ on_disk: ManuscriptOnDisk }>()(byId),
  'manuscripts:delete': channel<{ deleted: true }>()(byId),
};
