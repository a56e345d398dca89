// The JSON Schema of every structured answer a call asks for — a single run's findings, edits, ideas, summaries or
// route, and each call of a multi-part job (a part's answer with the story so far, a combine step's one summary) —
// built by one builder, bounded or not. A provider gets the contract as it is (answers.ts says what each field means
// and validates it). A local model answers under a grammar that cannot close the JSON once its output budget has run
// out, so its schema is bounded by one rule: the widest JSON the bounds admit fits the budget, every byte a token and
// every string character a 6-byte escape. The model's JSON then always closes, whatever it writes.
import type { AnswerKind } from '../../src-preload/contract/tasks';

/**
 * What a call answers: findings (with the story so far in a job's part), edits, ideas, chapter summaries (named by the
 * headings the part holds when they are known, with the story so far in a job's part), or a route.
 */
export type AnswerForm =
  | { kind: 'findings'; story: boolean }
  | { kind: 'edits' }
  | { kind: 'list' }
  | { kind: 'summary'; chapters: readonly string[] | null; story: boolean }
  | { kind: 'route'; taskIds: readonly string[] };

/** A single run's answer form for a structured kind (no story, chapters named by the model). */
export function runAnswerForm(kind: Exclude<AnswerKind, 'prose'>, taskIds: readonly string[]): AnswerForm {
  switch (kind) {
    case 'findings':
      return { kind, story: false };
    case 'summary':
      return { kind, chapters: null, story: false };
    case 'route':
      return { kind, taskIds };
    case 'edits':
    case 'list':
      return { kind };
    default:
      return kind satisfies never;
  }
}

/**
 * How much a local model's answer may hold, so its grammar closes the JSON within the output budget: `items` findings,
 * edits, ideas, chapters or steps, `evidence` quotes a finding, `facts` and `timeline` notes of the story, `text`
 * characters a string.
 */
export interface AnswerBounds {
  items: number;
  evidence: number;
  facts: number;
  timeline: number;
  text: number;
}

/** One piece of an answer: its JSON Schema and, bounded, the widest JSON it admits (strings empty, counted apart). */
interface Piece {
  schema: Record<string, unknown>;
  widest: unknown;
  /** Characters of the bounded strings in the widest answer, each string full. */
  chars: number;
  /** Empty arrays in the widest answer (the grammar may pad each with whitespace). */
  empty: number;
}

const piece = (schema: Record<string, unknown>, widest: unknown, chars = 0, empty = 0): Piece => ({
  schema,
  widest,
  chars,
  empty,
});
const text = (max: number | undefined) =>
  piece(max === undefined ? { type: 'string' } : { type: 'string', maxLength: max }, '', max ?? 0);
const nullableText = (max: number | undefined) =>
  max === undefined
    ? piece({ type: ['string', 'null'] }, null)
    : piece({ oneOf: [{ type: 'string', maxLength: max }, { type: 'null' }] }, '', max);
const oneOf = (values: readonly string[]) =>
  piece(
    { type: 'string', enum: [...values] },
    values.reduce((a, b) => (b.length > a.length ? b : a), ''),
  );
const severity = oneOf(['low', 'medium', 'high']);
function object(properties: Record<string, Piece>): Piece {
  const entries = Object.entries(properties);
  return piece(
    {
      type: 'object',
      properties: Object.fromEntries(entries.map(([k, p]) => [k, p.schema])),
      required: entries.map(([k]) => k),
      additionalProperties: false,
    },
    Object.fromEntries(entries.map(([k, p]) => [k, p.widest])),
    entries.reduce((n, [, p]) => n + p.chars, 0),
    entries.reduce((n, [, p]) => n + p.empty, 0),
  );
}
/** At most `max` items (unbounded when undefined); the widest has all of them. */
function array(item: Piece, max: number | undefined, min?: number): Piece {
  const n = max ?? 0;
  return piece(
    {
      type: 'array',
      items: item.schema,
      ...(min !== undefined ? { minItems: min } : {}),
      ...(max !== undefined ? { maxItems: max } : {}),
    },
    Array.from({ length: n }, () => item.widest),
    n * item.chars,
    n === 0 ? 1 : n * item.empty,
  );
}

