// Where a byte-level BPE vocabulary (tokenizer.ggml.model "gpt2") may be cut exactly: before a space that follows
// any character but whitespace, for the pre-tokenizers whose scanners are proven below.
//
// llama.cpp's BPE splits the text into pre-tokens first (src/unicode.cpp: unicode_regex_split_custom_llama3, _qwen2
// and _gpt2, hand-written scanners of the llama 3, Qwen2 and GPT-2 regexes) and merges only inside each pre-token
// (llama 3's ignore_merges, which takes a pre-token that is a vocabulary token whole, also looks at one). So a cut at
// p gives the whole text's tokens when the whole text has a pre-token boundary at p and the pre-tokens on each side
// are those the parts get alone. Each scanner walks left to right with no state but its position and reads only
// forward, so the part after a boundary is scanned exactly as it is alone. Before p, with text[p] = ' ' and text[p-1]
// not whitespace, every branch ends its pre-token at p at the latest and reads nothing past p that could change it:
// - letters (`[^\r\n\p{L}\p{N}]?\p{L}+`, GPT-2's ` ?\p{L}+`), digits (`\p{N}{1,3}` grouped from the run's left end,
//   Qwen2's single `\p{N}`, GPT-2's ` ?\p{N}+`) and punctuation or symbols (` ?[^\s\p{L}\p{N}]+`) stop at the
//   space; the `[\r\n]*` after punctuation (llama 3, Qwen2) sees a space, not a line break; a letter run's optional
//   first character looks one ahead only from a character before p-1, and at p-1 a non-letter sees no letter after
//   it whether the text goes on with a space or ends;
// - a contraction (`'s`, `'re`…) starting at p-2 reads text[p] as its third character: a space and the text's end
//   both fail `'re`/`'ve`/`'ll`, and one starting at p-1 needs a letter at p;
// - whitespace runs and their `\s+(?!\S)` lookahead stop at the non-whitespace p-1; a character no category holds
//   is a pre-token of its own.
// So the condition is on text[p-1] alone; whitespace there (llama.cpp's list, and JavaScript's) is refused. Any
// other pre-tokenizer (the default one runs several regexes in turn, others isolate digits or use ▁) is not proven:
// its texts are tokenized whole.
//
// Tokens llama.cpp may match in the raw text before pre-tokenizing (user-defined ones even when special tokens are
// not parsed; some control tokens are made user-defined by name) are all treated as matched: none may start with
// whitespace (else no cut at all), no cut after a character that ends one (an rstrip token would eat the space) or
// before a space inside one, nor before a space followed by one's first character — so no match ever spans a cut.
//
// A long word without spaces (base64, hex, a UUID list, a line of CJK) is also cut between two characters, where
// every scanner always ends a pre-token: between a letter and a digit either way, after a letter or a digit before
// punctuation, and after punctuation before a digit (bpeClassEdge). Not after punctuation before a letter: llama 3's
// and Qwen2's `[^\r\n\p{L}\p{N}]?\p{L}+` takes one such character into the letters. At such an edge the pre-token
// holding the character before it is a letter run, a digit run (its groups of three counted from the run's start,
// which the left part keeps) or a punctuation run, and each stops at the edge alone or in context; no contraction
// spans it (one would need a letter after the edge, with ' or a letter before it); the scanner then starts afresh at
// the edge, reading only forward. The classes are taken only for characters whose class no Unicode version or table disagrees on
// (ASCII letters, digits and punctuation, CJK ideographs, kana, Hangul syllables, common CJK punctuation); any
// other character is never beside such a cut. A raw-matched token holding the two characters side by side forbids it.

import type { CutRule } from './cut-rule';

/** The GGUF's tokenizer.ggml keys read here. */
export interface BpeTokenizerMetadata {
  pre?: unknown;
  tokens?: unknown;
  token_type?: unknown;
}

/** tokenizer.ggml.pre values whose llama.cpp pre-tokenizer is one of the three scanners above (llama-vocab.cpp). */
const PROVEN_PRE_TYPES: ReadonlySet<string> = new Set([
  // LLAMA3 (and DBRX, SMAUG, CHATGLM4: the same regex, hence the same scanner)
  'llama3',
  'llama-v3',
  'llama-bpe',
  'falcon3',
  'dbrx',
  'smaug-bpe',
  // QWEN2 (and STABLELM2: the same regex)
  'qwen2',
  'deepseek-r1-qwen',
  'megrez',
  'stablelm2',
  // GPT2
  'gpt-2',
  'mpt',
  'olmo',
]);

