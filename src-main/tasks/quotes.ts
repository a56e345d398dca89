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
import { parseStructure, type DocumentStructure } from '../manuscripts/structure';

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

/** Curly and straight quote marks, dashes and ellipses a model may have "corrected" in its copy. */
function foldChar(c: string): string {
  switch (c) {
    case '\u2018':
    case '\u2019':
    case '\u201a':
    case '\u201b':
    case '\u2032':
    case '`':
      return "'";
    case '\u201c':
    case '\u201d':
    case '\u201e':
    case '\u201f':
    case '\u2033':
    case '\u00ab':
    case '\u00bb':
      return '"';
    case '\u2010':
    case '\u2011':
    case '\u2012':
    case '\u2013':
    case '\u2014':
    case '\u2015':
    case '\u2212':
      return '-';
    default:
      return c.toLowerCase().length === 1 ? c.toLowerCase() : c;
  }
}

/**
 * A text folded for tolerant matching: whitespace runs become one space, dash runs one dash, "…" three dots, quote
 * marks straight, letters lower case (each code unit on its own, as `foldChar` does), accents left out — a combining
 * mark is dropped and a letter with its accents built in is its letter, so "café" written as "e" + U+0301 (as some Mac
 * tools save text) matches a model's "café" with one "é".
 */
class Folded {
  /**
   * Where folded offsets map back to the text: from folded offset `at[k]` on, folded offset f comes from text offset
   * `from[k] + (f - at[k])`. A new segment starts after every collapsed run and at each of an ellipsis's dots.
   */
  private readonly at: number[] = [0];
  private readonly from: number[] = [0];
  readonly text: string;

  constructor(source: string) {
    // Native string passes, not a loop over the text: a manuscript folds in milliseconds. Pass 1 changes code units
    // one for one, so offsets hold; pass 2 collapses runs and expands "…", recording where offsets shift.
    let same = source.replace(NON_ASCII, foldNonAscii);
    // Whole-string lower casing equals the per-unit kind unless a unit lowers to two (İ) or pairs with another; a
    // lone surrogate (not text a writer can type) becomes U+FFFD, one unit for one.
    same = LOWERS_APART.test(same)
      ? same.replace(ASCII_UPPER, (m) => m.toLowerCase()).replace(LONE_SURROGATE, '\ufffd')
      : same.toLowerCase();
    same = same.replace(ASCII_SPACE, ' ').replaceAll('`', "'");
    let shift = 0; // folded offset − text offset, after the runs so far
    this.text = same.replace(RUNS, (run: string, offset: number) => {
      const f = offset + shift;
      if (COMBINING.test(run)) {
        this.segment(f, offset + run.length);
        shift -= run.length;
        return '';
      }
      if (run === '\u2026') {
        this.segment(f + 1, offset);
        this.segment(f + 2, offset);
        this.segment(f + 3, offset + 1);
        shift += 2;
        return '...';
      }
      this.segment(f + 1, offset + run.length);
      shift += 1 - run.length;
      return run[0]!;
    });
  }

  private segment(at: number, from: number): void {
    this.at.push(at);
    this.from.push(from);
  }

  /** The text offset folded offset `f` comes from (the text's length for the folded text's length). */
  sourceAt(f: number): number {
    let lo = 0;
    let hi = this.at.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.at[mid]! <= f) lo = mid;
      else hi = mid - 1;
    }
    return this.from[lo]! + (f - this.at[lo]!);
  }

  /** The first folded offset that comes from text offset `at` or after it. */
  foldedFrom(at: number): number {
    let lo = 0;
    let hi = this.text.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.sourceAt(mid) < at) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

const NON_ASCII = /[\u0080-\uffff]/g;
const LOWERS_APART = /[\u0130\ud800-\udfff]/;
const ASCII_UPPER = /[A-Z]+/g;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
const ASCII_SPACE = /[\t-\r]/g;
// The combining diacritical marks (accents written after their letter), on their own: a class of marks is the point.
/* eslint-disable no-misleading-character-class */
const COMBINING = /^[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]/;
const ONLY_MARKS = /^[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]+$/;
const RUNS = / {2,}|-{2,}|\u2026|[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]+/g;
/* eslint-enable no-misleading-character-class */

