// Exactly llama.cpp's token count of a text with a GGUF's vocabulary, cut into words that are tokenized once each.
//
// llama.cpp's SentencePiece (SPM) tokenizer has no pre-tokenizer: it writes spaces as ▁, starts from single
// characters and merges neighbours whose joined text is a vocabulary token, highest score first, over the whole text.
// A cut between two characters `a` and `b` can change that only if some vocabulary token contains `ab`: otherwise
// no merge ever joins the two sides, each side merges exactly as it would alone, and the text's tokens are the left
// side's followed by the right side's. So this module cuts only before a space whose preceding character `a` is
// proven safe once per vocabulary — no token holds `a▁` — and counts each distinct word (with the space before it)
// once per counter (see wordTokenizer): a book's repeated words cost one lookup each. A long word without spaces
// (base64, a line of CJK or emoji) is also cut, for counting, between two characters no token joins, and not before
// the ▁ llama.cpp prepends to each part: llama.cpp's time grows faster than the length of such a run (forEachChunk).
//
// The rest of llama.cpp's SPM path, and how each part is kept exact:
// - A space is prepended to the text (the vocabulary's add_space_prefix, on by default for SPM): a word after a cut
//   starts with its own space, so it is tokenized without it and llama.cpp puts the same ▁ back.
// - User-defined tokens are matched in the raw text first, even when special tokens are not parsed; the text after
//   one gets its own space prefix, and the space before one stays a token of the text before it (no prefix is put
//   back on a token): no cut after a character that ends a user-defined token nor before a space followed by one's
//   first character, none at all if one starts with a space, and their inner pairs count as token pairs.
// - Control and unknown tokens are not parsed in a writer's text (tokenize(text, false)).
// A byte-level BPE vocabulary whose pre-tokenizer is proven in bpe-cuts.ts is cut by the same walk, with its own rule
// (a long word only where the pre-tokenizer always ends a pre-token, such as between a letter and a digit).
// Every other vocabulary type (other BPE pre-tokenizers, WPM, UGM's normalisation, RWKV) and a vocabulary whose
// tokens or metadata cannot be read is tokenized whole, as before. A probe of texts with every kind of cut is
// compared with the whole-text tokenization when a vocabulary is first seen; any difference also means whole texts.
//
// A word is counted in JavaScript where llama.cpp's tokenizer is restated exactly (spm-count.ts for SPM, llama3-count.ts
// for a llama 3 BPE), which costs far less than a native call per character; a word those counters refuse (a
// character of uncertain class, a raw-matched token) is counted by llama.cpp as before. They are checked against
// llama.cpp on the probes below when a vocabulary is first seen; any difference means llama.cpp for every word.
import type { LlamaModel, Token } from 'node-llama-cpp';
import { RangeMemo } from '../tokens/memo';
import { bpeClassEdge, bpeCutRule } from './bpe-cuts';
import type { CutRule } from './cut-rule';
import { llama3Count } from './llama3-count';
import { spmCount, type TextCount } from './spm-count';

/** What SentencePiece writes for a space. */
const SPACE_MARK = '\u2581';
/** tokenizer.ggml.token_type of a user-defined token (llama.cpp's LLAMA_TOKEN_TYPE_USER_DEFINED). */
const USER_DEFINED = 4;

/** Counts like `model.tokenize(text, false).length`, through the words of the text when the vocabulary allows. */
export interface WordTokenizer {
  count(text: string): number;
  /** The text's first tokens, at least `n` of them where it has that many: a prefix of `model.tokenize(text, false)`. */
  head(text: string, n: number): Token[];
  /** Whether texts are cut into words (false: every text is tokenized whole). */
  readonly cuts: boolean;
  /** Whether long words are also cut between characters. */
  readonly chunks: boolean;
}

const rules = new WeakMap<LlamaModel, CutRule | null>();

