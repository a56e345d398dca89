// Model packs (seed 003): a task → model mapping used when the orchestrator is off. Built-in packs ship in
// resources/packs.json; writers create, edit, duplicate and delete their own.
import { z } from 'zod';
import { channel, noInput } from './define';

export const packNameSchema = z
  .string()
  .min(1)
  .max(100)
  .regex(/^[a-z0-9][a-z0-9-]*$/, 'Pack names use lowercase letters, digits and dashes');

export interface Pack {
  name: string;
  display_name: string;
  description: string;
  builtin: boolean;
  /** task id → model id; every task is mapped. */
  tasks: Record<string, string>;
}

export interface PackList {
  active: string;
  packs: Pack[];
}

export const packSaveSchema = z.strictObject({
  name: packNameSchema,
  display_name: z.string().min(1).max(200).optional(),
  description: z.string().max(2000).optional(),
  /** Duplicate: start from this pack's mapping; `tasks` entries then override it. */
  copy_from: packNameSchema.optional(),
  tasks: z.record(z.string().min(1).max(100), z.string().min(1).max(200)).optional(),
});
export type PackSave = z.infer<typeof packSaveSchema>;

const byName = z.strictObject({ name: packNameSchema });

export const packsChannels = {
  'packs:list': channel<PackList>()(noInput),
  'packs:get': channel<Pack>()(byName),
  'packs:save': channel<Pack>()(packSaveSchema),
  'packs:delete': channel<PackList>()(byName),
  'packs:activate': channel<PackList>()(byName),
};
