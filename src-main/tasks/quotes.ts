// Quire's own numbering of a passage, and finding a model's quotes in it. Pure functions, no I/O: the manuscript
// splitter reuses them.
//
//   const paragraphs = numberParagraphs(text);          // once per text
//   const hit = locateQuote(text, paragraphs, quote);   // per quote
//   hit.match: 'exact' | 'tolerant' | 'not_found'; hit.start/end: offsets in `text`; hit.location: chapter/paragraph
//
// Chapters start at a Markdown heading (`# …`) or a line such as "Chapter 12" / "CHAPTER TWELVE: The Storm"; text
// before the first heading is chapter 0. Paragraphs are separated by blank lines and numbered from 1 within their
// chapter (a heading is paragraph 0 of its chapter). Chapter numbers are Quire's order of appearance, not the number
// written in the heading: an excerpt starting at "Chapter 12" is chapter 1 here, and its label shows the heading.
import type { LocatedQuote, TextLocation } from '../../src-preload/contract/tasks';

export interface Paragraph {
  /** Quire's chapter number (0 before the first heading). */
  chapter: number;
  chapter_title: string | null;
  /** 1-based within the chapter; 0 for the heading itself. */
  paragraph: number;
  /** UTF-16 offsets of the paragraph's text (without the blank lines around it). */
  start: number;
  end: number;
}

const MARKDOWN_HEADING = /^#{1,6}[ \t]+\S/;
const CHAPTER_LINE =
  /^(chapter|ch\.|part|prologue|epilogue|interlude)\b(?:[ \t]+(?:\d+|[ivxlcdm]+|[a-z-]+)\b)?[ \t]*(?:[:.\-–—][^\n]*)?$/i;

function isHeading(line: string): boolean {
  const trimmed = line.trim();
  if (trimmed.length === 0 || trimmed.length > 100) return false;
  return MARKDOWN_HEADING.test(trimmed) || CHAPTER_LINE.test(trimmed);
}

