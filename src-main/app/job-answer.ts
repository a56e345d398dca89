// What each call of a multi-part run answers: a part's findings, edits or chapter summaries (findings and summaries
// with the story so far updated with this part), or a combine step's one chapter summary. The zod schema reads it (the
// story leniently: a malformed story keeps the previous one, it never fails a part); the JSON Schema is what the
// provider is asked to follow, bounded for a local model's grammar as a single run's is (tasks/answer-limits.ts), and
// what reaching those bounds means is said on the run's answer, each notice once for the calls that gave it.
import { z } from 'zod';
import type { ModelSpec } from '../../src-preload/contract';
import type { PartNotices, StoryNote, StorySoFar } from '../manuscripts/job-types';
import type { DocumentStructure } from '../manuscripts/structure';
import type { GenerateRequest } from '../providers/spec';
import { askLocal, type BoundedForm } from '../tasks/answer-limits';
import { answerSchema, plainTitle, type AnswerForm } from '../tasks/answer-schema';
import { editsAnswer, findingsAnswer, summaryAnswer } from '../tasks/answers';
import type { ChaptersToName } from '../tasks/task-answers';
import { joinAnd } from '../../src-preload/contract/list-text';

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

const PART_READERS = { findings: partAnswer, edits: editsAnswer, summary: summaryPartAnswer };

/** What one part's answer reads as, for each kind. */
export type PartValue = { [K in SplitKind]: z.output<(typeof PART_READERS)[K]> };

/** The zod reader of one part's answer for the task's kind. */
export function partReader<K extends SplitKind>(kind: K): z.ZodType<PartValue[K]> {
  // The table's entry for K is the reader of PartValue[K]; TypeScript cannot follow a generic index through zod's types.
  return PART_READERS[kind] as unknown as z.ZodType<PartValue[K]>;
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

/** What a call of a job answers: a part's findings or chapter summaries with the story so far, its edits, or one
 * chapter's summary combined from its parts' (no story). */
export type PartForm = Extract<AnswerForm, { kind: SplitKind }>;

/** The JSON Schema of a call's answer as a provider is asked it: the contract as it is. */
export function partJsonSchema(form: PartForm): { name: string; schema: Record<string, unknown> } {
  return answerSchema(form);
}

/**
 * A call's request as `spec` is asked it: as it is for a provider; on a local model, bounded and told its limits as a
 * single run's is (askLocal), counted on the text its answer is about (its user message: a part's text with the story
 * so far, or a combine step's summaries) and within the answer the job's plan left it room for (every part's request
 * and a combine step's summaries are sized by it) in the model's usable `context`; `chosen`, the answer length the
 * writer chose, when they did. `bounded` is null for a provider.
 */
export function partRequest(
  spec: ModelSpec,
  request: GenerateRequest,
  form: PartForm,
  room: { context: number; chosen: number | null },
): { request: GenerateRequest; bounded: BoundedForm | null } {
  if (spec.provider !== 'local') return { request, bounded: null };
  const about = request.messages
    .filter((m) => m.role === 'user')
    .map((m) => m.content)
    .join('\n\n');
  return askLocal(request, form, about, { ...room, whole: false });
}

/**
 * What the writer reads on the run of the calls' notices: each said once, led by the calls that gave it ("Parts 2–4
 * and 7 of 9: …"), numbered as the run's progress numbers them (`of`: its parts and the steps after them).
 */
export function jobNotices(calls: readonly PartNotices[], of: number): string[] {
  const by = new Map<string, number[]>();
  for (const call of calls)
    for (const notice of call.notices) by.set(notice, [...(by.get(notice) ?? []), call.index + 1]);
  return [...by].map(
    ([notice, numbers]) => `${numbers.length === 1 ? 'Part' : 'Parts'} ${spans(numbers)} of ${of}: ${notice}`,
  );
}

/** Ascending call numbers as the writer reads them: runs of three or more as ranges ("1–3, 5 and 7"). */
function spans(numbers: readonly number[]): string {
  const out: string[] = [];
  for (let i = 0; i < numbers.length;) {
    let j = i;
    while (j + 1 < numbers.length && numbers[j + 1] === numbers[j]! + 1) j++;
    if (j - i >= 2) out.push(`${numbers[i]}–${numbers[j]}`);
    else out.push(...numbers.slice(i, j + 1).map(String));
    i = j + 1;
  }
  return joinAnd(out);
}

/** One chapter's summary from one part: `chapter` is Quire's chapter number, null when the model's name matched none. */
export interface PartSummary {
  chapter: number | null;
  title: string;
  summary: string;
}

/** A chapter's name to match by: accents composed (a heading saved as "e" + U+0301 is a model's "é"), lower case. */
const titleKey = (title: string) => plainTitle(title).normalize('NFC').toLowerCase();

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

/**
 * The chapters a summary run in parts must name, checked as a single run's are (chapterNotices): each one a heading or
 * a folder's file opens that the parts which answered reached (they read the text up to `readTo`) and that has prose
 * in it. Text before the first heading, or the one chapter of a text without any, may be named anything.
 */
export function namedChapters(structure: DocumentStructure, readTo: number): ChaptersToName {
  const { chapters, blocks } = structure;
  if (chapters.length === 1 && blocks[chapters[0]!.firstBlock]?.kind !== 'heading')
    return { titles: [], opening: true };
  // A chapter with no prose (a chapter file not written yet) has nothing to summarise.
  const titles = chapters.filter((c) => c.number > 0 && c.start < readTo && c.paragraphCount > 0).map((c) => c.title);
  return { titles, opening: chapters[0]?.number === 0 };
}
