// A validated answer turned into the run's structured answer: every finding's quotes located in the passage (a quote
// not in the writer's text is marked and lowers the finding's confidence), every edit anchored to an exact span of
// the passage (an edit whose original is not there is flagged and can never be applied).
import type { z } from 'zod';
import type {
  AnchoredEdit,
  AnswerKind,
  LocatedFinding,
  LocatedQuote,
  RunAnswer,
} from '../../src-preload/contract/tasks';
import type { editsAnswer, findingsAnswer, listAnswer, summaryAnswer } from './answers';
import { locationAt, numberParagraphs, QuoteLocator, type Paragraph, type TextRange } from './quotes';

/**
 * Lower case, letters and digits only: "Chapter 1: The Harbour" holds "the harbour". Accents composed (NFC) first: a
 * heading saved as "e" + U+0301 is the model's "é", and its mark is not a break between words.
 */
const plain = (text: string) =>
  text
    .normalize('NFC')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();

/**
 * The chapters a summary must name, by their headings (`titles`), and whether text comes before the first of them
 * (`opening`): a chapter of its own, which the summary's first entry may name anything ("Untitled").
 */
export interface ChaptersToName {
  titles: readonly string[];
  opening: boolean;
}

/**
 * What a chapter summary got wrong about the passage's chapters: a chapter it names that is not there, one it leaves
 * out. With none to name (a passage without headings is one chapter), any name may summarise it. A single run and a
 * run in parts are checked here alike.
 */
export function chapterNotices(
  chapters: readonly { chapter: string }[],
  { titles, opening }: ChaptersToName,
): string[] {
  if (titles.length === 0) return [];
  const named = chapters.map((c) => plain(c.chapter));
  // Whole words only: "Chapter 1: The Harbour" holds "the harbour", but "Chapter 99" is not chapter 9.
  const holds = (longer: string, shorter: string) => ` ${longer} `.includes(` ${shorter} `);
  const matches = (name: string, title: string) => holds(name, plain(title)) || holds(plain(title), name);
  const invented = chapters.filter(
    (_, i) => !(opening && i === 0) && !titles.some((t) => named[i] && matches(named[i]!, t)),
  );
  const missing = titles.filter((t) => !named.some((name) => name && matches(name, t)));
  return [
    ...invented.map((c) => `The summary names a chapter that is not in your text: “${c.chapter}”.`),
    ...missing.map((t) => `The summary leaves out a chapter of your text: “${t}”.`),
  ];
}

/** A passage's chapters that a heading opens, in order, and whether text comes before the first. */
function headedChapters(passage: string): ChaptersToName {
  const titles = new Map<number, string>();
  let opening = false;
  for (const p of numberParagraphs(passage))
    if (p.chapter_title) titles.set(p.chapter, p.chapter_title);
    else opening = true;
  return { titles: [...titles.values()], opening };
}

/** Confidence lost per quote not found, in proportion to the finding's quotes; a tolerant match costs a little. */
const TOLERANT_PENALTY = 0.05;

export function buildAnswer(kind: AnswerKind, value: unknown, passage: string): RunAnswer {
  switch (kind) {
    case 'findings':
      return { kind, findings: locateFindings(value as z.output<typeof findingsAnswer>, passage) };
    case 'edits':
      return { kind, edits: anchorEdits(value as z.output<typeof editsAnswer>, passage) };
    case 'list':
      return { kind, items: (value as z.output<typeof listAnswer>).items };
    case 'summary': {
      const chapters = (value as z.output<typeof summaryAnswer>).chapters;
      const notices = chapterNotices(chapters, headedChapters(passage));
      return { kind, chapters, ...(notices.length > 0 ? { notices } : {}) };
    }
    case 'route':
      return { kind, steps: (value as { steps: { task: string; target: string; why: string }[] }).steps };
    case 'prose':
      return { kind, text: String(value) };
    default:
      return kind satisfies never;
  }
}

/**
 * `passage`: the text, or a QuoteLocator already made for it (its folding is shared with the caller's other quotes).
 * `paragraphs`: the passage's numbering (a caller that locates in its own structure passes none).
 */
export function locateFindings(
  answer: z.output<typeof findingsAnswer>,
  passage: string | QuoteLocator,
  paragraphs?: readonly Paragraph[],
): LocatedFinding[] {
  const locator = typeof passage === 'string' ? new QuoteLocator(passage) : passage;
  const numbering = paragraphs ?? numberParagraphs(locator.text);
  return answer.findings.map((finding) => {
    const evidence = finding.evidence.map((e) => ({
      ...locator.locate(e.quote, numbering),
      claimed_location: e.location ?? null,
    }));
    return {
      claim: finding.claim,
      severity: finding.severity,
      suggestion: finding.suggestion ?? null,
      evidence,
      confidence: findingConfidence(evidence),
    };
  });
}

/** A finding's confidence from how its quotes were found: lowered for each one not in the text, a little if tolerant. */
export function findingConfidence(evidence: readonly Pick<LocatedQuote, 'match'>[]): number {
  const missing = evidence.filter((e) => e.match === 'not_found').length;
  const tolerant = evidence.filter((e) => e.match === 'tolerant').length;
  const confidence = Math.max(0, 1 - missing / evidence.length - tolerant * TOLERANT_PENALTY);
  return Math.round(confidence * 100) / 100;
}

