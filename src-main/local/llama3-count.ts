// llama.cpp's byte-level BPE token count of a text for a vocabulary with the llama 3 pre-tokenizer, in JavaScript:
// `model.tokenize(text, false).length` without the native call, which costs more per character than the rest of
// counting a manuscript.
//
// llama.cpp (src/llama-vocab.cpp, src/unicode.cpp) splits the text into pre-tokens with a hand-written scanner of
// llama 3's regex (unicode_regex_split_custom_llama3, ported in preTokenEnd below), writes each pre-token's bytes as
// GPT-2's byte characters, takes a pre-token that is a token whole (llama 3's ignore_merges), and otherwise merges its
// bytes by the GGUF's merge ranks, lowest first, the leftmost on a tie (symbol-merge.ts). Every symbol left is a token
// when every merge makes a token (checked once per vocabulary; else there is no counter). The scanner needs each
// character's Unicode class as llama.cpp's tables have it; a text is counted here only when all its characters are of
// a class no Unicode version or table disagrees on (CERTAIN below), and natively otherwise (-1), as is a text holding
// a token llama.cpp matches in the raw text (raw-tokens.ts). Only the pre-tokenizer names llama.cpp maps to its llama
// 3 type with ignore_merges are taken; every other vocabulary is counted natively.
import { RangeMemo } from '../tokens/memo';
import { certainClasses, DIGIT, LETTER, OTHER } from './bpe-cuts';
import { rawTokenFinder } from './raw-tokens';
import type { TextCount } from './spm-count';
import { mergeSymbols, PairTable } from './symbol-merge';

export interface BpeMetadata {
  pre?: unknown;
  tokens?: unknown;
  token_type?: unknown;
  merges?: unknown;
}

/** Pre-tokens up to this many UTF-16 units are not remembered. */
const SHORT_PRE_TOKEN = 12;

/** tokenizer.ggml.pre values llama.cpp maps to LLAMA_VOCAB_PRE_TYPE_LLAMA3 (with ignore_merges). */
const LLAMA3_PRE = new Set(['llama3', 'llama-v3', 'llama-bpe', 'falcon3']);

const SPACE = 4;

/**
 * The class of each UTF-16 unit whose class is certain (0: counted natively): ASCII, Latin-1 and Latin Extended-A
 * letters, CJK unified ideographs, kana, Hangul syllables, digits, ASCII and common typographic and CJK punctuation,
 * symbols and emoji, and the ASCII whitespace llama.cpp and JavaScript agree on.
 */
const CERTAIN = (() => {
  // The classes every proven BPE pre-tokenizer agrees on (bpe-cuts.ts), and more that llama 3's scanner is sure of.
  const classes = certainClasses();
  const mark = (from: number, to: number, kind: number) => classes.fill(kind, from, to + 1);
  mark(0xc0, 0xd6, LETTER);
  mark(0xd8, 0xf6, LETTER);
  mark(0xf8, 0x17f, LETTER);
  for (const char of '–§¡¿°·') classes[char.charCodeAt(0)] = OTHER;
  // Symbols in llama.cpp's tables and JavaScript's alike (llama 3's scanner puts every character that is not a letter,
  // a digit or whitespace in the same branch): arrows to dingbats but the circled digits, the zero-width joiner, the
  // variation selectors, and the pictographs and emoticons U+1F300–U+1F64F (their surrogate halves; the pairs are
  // checked where a text is read).
  mark(0x2190, 0x245f, OTHER);
  mark(0x2500, 0x2775, OTHER);
  mark(0x2794, 0x27bf, OTHER);
  mark(0x200d, 0x200d, OTHER);
  mark(0xfe00, 0xfe0f, OTHER);
  mark(0xd83c, 0xd83d, OTHER);
  mark(0xdc00, 0xdfff, OTHER);
  for (const char of ' \t\n\r') classes[char.charCodeAt(0)] = SPACE;
  return classes;
})();

/** The class table, for its test. */
export const certainClass = (unit: number): number => CERTAIN[unit]!;

