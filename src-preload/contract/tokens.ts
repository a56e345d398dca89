// The fast, synchronous token estimate for places that need a number before a model (and its tokenizer) is at hand:
// the Workbench's quote, the reservation, and the floor under the token counter's estimates (src-main/tokens). Free
// of zod and of any tokenizer so the renderer can use it.
//
// It is an upper bound built from character classes, measured against OpenAI's o200k and cl100k tokenizers (the
// byte-level BPEs that the other families' tokenizers resemble), on prose, dialogue, digits, punctuation, code,
// base64, UUIDs and CJK (src-main/tokens/token-counter.test.ts checks it is never below either). Why each class costs
// what it does:
// - Letters: a word-shaped run (lower case, Capitalised, or a few capitals) costs one token per 3 letters, rounded up
//   per run; English averages 4+ letters a token. Upper-case runs cost one per 2 letters ("ABSOLUTELY" is 4 tokens).
// - Digits: one token each. o200k and cl100k group up to 3 digits in a token, but SentencePiece tokenizers (Gemini,
//   Gemma, Mistral, Llama 2) split numbers into single digits, and an estimate must hold for them too.
// - An opaque run — 12+ characters of letters, digits and `_+/=-` that mixes letters with digits or switches case
//   twice (base64, UUIDs, hex, keys, camelCase names) — costs one token per character: such text merges little
//   (measured 1.4 characters a token for base64), and a BPE never makes more tokens than bytes.
// - Punctuation and symbols: one token each. A space before a word or a mark is part of its token; other spaces cost
//   one token per 4, each newline one.
// - Outside ASCII: one token per UTF-8 byte (CJK: 3; rare ideographs measured 2.6 tokens each in cl100k), except
//   typographic punctuation (curly quotes, dashes, ellipsis: one token each in both tokenizers), counted as 2.

export interface TextMessage {
  content: string;
}

/** Role markers and separators a chat format wraps around each message, and once around the request. */
export const MESSAGE_FRAMING_TOKENS = 8;
export const REQUEST_FRAMING_TOKENS = 8;

/** A run of these that mixes letters and digits (or switches case twice) is read as opaque (base64, ids, code). */
const OPAQUE_MIN_LENGTH = 12;

/** Character classes (numbers, not an enum: the estimate runs over megabytes and must stay a plain loop). */
const Kind = { Lower: 0, Upper: 1, Digit: 2, RunSymbol: 3, Space: 4, Newline: 5, Other: 6 } as const;
type Kind = (typeof Kind)[keyof typeof Kind];

function classify(c: number): Kind {
  if (c >= 97 && c <= 122) return Kind.Lower;
  if (c >= 65 && c <= 90) return Kind.Upper;
  if (c >= 48 && c <= 57) return Kind.Digit;
  // _ + / = - : the extra characters of base64, base64url, UUIDs and identifiers.
  if (c === 95 || c === 43 || c === 47 || c === 61 || c === 45) return Kind.RunSymbol;
  if (c === 32 || c === 9) return Kind.Space;
  if (c === 10 || c === 13) return Kind.Newline;
  return Kind.Other;
}

/** The kind of every ASCII character, looked up rather than worked out: the estimate runs over whole manuscripts. */
const ASCII_KINDS = Uint8Array.from({ length: 128 }, (_, c) => classify(c));

const kindOf = (c: number): Kind => (c < 128 ? (ASCII_KINDS[c]! as Kind) : Kind.Other);

const isRunKind = (k: Kind) => k <= Kind.RunSymbol;

/** Tokens of a run of letters, digits and `_+/=-` that is not opaque: word pieces, digits, symbols. */
function runTokens(text: string, start: number, end: number): number {
  let tokens = 0;
  let i = start;
  while (i < end) {
    const k = kindOf(text.charCodeAt(i));
    if (k === Kind.RunSymbol) {
      tokens += 1;
      i += 1;
    } else if (k === Kind.Digit) {
      tokens += 1;
      i += 1;
    } else {
      // A word piece: capitals, then lower-case letters ("McAllister" → "Mc", "Allister").
      let j = i;
      while (j < end && kindOf(text.charCodeAt(j)) === Kind.Upper) j++;
      const capitals = j - i;
      while (j < end && kindOf(text.charCodeAt(j)) === Kind.Lower) j++;
      const lower = j - i - capitals;
      if (lower === 0) tokens += Math.ceil(capitals / 2);
      else tokens += Math.ceil(capitals > 1 ? (capitals - 1) / 2 : 0) + Math.ceil((lower + Math.min(capitals, 1)) / 3);
      i = j;
    }
  }
  return tokens;
}

function isOpaque(text: string, start: number, end: number): boolean {
  if (end - start < OPAQUE_MIN_LENGTH) return false;
  let letters = false;
  let digits = false;
  let switches = 0;
  let previous: Kind = Kind.Other;
  for (let i = start; i < end; i++) {
    const k = kindOf(text.charCodeAt(i));
    if (k === Kind.Digit) digits = true;
    else if (k === Kind.Lower || k === Kind.Upper) letters = true;
    if (k === Kind.Upper && previous === Kind.Lower) switches++;
    previous = k;
  }
  return (letters && digits) || switches >= 2;
}

/** An upper bound on the tokens of one text under a byte-level BPE tokenizer (see the header for each class). */
export function estimateTextTokens(text: string): number {
  let tokens = 0;
  let i = 0;
  const n = text.length;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c >= 128) {
      // UTF-8 bytes of the code point (typographic punctuation counted as 2).
      if (c < 0x800 || (c >= 0x2000 && c <= 0x206f)) tokens += 2;
      else if (c < 0xd800 || c > 0xdbff || i + 1 >= n) tokens += 3;
      else {
        const low = text.charCodeAt(i + 1);
        if (low >= 0xdc00 && low <= 0xdfff) {
          tokens += 4;
          i += 2;
          continue;
        }
        tokens += 3;
      }
      i += 1;
      continue;
    }
    const k = kindOf(c);
    if (isRunKind(k)) {
      let j = i + 1;
      while (j < n && isRunKind(kindOf(text.charCodeAt(j)))) j++;
      tokens += isOpaque(text, i, j) ? j - i : runTokens(text, i, j);
      i = j;
    } else if (k === Kind.Space || k === Kind.Newline) {
      let spaces = 0;
      let j = i;
      for (; j < n; j++) {
        const w = kindOf(text.charCodeAt(j));
        if (w === Kind.Newline) tokens += 1;
        else if (w === Kind.Space) spaces += 1;
        else break;
      }
      // One space before a word or a mark travels with it; a space before a digit or anything else is a token.
      const next = j < n ? text.charCodeAt(j) : -1;
      const joins = spaces === 1 && j - i === 1 && next >= 0 && next < 128 && kindOf(next) !== Kind.Digit;
      if (!joins && spaces > 0) tokens += Math.ceil(spaces / 4);
      i = j;
    } else {
      tokens += 1;
      i += 1;
    }
  }
  return tokens;
}

/** The whole request: every message's text plus the chat format's framing. */
export function estimateInputTokens(messages: readonly TextMessage[]): number {
  let tokens = REQUEST_FRAMING_TOKENS;
  for (const m of messages) tokens += estimateTextTokens(m.content) + MESSAGE_FRAMING_TOKENS;
  return tokens;
}
