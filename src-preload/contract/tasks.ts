// The task library as the renderer sees it (what each task does and answers with), and a run's structured answer:
// findings with quotes located in the writer's own text, edits anchored to exact spans, a list, per-chapter summaries,
// prose, or the coordinator's route. Locations come from Quire's numbering of the passage, never from the model.
import { channel, noInput } from './define';

/** What a task answers with (resources/tasks/<id>.json `answer`). */
export const ANSWER_KINDS = ['findings', 'edits', 'prose', 'list', 'summary', 'route'] as const;
export type AnswerKind = (typeof ANSWER_KINDS)[number];

/**
 * How hard a reasoning model is asked to think on a task (resources/tasks/<id>.json `reasoning_effort`): OpenAI's
 * `reasoning_effort` levels, each with the room to think Quire adds to the answer's allowance for it
 * (src-main/orchestrator/thinking.ts).
 */
export const REASONING_EFFORTS = ['low', 'medium', 'high'] as const;
export type ReasoningEffort = (typeof REASONING_EFFORTS)[number];

export interface TaskInfo {
  id: string;
  version: number;
  answer: AnswerKind;
  /** One or two sentences for the Workbench. */
  description: string;
  max_output_tokens: number;
  /** Whether the writer's own words (a question, an outline) are needed, welcome or not used. */
  request: 'required' | 'optional' | 'none';
  /** An example of what a writer might ask it, for the request field; null for none. */
  request_hint: string | null;
}

/** Where a span sits in Quire's numbering: chapters by headings / "Chapter N" lines, paragraphs by blank lines. */
export interface TextLocation {
  /** 1-based; 0 when the text before the first heading (or a text without headings) is its own chapter. */
  chapter: number;
  chapter_title: string | null;
  /** 1-based within the chapter. */
  paragraph: number;
  /** e.g. "Chapter 3, paragraph 4" or "paragraph 2". */
  label: string;
}

export interface LocatedQuote {
  quote: string;
  /** How it was found: `exact`, `tolerant` (whitespace, quote marks or dashes differ), or not at all. */
  match: 'exact' | 'tolerant' | 'not_found';
  /** UTF-16 offsets of the span in the passage; null when not found. */
  start: number | null;
  end: number | null;
  location: TextLocation | null;
  /** What the model said the location was (shown only beside Quire's own; never trusted). */
  claimed_location: string | null;
}

export type Severity = 'low' | 'medium' | 'high';

export interface LocatedFinding {
  claim: string;
  severity: Severity;
  suggestion: string | null;
  evidence: LocatedQuote[];
  /** 0–1: 1 when every quote is in the text, lowered for each one that is not. */
  confidence: number;
}

export interface AnchoredEdit {
  original: string;
  revised: string;
  reason: string;
  /** Offsets of `original` in the passage; null when it is not an exact span (then the edit is never applied). */
  start: number | null;
  end: number | null;
  location: TextLocation | null;
  /** Null when the edit can be applied; otherwise why not, in a writer's words. */
  problem: string | null;
}

export type RunAnswer = (
  | { kind: 'findings'; findings: LocatedFinding[] }
  | { kind: 'edits'; edits: AnchoredEdit[] }
  | { kind: 'prose'; text: string }
  | { kind: 'list'; items: { title: string; detail: string }[] }
  | { kind: 'summary'; chapters: { chapter: string; summary: string }[] }
  | { kind: 'route'; steps: { task: string; target: string; why: string }[] }
) & {
  /**
   * What the writer should know of the answer as a whole, in their words: it reached what the model could write at
   * once (as many findings as it was allowed, so there may be more; text that may be cut short). Absent when nothing.
   */
  notices?: string[];
};

/**
 * The edits of an answer that can be applied: not rejected (by their place in the answer), without a problem,
 * anchored, and — given the passage they would go into — with their original still exactly at their offsets there.
 */
export function applicableEdits(
  edits: readonly AnchoredEdit[],
  rejected: readonly number[],
  passage?: string,
): AnchoredEdit[] {
  return edits.filter(
    (e, i) =>
      !rejected.includes(i) &&
      e.problem === null &&
      e.start !== null &&
      e.end !== null &&
      (passage === undefined || passage.slice(e.start, e.end) === e.original),
  );
}

/**
 * The passage with the accepted edits applied (only anchored ones without a problem, none overlapping), back to
 * front so earlier offsets stay valid: what the Workbench copies as the edited text.
 */
export function applyEdits(passage: string, accepted: readonly AnchoredEdit[]): string {
  const usable = accepted
    .filter((e) => e.problem === null && e.start !== null && e.end !== null)
    .sort((a, b) => b.start! - a.start!);
  let text = passage;
  let limit = Infinity;
  for (const edit of usable) {
    if (edit.end! > limit) continue;
    text = text.slice(0, edit.start!) + edit.revised + text.slice(edit.end!);
    limit = edit.start!;
  }
  return text;
}

/** Why a quote did not count: shown beside it. */
export const QUOTE_NOT_FOUND = 'not found in your text';

export const tasksChannels = {
  'tasks:library': channel<{ tasks: TaskInfo[] }>()(noInput),
};