/** A counter per count (its memory of pre-tokens), for one vocabulary; or null when this vocabulary has none. */
export function llama3Count(ggml: BpeMetadata | undefined): (() => TextCount) | null {
  if (typeof ggml?.pre !== 'string' || !LLAMA3_PRE.has(ggml.pre)) return null;
  const { tokens, token_type: types, merges } = ggml;
  if (!Array.isArray(tokens) || !Array.isArray(types) || !Array.isArray(merges) || tokens.length !== types.length)
    return null;
  const idOf = new Map<string, number>();
  for (let i = 0; i < tokens.length; i++) {
    if (typeof tokens[i] !== 'string') return null;
    idOf.set(tokens[i] as string, i);
  }
  const byteChars = gpt2ByteCharacters();
  const byteIds = new Int32Array(256);
  for (let byte = 0; byte < 256; byte++) {
    const id = idOf.get(byteChars[byte]!);
    if (id === undefined) return null;
    byteIds[byte] = id;
  }
  const table = new PairTable(merges.length);
  for (let rank = 0; rank < merges.length; rank++) {
    const merge = merges[rank];
    if (typeof merge !== 'string') return null;
    const space = merge.indexOf(' ', 1);
    if (space < 0) continue;
    const left = idOf.get(merge.slice(0, space));
    const right = idOf.get(merge.slice(space + 1));
    if (left === undefined || right === undefined) continue; // never two symbols: every symbol is a token
    const made = idOf.get(merge.slice(0, space) + merge.slice(space + 1));
    if (made === undefined) return null;
    table.add(left, right, made, rank);
  }
  // Texts of the tokens as UTF-8 text (a pre-token that is one of them is one token).
  const wholeTokens = new RangeMemo(Infinity);
  const charByte = new Map(byteChars.map((char, byte) => [char, byte]));
  const decoder = new TextDecoder('utf-8', { fatal: true });
  for (const token of idOf.keys()) {
    const chars = [...token];
    if (!chars.every((char) => charByte.has(char))) continue;
    const bytes = Uint8Array.from(chars, (char) => charByte.get(char)!);
    try {
      const text = decoder.decode(bytes);
      if (wholeTokens.get(text, 0, text.length) < 0) wholeTokens.set(text, 0, text.length, 1);
    } catch {
      // Not UTF-8 on its own: no pre-token is this token.
    }
  }
  const holdsRawToken = rawTokenFinder(tokens as string[], types);
  return () => {
    const memo = new RangeMemo();
    let buffer = new Int32Array(4096);
    const preTokenCount = (text: string, start: number, end: number): number => {
      // A short pre-token is merged again rather than remembered (cheaper than a lookup and a new key); a long one,
      // such as a line of CJK, is remembered.
      const remember = end - start > SHORT_PRE_TOKEN;
      let known = remember ? memo.get(text, start, end) : -1;
      if (known >= 0) return known;
      if (wholeTokens.get(text, start, end) > 0) return remember ? memo.set(text, start, end, 1) : 1;
      if (buffer.length < 3 * (end - start)) buffer = new Int32Array(6 * (end - start));
      let n = 0;
      for (let i = start; i < end; i++) {
        const unit = text.charCodeAt(i);
        if (unit < 0x80) buffer[n++] = byteIds[unit]!;
        else if (unit >= 0xd800 && unit <= 0xdbff) {
          const code = ((unit - 0xd800) << 10) + (text.charCodeAt(++i) - 0xdc00) + 0x10000;
          buffer[n++] = byteIds[0xf0 | (code >> 18)]!;
          buffer[n++] = byteIds[0x80 | ((code >> 12) & 63)]!;
          buffer[n++] = byteIds[0x80 | ((code >> 6) & 63)]!;
          buffer[n++] = byteIds[0x80 | (code & 63)]!;
        } else if (unit < 0x800) {
          buffer[n++] = byteIds[0xc0 | (unit >> 6)]!;
          buffer[n++] = byteIds[0x80 | (unit & 63)]!;
        } else {
          buffer[n++] = byteIds[0xe0 | (unit >> 12)]!;
          buffer[n++] = byteIds[0x80 | ((unit >> 6) & 63)]!;
          buffer[n++] = byteIds[0x80 | (unit & 63)]!;
        }
      }
      known = mergeSymbols(buffer, n, table);
      return remember ? memo.set(text, start, end, known) : known;
    };
    return (text, from, to) => {
      for (let i = from; i < to; i++) {
        const unit = text.charCodeAt(i);
        if (unit < 0xd800 || unit > 0xdfff) {
          if (CERTAIN[unit] === 0) return -1;
          continue;
        }
        const low = ++i < to ? text.charCodeAt(i) : 0;
        const code = ((unit - 0xd800) << 10) + (low - 0xdc00) + 0x10000;
        if (unit > 0xdbff || !(low >= 0xdc00 && low <= 0xdfff) || code < 0x1f300 || code > 0x1f64f) return -1;
      }
      if (holdsRawToken(text, from, to)) return -1;
      let count = 0;
      for (let start = from; start < to;) {
        const end = preTokenEnd(text, start, to);
        count += preTokenCount(text, start, end);
        start = end;
      }
      return count;
    };
  };
}