/**
 * A counter with its own memory of words (one per count, or per split of a manuscript). A count looks its words up;
 * the words it has not seen are tokenized together, a few llama.cpp calls per number of occurrences (a call costs as
 * much as a few dozen characters): the words seen k times are joined into texts, whose count times k is theirs —
 * joined, they meet only at safe cuts (each ends where the text had a safe cut after it; the text's last word, which
 * may not, is counted on its own). A group of a few words is tokenized word by word instead, so that each is
 * remembered: the manuscript splitter counts overlapping texts again and again, and would otherwise tokenize their
 * rarer words in every count.
 */
export function wordTokenizer(model: LlamaModel): WordTokenizer {
  const native = tokenCounter(model);
  let rule = rules.get(model);
  if (rule === undefined) {
    rule = cutRule(model);
    if (rule && !probeHolds(model, rule)) rule = null;
    if (rule) rule.prefixTokens = chunkPrefix(model, rule, native);
    rules.set(model, rule);
  }
  const whole = (text: string) => model.tokenize(text, false);
  if (!rule) return { count: native, head: whole, cuts: false, chunks: false };
  const cut = rule;
  const js = scriptCounter(model)?.();
  return {
    cuts: true,
    chunks: cut.prefixTokens !== undefined,
    count: wordCounter(cut, native, js),
    head: (text, n) => {
      const out: Token[] = [];
      forEachWord(cut, text, (start, end) => {
        out.push(...wordTokens(model, cut, text.slice(start, end), start === 0));
        return out.length < n; // the rest of the text is not walked
      });
      return out;
    },
  };
}

/**
 * The count of wordTokenizer, with its own memory of words, counting with `js` where it can (it returns -1 where it
 * cannot) and with `native` (llama.cpp's count of a text) otherwise.
 */
function wordCounter(cut: CutRule, native: (text: string) => number, js?: TextCount): (text: string) => number {
  const tokens = js
    ? (text: string) => {
        const counted = js(text, 0, text.length);
        return counted >= 0 ? counted : native(text);
      }
    : native;
  const memo = new RangeMemo();
  const firsts = new RangeMemo();
  /** Chunks after a cut between characters, counted without the space llama.cpp prepends to them. */
  const chunks = new RangeMemo();
  const prefix = cut.prefixTokens;
  return (text) => {
    let total = 0;
    // With the space prefix, a text's first word (when the text does not start with a space) is tokenized exactly as
    // the same word after a space is (llama.cpp puts back the ▁ taken off the later one): one memory for both.
    const firstAsLater = cut.spacePrefix && text.charCodeAt(0) !== 32;
    let last = -1;
    const unseen = new Map<string, number>();
    forEachWord(cut, text, (start, end) => {
      const counted = js && end - start > LONG_WORD ? js(text, wordStart(cut, start, start === 0), end) : -1;
      if (counted >= 0)
        total += counted; // the cuts between characters below are for llama.cpp's time only
      else if (prefix !== undefined && end - start > LONG_WORD) {
        // A long word (base64, a line of CJK or emoji without spaces) is cut between characters as well: llama.cpp's
        // time grows faster than the length of a run without spaces. Its first chunk is counted as the word would be.
        forEachChunk(cut, text, start, end, (from, to) => {
          const seen = from > start ? chunks : start === 0 ? firsts : memo;
          let known = seen.get(text, from, to);
          if (known < 0) {
            const chunk = text.slice(from, to);
            const counted = from > start ? tokens(chunk) - prefix : tokens(wordText(cut, chunk, start === 0));
            known = seen.set(chunk, 0, chunk.length, counted);
          }
          total += known;
        });
      } else if (start === 0) {
        // Tokenized as it is, with no space taken off, and on its own (it may be the last word too).
        const word = text.slice(0, end);
        const seen = firstAsLater ? memo : firsts;
        const key = firstAsLater ? ` ${word}` : word;
        let known = seen.get(key, 0, key.length);
        if (known < 0) known = seen.set(key, 0, key.length, tokens(wordText(cut, word, true)));
        total += known;
      } else if (end === text.length) last = start;
      else {
        let known = memo.get(text, start, end);
        if (known >= 0) total += known;
        else {
          known = js ? js(text, wordStart(cut, start, false), end) : -1;
          if (known >= 0) total += memo.set(text, start, end, known);
          else {
            const word = text.slice(start, end);
            unseen.set(word, (unseen.get(word) ?? 0) + 1);
          }
        }
      }
    });
    if (last >= 0) {
      let known = memo.get(text, last, text.length);
      if (known < 0) known = memo.set(text, last, text.length, tokens(wordText(cut, text.slice(last), false)));
      total += known;
    }
    const byOccurrences = new Map<number, string[]>();
    for (const [word, k] of unseen) {
      const group = byOccurrences.get(k);
      if (group) group.push(word);
      else byOccurrences.set(k, [word]);
    }
    for (const [k, words] of byOccurrences) {
      if (words.length <= FEW_WORDS) {
        for (const word of words) {
          let known = memo.get(word, 0, word.length);
          if (known < 0) known = memo.set(word, 0, word.length, tokens(wordText(cut, word, false)));
          total += k * known;
        }
      } else total += k * joinedCount(cut, words, native);
    }
    return total;
  };
}