/** token_type values that are merged text, never matched in the raw text (normal and byte tokens). */
const TOKEN_NORMAL = 1;
const TOKEN_BYTE = 6;

/** Whitespace to llama.cpp (unicode_set_whitespace) or to JavaScript's \s: never before a cut. */
const WHITESPACE = [
  0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x20, 0x85, 0xa0, 0x1680, 0x2000, 0x2001, 0x2002, 0x2003, 0x2004, 0x2005, 0x2006,
  0x2007, 0x2008, 0x2009, 0x200a, 0x2028, 0x2029, 0x202f, 0x205f, 0x3000, 0xfeff,
];

/** The cut rule of a byte-level BPE vocabulary with a proven pre-tokenizer, or null when texts must be tokenized whole. */
export function bpeCutRule(ggml: BpeTokenizerMetadata | undefined): CutRule | null {
  if (typeof ggml?.pre !== 'string' || !PROVEN_PRE_TYPES.has(ggml.pre)) return null;
  const tokens = ggml.tokens;
  const types = ggml.token_type;
  if (!Array.isArray(tokens) || !Array.isArray(types) || tokens.length !== types.length) return null;
  const unsafe = new Set<string>(WHITESPACE.map((code) => String.fromCharCode(code)));
  // A lone surrogate half is its own character: refused too (how it reaches llama.cpp's UTF-8 is not ours to prove).
  for (let unit = 0xd800; unit <= 0xdfff; unit++) unsafe.add(String.fromCharCode(unit));
  const unsafeAfterUnit = new Uint8Array(0x10000);
  const pairs = new Set<string>();
  const markBefore = (token: string, at: number) => {
    const before = Array.from(token.slice(0, at)).at(-1);
    if (before !== undefined) unsafe.add(before);
  };
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i];
    if (typeof token !== 'string') return null;
    if (types[i] === TOKEN_NORMAL || types[i] === TOKEN_BYTE) continue;
    if (token === '' || WHITESPACE.includes(token.charCodeAt(0)) || /^\s/u.test(token)) return null;
    // By code unit: a surrogate pair's first half stands for every character it starts (more cautious, still exact).
    unsafeAfterUnit[token.charCodeAt(0)] = 1;
    for (let at = token.indexOf(' ', 1); at !== -1; at = token.indexOf(' ', at + 1)) markBefore(token, at);
    markBefore(token, token.length);
    const chars = Array.from(token);
    for (let k = 1; k < chars.length; k++) pairs.add(chars[k - 1]! + chars[k]!);
  }
  const unsafeUnit = new Uint8Array(0x10000);
  for (const char of unsafe) if (char.length === 1) unsafeUnit[char.charCodeAt(0)] = 1;
  // BPE has no space prefix: a word after a cut is tokenized with its own leading space.
  return { unsafe, unsafeUnit, unsafeAfterUnit, spacePrefix: false, pairs, classEdges: true };
}

export const LETTER = 1;
export const DIGIT = 2;
/** Punctuation or a symbol: neither a letter, a digit nor whitespace. */
export const OTHER = 3;

/**
 * The class of each UTF-16 code unit whose class is certain (0: not taken). Letters: ASCII, CJK unified ideographs
 * (U+4E00–U+9FEF, all assigned since Unicode 11), hiragana, katakana and Hangul syllables. Others: ASCII punctuation
 * and symbols, and the CJK, fullwidth and typographic punctuation of everyday text. A new table each call (llama3-count.ts
 * takes one and adds the classes its own scanner is certain of).
 */
export function certainClasses(): Uint8Array {
  const classes = new Uint8Array(0x10000);
  const mark = (from: number, to: number, kind: number) => classes.fill(kind, from, to + 1);
  mark(0x41, 0x5a, LETTER);
  mark(0x61, 0x7a, LETTER);
  mark(0x4e00, 0x9fef, LETTER);
  mark(0x3041, 0x3096, LETTER);
  mark(0x30a1, 0x30fa, LETTER);
  mark(0xac00, 0xd7a3, LETTER);
  mark(0x30, 0x39, DIGIT);
  for (const char of '!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~、。「」『』！，：；？—…‘’“”«»')
    classes[char.charCodeAt(0)] = OTHER;
  return classes;
}

const CLASSES = certainClasses();

/**
 * Whether every proven pre-tokenizer ends a pre-token between two neighbouring characters (UTF-16 code units), in
 * context and in each part alone: see the head of this file.
 */
export function bpeClassEdge(before: number, after: number): boolean {
  const a = CLASSES[before]!;
  const b = CLASSES[after]!;
  return a !== 0 && b !== 0 && a !== b && !(a === OTHER && b === LETTER);
}
