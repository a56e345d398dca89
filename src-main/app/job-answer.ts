// What one part of a multi-part run answers: the task's findings plus the story so far updated with this part. The
// zod schema reads it (the story leniently: a malformed story keeps the previous one, it never fails a part); the JSON
// Schema is what the provider is asked to follow. A local model's grammar gets the schema bounded so its JSON always
// closes within the part's output budget (every byte may be a token; a string character may be a 6-byte escape).
import { z } from 'zod';
import type { ModelSpec } from '../../src-preload/contract';
import type { StoryNote, StorySoFar } from '../manuscripts/job-types';
import { answerJsonSchema, editsAnswer, findingsAnswer, summaryAnswer } from '../tasks/answers';

const note = z.string().trim().min(1).max(1000);
const storySchema = z.object({
  characters: z.array(z.object({ name: z.string().trim().min(1).max(200), notes: z.array(note).max(50) })).max(100),
  facts: z.array(note).max(200),
  timeline: z.array(note).max(200),
});

export const partAnswer = findingsAnswer.extend({ story: storySchema.nullish().catch(null) });
export type PartAnswer = z.output<typeof partAnswer>;

/** The answer kinds a passage too long for the model is split for; any other kind is refused with the numbers. */
export type SplitKind = 'findings' | 'edits' | 'summary';
export const SPLIT_KINDS: ReadonlySet<string> = new Set<SplitKind>(['findings', 'edits', 'summary']);

/** An edit part answers edits only (no story: an edit needs none); a summary part also updates the story so far. */
export const editsPartAnswer = editsAnswer;
export const summaryPartAnswer = summaryAnswer.extend({ story: storySchema.nullish().catch(null) });

/** The zod reader of one part's answer for the task's kind. */
export function partReader(kind: SplitKind): z.ZodType<{ story?: PartAnswer['story'] } & Record<string, unknown>> {
  return kind === 'findings' ? partAnswer : kind === 'edits' ? editsPartAnswer : summaryPartAnswer;
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

interface Bounds {
  findings: number;
  evidence: number;
  facts: number;
  timeline: number;
  text: number;
}

const str = (maxLength?: number) => (maxLength === undefined ? { type: 'string' } : { type: 'string', maxLength });
const object = (properties: Record<string, unknown>) => ({
  type: 'object',
  properties,
  required: Object.keys(properties),
  additionalProperties: false,
});
const array = (items: unknown, maxItems?: number, minItems?: number) => ({
  type: 'array',
  items,
  ...(minItems !== undefined ? { minItems } : {}),
  ...(maxItems !== undefined ? { maxItems } : {}),
});

function schema(b: Bounds | null): Record<string, unknown> {
  const t = b?.text;
  return object({
    findings: array(
      object({
        claim: str(t),
        evidence: array(object({ quote: str(t), location: { type: ['string', 'null'] } }), b?.evidence, 1),
        severity: { type: 'string', enum: ['low', 'medium', 'high'] },
        suggestion: { type: ['string', 'null'] },
      }),
      b?.findings,
    ),
    story: object({
      characters: array(object({ name: str(t), notes: array(str(t), b ? 0 : undefined) }), b ? 0 : undefined),
      facts: array(str(t), b?.facts),
      timeline: array(str(t), b?.timeline),
    }),
  });
}

const WORST_BYTES_PER_CHAR = 6;
/** The grammar's stop trigger and its padding of empty arrays and nulls, generously. */
const SLACK_BYTES = 64;

/** Worst-case bytes of an answer at these bounds: the widest layout, every string full. */
function worstBytes(b: Bounds): number {
  const full = '';
  const finding = {
    claim: full,
    evidence: Array.from({ length: b.evidence }, () => ({ quote: full, location: null })),
    severity: 'medium',
    suggestion: null,
  };
  const shape = {
    findings: Array.from({ length: b.findings }, () => finding),
    story: {
      characters: [],
      facts: Array.from({ length: b.facts }, () => full),
      timeline: Array.from({ length: b.timeline }, () => full),
    },
  };
  const strings = b.findings * (1 + b.evidence) + b.facts + b.timeline;
  return JSON.stringify(shape, null, 4).length + SLACK_BYTES + WORST_BYTES_PER_CHAR * b.text * strings;
}

/** The largest bounds (fewest cuts first: text length, then counts) whose worst case fits `maxOutputTokens`. */
export function localPartBounds(maxOutputTokens: number): Bounds {
  const shapes: Omit<Bounds, 'text'>[] = [
    { findings: 3, evidence: 2, facts: 4, timeline: 2 },
    { findings: 2, evidence: 2, facts: 2, timeline: 1 },
    { findings: 1, evidence: 2, facts: 1, timeline: 1 },
    { findings: 1, evidence: 2, facts: 0, timeline: 0 },
    { findings: 0, evidence: 1, facts: 1, timeline: 0 },
  ];
  for (const shape of shapes)
    for (const text of [160, 120, 80, 48, 24]) {
      const bounds = { ...shape, text };
      if (worstBytes(bounds) <= maxOutputTokens) return bounds;
    }
  return { findings: 0, evidence: 1, facts: 0, timeline: 0, text: 1 };
}

/** The part's answer schema for this model: bounded for a local grammar, as it is for a provider. */
export function partJsonSchema(
  spec: ModelSpec,
  maxOutputTokens: number,
  kind: SplitKind = 'findings',
): { name: string; schema: Record<string, unknown> } {
  if (kind !== 'findings') {
    const task = answerJsonSchema(kind, [])!;
    if (kind === 'edits') return task;
    const story = (schema(null) as { properties: { story: unknown } }).properties.story;
    const properties = { ...(task.schema as { properties: Record<string, unknown> }).properties, story };
    return { name: task.name, schema: object(properties) };
  }
  return {
    name: 'findings',
    schema: schema(spec.provider === 'local' ? localPartBounds(maxOutputTokens) : null),
  };
}

/** One chapter's summary from one part: `chapter` is Quire's chapter number, null when the model's name matched none. */
export interface PartSummary {
  chapter: number | null;
  title: string;
  summary: string;
}

const titleKey = (title: string) =>
  title
    .replace(/^#+\s*/, '')
    .trim()
    .toLowerCase();

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

/** Every part's summaries in reading order, one entry per chapter: a chapter spread over parts has its pieces joined. */
export function mergeSummaries(parts: readonly PartSummary[][]): { chapter: string; summary: string }[] {
  const out: { chapter: string; summary: string; number: number | null }[] = [];
  for (const part of parts)
    for (const s of part) {
      const last = out.findLast((o) => s.chapter !== null && o.number === s.chapter);
      if (last) last.summary = `${last.summary} ${s.summary}`;
      else out.push({ chapter: s.title, summary: s.summary, number: s.chapter });
    }
  return out.map(({ chapter, summary }) => ({ chapter, summary }));
}