/** Joined words are tokenized in texts of about this many UTF-16 units (each ends at the first word past it). */
const JOINED_TEXT = 8192;

/**
 * The count of `words` joined (they meet only at safe cuts), tokenized JOINED_TEXT units at a time: llama.cpp's
 * time per character grows with a text's length (on a byte-level BPE vocabulary, 70,000 digits cost about four times
 * what nine texts of 8,000 do), so the join is cut again at some of its words' edges.
 */
function joinedCount(cut: CutRule, words: readonly string[], tokens: (text: string) => number): number {
  let total = 0;
  let from = 0;
  let length = 0;
  for (let i = 0; i < words.length; i++) {
    length += words[i]!.length;
    if (length >= JOINED_TEXT || i === words.length - 1) {
      total += tokens(wordText(cut, words.slice(from, i + 1).join(''), false));
      from = i + 1;
      length = 0;
    }
  }
  return total;
}

/** The tokens of one word of a text: the first as it is; a later one, which starts with its space, in context. */
function wordTokens(model: LlamaModel, rule: CutRule, text: string, first: boolean): Token[] {
  return model.tokenize(wordText(rule, text, first), false);
}

/** What llama.cpp is given for one word: a later word without its space where llama.cpp puts one back. */
function wordText(rule: CutRule, text: string, first: boolean): string {
  return first || !rule.spacePrefix ? text : text.slice(1);
}

/** wordText as a range: where the text llama.cpp is given for the word starting at `start` begins. */
function wordStart(rule: CutRule, start: number, first: boolean): number {
  return first || !rule.spacePrefix ? start : start + 1;
}

/**
 * `model.tokenize(text, false).length` without the array: node-llama-cpp's tokenize is its native tokenize (llama.cpp's,
 * special tokens not parsed) copied element by element into a JavaScript array, which costs more than llama.cpp's
 * tokenizing on a byte-level vocabulary. The native call is reached through a field node-llama-cpp's types do not
 * show; if a version moves it, counts go through tokenize (vocab-chunks.test.ts compares with it on every vocabulary).
 */
function tokenCounter(model: LlamaModel): (text: string) => number {
  const native = (model as unknown as { _model?: { tokenize?: unknown } })._model;
  const tokenize = native?.tokenize;
  if (typeof tokenize !== 'function') return (text) => model.tokenize(text, false).length;
  return (text) => (text === '' ? 0 : (tokenize.call(native, text, false) as ArrayLike<number>).length);
}

/**
 * Calls `each` with [start, end) of every word, in order, until it returns false: cuts before a space whose preceding
 * character is safe.
 */
