// llama.cpp's SentencePiece (SPM) token count of a text, in JavaScript: `model.tokenize(text, false).length` without
// the native call, which costs more per character than the rest of counting a manuscript.
//
// llama.cpp (src/llama-vocab.cpp) prepends a space when the vocabulary says so (add_space_prefix), writes every space
// as ▁, starts from single characters and merges neighbours whose joined text is a token, highest score first, the
// leftmost on a tie (symbol-merge.ts). A symbol left that is a token is one token; a single character that is not is
// its UTF-8 bytes, one <0xXX> token each. So the table here is every way of cutting a token in two where each side
// is a token or a single character. A text holding anything this does not follow exactly is counted natively (-1):
// a token llama.cpp matches in the raw text (raw-tokens.ts), a lone surrogate half, U+FFFD (what a token's bytes that
// are not UTF-8 are read as here) or a NUL (how it crosses into C++ is not ours to prove). A vocabulary without all
// 256 byte tokens (llama.cpp would fail on a character outside it) gets no counter at all.
import { rawTokenFinder } from './raw-tokens';
import { mergeSymbols, PairTable } from './symbol-merge';

/** The GGUF's tokenizer.ggml keys read here. */
export interface SpmMetadata {
  tokens?: unknown;
  scores?: unknown;
  token_type?: unknown;
  add_space_prefix?: unknown;
}

const SPACE_MARK = '\u2581';

/** Counts text[start, end) as llama.cpp's tokenize does, or returns -1 where it must be counted natively. */
export type TextCount = (text: string, start: number, end: number) => number;

export function spmCount(ggml: SpmMetadata | undefined): TextCount | null {
  const tokens = ggml?.tokens;
  const scores = ggml?.scores;
  const types = ggml?.token_type;
  if (!Array.isArray(tokens) || !Array.isArray(types) || tokens.length !== types.length) return null;
  if (!scores || (scores as ArrayLike<number>).length !== tokens.length) return null;
  // llama.cpp's token_to_id: the last token with a text wins.
  const idOf = new Map<string, number>();
  for (let i = 0; i < tokens.length; i++) {
    if (typeof tokens[i] !== 'string') return null;
    idOf.set(tokens[i] as string, i);
  }
  for (let byte = 0; byte < 256; byte++)
    if (!idOf.has(`<0x${byte.toString(16).toUpperCase().padStart(2, '0')}>`)) return null;
  // Per UTF-16 unit: 1 where the text is counted natively, 2 for a surrogate half (a pair is read as one character).
  const native = new Uint8Array(0x10000);
  for (let unit = 0xd800; unit <= 0xdfff; unit++) native[unit] = 2;
  native[0xfffd] = 1;
  native[0] = 1;
  const holdsRawToken = rawTokenFinder(tokens as string[], types);
  // Symbols: tokens by id, then the single characters inside tokens that are not tokens themselves.
  const n = tokens.length;
  const charIds = new Map<string, number>();
  /** A token's id, else a single character's own number (made while the table is built, never after), else -1. */
  let building = true;
  const symbolOf = (text: string): number => {
    const id = idOf.get(text);
    if (id !== undefined) return id;
    let char = charIds.get(text);
    if (char === undefined && building && [...text].length === 1) charIds.set(text, (char = n + charIds.size));
    return char ?? -1;
  };
  const pairs: [number, number, number][] = [];
  for (const [text, id] of idOf) {
    const chars = [...text];
    let at = 0;
    for (let k = 1; k < chars.length; k++) {
      at += chars[k - 1]!.length;
      const left = symbolOf(text.slice(0, at));
      const right = symbolOf(text.slice(at));
      if (left >= 0 && right >= 0) pairs.push([left, right, id]);
    }
  }
  building = false;
  const table = new PairTable(pairs.length);
  for (const [left, right, id] of pairs) table.add(left, right, id, -Number((scores as ArrayLike<number>)[id]));
  // The symbol of each character of one UTF-16 unit (-2: not looked up yet); others through symbolOf.
  const unitSymbol = new Int32Array(0x10000).fill(-2);
  const spacePrefix = typeof ggml?.add_space_prefix === 'boolean' ? ggml.add_space_prefix : true;
  const spaceMark = symbolOf(SPACE_MARK);
  let ids = new Int32Array(1024);
  let bytes = new Uint8Array(1024);
  return (text, start, end) => {
    if (start === end) return 0;
    if (holdsRawToken(text, start, end)) return -1;
    const most = end - start + 1;
    if (ids.length < most) {
      ids = new Int32Array(most * 2);
      bytes = new Uint8Array(most * 2);
    }
    let m = 0;
    if (spacePrefix) {
      ids[m] = spaceMark;
      bytes[m++] = 3;
    }
    for (let i = start; i < end; i++) {
      const unit = text.charCodeAt(i);
      if (unit === 32) {
        ids[m] = spaceMark;
        bytes[m++] = 3;
        continue;
      }
      const kind = native[unit];
      if (kind === 1) return -1;
      if (kind === 2) {
        const low = i + 1 < end ? text.charCodeAt(i + 1) : 0;
        if (unit > 0xdbff || low < 0xdc00 || low > 0xdfff) return -1;
        ids[m] = symbolOf(text.slice(i, i + 2));
        bytes[m++] = 4;
        i++;
        continue;
      }
      let id = unitSymbol[unit]!;
      if (id === -2) id = unitSymbol[unit] = symbolOf(text[i]!);
      ids[m] = id;
      bytes[m++] = unit < 0x80 ? 1 : unit < 0x800 ? 2 : 3;
    }
    // A symbol left is a token, or a character without one that was never merged: its UTF-8 bytes, one token each.
    let count = 0;
    mergeSymbols(ids, m, table, (id, at) => (count += id >= 0 && id < n ? 1 : bytes[at]!));
    return count;
  };
}
