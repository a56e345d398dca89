// A chapter summary job answers one summary per chapter: a chapter longer than a part was summarised in pieces, one
// per part it spans, so one more step summarises it from those partial summaries (the task's instruction, its
// "combine" paragraph and the writer's request, as every part had it). Which chapters, in how many steps, and what
// each step may read are known from the plan before part 1 runs, so the quote covers them. A step reads at most
// `fanIn` summaries — each at most a part's answer long — so its request always fits the context; a chapter over more
// parts than that is folded: each later step reads the previous step's summary and the next parts'.
import type { ChatMessage } from '../providers/spec';
import type { Part } from '../manuscripts/splitter';
import type { Block } from '../manuscripts/structure';
import { combineInstructionOf, type TaskDefinition } from '../tasks/task-library';
import { plainTitle } from '../tasks/answer-schema';
import { writerRequest } from '../tasks/task-messages';
import type { PartSummary } from './job-answer';

export interface CombineStep {
  chapter: number;
  title: string;
  /** The parts (0-based) whose summaries of the chapter this step reads, in order. */
  parts: number[];
  /** Whether it first reads the chapter's summary from the step before (a chapter folded over several steps). */
  previous: boolean;
}

/**
 * Tokens each summary a step reads may take beyond the answer it came from: its label ("Partial summary 12:"), the
 * blank line before it, and a token or two where a string cut out of a longer answer tokenizes differently.
 */
export const SUMMARY_ITEM_MARGIN = 32;

/** The chapters (by Quire's number) each part holds a piece of, as the plan cut it. */
function chaptersOfParts(parts: readonly Part[], blocks: readonly Block[]): Map<number, number[]> {
  const spans = new Map<number, number[]>();
  for (const part of parts)
    for (let b = part.firstBlock; b <= part.lastBlock && b < blocks.length; b++) {
      const chapter = blocks[b]!.chapter;
      const list = spans.get(chapter) ?? [];
      if (list.at(-1) !== part.index) list.push(part.index);
      spans.set(chapter, list);
    }
  return spans;
}

/** The steps for every chapter the plan spreads over more than one part, in reading order; `fanIn` ≥ 2. */
export function combineSteps(
  parts: readonly Part[],
  blocks: readonly Block[],
  chapters: readonly { number: number; title: string }[],
  fanIn: number,
): CombineStep[] {
  const steps: CombineStep[] = [];
  for (const [number, spanned] of [...chaptersOfParts(parts, blocks)].sort((a, b) => a[0] - b[0])) {
    if (spanned.length < 2) continue;
    const title = chapters.find((c) => c.number === number)?.title ?? 'Untitled';
    let next = Math.min(fanIn, spanned.length);
    steps.push({ chapter: number, title, parts: spanned.slice(0, next), previous: false });
    while (next < spanned.length) {
      const end = Math.min(spanned.length, next + fanIn - 1);
      steps.push({ chapter: number, title, parts: spanned.slice(next, end), previous: true });
      next = end;
    }
  }
  return steps;
}

/** How many summaries a step reads at most: the previous step's (when folded) and its parts'. */
export function stepItems(step: CombineStep): number {
  return step.parts.length + (step.previous ? 1 : 0);
}

/**
 * A combine step's request: the task's instruction with its combine paragraph, then the summaries in order and the
 * writer's request, as each part had it (the combine paragraph puts it before keeping every fact of the pieces).
 */
export function combineMessages(
  definition: TaskDefinition,
  title: string,
  summaries: readonly string[],
  request: string | undefined,
): ChatMessage[] {
  const chapter = plainTitle(title);
  const items = summaries.map((s, i) => `Partial summary ${i + 1}:\n${s}`);
  const asked = writerRequest(definition, request);
  const user = [`Partial summaries of "${chapter}", in reading order:`, ...items, ...(asked ? [asked] : [])];
  return [
    { role: 'system', content: combineInstructionOf(definition, chapter) },
    { role: 'user', content: user.join('\n\n') },
  ];
}

/**
 * The summaries step `index` reads: the chapter's summary from the step before (when folded) and its parts' pieces
 * of the chapter. A part whose answer has no piece of it adds nothing.
 */
export function stepSummaries(
  steps: readonly CombineStep[],
  index: number,
  partAnswers: readonly unknown[],
  stepAnswers: readonly unknown[],
): string[] {
  const step = steps[index]!;
  const out: string[] = [];
  if (step.previous) {
    const before = stepAnswers[index - 1] as CombinedSummary | null | undefined;
    if (before) out.push(before.summary);
  }
  for (const p of step.parts) {
    const piece = (partAnswers[p] as PartSummary[] | undefined)?.find((s) => s.chapter === step.chapter);
    if (piece) out.push(piece.summary);
  }
  return out;
}

/** A step's answer as kept with the job: the chapter's summary so far (null when no part had a piece of it). */
export interface CombinedSummary {
  chapter: number;
  summary: string;
}

/** Each chapter's summary from its last step (the one that read every piece), by chapter number. */
export function combinedByChapter(steps: readonly CombineStep[], stepAnswers: readonly unknown[]): Map<number, string> {
  const out = new Map<number, string>();
  steps.forEach((step, i) => {
    const answer = stepAnswers[i] as CombinedSummary | null | undefined;
    if (answer) out.set(step.chapter, answer.summary);
  });
  return out;
}
