// The desktop around the app: showing Quire's folders in Finder (or the system file manager in the browser host).
import { z } from 'zod';
import { channel, noInput } from './define';

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
  /** The last measured default (tokens/s at each thread count on a loaded model); absent until one was measured. */
  measured_threads?: {
    threads: number;
    rates: { threads: number; tokens_per_second: number }[];
    measured_at: string;
  };
  /** The models folder used while `local.models_dir` is null. */
  default_models_dir: string;
}

export const appChannels = {
  /** Opens the folder (created if missing) in Finder; replies with its path. */
  'app:reveal': channel<{ path: string }>()(z.strictObject({ target: z.enum(REVEAL_TARGETS) })),
  /** The machine's defaults for the local-model settings, so the Settings screen can say what "default" means. */
  'app:machine': channel<MachineInfo>()(noInput),
};