function forEachWord(rule: CutRule, text: string, each: (start: number, end: number) => boolean | void): void {
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

/** Unseen words seen as often as at most this many others are tokenized (and remembered) one by one. */
const FEW_WORDS = 4;

/** Words longer than this (in UTF-16 units) are cut between characters too. */
const LONG_WORD = 1024;
/** Chunks of a long word are at least this long, and cut at the first safe place once this long. */
const CHUNK_MIN = 64;
const CHUNK_MAX = 256;

/**
 * Calls `each` with [from, to) of every chunk of the word text[start, end): cut between two characters no token joins
 * (neither a space, nor the ▁ llama.cpp prepends to the chunk after the cut, nor a user-defined token's edge). Where
 * a cut falls depends on the text around it, not on where the word starts (a character whose code is a multiple of
 * 16, else the first safe place after CHUNK_MAX), so a repeated passage is cut the same way each time.
 */
function forEachChunk(
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

interface GgufTokenizerMetadata {
  model?: unknown;
  tokens?: unknown;
  token_type?: unknown;
  add_space_prefix?: unknown;
}

/** The cut rule of an SPM vocabulary (or a proven BPE one), or null when texts must be tokenized whole. */
function cutRule(model: LlamaModel): CutRule | null {
  const ggml = (model.fileInfo.metadata as { tokenizer?: { ggml?: GgufTokenizerMetadata } }).tokenizer?.ggml;
  if (String(model.vocabularyType) === 'bpe') return bpeCutRule(ggml);
  if (String(model.vocabularyType) !== 'spm') return null;
  const tokens = ggml?.tokens;
  const types = ggml?.token_type;
  if (!Array.isArray(tokens) || !Array.isArray(types) || tokens.length !== types.length) return null;
  const unsafe = new Set<string>();
  const unsafeAfterUnit = new Uint8Array(0x10000);
  const markBefore = (token: string, at: number) => {
    // The whole character before position `at` (a surrogate pair counts as one).
    const before = Array.from(token.slice(0, at)).at(-1);
    if (before === undefined) return;
    unsafe.add(before);
    if (before === SPACE_MARK) unsafe.add(' ');
    if (before === ' ') unsafe.add(SPACE_MARK);
  };
  const pairs = new Set<string>();
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i];
    if (typeof token !== 'string') return null;
    const chars = Array.from(token.replaceAll(' ', SPACE_MARK));
    for (let k = 1; k < chars.length; k++) pairs.add(chars[k - 1]! + chars[k]!);
    for (let at = token.indexOf(SPACE_MARK, 1); at !== -1; at = token.indexOf(SPACE_MARK, at + 1))
      markBefore(token, at);
    if (types[i] === USER_DEFINED) {
      // Matched in the raw text, where a space is a space.
      if (token === '' || token.startsWith(' ') || token.startsWith(SPACE_MARK)) return null;
      // By code unit: a surrogate pair's first half stands for every character it starts (more cautious, still exact).
      unsafeAfterUnit[token.charCodeAt(0)] = 1;
      for (let at = token.indexOf(' ', 1); at !== -1; at = token.indexOf(' ', at + 1)) markBefore(token, at);
      markBefore(token, token.length);
    }
  }
  const unsafeUnit = new Uint8Array(0x10000);
  for (const char of unsafe) if (char.length === 1) unsafeUnit[char.charCodeAt(0)] = 1;
  // llama.cpp turns the space prefix on for SPM unless the GGUF says otherwise.
  const spacePrefix = typeof ggml?.add_space_prefix === 'boolean' ? ggml.add_space_prefix : true;
  return { unsafe, unsafeUnit, unsafeAfterUnit, spacePrefix, pairs, classEdges: false };
}

const scriptCounters = new WeakMap<LlamaModel, (() => TextCount) | null>();

/**
 * A maker of JavaScript counters of the vocabulary (spm-count.ts, llama3-count.ts: one per count, for their memory),
 * or null when there is none or one differs from llama.cpp on a probe (then every word is counted natively).
 */