/** A quote's location and a finding's suggestion need no more than these; the rest goes to claims and quotes. */
const LOCATION_CHARS = 40;
const SUGGESTION_CHARS = 120;
/** An edit's reason is one sentence; its original and revision get the rest. */
const REASON_CHARS = 120;
/** A chapter named by the model, an idea's title, what a route step is run on: a heading's length. */
const NAME_CHARS = 80;
const cap = (t: number | undefined, most: number) => (t === undefined ? undefined : Math.min(t, most));

/** A chapter's heading as the model is told it and names it (without Markdown's "#"). */
export function plainTitle(title: string): string {
  return title.replace(/^#+\s*/, '').trim() || 'Untitled';
}

/** The answer of `form`, bounded by `b` (a local model's grammar) or not (null: a provider's JSON Schema). */
function answerPiece(form: AnswerForm, b: AnswerBounds | null): Piece {
  const t = b?.text;
  const story = () =>
    object({
      characters: array(object({ name: text(t), notes: array(text(t), b ? 0 : undefined) }), b ? 0 : undefined),
      facts: array(text(t), b?.facts),
      timeline: array(text(t), b?.timeline),
    });
  switch (form.kind) {
    case 'findings': {
      const findings = array(
        object({
          claim: text(t),
          evidence: array(object({ quote: text(t), location: nullableText(cap(t, LOCATION_CHARS)) }), b?.evidence, 1),
          severity,
          suggestion: nullableText(cap(t, SUGGESTION_CHARS)),
        }),
        b?.items,
      );
      return form.story ? object({ findings, story: story() }) : object({ findings });
    }
    case 'edits':
      return object({
        edits: array(object({ original: text(t), revised: text(t), reason: text(cap(t, REASON_CHARS)) }), b?.items),
      });
    case 'list':
      return object({ items: array(object({ title: text(cap(t, NAME_CHARS)), detail: text(t) }), b?.items, 1) });
    case 'summary': {
      // Bounded, a part's chapter is named by one of the headings it may be (or "Untitled": one begun in an earlier
      // part); a single run's chapters are named by the model.
      const names = form.chapters && [...new Set([...form.chapters.map(plainTitle), 'Untitled'])];
      const chapter = b && names ? oneOf(names) : text(cap(t, NAME_CHARS));
      const chapters = array(object({ chapter, summary: text(t) }), b?.items, 1);
      return form.story ? object({ chapters, story: story() }) : object({ chapters });
    }
    case 'route':
      return object({
        steps: array(
          object({ task: oneOf(form.taskIds), target: text(cap(t, NAME_CHARS)), why: text(t) }),
          b?.items,
          1,
        ),
      });
    default:
      return form satisfies never;
  }
}

const WORST_BYTES_PER_CHAR = 6;
/** The grammar's stop trigger (four newlines), generously. */
const STOP_BYTES = 16;
/** The grammar may pad an empty array as `[`, newline + indent, newline + indent, `]` where stringify writes `[]`. */
const EMPTY_ARRAY_SLACK = 24;

/**
 * Worst-case bytes of an answer of `form` at these bounds: JSON.stringify's 4-space layout (the widest whitespace the
 * grammar allows), every string full of 6-byte `\uXXXX` escapes. Under the grammar every token carries at least one
 * byte, so an answer of at most N bytes is at most N tokens.
 */
export function worstAnswerBytes(form: AnswerForm, b: AnswerBounds): number {
  const p = answerPiece(form, b);
  return (
    JSON.stringify(p.widest, null, 4).length + STOP_BYTES + EMPTY_ARRAY_SLACK * p.empty + WORST_BYTES_PER_CHAR * p.chars
  );
}

/** A shape a local model's answer of some form is tried at: its counts, and how long its strings may and must be. */
interface Candidate {
  counts: Omit<AnswerBounds, 'text'>;
  /** The longest a string is wanted. */
  maxText: number;
  /** Below this a string is too short to be worth the shape: the next (smaller) shape is tried. */
  minText: number;
}

/** The shapes a local model's answer of `form` is tried at, most wanted first; the last takes any length. */
function candidates(form: AnswerForm): Candidate[] {
  const none = { evidence: 0, facts: 0, timeline: 0 };
  switch (form.kind) {
    case 'findings': {
      // [findings, facts, timeline notes]: with a story to carry, its notes shrink before the findings do.
      const shapes: [number, number, number][] = form.story
        ? [
            [3, 4, 2],
            [2, 2, 1],
            [1, 1, 1],
            [1, 0, 0],
          ]
        : [
            [3, 0, 0],
            [2, 0, 0],
            [1, 0, 0],
          ];
      return [
        ...shapes.map(([items, facts, timeline]) => ({
          counts: { items, evidence: 2, facts, timeline },
          maxText: 160,
          minText: 24,
        })),
        { counts: { items: 0, evidence: 1, facts: form.story ? 1 : 0, timeline: 0 }, maxText: 160, minText: 1 },
      ];
    }
    case 'edits':
      // An edit's original must hold the span it changes: more edits only when each can hold a sentence.
      return [
        ...[6, 4, 3, 2].map((items) => ({ counts: { ...none, items }, maxText: 240, minText: 120 })),
        { counts: { ...none, items: 1 }, maxText: 240, minText: 1 },
      ];
    case 'list':
      // Ideas are worth a few sentences each; one at least (the contract asks for one).
      return [
        ...[8, 5, 3, 2].map((items) => ({ counts: { ...none, items }, maxText: 300, minText: 120 })),
        { counts: { ...none, items: 1 }, maxText: 300, minText: 1 },
      ];
    case 'route':
      // A writer's request maps to a few tasks at most (the contract allows five).
      return [
        ...[3, 2].map((items) => ({ counts: { ...none, items }, maxText: 200, minText: 40 })),
        { counts: { ...none, items: 1 }, maxText: 200, minText: 1 },
      ];
    case 'summary': {
      // A part's chapters each get their summary, and the story's notes only when the summaries stay long; a single
      // run's passage may hold several chapters: as many as stay long, then one.
      const stories = form.story
        ? [
            { facts: 4, timeline: 2, minText: 240 },
            { facts: 2, timeline: 1, minText: 160 },
            { facts: 1, timeline: 0, minText: 120 },
          ]
        : [];
      const items = form.chapters ? [Math.max(1, form.chapters.length)] : [8, 4, 2, 1];
      return [
        ...items.flatMap((n) =>
          stories.map(({ minText, ...story }) => ({
            counts: { items: n, evidence: 0, ...story },
            maxText: 600,
            minText,
          })),
        ),
        ...items.map((n, i) => ({
          counts: { ...none, items: n },
          maxText: 600,
          minText: i === items.length - 1 ? 1 : 240,
        })),
      ];
    }
    default:
      return form satisfies never;
  }
}

/** The longest strings (at most `max`) whose worst case fits `budget` at these counts; 0 when not even one does. */
function longestText(form: AnswerForm, counts: Omit<AnswerBounds, 'text'>, max: number, budget: number): number {
  let lo = 0;
  let hi = max;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (worstAnswerBytes(form, { ...counts, text: mid }) <= budget) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/**
 * The most wanted shape whose strings can be long enough within `maxOutputTokens`, with the longest strings that
 * fit. Below the smallest answer's worst case nothing fits; then one character a string (and the answer may be cut).
 */
export function localAnswerBounds(form: AnswerForm, maxOutputTokens: number): AnswerBounds {
  const all = candidates(form);
  for (const c of all) {
    const text = longestText(form, c.counts, c.maxText, maxOutputTokens);
    if (text >= c.minText) return { ...c.counts, text };
  }
  return { ...all.at(-1)!.counts, text: 1 };
}

const NAMES: Record<AnswerForm['kind'], string> = {
  findings: 'findings',
  edits: 'edits',
  list: 'ideas',
  summary: 'summaries',
  route: 'route',
};

/**
 * The JSON Schema of an answer in `form`: bounded to `maxOutputTokens` for a local model's grammar (`local`), the
 * contract as it is for a provider.
 */
export function answerSchema(
  form: AnswerForm,
  local: { maxOutputTokens: number } | null = null,
): { name: string; schema: Record<string, unknown> } {
  const bounds = local ? localAnswerBounds(form, local.maxOutputTokens) : null;
  return { name: NAMES[form.kind], schema: answerPiece(form, bounds).schema };
}