/**
 * One non-ASCII code unit folded: /\s/ to a space, "…" and combining marks kept for the runs pass, a letter with
 * accents built in to its letter, anything else by foldChar.
 */
function foldNonAscii(c: string): string {
  let folded = FOLDED_UNITS.get(c);
  if (folded === undefined) {
    const parts = c.normalize('NFD');
    folded =
      c === '\u2026' || COMBINING.test(c)
        ? c
        : /\s/.test(c)
          ? ' '
          : foldChar(parts.length > 1 && ONLY_MARKS.test(parts.slice(1)) ? parts[0]! : c);
    FOLDED_UNITS.set(c, folded);
  }
  return folded;
}

/** Each code unit's fold, worked out once (a text in Cyrillic or Greek is non-ASCII throughout; 63,488 at most). */
const FOLDED_UNITS = new Map<string, string>();

/** A span that ends on a letter ends after the accents written after it. */
function afterMarks(text: string, end: number): number {
  while (end < text.length && COMBINING.test(text[end]!)) end++;
  return end;
}

/** A text, then its accents composed (NFC) and written apart (NFD). */
function composedBothWays(text: string): string[] {
  return [text, text.normalize('NFC'), text.normalize('NFD')];
}

/** Quotation marks a model wraps around its copy ("…") are not part of it. */
function unwrap(quote: string): string {
  const trimmed = quote.trim();
  const m = /^["'\u201c\u201d\u2018\u2019\u00ab\u00bb](.*)["'\u201c\u201d\u2018\u2019\u00ab\u00bb]$/s.exec(trimmed);
  return m && m[1]!.trim().length > 0 ? m[1]!.trim() : trimmed;
}

/** Where a quote is in a text: exactly, tolerantly (see `Folded`), or not at all. */
export type QuoteSpan =
  { match: 'exact' | 'tolerant'; start: number; end: number } | { match: 'not_found'; start: null; end: null };

/** Offsets [start, end) of a text. */
export interface TextRange {
  start: number;
  end: number;
}

/**
 * Finds quotes in one text, folding the text once (on the first quote not there exactly) for all of them: make one
 * per text and reuse it for every quote of a run or a job.
 *
 *   const locator = new QuoteLocator(text);
 *   locator.locate(quote, paragraphs);   // per quote
 */
export class QuoteLocator {
  private folded: Folded | undefined;

  constructor(readonly text: string) {}

  /**
   * Exactly first, then tolerating differences of whitespace, quote marks, dashes, ellipses and letter case: the first
   * match inside `within` (offsets of the text; the whole text when not given).
   */
  find(quote: string, within?: TextRange): QuoteSpan {
    const { start: from, end: to } = within ?? { start: 0, end: this.text.length };
    const wanted = quote.trim();
    if (wanted.length === 0) return { match: 'not_found', start: null, end: null };
    // Exactly, and with its accents composed either way (a text saved as "e" + U+0301, a model's copy with one "é"):
    // the same characters to the writer, found before any place that differs by an accent.
    for (const candidate of new Set([wanted, unwrap(wanted)].flatMap(composedBothWays))) {
      const at = this.text.indexOf(candidate, from);
      if (at >= 0 && at + candidate.length <= to) return { match: 'exact', start: at, end: at + candidate.length };
    }
    const folded = (this.folded ??= new Folded(this.text));
    for (const candidate of new Set([new Folded(wanted).text.trim(), new Folded(unwrap(wanted)).text.trim()])) {
      if (candidate.length === 0) continue;
      const at = folded.text.indexOf(candidate, folded.foldedFrom(from));
      if (at >= 0) {
        const start = folded.sourceAt(at);
        const end = afterMarks(this.text, folded.sourceAt(at + candidate.length - 1) + 1);
        if (end <= to) return { match: 'tolerant', start, end };
      }
    }
    return { match: 'not_found', start: null, end: null };
  }

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
