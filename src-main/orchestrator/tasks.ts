// The writing-task table (resources/tasks.json): validated once at load, looked up by id.
import { z } from 'zod';
import { strengthSchema, type TaskSpec } from '../../src-preload/contract';

export const taskSpecSchema = z.strictObject({
  id: z.string().regex(/^[a-z][a-z0-9_]*$/),
  display_name: z.string().min(1),
  description: z.string().min(1),
  strength: strengthSchema,
  complexity: z.number().int().min(1).max(10),
  typical_input_tokens: z.number().int().positive(),
  typical_output_tokens: z.number().int().positive(),
  critical: z.boolean(),
  may_leave_machine: z.boolean(),
}) satisfies z.ZodType<TaskSpec>;

export const taskTableSchema = z
  .object({ tasks: z.array(taskSpecSchema).min(1) })
  .refine((t) => new Set(t.tasks.map((x) => x.id)).size === t.tasks.length, 'Task ids must be unique');

export type TaskTable = ReadonlyMap<string, TaskSpec>;

export function parseTasks(json: unknown): TaskTable {
  const parsed = taskTableSchema.parse(json);
  return new Map(parsed.tasks.map((t) => [t.id, t]));
}

/** Seed 002's scale: 1–4 small, 5–7 medium, 8–10 large (cloud-grade). */
export function sizeForComplexity(complexity: number): 'small' | 'medium' | 'large' {
  if (complexity <= 4) return 'small';
  if (complexity <= 7) return 'medium';
  return 'large';
}
