// The desktop around the app: showing Quire's folders in Finder (or the system file manager in the browser host), and
// bringing files in: the system file picker in the app, uploads (streamed, never whole in memory) in the browser host.
import { z } from 'zod';
import { channel, noInput } from './define';
import type { Manuscript } from './manuscripts';
import type { InstalledModel } from './models';

export const REVEAL_TARGETS = ['models_folder', 'data_folder'] as const;
export type RevealTarget = (typeof REVEAL_TARGETS)[number];

/** What the local-model settings mean on this machine when left to their defaults (null). */
export interface MachineInfo {
  cpus: number;
  total_memory_mb: number;
  /** The memory budget used while `local.memory_budget_mb` is null. */
  default_memory_budget_mb: number;
  /** The generation threads used while `local.threads` is null. */
  default_threads: number;
  /** The models folder used while `local.models_dir` is null. */
  default_models_dir: string;
}

/** What the system file picker is asked for: a .gguf model, a manuscript file, or a folder of chapter files. */
export const PICK_KINDS = ['model', 'manuscript_file', 'manuscript_folder'] as const;
export type PickKind = (typeof PICK_KINDS)[number];

/**
 * Files the browser host takes as uploads: `POST /upload/<kind>?name=<the file's name>` with the file's bytes as an
 * `application/octet-stream` body (same Host and Origin doors as /api/), answered with an envelope of the output below.
 */
export const UPLOAD_KINDS = ['model', 'manuscript'] as const;
export type UploadKind = (typeof UPLOAD_KINDS)[number];
export interface UploadOutputs {
  model: InstalledModel;
  manuscript: Manuscript;
}

export function uploadPath(kind: UploadKind, fileName: string): string {
  return `/upload/${kind}?name=${encodeURIComponent(fileName)}`;
}

export const appChannels = {
  /** Opens the folder (created if missing) in Finder; replies with its path. */
  'app:reveal': channel<{ path: string }>()(z.strictObject({ target: z.enum(REVEAL_TARGETS) })),
  /** The machine's defaults for the local-model settings, so the Settings screen can say what "default" means. */
  'app:machine': channel<MachineInfo>()(noInput),
  /**
   * The system file picker (desktop app only): the chosen path, or null when the writer cancelled. The browser host
   * has none and answers `unavailable`; there the renderer offers an upload instead.
   */
  'app:pick_file': channel<{ path: string | null }>()(z.strictObject({ kind: z.enum(PICK_KINDS) })),
  /** Before an upload: whether a file of this size can be taken (payload_too_large says why not), and the most. */
  'app:upload_check': channel<{ max_bytes: number }>()(
    z.strictObject({ kind: z.enum(UPLOAD_KINDS), bytes: z.number().int().nonnegative() }),
  ),
};