function headingTitle(line: string): string {
  return line.trim().replace(/^#{1,6}[ \t]+/, '');
}

/** Splits a text into numbered paragraphs (see the module comment for the rules). */
export function numberParagraphs(text: string): Paragraph[] {
  const paragraphs: Paragraph[] = [];
  let chapter = 0;
  let title: string | null = null;
  let inChapter = 0;
  const push = (start: number, end: number) => {
    // Trim the block's outer whitespace; keep the offsets exact.
    while (start < end && /\s/.test(text[start]!)) start++;
    while (end > start && /\s/.test(text[end - 1]!)) end--;
    if (end > start) paragraphs.push({ chapter, chapter_title: title, paragraph: ++inChapter, start, end });
  };
  // Blocks are runs of non-blank lines; a heading line inside a block is split off as its own block.
  const lines = text.split('\n');
  let offset = 0;
  let blockStart = -1;
  let blockEnd = -1;
  for (const line of lines) {
    const lineStart = offset;
    const lineEnd = offset + line.length;
    offset = lineEnd + 1;
    if (line.trim().length === 0) {
      if (blockStart >= 0) push(blockStart, blockEnd);
      blockStart = -1;
      continue;
    }
    if (isHeading(line)) {
      if (blockStart >= 0) push(blockStart, blockEnd);
      blockStart = -1;
      chapter += 1;
      title = headingTitle(line);
      inChapter = 0;
      const start = lineStart + (line.length - line.trimStart().length);
      paragraphs.push({ chapter, chapter_title: title, paragraph: 0, start, end: start + line.trim().length });
      continue;
    }
    if (blockStart < 0) blockStart = lineStart;
    blockEnd = lineEnd;
  }
  if (blockStart >= 0) push(blockStart, blockEnd);
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

interface Folded {
  text: string;
  /** folded index → original offset (one past the end at `text.length`). */
  map: Int32Array;
}

/** Whitespace runs become one space, dash runs one dash, "…" three dots, quote marks straight, letters lower case. */
const UTF16 = new TextDecoder('utf-16le');

function fold(text: string): Folded {
  // Code units into typed arrays, decoded once: a manuscript is folded in one pass without a string or an array
  // growing a character at a time (that took seconds on a whole book).
  const codes = new Uint16Array(text.length * 3);
  const map = new Int32Array(text.length * 3 + 1);
  let n = 0;
  let last = -1;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (isSpace(code)) {
      if (last === 32) continue;
      codes[n] = last = 32;
      map[n++] = i;
      continue;
    }
    if (code === 0x2026) {
      for (let k = 0; k < 3; k++) {
        codes[n] = last = 46;
        map[n++] = i;
      }
      continue;
    }
    const f =
      code >= 65 && code <= 90
        ? code + 32
        : code < 128 && code !== 96
          ? code
          : foldChar(String.fromCharCode(code)).charCodeAt(0);
    if (f === 45 && last === 45) continue;
    codes[n] = last = f;
    map[n++] = i;
  }
  map[n] = text.length;
  // A lone surrogate (not text a writer can type) decodes as U+FFFD: one code unit for one, so offsets hold.
  const out = UTF16.decode(codes.subarray(0, n));
  return { text: out, map: map.subarray(0, n + 1) };
}

/** What /\s/ matches, by code unit. */
function isSpace(code: number): boolean {
  if (code < 128) return code === 32 || (code >= 9 && code <= 13);
  return (
    code === 0xa0 ||
    code === 0x1680 ||
    (code >= 0x2000 && code <= 0x200a) ||
    code === 0x2028 ||
    code === 0x2029 ||
    code === 0x202f ||
    code === 0x205f ||
    code === 0x3000 ||
    code === 0xfeff
  );
}

/** One folded text remembered: a finding's quotes are located one after another in the same passage. */
let lastFolded: { source: string; folded: Folded } | null = null;

function foldedText(text: string): Folded {
  if (lastFolded?.source !== text) lastFolded = { source: text, folded: fold(text) };
  return lastFolded.folded;
}

/** Quotation marks a model wraps around its copy ("…") are not part of it. */
function unwrap(quote: string): string {
  const trimmed = quote.trim();
  const m = /^["'\u201c\u201d\u2018\u2019\u00ab\u00bb](.*)["'\u201c\u201d\u2018\u2019\u00ab\u00bb]$/s.exec(trimmed);
  return m && m[1]!.trim().length > 0 ? m[1]!.trim() : trimmed;
}

/**
 * Finds `quote` in `text`: exactly first, then tolerating differences of whitespace, quote marks, dashes, ellipses
 * and letter case. The location is Quire's own (from `paragraphs`, made by numberParagraphs(text)).
 */
export function locateQuote(
  text: string,
  paragraphs: readonly Paragraph[],
  quote: string,
): Omit<LocatedQuote, 'claimed_location'> {
  const miss = { quote, match: 'not_found' as const, start: null, end: null, location: null };
  const wanted = quote.trim();
  if (wanted.length === 0) return miss;
  for (const candidate of new Set([wanted, unwrap(wanted)])) {
    const at = text.indexOf(candidate);
    if (at >= 0) return located(quote, 'exact', at, at + candidate.length, paragraphs);
  }
  const folded = foldedText(text);
  for (const candidate of new Set([fold(wanted).text.trim(), fold(unwrap(wanted)).text.trim()])) {
    if (candidate.length === 0) continue;
    const at = folded.text.indexOf(candidate);
    if (at >= 0) {
      const start = folded.map[at]!;
      const end = folded.map[at + candidate.length - 1]! + 1;
      return located(quote, 'tolerant', start, end, paragraphs);
    }
  }
  return miss;
}

function located(
  quote: string,
  match: 'exact' | 'tolerant',
  start: number,
  end: number,
  paragraphs: readonly Paragraph[],
): Omit<LocatedQuote, 'claimed_location'> {
  const paragraph = paragraphAt(paragraphs, start);
  return { quote, match, start, end, location: paragraph ? locationOf(paragraph) : null };
}
