// Model packs (seed 003) as data: the shipped file's shape, and the rule that a pack maps every task to a known model.
import { z } from 'zod';
import { packNameSchema, type Pack } from '../../src-preload/contract';
import { InvalidInputError } from '../errors/invalid-input-error';
import type { TaskTable } from './tasks';
import { goneModel } from './decide-text';

export const packsFileSchema = z.object({
  packs: z.array(
    z.strictObject({
      name: packNameSchema,
      display_name: z.string().min(1),
      description: z.string(),
      tasks: z.record(z.string(), z.string()),
    }),
  ),
});

export function parsePacks(json: unknown): Pack[] {
  return packsFileSchema.parse(json).packs.map((p) => ({ ...p, builtin: true }));
}

/** Every task mapped, no unknown task, every model known. Throws invalid_input naming the first bad entry. */
export function validatePackTasks(
  tasks: Readonly<Record<string, string>>,
  table: TaskTable,
  hasModel: (id: string) => boolean,
): void {
  for (const task of Object.keys(tasks)) {
    if (!table.has(task)) throw new InvalidInputError(`Unknown task "${task}"`, `tasks.${task}`);
  }
  for (const task of table.keys()) {
    const model = tasks[task];
    if (model === undefined)
      throw new InvalidInputError(`The pack does not map task "${task}" to a model`, `tasks.${task}`);
    if (!hasModel(model)) {
      const gone = goneModel(model);
      throw new InvalidInputError(
        `${table.get(task)?.display_name ?? task} uses ${gone.name}, which ${gone.gone}: choose another model for it.`,
        `tasks.${task}`,
      );
    }
  }
}
