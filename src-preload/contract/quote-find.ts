// Finding a model's copy of a quote in a text, exactly or tolerantly (case, accents, quote marks, dashes, ellipses,
// spacing): the one rule for the whole app. The main process locates a run's quotes with it (tasks/quotes.ts
// QuoteLocator), and the Workbench asks it whether the words now at a quote's offsets are still that quote, so a
// quote Quire found never reads "changed" in a text nobody touched. Pure string work: it ships to the renderer too.

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
    // A word-final sigma is the same letter: a heading in capitals ("ΤΟΥΣ") holds a model's "τους".
    case '\u03c2':
      return '\u03c3';
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
 */
export class QuoteFinder {
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
}

/**
 * Whether `there` (the words at a quote's offsets) is all of `quote`, by the rule that found it: the Workbench's test
 * that the text on screen still holds a run's quote where the run found it.
 */
export function quoteIsAll(there: string, quote: string): boolean {
  const span = new QuoteFinder(there).find(quote);
  return span.match !== 'not_found' && span.start === 0 && span.end === there.length;
}
