// What each call of a multi-part run answers: a part's findings, edits or chapter summaries (findings and summaries
// with the story so far updated with this part), or a combine step's one chapter summary. The zod schema reads it (the
// story leniently: a malformed story keeps the previous one, it never fails a part); the JSON Schema is what the
// provider is asked to follow. For a local model's grammar every form's schema is bounded by one rule so its JSON
// always closes within the call's output budget (every byte may be a token; a string character a 6-byte escape).
import { z } from 'zod';
import type { ModelSpec } from '../../src-preload/contract';
import type { StoryNote, StorySoFar } from '../manuscripts/job-types';
import { editsAnswer, findingsAnswer, summaryAnswer } from '../tasks/answers';

const note = z.string().trim().min(1).max(1000);
const storySchema = z.object({
  characters: z.array(z.object({ name: z.string().trim().min(1).max(200), notes: z.array(note).max(50) })).max(100),
  facts: z.array(note).max(200),
  timeline: z.array(note).max(200),
});

const partAnswer = findingsAnswer.extend({ story: storySchema.nullish().catch(null) });
export type PartAnswer = z.output<typeof partAnswer>;

/** The answer kinds a passage too long for the model is split for; any other kind is refused with the numbers. */
export type SplitKind = 'findings' | 'edits' | 'summary';
export const SPLIT_KINDS: ReadonlySet<string> = new Set<SplitKind>(['findings', 'edits', 'summary']);

/** An edit part answers edits only (no story: an edit needs none); a summary part also updates the story so far. */
const summaryPartAnswer = summaryAnswer.extend({ story: storySchema.nullish().catch(null) });

/** The zod reader of one part's answer for the task's kind. */
export function partReader(kind: SplitKind): z.ZodType<{ story?: PartAnswer['story'] } & Record<string, unknown>> {
  return kind === 'findings' ? partAnswer : kind === 'edits' ? editsAnswer : summaryPartAnswer;
}

/** The model's updated story, or the one it was given when it sent none. Notes carry no location of the model's. */
export function storyFromAnswer(answer: PartAnswer['story'], previous: StorySoFar): StorySoFar {
  if (!answer) return previous;
  const notes = (texts: string[]): StoryNote[] => texts.map((text) => ({ text, location: null }));
  const story: StorySoFar = {
    characters: answer.characters.map((c) => ({ name: c.name, notes: notes(c.notes) })),
    facts: notes(answer.facts),
    timeline: notes(answer.timeline),
    omitted: previous.omitted,
  };
  const empty = story.characters.length + story.facts.length + story.timeline.length === 0;
  return empty ? previous : story;
}

/**
 * How much a local model's answer may hold, so its grammar closes the JSON within the output budget: `items` findings,
 * edits or chapters, `evidence` quotes a finding, `facts` and `timeline` notes of the story, `text` characters a
 * string.
 */
interface PartBounds {
  items: number;
  evidence: number;
  facts: number;
  timeline: number;
  text: number;
}

/**
 * What a call of a job answers: a part's findings (with the story so far), its edits, its chapters' summaries (one for
 * each chapter it holds, named by its heading, with the story so far), or one chapter's summary combined from its
 * parts' (no story).
 */
export type PartForm =
  { kind: 'findings' } | { kind: 'edits' } | { kind: 'summary'; chapters: readonly string[]; story: boolean };

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
const cap = (t: number | undefined, most: number) => (t === undefined ? undefined : Math.min(t, most));