/** The class of text[p], 0 at the end and past it. */
function classAt(text: string, p: number, end: number): number {
  return p < end ? CERTAIN[text.charCodeAt(p)]! : 0;
}

/** GPT-2's byte-to-character map: printable bytes stand for themselves, the others for characters from U+0100. */
export function gpt2ByteCharacters(): string[] {
  const chars: string[] = [];
  let next = 256;
  for (let byte = 0; byte < 256; byte++) {
    const printable = (byte >= 33 && byte <= 126) || (byte >= 161 && byte <= 172) || (byte >= 174 && byte <= 255);
    chars.push(String.fromCharCode(printable ? byte : next++));
  }
  return chars;
}

/**
 * Where the pre-token starting at `pos` ends: unicode_regex_split_custom_llama3, branch by branch, on a text of
 * certain characters (a surrogate pair's halves are both OTHER, as the pair is).
 */
function preTokenEnd(text: string, pos: number, end: number): number {
  const unit = text.charCodeAt(pos);
  const kind = CERTAIN[unit]!;
  // (?i:'s|'t|'re|'ve|'m|'ll|'d)
  if (unit === 39 && pos + 1 < end) {
    const next = text.charCodeAt(pos + 1) | 0x20;
    if (next === 0x73 || next === 0x74 || next === 0x6d || next === 0x64) return pos + 2;
    if (pos + 2 < end) {
      const after = text.charCodeAt(pos + 2) | 0x20;
      if ((next === 0x72 && after === 0x65) || (next === 0x76 && after === 0x65) || (next === 0x6c && after === 0x6c))
        return pos + 3;
    }
  }
  // [^\r\n\p{L}\p{N}]?\p{L}+ (the character before the letters may be a surrogate pair)
  const after = unit >= 0xd800 && unit <= 0xdbff ? pos + 2 : pos + 1;
  if (unit !== 13 && unit !== 10 && kind !== DIGIT && (kind === LETTER || classAt(text, after, end) === LETTER)) {
    let p = after;
    while (classAt(text, p, end) === LETTER) p++;
    return p;
  }
  // \p{N}{1,3}
  if (kind === DIGIT) {
    let p = pos;
    while (classAt(text, p, end) === DIGIT && p - pos < 3) p++;
    return p;
  }
  // ' ?[^\s\p{L}\p{N}]+[\r\n]*'
  if ((unit === 32 ? classAt(text, pos + 1, end) : kind) === OTHER) {
    let p = unit === 32 ? pos + 1 : pos;
    while (classAt(text, p, end) === OTHER) p++;
    while (p < end && (text.charCodeAt(p) === 13 || text.charCodeAt(p) === 10)) p++;
    return p;
  }
  // Whitespace: \s*[\r\n]+, then \s+(?!\S), then \s+
  let spaces = 0;
  let lastLineEnd = 0;
  while (classAt(text, pos + spaces, end) === SPACE) {
    const c = text.charCodeAt(pos + spaces);
    if (c === 13 || c === 10) lastLineEnd = pos + spaces + 1;
    spaces++;
  }
  if (lastLineEnd > 0) return lastLineEnd;
  if (spaces > 1 && pos + spaces < end) return pos + spaces - 1;
  return pos + Math.max(spaces, 1);
}