/**
 * Each edit's `original` must be an exact span of the passage. One that is there once is anchored there. One that is
 * there more than once is placed by reading order (edits come in it): after the edit before it and before the edit
 * after it. When that leaves one place, it is anchored there; when it leaves several, or none (the edits are out of
 * order), it is flagged as ambiguous and never applied: changing one place at a guess could rewrite the wrong sentence.
 * Not found, or overlapping an edit already anchored: flagged too.
 * `within`: only the span [start, end) of the passage is searched (one part of a longer one), offsets and locations
 * still in the whole passage; `paragraphs`: the passage's numbering when the caller has it.
 */
export function anchorEdits(
  answer: z.output<typeof editsAnswer>,
  passage: string,
  within: { start: number; end: number } = { start: 0, end: passage.length },
  paragraphs: readonly Paragraph[] = numberParagraphs(passage),
): AnchoredEdit[] {
  const edits = answer.edits.map((e) => inPassageForm(e, passage, within));
  const places = edits.map((e) => countIn(passage, e.original, within));
  const only = edits.map((e, i) => (places[i] === 1 ? passage.indexOf(e.original, within.start) : null));
  // The earliest place each repeated original can be in reading order (first at or after the previous edit's end)
  // and the latest (last ending at or before the next edit's start); where they meet, it can only be there.
  const earliest: (number | null)[] = [];
  let cursor = within.start;
  edits.forEach((e, i) => {
    const at = only[i] ?? (places[i]! > 1 ? firstFrom(passage, e.original, cursor, within.end) : null);
    earliest[i] = at;
    if (at !== null) cursor = at + e.original.length;
  });
  const latest: (number | null)[] = [];
  let limit = within.end;
  for (let i = edits.length - 1; i >= 0; i--) {
    const original = edits[i]!.original;
    const at = only[i] ?? (places[i]! > 1 ? lastBefore(passage, original, limit, within.start) : null);
    latest[i] = at;
    if (at !== null) limit = at;
  }
  const taken: { start: number; end: number }[] = [];
  const part = within.start > 0 || within.end < passage.length;
  return edits.map((edit, i) => {
    if (places[i] === 0) {
      return { ...edit, start: null, end: null, location: null, problem: `The original is ${NOT_IN_TEXT}` };
    }
    const start = earliest[i] !== null && earliest[i] === latest[i] ? earliest[i]! : null;
    if (start === null) {
      const where = part ? 'this part of your text' : 'your text';
      const problem =
        `${quoted(edit.original)} appears in ${places[i]} places in ${where} and Quire cannot tell which one this ` +
        'edit is for; make this change by hand';
      return { ...edit, start: null, end: null, location: null, problem };
    }
    const end = start + edit.original.length;
    if (taken.some((t) => start < t.end && t.start < end)) {
      return {
        ...edit,
        start,
        end,
        location: locationAt(paragraphs, start),
        problem: 'It overlaps another edit; apply that one first',
      };
    }
    taken.push({ start, end });
    return { ...edit, start, end, location: locationAt(paragraphs, start), problem: null };
  });
}

/**
 * An edit whose original is not in the passage as the model wrote it, but is with its accents composed the passage's
 * way (some Mac tools save "é" as "e" + U+0301, NFD; models write one "é", NFC): the edit in the passage's form, so it
 * is anchored and applied in it. Otherwise the edit as it is.
 */
function inPassageForm<E extends { original: string; revised: string }>(
  edit: E,
  passage: string,
  within: TextRange,
): E {
  if (firstFrom(passage, edit.original, within.start, within.end) !== null) return edit;
  for (const form of ['NFD', 'NFC'] as const) {
    const original = edit.original.normalize(form);
    if (original !== edit.original && firstFrom(passage, original, within.start, within.end) !== null)
      return { ...edit, original, revised: edit.revised.normalize(form) };
  }
  return edit;
}

/** How many places of [start, end) hold `original` (overlapping ones each count: each could be the one meant). */
function countIn(passage: string, original: string, { start, end }: { start: number; end: number }): number {
  let count = 0;
  for (let at = firstFrom(passage, original, start, end); at !== null; at = firstFrom(passage, original, at + 1, end))
    count++;
  return count;
}

/** The first place of `original` at or after `from` that ends by `end`. */
function firstFrom(passage: string, original: string, from: number, end: number): number | null {
  const at = passage.indexOf(original, from);
  return at >= 0 && at + original.length <= end ? at : null;
}

/** The last place of `original` that ends by `limit` and begins at or after `start`. */
function lastBefore(passage: string, original: string, limit: number, start: number): number | null {
  const from = limit - original.length;
  if (from < start) return null;
  const at = passage.lastIndexOf(original, from);
  return at >= start ? at : null;
}

/** An original as the writer would recognise it in a sentence: quoted, and cut short when long. */
function quoted(original: string): string {
  const line = original.replace(/\s+/g, ' ').trim();
  return `“${line.length > QUOTED_CHARS ? `${line.slice(0, QUOTED_CHARS - 1).trimEnd()}…` : line}”`;
}

const QUOTED_CHARS = 60;

const NOT_IN_TEXT = 'not found in your text';