function scriptCounter(model: LlamaModel): (() => TextCount) | null {
  let make = scriptCounters.get(model);
  if (make === undefined) {
    const ggml = (model.fileInfo.metadata as { tokenizer?: { ggml?: Record<string, unknown> } }).tokenizer?.ggml;
    const type = String(model.vocabularyType);
    try {
      const spm = type === 'spm' ? spmCount(ggml) : null;
      make = spm ? () => spm : type === 'bpe' ? llama3Count(ggml) : null;
    } catch {
      make = null; // metadata these counters cannot take (a PairTable refusal): llama.cpp counts every word
    }
    if (make) {
      const count = make();
      const probes = [...PROBES, LONG_PROBE, ...PROBES.map((probe) => ` ${probe}`)];
      const differs = (probe: string) =>
        ![-1, model.tokenize(probe, false).length].includes(count(probe, 0, probe.length));
      if (probes.some(differs)) make = null;
    }
    scriptCounters.set(model, make);
  }
  return make;
}

/** Texts with cuts after letters, digits, punctuation, spaces, CJK and emoji, at the start and the end. */
const PROBES = [
  'a b',
  ' a b ',
  'Hello world, said Mara. “You said Tuesday,” she whispered —  twice.',
  'x  y   z\n\n  indented line\tand a tab',
  '潮水 退去了 — and then? 12 March 1911 3.14159 😀 🙂x',
  'if (a) { return b; } // code <b>bold</b> <|im_start|> ▁lit ▁',
  "It's 1234567 o'clock,  they'LL say:\r\n\r\n 3.5% don't\t x’s 12 34 '  ' re ve",
];

/** Whether the cut rule gives every probe's whole-text tokens (a guard against a vocabulary read wrongly). */
function probeHolds(model: LlamaModel, rule: CutRule): boolean {
  for (const probe of PROBES) {
    const whole = model.tokenize(probe, false);
    const cut: Token[] = [];
    forEachWord(rule, probe, (start, end) => {
      cut.push(...wordTokens(model, rule, probe.slice(start, end), start === 0));
    });
    if (cut.length !== whole.length || cut.some((token, i) => token !== whole[i])) return false;
  }
  return true;
}

/** A word without spaces longer than LONG_WORD, with every kind of character to cut between. */
const LONG_PROBE = Array.from(
  { length: 48 },
  (_, i) => `龘靐齉${i}麤鱻😀👨‍👩‍👧潮水退去了abcXYZ0@p.,;-“”ü${'é'.repeat(i % 3)}<tag>▁x`,
).join('');

/**
 * The tokens of the space llama.cpp prepends to a chunk cut out of a word (none for BPE), found as
 * 2·count(z) − count(zz) for a character z that nothing merges with the prefix nor with itself; undefined — long
 * words stay whole — when there is no such character, or when chunked counts of a long probe differ from its whole
 * count.
 */
function chunkPrefix(model: LlamaModel, rule: CutRule, tokens: (text: string) => number): number | undefined {
  const pairs = rule.pairs;
  // BPE has no prefix (spacePrefix is false): 0.
  let prefix: number | undefined = rule.spacePrefix ? undefined : 0;
  if (prefix === undefined) {
    for (const z of ['x', 'q', '#', '0', '~']) {
      if (pairs.has(SPACE_MARK + z) || pairs.has(z + z) || rule.unsafe.has(z)) continue;
      if (rule.unsafeAfterUnit[z.charCodeAt(0)] === 1) continue;
      prefix = 2 * tokens(z) - tokens(z + z);
      break;
    }
  }
  if (prefix === undefined) return undefined;
  const count = wordCounter({ ...rule, prefixTokens: prefix }, tokens);
  for (const probe of [LONG_PROBE, `Mara said ${LONG_PROBE} and ${LONG_PROBE.slice(7)}`]) {
    if (count(probe) !== model.tokenize(probe, false).length) return undefined;
  }
  return prefix;
}
