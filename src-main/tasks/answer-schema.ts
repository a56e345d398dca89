// The JSON Schema of every structured answer a call asks for — a single run's findings, edits, ideas, summaries or
// route, and each call of a multi-part job (a part's answer with the story so far, a combine step's one summary) —
// built by one builder, bounded or not. A provider gets the contract as it is (answers.ts says what each field means
// and validates it). A local model answers under a grammar that cannot close the JSON once its output budget has run
// out, so its schema is bounded by one rule: the widest JSON the bounds admit, counted at what the answer may cost
// (AnswerCost), fits the budget. Counted at the worst any model can do (one token a byte), the JSON always closes
// whatever the model writes; every call that asks a local model (a single run, a job's part, a tournament's member:
// answer-limits.ts askLocal) counts it realistically, from the text the answer is written about.
import type { AnswerKind } from '../../src-preload/contract/tasks';
import { estimateTextTokens } from '../../src-preload/contract/tokens';
import { numberParagraphs } from './quotes';

/**
 * What a call answers: findings (with the story so far in a job's part), edits, ideas, chapter summaries (named by the
 * headings the part holds when they are known, with the story so far in a job's part; `every`: each of them in its
 * place, a whole passage's chapters), or a route.
 */
export type AnswerForm =
  | { kind: 'findings'; story: boolean }
  | { kind: 'edits' }
  | { kind: 'list' }
  | { kind: 'summary'; chapters: readonly string[] | null; story: boolean; every?: boolean }
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
 * A single run's answer form on a local model, whose grammar can hold the passage's own chapters: a summary names each
 * of them by its heading ("Untitled" for text before the first one) and gives every one its entry.
 */
export function localRunForm(
  kind: Exclude<AnswerKind, 'prose'>,
  taskIds: readonly string[],
  passage: string,
): AnswerForm {
  const form = runAnswerForm(kind, taskIds);
  if (form.kind !== 'summary') return form;
  const chapters = new Map<number, string>();
  for (const p of numberParagraphs(passage))
    if (!chapters.has(p.chapter)) chapters.set(p.chapter, p.chapter_title ?? 'Untitled');
  return { ...form, chapters: chapters.size > 0 ? [...chapters.values()] : ['Untitled'], every: true };
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
const constant = (value: string) => piece({ const: value }, value);
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
/** Exactly `items`, each in its place. */
function ordered(items: readonly Piece[]): Piece {
  return piece(
    { type: 'array', prefixItems: items.map((p) => p.schema), minItems: items.length, maxItems: items.length },
    items.map((p) => p.widest),
    items.reduce((n, p) => n + p.chars, 0),
    items.length === 0 ? 1 : items.reduce((n, p) => n + p.empty, 0),
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

/**
 * A finding's claim is one sentence, a quote's location a chapter and paragraph, its suggestion a sentence or two: they
 * need no more than these, and the rest goes to quotes (a sentence or two of the writer's text on each side).
 */
const CLAIM_CHARS = 160;
const LOCATION_CHARS = 32;
const SUGGESTION_CHARS = 120;
/** An edit's reason is one sentence; its original and revision get the rest. */
const REASON_CHARS = 120;
/** A chapter named by the model, an idea's title, what a route step is run on: a heading's length. */
const NAME_CHARS = 80;

/** The longest each string of an answer bounded by `b` may be, in characters (code points, as the grammar counts). */
export function fieldLimits(b: AnswerBounds) {
  return {
    text: b.text,
    claim: Math.min(b.text, CLAIM_CHARS),
    location: Math.min(b.text, LOCATION_CHARS),
    suggestion: Math.min(b.text, SUGGESTION_CHARS),
    reason: Math.min(b.text, REASON_CHARS),
    name: Math.min(b.text, NAME_CHARS),
  };
}

/** A chapter's heading as the model is told it and names it (without Markdown's "#"). */
export function plainTitle(title: string): string {
  return title.replace(/^#+\s*/, '').trim() || 'Untitled';
}

/** The answer of `form`, bounded by `b` (a local model's grammar) or not (null: a provider's JSON Schema). */
function answerPiece(form: AnswerForm, b: AnswerBounds | null): Piece {
  const l = b && fieldLimits(b);
  const t = l?.text;
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
          claim: text(l?.claim),
          evidence: array(object({ quote: text(t), location: nullableText(l?.location) }), b?.evidence, 1),
          severity,
          suggestion: nullableText(l?.suggestion),
        }),
        b?.items,
      );
      return form.story ? object({ findings, story: story() }) : object({ findings });
    }
    case 'edits':
      return object({
        edits: array(object({ original: text(t), revised: text(t), reason: text(l?.reason) }), b?.items),
      });
    case 'list':
      return object({ items: array(object({ title: text(l?.name), detail: text(t) }), b?.items, 1) });
    case 'summary': {
      // Bounded, a whole passage's chapters are each summarised in their place, named as the grammar writes them.
      if (b && form.chapters && form.every)
        return object({
          chapters: ordered(
            form.chapters.map((name) => object({ chapter: constant(plainTitle(name)), summary: text(t) })),
          ),
        });
      // Bounded, a part's chapter is named by one of the headings it may be (or "Untitled": one begun in an earlier
      // part); unbounded, the model names them.
      const names = form.chapters && [...new Set([...form.chapters.map(plainTitle), 'Untitled'])];
      const chapter = b && names ? oneOf(names) : text(l?.name);
      const chapters = array(object({ chapter, summary: text(t) }), b?.items, 1);
      return form.story ? object({ chapters, story: story() }) : object({ chapters });
    }
    case 'route':
      return object({
        steps: array(object({ task: oneOf(form.taskIds), target: text(l?.name), why: text(t) }), b?.items, 1),
      });
    default:
      return form satisfies never;
  }
}

