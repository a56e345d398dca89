// Quire's own numbering of a passage, and finding a model's quotes in it. Pure functions, no I/O: the manuscript
// splitter reuses them.
//
//   const paragraphs = numberParagraphs(text);          // once per text
//   const locator = new QuoteLocator(text);              // once per text
//   const hit = locator.locate(quote, paragraphs);      // per quote
//   hit.match: 'exact' | 'tolerant' | 'not_found'; hit.start/end: offsets in `text`; hit.location: chapter/paragraph
//
// The numbering is the manuscript structure's (manuscripts/structure.ts), the one for the whole app: a single run, a
// run in parts and the library place a quote at the same chapter and paragraph. Chapters start at headings (Markdown
// ones of the chapter level, "Chapter 12" / "CHAPTER TWELVE: The Storm" / "Prologue" lines); text before the first is
// chapter 0, a text without any is chapter 1. Prose paragraphs are separated by blank lines and numbered from 1 within
// their chapter; a heading is paragraph 0 of its chapter, and scene breaks ("* * *") are not numbered. Chapter numbers
// are Quire's order of appearance, not the number written in the heading: an excerpt starting at "Chapter 12" is
// chapter 1 here, and its label shows the heading.
import type { LocatedQuote, TextLocation } from '../../src-preload/contract/tasks';
import { QuoteFinder } from '../../src-preload/contract/quote-find';
import { parseStructure, type DocumentStructure } from '../manuscripts/structure';

export type { QuoteSpan, TextRange } from '../../src-preload/contract/quote-find';

export interface Paragraph {
  /** Quire's chapter number (0 before the first heading). */
  chapter: number;
  /** The chapter's heading (or chapter file's title); null when the text names no chapter there. */
  chapter_title: string | null;
  /** 1-based within the chapter; 0 for a heading. */
  paragraph: number;
  /** UTF-16 offsets of the paragraph's text (without the blank lines around it). */
  start: number;
  end: number;
}

/** Splits a text into numbered paragraphs (see the module comment for the rules). */
export function numberParagraphs(text: string): Paragraph[] {
  return paragraphsOf(parseStructure(text));
}

/** A structure's headings and prose paragraphs as numbered paragraphs, in order (scene breaks are none). */
export function paragraphsOf({ chapters, blocks }: DocumentStructure): Paragraph[] {
  const titles = new Map(chapters.map((c) => [c.number, c.named ? c.title : null]));
  const paragraphs: Paragraph[] = [];
  for (const block of blocks) {
    if (block.kind === 'break') continue;
    paragraphs.push({
      chapter: block.chapter,
      chapter_title: titles.get(block.chapter) ?? null,
      paragraph: block.paragraph ?? 0,
      start: block.start,
      end: block.end,
    });
  }
  return paragraphs;
}

/** "Chapter 12: The Storm, paragraph 4" / "paragraph 2" / "Chapter 12: The Storm (heading)". */
export function locationOf(paragraph: Paragraph): TextLocation {
  const where = paragraph.paragraph === 0 ? 'heading' : `paragraph ${paragraph.paragraph}`;
  const label = paragraph.chapter_title
    ? paragraph.paragraph === 0
      ? `${paragraph.chapter_title} (heading)`
      : `${paragraph.chapter_title}, ${where}`
    : where;
  return {
    chapter: paragraph.chapter,
    chapter_title: paragraph.chapter_title,
    paragraph: paragraph.paragraph,
    label,
  };
}

/**
 * Where offset `at` is, as the writer reads it (locationOf the paragraph holding it): the one label for a quote or an
 * edit, whether a single run or a run in parts found it.
 */
export function locationAt(paragraphs: readonly Paragraph[], at: number): TextLocation | null {
  const paragraph = paragraphAt(paragraphs, at);
  return paragraph ? locationOf(paragraph) : null;
}

/** The paragraph holding offset `at` (the nearest one before it when `at` falls between paragraphs). */
export function paragraphAt<P extends { start: number }>(paragraphs: readonly P[], at: number): P | undefined {
  let lo = 0;
  let hi = paragraphs.length - 1;
  let found: P | undefined;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (paragraphs[mid]!.start <= at) {
      found = paragraphs[mid];
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found ?? paragraphs[0];
}

/**
 * Finds quotes in one text (QuoteFinder: exactly, then tolerantly) and places them in Quire's numbering: make one per
 * text and reuse it for every quote of a run or a job.
 *
 *   const locator = new QuoteLocator(text);
 *   locator.locate(quote, paragraphs);   // per quote
 */
export class QuoteLocator extends QuoteFinder {
  /** `find` with Quire's location of the quote (from `paragraphs`, made by numberParagraphs(text)). */
  locate(quote: string, paragraphs: readonly Paragraph[]): Omit<LocatedQuote, 'claimed_location'> {
    const span = this.find(quote);
    if (span.match === 'not_found') return { quote, ...span, location: null };
    return { quote, ...span, location: locationAt(paragraphs, span.start) };
  }
}

/**
 * Finds `quote` in `text` (see QuoteLocator; for several quotes in one text, make one QuoteLocator and reuse it). The
 * location is Quire's own (from `paragraphs`, made by numberParagraphs(text)).
 */
export function locateQuote(
  text: string,
  paragraphs: readonly Paragraph[],
  quote: string,
): Omit<LocatedQuote, 'claimed_location'> {
  return new QuoteLocator(text).locate(quote, paragraphs);
}

/**
 * The share of an answer's evidence quotes found in `text` by the same QuoteLocator that places them for the writer
 * (exact, then tolerant), or null when the answer quoted nothing (a plain text answer, or findings without quotes): a
 * run's confidence reads it, so a quote the Workbench shows as "not found in your text" is the one it counts so.
 * Reads any JSON answer with a `findings` array: the task library's `{ evidence: [{ quote }] }` (every quote, a
 * contradiction's two places included), or one `{ evidence_quote }` (the tournaments' former shape, which a
 * caller's own JSON schema may still ask for).
 */
export function quoteShare(json: unknown, text: string): number | null {
  const findings = (json as { findings?: unknown } | null | undefined)?.findings;
  if (!Array.isArray(findings)) return null;
  const quotes = findings
    .flatMap((f) => {
      const finding = f as { evidence?: unknown; evidence_quote?: unknown } | null;
      if (Array.isArray(finding?.evidence))
        return finding.evidence.map((e) => (e as { quote?: unknown } | null)?.quote);
      return [finding?.evidence_quote];
    })
    .filter((q): q is string => typeof q === 'string' && q.trim() !== '');
  if (quotes.length === 0) return null;
  const locator = new QuoteLocator(text);
  return quotes.filter((q) => locator.find(q).match !== 'not_found').length / quotes.length;
}