/** The answer of `form`, bounded by `b` (a local model's grammar) or not (null: a provider's JSON Schema). */
function answerPiece(form: PartForm, b: PartBounds | null): Piece {
  const t = b?.text;
  const story = () =>
    object({
      characters: array(object({ name: text(t), notes: array(text(t), b ? 0 : undefined) }), b ? 0 : undefined),
      facts: array(text(t), b?.facts),
      timeline: array(text(t), b?.timeline),
    });
  switch (form.kind) {
    case 'findings':
      return object({
        findings: array(
          object({
            claim: text(t),
            evidence: array(object({ quote: text(t), location: nullableText(cap(t, LOCATION_CHARS)) }), b?.evidence, 1),
            severity,
            suggestion: nullableText(cap(t, SUGGESTION_CHARS)),
          }),
          b?.items,
        ),
        story: story(),
      });
    case 'edits':
      return object({
        edits: array(object({ original: text(t), revised: text(t), reason: text(cap(t, REASON_CHARS)) }), b?.items),
      });
    case 'summary': {
      // Bounded, a chapter is named by one of the headings it may be (or "Untitled": one begun in an earlier part).
      const names = [...new Set([...form.chapters.map(plainTitle), 'Untitled'])];
      const chapter = b ? oneOf(names) : text(undefined);
      const chapters = array(object({ chapter, summary: text(t) }), b?.items, 1);
      return form.story ? object({ chapters, story: story() }) : object({ chapters });
    }
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
export function worstAnswerBytes(form: PartForm, b: PartBounds): number {
  const p = answerPiece(form, b);
  return (
    JSON.stringify(p.widest, null, 4).length + STOP_BYTES + EMPTY_ARRAY_SLACK * p.empty + WORST_BYTES_PER_CHAR * p.chars
  );
}

/** A shape a local model's answer of some form is tried at: its counts, and how long its strings may and must be. */
interface Candidate {
  counts: Omit<PartBounds, 'text'>;
  /** The longest a string is wanted. */
  maxText: number;
  /** Below this a string is too short to be worth the shape: the next (smaller) shape is tried. */
  minText: number;
}

/** The shapes a local model's answer of `form` is tried at, most wanted first; the last takes any length. */
function candidates(form: PartForm): Candidate[] {
  const none = { evidence: 0, facts: 0, timeline: 0 };
  switch (form.kind) {
    case 'findings':
      return [
        { counts: { items: 3, evidence: 2, facts: 4, timeline: 2 }, maxText: 160, minText: 24 },
        { counts: { items: 2, evidence: 2, facts: 2, timeline: 1 }, maxText: 160, minText: 24 },
        { counts: { items: 1, evidence: 2, facts: 1, timeline: 1 }, maxText: 160, minText: 24 },
        { counts: { items: 1, evidence: 2, facts: 0, timeline: 0 }, maxText: 160, minText: 24 },
        { counts: { items: 0, evidence: 1, facts: 1, timeline: 0 }, maxText: 160, minText: 1 },
      ];
    case 'edits':
      // An edit's original must hold the span it changes: more edits only when each can hold a sentence.
      return [
        ...[6, 4, 3, 2].map((items) => ({ counts: { ...none, items }, maxText: 240, minText: 120 })),
        { counts: { ...none, items: 1 }, maxText: 240, minText: 1 },
      ];
    case 'summary': {
      // Every chapter the part holds gets its summary; the story's notes only when the summaries stay long.
      const items = Math.max(1, form.chapters.length);
      const stories = form.story
        ? [
            { facts: 4, timeline: 2, minText: 240 },
            { facts: 2, timeline: 1, minText: 160 },
            { facts: 1, timeline: 0, minText: 120 },
          ]
        : [];
      return [
        ...stories.map(({ minText, ...story }) => ({
          counts: { items, evidence: 0, ...story },
          maxText: 600,
          minText,
        })),
        { counts: { items, evidence: 0, facts: 0, timeline: 0 }, maxText: 600, minText: 1 },
      ];
    }
    default:
      return form satisfies never;
  }
}

/** The longest strings (at most `max`) whose worst case fits `budget` at these counts; 0 when not even one does. */
function longestText(form: PartForm, counts: Omit<PartBounds, 'text'>, max: number, budget: number): number {
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
export function localPartBounds(form: PartForm, maxOutputTokens: number): PartBounds {
  const all = candidates(form);
  for (const c of all) {
    const text = longestText(form, c.counts, c.maxText, maxOutputTokens);
    if (text >= c.minText) return { ...c.counts, text };
  }
  return { ...all.at(-1)!.counts, text: 1 };
}

/** The JSON Schema of a call's answer for this model: bounded for a local model's grammar, as it is for a provider. */
export function partJsonSchema(
  spec: ModelSpec,
  maxOutputTokens: number,
  form: PartForm,
): { name: string; schema: Record<string, unknown> } {
  const bounds = spec.provider === 'local' ? localPartBounds(form, maxOutputTokens) : null;
  const name = form.kind === 'summary' ? 'summaries' : form.kind;
  return { name, schema: answerPiece(form, bounds).schema };
}

/** One chapter's summary from one part: `chapter` is Quire's chapter number, null when the model's name matched none. */
export interface PartSummary {
  chapter: number | null;
  title: string;
  summary: string;
}

/** A chapter's heading as the model is told it and names it (without Markdown's "#"). */
export function plainTitle(title: string): string {
  return title.replace(/^#+\s*/, '').trim() || 'Untitled';
}

const titleKey = (title: string) => plainTitle(title).toLowerCase();

/**
 * A part's summaries tied to the chapters it holds (by heading, as written): an entry whose name matches none of them
 * is the chapter the part begins inside (its heading was in an earlier part) when the part begins inside one and that
 * chapter has no entry yet; otherwise it is kept under the model's name. Nothing the model wrote is dropped.
 */
export function partSummaries(
  entries: readonly { chapter: string; summary: string }[],
  chapters: readonly { number: number; title: string }[],
  continued: number | null,
): PartSummary[] {
  const used = new Set<number>();
  const matched = entries.map((e) => {
    const hit = chapters.find((c) => !used.has(c.number) && titleKey(c.title) === titleKey(e.chapter));
    if (hit) used.add(hit.number);
    return hit;
  });
  return entries.map((e, i) => {
    let chapter = matched[i];
    if (!chapter && continued !== null && !used.has(continued)) {
      chapter = chapters.find((c) => c.number === continued);
      if (chapter) used.add(chapter.number);
    }
    return chapter
      ? { chapter: chapter.number, title: chapter.title, summary: e.summary }
      : { chapter: null, title: e.chapter, summary: e.summary };
  });
}

/**
 * Every part's summaries in reading order, one entry per chapter: a chapter spread over parts takes its summary
 * combined from their pieces (`combined`, by chapter number). Were a chapter in several parts without one, its pieces
 * would be joined in order: nothing a model wrote is dropped.
 */
export function mergeSummaries(
  parts: readonly PartSummary[][],
  combined: ReadonlyMap<number, string> = new Map(),
): { chapter: string; summary: string }[] {
  const out: { chapter: string; summary: string; number: number | null }[] = [];
  for (const part of parts)
    for (const s of part) {
      const last = out.findLast((o) => s.chapter !== null && o.number === s.chapter);
      if (last && combined.has(s.chapter!)) continue;
      if (last) last.summary = `${last.summary} ${s.summary}`;
      else
        out.push({
          chapter: s.title,
          summary: (s.chapter !== null && combined.get(s.chapter)) || s.summary,
          number: s.chapter,
        });
    }
  return out.map(({ chapter, summary }) => ({ chapter, summary }));
}
