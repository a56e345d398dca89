// The answer contract of each kind of task: the zod schema Quire validates with, the JSON Schema providers are asked
// to follow (OpenAI json_schema strict mode, a JSON-mode instruction, Anthropic's forced tool, a local grammar — the
// strict subset every one of them accepts: all properties required, none extra, optional ones nullable), and the
// lines of instruction that say what each field means. Versioned with the task definitions: a change here is a
// change to every task of that kind, and prompt-lock.test.ts fails until each of them has a new version.
import { z } from 'zod';
import type { AnswerKind } from '../../src-preload/contract/tasks';
import { zodProblem } from '../providers/json-answer';
import { answerSchema, runAnswerForm } from './answer-schema';

const text = (max: number) => z.string().trim().min(1).max(max);

export const findingsAnswer = z.object({
  findings: z
    .array(
      z.object({
        claim: text(2000),
        evidence: z
          .array(z.object({ quote: text(4000), location: z.string().max(500).nullish() }))
          .min(1)
          .max(10),
        severity: z.enum(['low', 'medium', 'high']),
        suggestion: z.string().max(2000).nullish(),
      }),
    )
    .max(200),
});
export type FindingsAnswer = z.output<typeof findingsAnswer>;

export const editsAnswer = z.object({
  edits: z.array(z.object({ original: text(8000), revised: z.string().max(8000), reason: text(1000) })).max(300),
});

export const listAnswer = z.object({
  items: z
    .array(z.object({ title: text(300), detail: text(4000) }))
    .min(1)
    .max(50),
});

export const summaryAnswer = z.object({
  chapters: z
    .array(z.object({ chapter: text(300), summary: text(6000) }))
    .min(1)
    .max(500),
});

export function routeAnswer(taskIds: readonly [string, ...string[]]) {
  return z.object({
    steps: z
      .array(z.object({ task: z.enum(taskIds), target: text(500), why: text(1000) }))
      .min(1)
      .max(5),
  });
}

/** The JSON Schema sent to the provider for a structured kind (the contract as it is, answer-schema.ts); null for
 * prose. */
export function answerJsonSchema(
  kind: AnswerKind,
  taskIds: readonly string[],
): { name: string; schema: Record<string, unknown> } | null {
  return kind === 'prose' ? null : answerSchema(runAnswerForm(kind, taskIds));
}

/** The zod validator of a structured kind. */
export function answerValidator(kind: Exclude<AnswerKind, 'prose'>, taskIds: readonly string[]): z.ZodType {
  switch (kind) {
    case 'findings':
      return findingsAnswer;
    case 'edits':
      return editsAnswer;
    case 'list':
      return listAnswer;
    case 'summary':
      return summaryAnswer;
    case 'route':
      return routeAnswer(taskIds as [string, ...string[]]);
    default:
      return missing(kind);
  }
}

/**
 * An answer's JSON checked against its kind's contract: the one check single runs and tournament members share. The
 * problem is worded for the repair request and the writer ("the JSON is not the "findings" answer asked for at …").
 */
export function checkAnswer(
  kind: Exclude<AnswerKind, 'prose'>,
  taskIds: readonly string[],
  value: unknown,
  name: string = answerSchema(runAnswerForm(kind, taskIds)).name,
): { ok: true; value: unknown } | { ok: false; problem: string } {
  const validated = answerValidator(kind, taskIds).safeParse(value);
  return validated.success
    ? { ok: true, value: validated.data }
    : { ok: false, problem: zodProblem(validated.error, name) };
}

/** What the fields mean, appended to the task's instruction (the schema alone says only their names). */
export const ANSWER_GUIDANCE: Record<AnswerKind, string> = {
  findings:
    'Answer with JSON: {"findings": [...]}. Each finding has "claim" (one sentence stating the problem or ' +
    'observation), "evidence" (a list of {"quote": words copied exactly from the manuscript, "location": where it ' +
    'is, e.g. "Chapter 3", or null}; a contradiction has one entry for each side), "severity" ("low", "medium" or ' +
    '"high") and "suggestion" (a concrete fix, or null). With nothing to report, answer {"findings": []}.',
  edits:
    'Answer with JSON: {"edits": [...]}. Each edit has "original" (an exact span copied from the manuscript), ' +
    '"revised" (its replacement) and "reason" (one sentence). List the edits in the order their originals appear ' +
    'in the manuscript. With nothing to change, answer {"edits": []}.',
  list: 'Answer with JSON: {"items": [...]}. Each item has "title" (a few words) and "detail" (a few sentences).',
  summary:
    'Answer with JSON: {"chapters": [...]}, in the manuscript\'s order. Each entry has "chapter" (the heading as ' +
    'written, or "Untitled") and "summary".',
  route:
    'Answer with JSON: {"steps": [...]}, most useful first. Each step has "task" (one of the task ids above), ' +
    '"target" (what to run it on, in the writer\'s terms) and "why" (one sentence).',
  prose: '',
};

function missing(kind: never): never {
  throw new Error(`Unknown answer kind ${String(kind)}`);
}