/**
 * What a local model's answer costs in tokens: `count`, a text's tokens (the JSON around the strings); `perChar`, the
 * tokens one character of a string may take.
 */
export interface AnswerCost {
  count: (text: string) => number;
  perChar: number;
}

/**
 * The most any model's answer can cost: under the grammar every token carries at least one byte, and a string's
 * character is at most 4 bytes (its own UTF-8: the grammar allows no \uXXXX escape, local-generation.ts; \n and \" are
 * 2). The default where no text is measured: the JSON always closes whatever the model writes.
 */
export const WORST_CASE: AnswerCost = { count: (text) => Buffer.byteLength(text, 'utf8'), perChar: 4 };

/** What the answer is counted at above the estimate of the passage it is written about (see passageCost). */
const PASSAGE_MARGIN = 1.25;
/** The estimate's tokens per character of English prose: the least a claim or a suggestion is counted at. */
const PROSE_TOKENS_PER_CHAR = 0.35;
/** Stretches of the passage whose density is measured (the densest one counts). */
const DENSITY_WINDOW = 1000;

/**
 * An answer about `passage`, counted realistically: its quotes are the passage's own text and its claims are written in
 * the passage's language, so a string's character costs what one of the passage's densest stretch does (at least what
 * English prose does) by the character-class estimate (src-preload/contract/tokens.ts), with a margin; the JSON around
 * the strings is counted by the same estimate. The estimate is never below OpenAI's tokenizers and counts English
 * above the 32K-token SentencePiece vocabularies (Llama 2, Mistral: ~1.35x o200k, where it is ~1.6x), the least
 * efficient of local models'; with the margin a model writing denser text than the passage's (dialogue's quotation
 * marks, escaped newlines) still closes. A vocabulary that spends a token a character (no real model's) would not.
 */
export function passageCost(passage: string): AnswerCost {
  const chars = [...passage];
  let densest = PROSE_TOKENS_PER_CHAR;
  for (let at = 0; at < chars.length; at += DENSITY_WINDOW) {
    // The last stretch is a whole window too, reaching back: a few characters alone measure only their rounding.
    const window = chars.slice(Math.max(0, Math.min(at, chars.length - DENSITY_WINDOW)), at + DENSITY_WINDOW);
    densest = Math.max(densest, estimateTextTokens(window.join('')) / window.length);
  }
  return { count: estimateTextTokens, perChar: densest * PASSAGE_MARGIN };
}

/** The grammar's stop trigger (four newlines), generously. */
const STOP_TEXT = '\n'.repeat(16);
/** The grammar may pad an empty array as `[`, newline + indent, newline + indent, `]` where stringify writes `[]`. */
const EMPTY_ARRAY_PAD = `\n${' '.repeat(11)}\n${' '.repeat(11)}`;

/**
 * The tokens of the widest answer of `form` at these bounds, as `cost` counts them: JSON.stringify's 4-space layout
 * (the widest whitespace the grammar allows), every array full and every string at its longest.
 */
