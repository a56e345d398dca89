// Where a text is cut under a vocabulary's cut rule (cut-rule.ts): into words, before a space no token joins to what
// precedes it, and a long word into chunks, between characters no token joins; and what llama.cpp is given for a word.
import type { LlamaModel, Token } from 'node-llama-cpp';
import { bpeClassEdge } from './bpe-cuts';
import type { CutRule } from './cut-rule';

/** What SentencePiece writes for a space. */
export const SPACE_MARK = '\u2581';

/** Words longer than this (in UTF-16 units) are cut between characters too. */
export const LONG_WORD = 1024;
/** Chunks of a long word are at least this long, and cut at the first safe place once this long. */
const CHUNK_MIN = 64;
const CHUNK_MAX = 256;

/** The tokens of one word of a text: the first as it is; a later one, which starts with its space, in context. */
export function wordTokens(model: LlamaModel, rule: CutRule, text: string, first: boolean): Token[] {
  return model.tokenize(wordText(rule, text, first), false);
}

/** What llama.cpp is given for one word: a later word without its space where llama.cpp puts one back. */
export function wordText(rule: CutRule, text: string, first: boolean): string {
  return first || !rule.spacePrefix ? text : text.slice(1);
}

/** wordText as a range: where the text llama.cpp is given for the word starting at `start` begins. */
export function wordStart(rule: CutRule, start: number, first: boolean): number {
  return first || !rule.spacePrefix ? start : start + 1;
}

/**
 * Calls `each` with [start, end) of every word, in order, until it returns false: cuts before a space whose preceding
 * character is safe.
 */
export function forEachWord(rule: CutRule, text: string, each: (start: number, end: number) => boolean | void): void {
  let start = 0;
  // A cut at p needs text[p] = ' ' with a safe character before it and some text after it; a later word is more
  // than its space (a lone space, once taken off, would leave an empty text, which llama.cpp gives no prefix).
  for (let p = text.indexOf(' ', 1); p !== -1 && p + 1 < text.length; p = text.indexOf(' ', p + 1)) {
    if (
      p - start >= (start === 0 ? 1 : 2) &&
      rule.unsafeAfterUnit[text.charCodeAt(p + 1)] === 0 &&
      safeBefore(rule, text, p)
    ) {
      if (each(start, p) === false) return;
      start = p;
    }
  }
  if (start < text.length) each(start, text.length);
}

function safeBefore(rule: CutRule, text: string, p: number): boolean {
  const unit = text.charCodeAt(p - 1);
  if (unit < 0xdc00 || unit > 0xdfff) return rule.unsafeUnit[unit] === 0;
  // The second half of a surrogate pair: the character is the pair (a lone half is its own character).
  const high = p >= 2 ? text.charCodeAt(p - 2) : 0;
  const char = high >= 0xd800 && high <= 0xdbff ? text.slice(p - 2, p) : text.slice(p - 1, p);
  return !rule.unsafe.has(char);
}

/**
 * Calls `each` with [from, to) of every chunk of the word text[start, end): cut between two characters no token joins
 * (neither a space, nor the ▁ llama.cpp prepends to the chunk after the cut, nor a user-defined token's edge). Where
 * a cut falls depends on the text around it, not on where the word starts (a character whose code is a multiple of
 * 16, else the first safe place after CHUNK_MAX), so a repeated passage is cut the same way each time.
 */
export function forEachChunk(
  rule: CutRule,
  text: string,
  start: number,
  end: number,
  each: (from: number, to: number) => void,
): void {
  let from = start;
  for (let p = start + CHUNK_MIN; p < end - CHUNK_MIN; p++) {
    if (p - from < CHUNK_MIN) continue;
    if ((text.charCodeAt(p) & 15) !== 0 && p - from < CHUNK_MAX) continue;
    if (!safeBetween(rule, text, p)) continue;
    each(from, p);
    from = p;
  }
  each(from, end);
}

/** Whether text may be cut between the characters before and after p, neither of them a space. */
function safeBetween(rule: CutRule, text: string, p: number): boolean {
  const unit = text.charCodeAt(p);
  // BPE: first the edge of classes, which most places inside a word are not (no strings made for them).
  if (rule.classEdges && !bpeClassEdge(text.charCodeAt(p - 1), unit)) return false;
  // Not inside a surrogate pair.
  if (unit >= 0xdc00 && unit <= 0xdfff && p > 0) {
    const high = text.charCodeAt(p - 1);
    if (high >= 0xd800 && high <= 0xdbff) return false;
  }
  if (unit === 32 || text.charCodeAt(p - 1) === 32 || rule.unsafeAfterUnit[unit] === 1) return false;
  if (!safeBefore(rule, text, p)) return false;
  const highAfter = unit >= 0xd800 && unit <= 0xdbff;
  const after = text.slice(p, highAfter ? p + 2 : p + 1);
  const lowBefore = text.charCodeAt(p - 1);
  const before =
    lowBefore >= 0xdc00 &&
    lowBefore <= 0xdfff &&
    p >= 2 &&
    text.charCodeAt(p - 2) >= 0xd800 &&
    text.charCodeAt(p - 2) <= 0xdbff
      ? text.slice(p - 2, p)
      : text.slice(p - 1, p);
  if (rule.classEdges) return !rule.pairs.has(before + after);
  return !rule.pairs.has(before + after) && !rule.pairs.has(SPACE_MARK + after);
}
