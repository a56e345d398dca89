// The task library: one reviewed definition per writing task (resources/tasks/<id>.json) — its versioned instruction,
// how the passage is framed, the answer's form, default length and temperature, and the Workbench's description.
// Validated with zod when the app starts; a bad file is an error naming the file and the field.
import { z } from 'zod';
import { ANSWER_KINDS, REASONING_EFFORTS, type TaskInfo } from '../../src-preload/contract/tasks';

export const taskDefinitionSchema = z
  .strictObject({
    id: z.string().regex(/^[a-z][a-z0-9_]*$/),
    /** Raised whenever the instruction, framing or how the model is asked (its effort) changes; stored with every run. */
    version: z.number().int().min(1),
    answer: z.enum(ANSWER_KINDS),
    ui_description: z.string().min(10).max(300),
    /** The Workbench's example of what a writer might ask this task (the request field's placeholder). */
    request_hint: z.string().min(10).max(160).optional(),
    max_output_tokens: z.number().int().min(64).max(32_000),
    temperature: z.number().min(0).max(2),
    /**
     * How hard a reasoning model thinks before it answers: sent as its `reasoning_effort` where the provider takes
     * one, and the room to think Quire adds to max_output_tokens for it (orchestrator/thinking.ts). Medium for the
     * checks that hold every fact of the passage against every other and the critical analyses; low for the rest.
     */
    reasoning_effort: z.enum(REASONING_EFFORTS),
    framing: z.strictObject({
      /** The tag the passage is wrapped in (`<manuscript>…</manuscript>`). */
      passage_label: z.string().regex(/^[a-z_]+$/),
      /** Whether the writer's own words are needed (coordinator), welcome, or not used. */
      request: z.enum(['required', 'optional', 'none']),
    }),
    /** The system instruction, one paragraph per entry (kept apart so a change reads as a one-line diff). */
    instruction: z.array(z.string().min(20).max(4000)).min(1).max(20),
    /**
     * A summary task only: what one more step is told when a chapter was too long for one part and was summarised in
     * pieces — combine these partial summaries of "{chapter}" (its heading) into one. Follows the instruction.
     */
    combine: z.array(z.string().min(20).max(2000)).min(1).max(5).optional(),
  })
  .refine((d) => (d.answer === 'summary') === (d.combine !== undefined), {
    path: ['combine'],
    message: 'a summary task needs it (and only a summary task has it)',
  });
export type TaskDefinition = z.output<typeof taskDefinitionSchema>;

export type TaskLibrary = ReadonlyMap<string, TaskDefinition>;

export class TaskLibraryError extends Error {
  constructor(
    readonly file: string,
    readonly field: string,
    detail: string,
  ) {
    super(`Task definition ${file}: ${field ? `field "${field}" ` : ''}${detail}`);
    this.name = 'TaskLibraryError';
  }
}

/**
 * Validates every file (name → parsed JSON). A file must be named after its task id, ids are unique, and when the
 * routing table's ids are given every one of them has a definition and none is extra.
 */
export function parseTaskLibrary(files: Record<string, unknown>, taskIds?: readonly string[]): TaskLibrary {
  const library = new Map<string, TaskDefinition>();
  for (const [file, json] of Object.entries(files)) {
    const parsed = taskDefinitionSchema.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw new TaskLibraryError(file, issue.path.join('.'), issue.message);
    }
    const expected = `${parsed.data.id}.json`;
    if (!file.endsWith(expected))
      throw new TaskLibraryError(file, 'id', `"${parsed.data.id}" must match its file name`);
    if (library.has(parsed.data.id)) throw new TaskLibraryError(file, 'id', `"${parsed.data.id}" is defined twice`);
    library.set(parsed.data.id, parsed.data);
  }
  if (taskIds) {
    for (const id of taskIds) {
      if (!library.has(id)) throw new TaskLibraryError(`${id}.json`, '', 'is missing: every task needs a definition');
    }
    for (const id of library.keys()) {
      if (!taskIds.includes(id))
        throw new TaskLibraryError(`${id}.json`, 'id', `"${id}" is not in resources/tasks.json`);
    }
  }
  return library;
}

/** A summary task's instruction for combining a chapter's partial summaries, naming the chapter. */
export function combineInstructionOf(definition: TaskDefinition, chapter: string): string {
  const combine = (definition.combine ?? []).join('\n\n').replaceAll('{chapter}', chapter);
  return `${instructionOf(definition)}\n\n${combine}`;
}

/** The system instruction as sent: the definition's paragraphs. */
export function instructionOf(definition: TaskDefinition): string {
  return definition.instruction.join('\n\n');
}

export function taskInfo(definition: TaskDefinition): TaskInfo {
  return {
    id: definition.id,
    version: definition.version,
    answer: definition.answer,
    description: definition.ui_description,
    max_output_tokens: definition.max_output_tokens,
    request: definition.framing.request,
    request_hint: definition.request_hint ?? null,
  };
}