export function answerTokens(form: AnswerForm, b: AnswerBounds, cost: AnswerCost): number {
  const p = answerPiece(form, b);
  return (
    cost.count(JSON.stringify(p.widest, null, 4) + STOP_TEXT) +
    p.empty * cost.count(EMPTY_ARRAY_PAD) +
    Math.ceil(cost.perChar * p.chars)
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
      if (form.story) {
        // [findings, facts, timeline notes]: with a story to carry, its notes shrink before the findings do.
        const shapes: [number, number, number][] = [
          [3, 4, 2],
          [2, 2, 1],
          [1, 1, 1],
          [1, 0, 0],
        ];
        return [
          ...shapes.map(([items, facts, timeline]) => ({
            counts: { items, evidence: 2, facts, timeline },
            maxText: 160,
            minText: 24,
          })),
          { counts: { items: 0, evidence: 1, facts: 1, timeline: 0 }, maxText: 160, minText: 1 },
        ];
      }
      // A passage's findings: as many as can each quote a sentence on both sides of a contradiction (a claim and a
      // quote are each a sentence or two), then fewer with shorter strings, then none.
      return [
        ...[12, 8, 6, 4].map((items) => ({ counts: { ...none, items, evidence: 2 }, maxText: 240, minText: 160 })),
        ...[3, 2, 1].map((items) => ({ counts: { ...none, items, evidence: 2 }, maxText: 240, minText: 24 })),
        { counts: { ...none, items: 0, evidence: 1 }, maxText: 160, minText: 1 },
      ];
    }
    case 'edits':
      // An edit's original must hold the span it changes: more edits only when each can hold a sentence or two.
      return [
        ...[12, 10, 8, 6, 4, 3, 2].map((items) => ({ counts: { ...none, items }, maxText: 320, minText: 160 })),
        { counts: { ...none, items: 1 }, maxText: 320, minText: 1 },
      ];
    case 'list':
      // Ideas are worth a few sentences each (a brainstorm asks for five to ten); one at least (the contract's).
      return [
        ...[10, 8, 5, 3, 2].map((items) => ({ counts: { ...none, items }, maxText: 400, minText: 200 })),
        { counts: { ...none, items: 1 }, maxText: 400, minText: 1 },
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

/**
 * The longest strings (at most `max`) whose answer, as `cost` counts it, fits `budget` at these counts; 0 when not even
 * one does.
 */
function longestText(
  form: AnswerForm,
  counts: Omit<AnswerBounds, 'text'>,
  max: number,
  budget: number,
  cost: AnswerCost,
): number {
  let lo = 0;
  let hi = max;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (answerTokens(form, { ...counts, text: mid }, cost) <= budget) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/**
 * The most wanted shape whose strings can be long enough within `maxOutputTokens` as `cost` counts the answer, with
 * the longest strings that fit. Below the smallest answer's cost nothing fits; then one character a string (and the
 * answer may be cut).
 */
export function localAnswerBounds(form: AnswerForm, maxOutputTokens: number, cost = WORST_CASE): AnswerBounds {
  const all = candidates(form);
  for (const c of all) {
    const text = longestText(form, c.counts, c.maxText, maxOutputTokens, cost);
    if (text >= c.minText) return { ...c.counts, text };
  }
  return { ...all.at(-1)!.counts, text: 1 };
}

/**
 * The tokens of the least answer of `form` that reports a finding, as `cost` counts it: its smallest shape with one
 * (and its two quotes) at the shortest strings worth that shape. Below it a findings answer has room for none
 * (localAnswerBounds falls back to an empty list); 0 for the other forms, whose every shape holds an item.
 */
export function leastAnswerTokens(form: AnswerForm, cost = WORST_CASE): number {
  const shapes = candidates(form);
  if (shapes.at(-1)!.counts.items > 0) return 0;
  const least = shapes.filter((c) => c.counts.items > 0).at(-1)!;
  return answerTokens(form, { ...least.counts, text: least.minText }, cost);
}

const NAMES: Record<AnswerForm['kind'], string> = {
  findings: 'findings',
  edits: 'edits',
  list: 'ideas',
  summary: 'summaries',
  route: 'route',
};

/** The JSON Schema of an answer in `form`: bounded by `bounds` (a local model's grammar), or the contract as it is. */
export function boundedAnswerSchema(
  form: AnswerForm,
  bounds: AnswerBounds | null,
): { name: string; schema: Record<string, unknown> } {
  return { name: NAMES[form.kind], schema: answerPiece(form, bounds).schema };
}

/**
 * The JSON Schema of an answer in `form`: bounded to `maxOutputTokens` for a local model's grammar (`local`, counted at
 * `cost`, the worst case unless said), the contract as it is for a provider.
 */
export function answerSchema(
  form: AnswerForm,
  local: { maxOutputTokens: number; cost?: AnswerCost } | null = null,
): { name: string; schema: Record<string, unknown> } {
  return boundedAnswerSchema(form, local ? localAnswerBounds(form, local.maxOutputTokens, local.cost) : null);
}
