// API keys: the renderer only ever sees whether a key is set and its last 4 characters.
import { z } from 'zod';
import { channel, noInput } from './define';

export interface KeyStatus {
  /** A built-in provider (an id of provider-table.ts) or "endpoint:<id>". */
  provider: string;
  configured: boolean;
  /** Its last 4 characters, for a key of 16 or more (null for a shorter one: they would be most of it). */
  last4: string | null;
  source: 'env' | 'file' | 'encrypted' | null;
  /** The environment variable read for this provider, if any. */
  env_var: string | null;
}

export interface KeysStatus {
  keys: KeyStatus[];
  /** Where keys:set stores: "encrypted" (OS keychain), "file" (0600 file, browser host). */
  storage: 'encrypted' | 'file';
  /** True when only a plain-text backend is available: keys:set needs allow_weak_storage. */
  storage_is_weak: boolean;
}

/**
 * A minimal authenticated call (listing models, which costs nothing). `reason` says what failed, so the advice fits:
 * the key was refused, or the provider could not be reached at all (the key is not the problem).
 */
export interface KeyTest {
  provider: string;
  ok: boolean;
  message: string;
  reason?: 'refused' | 'unreachable' | 'other';
}

const provider = z.string().min(1).max(120);

export const keysChannels = {
  'keys:status': channel<KeysStatus>()(noInput),
  'keys:set': channel<KeyStatus>()(
    z.strictObject({
      provider,
      // Any non-empty key: a local server's key may be short ("ollama", "lm-studio"); a built-in provider's key is
      // checked against its own shape by the key store, with a message that names the provider.
      api_key: z.string().trim().min(1, 'Paste the key first').max(4096),
      /** The writer agreed to plain-text storage where nothing better exists. */
      allow_weak_storage: z.boolean().optional(),
    }),
    { maxBytes: 16 * 1024 },
  ),
  'keys:delete': channel<KeyStatus>()(z.strictObject({ provider })),
  /** A KeyTest of a stored key. */
  'keys:test': channel<KeyTest>()(z.strictObject({ provider })),
};
