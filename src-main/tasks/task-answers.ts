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
import { locationOf, numberParagraphs, paragraphAt, QuoteLocator, type Paragraph } from './quotes';

/** Lower case, letters and digits only: "Chapter 1: The Harbour" holds "the harbour". */
const plain = (text: string) =>
  text
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();

/**
 * What a chapter summary got wrong about the passage's chapters (its headings): a chapter it names that is not there,
 * one it leaves out. A passage without headings is one chapter, which any name may summarise.
 */
function chapterNotices(chapters: readonly { chapter: string }[], passage: string): string[] {
  const titles = new Map<number, string>();
  for (const p of numberParagraphs(passage)) if (p.chapter_title) titles.set(p.chapter, p.chapter_title);
  if (titles.size === 0) return [];
  const named = chapters.map((c) => plain(c.chapter));
  const matches = (name: string, title: string) => name.includes(plain(title)) || plain(title).includes(name);
  const invented = chapters.filter((_, i) => ![...titles.values()].some((t) => named[i] && matches(named[i]!, t)));
  const missing = [...titles.values()].filter((t) => !named.some((name) => name && matches(name, t)));
  return [
    ...invented.map((c) => `The summary names a chapter that is not in your text: “${c.chapter}”.`),
    ...missing.map((t) => `The summary leaves out a chapter of your text: “${t}”.`),
  ];
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
      const notices = chapterNotices(chapters, passage);
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
 * Each edit's `original` must be an exact span of the passage: the first occurrence at or after the previous edit's
 * end (edits come in reading order), else anywhere. Not found, or overlapping an edit already anchored: flagged.
 * `within`: only the span [start, end) of the passage is searched (one part of a longer one), offsets and locations
 * still in the whole passage; `paragraphs`: the passage's numbering when the caller has it.
 */
export function anchorEdits(
  answer: z.output<typeof editsAnswer>,
  passage: string,
  within: { start: number; end: number } = { start: 0, end: passage.length },
  paragraphs: readonly Paragraph[] = numberParagraphs(passage),
): AnchoredEdit[] {
  const taken: { start: number; end: number }[] = [];
  const find = (original: string, from: number) => {
    const at = passage.indexOf(original, from);
    return at >= 0 && at + original.length <= within.end ? at : -1;
  };
  let cursor = within.start;
  return answer.edits.map((edit) => {
    let start = find(edit.original, cursor);
    if (start < 0) start = find(edit.original, within.start);
    if (start < 0) {
      return { ...edit, start: null, end: null, location: null, problem: `The original is ${NOT_IN_TEXT}` };
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
    cursor = end;
    return { ...edit, start, end, location: locationAt(paragraphs, start), problem: null };
  });
}

const NOT_IN_TEXT = 'not found in your text';

function locationAt(paragraphs: readonly Paragraph[], at: number) {
  const p = paragraphAt(paragraphs, at);
  return p ? locationOf(p) : null;
}
