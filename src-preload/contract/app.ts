// The desktop around the app: showing Quire's folders in Finder (or the system file manager in the browser host).
import { z } from 'zod';
import { channel } from './define';

export const REVEAL_TARGETS = ['models_folder', 'data_folder'] as const;
export type RevealTarget = (typeof REVEAL_TARGETS)[number];

export const appChannels = {
  /** Opens the folder (created if missing) in Finder; replies with its path. */
  'app:reveal': channel<{ path: string }>()(z.strictObject({ target: z.enum(REVEAL_TARGETS) })),
};
