// Exactly llama.cpp's token count of a text with a GGUF's vocabulary, cut into words that are tokenized once each.
//
// llama.cpp's SentencePiece (SPM) tokenizer has no pre-tokenizer: it writes spaces as ▁, starts from single
// characters and merges neighbours whose joined text is a vocabulary token, highest score first, over the whole text.
// A cut between two characters `a` and `b` can change that only if some vocabulary token contains `ab`: otherwise
// no merge ever joins the two sides, each side merges exactly as it would alone, and the text's tokens are the left
// side's followed by the right side's. So this module cuts only before a space whose preceding character `a` is
// proven safe once per vocabulary — no token holds `a▁` — and counts each distinct word (with the space before it)
// once per counter (see wordTokenizer): a book's repeated words cost one lookup each.
//
// The rest of llama.cpp's SPM path, and how each part is kept exact:
// - A space is prepended to the text (the vocabulary's add_space_prefix, on by default for SPM): a word after a cut
//   starts with its own space, so it is tokenized without it and llama.cpp puts the same ▁ back.
// - User-defined tokens are matched in the raw text first, even when special tokens are not parsed; the text after
//   one gets its own space prefix, and the space before one stays a token of the text before it (no prefix is put
//   back on a token): no cut after a character that ends a user-defined token nor before a space followed by one's
//   first character, none at all if one starts with a space, and their inner pairs count as token pairs.
// - Control and unknown tokens are not parsed in a writer's text (tokenize(text, false)).
// Every other vocabulary type (BPE with its pre-tokenizer regexes, WPM, UGM's normalisation, RWKV) and a vocabulary
// whose tokens or metadata cannot be read is tokenized whole, as before. A probe of texts with every kind of cut is
// compared with the whole-text tokenization when a vocabulary is first seen; any difference also means whole texts.
import type { LlamaModel, Token } from 'node-llama-cpp';
import { boundedSet } from '../tokens/memo';

/** What SentencePiece writes for a space. */
const SPACE_MARK = '\u2581';
/** tokenizer.ggml.token_type of a user-defined token (llama.cpp's LLAMA_TOKEN_TYPE_USER_DEFINED). */
const USER_DEFINED = 4;

/** Where a vocabulary may be cut: before a space between characters not in `unsafe` and `unsafeAfter`. */
interface CutRule {
  /** Characters (code points, as strings) after which a cut before a space could change the tokens. */
  unsafe: ReadonlySet<string>;
  /** Per character of one UTF-16 code unit: 1 when in `unsafe` (the fast path; surrogate pairs are looked up). */
  unsafeUnit: Uint8Array;
  /** Per UTF-16 code unit: 1 when a character starting with it begins a user-defined token (none may follow a cut's space). */
  unsafeAfterUnit: Uint8Array;
  /** The vocabulary prepends a space to the text (so a word's own leading space is left for it to add). */
  spacePrefix: boolean;
}

/** Counts like `model.tokenize(text, false).length`, through the words of the text when the vocabulary allows. */
export interface WordTokenizer {
  count(text: string): number;
  /** The text's first tokens, at least `n` of them where it has that many: a prefix of `model.tokenize(text, false)`. */
  head(text: string, n: number): Token[];
  /** Whether texts are cut into words (false: every text is tokenized whole). */
  readonly cuts: boolean;
}

const rules = new WeakMap<LlamaModel, CutRule | null>();

/**
 * A counter with its own memory of words (one per count, or per split of a manuscript). A count looks its words up;
 * the words it has not seen are tokenized together, one llama.cpp call per number of occurrences (a call costs as
 * much as a few dozen characters): the words seen k times are joined into one text, whose count times k is theirs —
 * joined, they meet only at safe cuts (each ends where the text had a safe cut after it; the text's last word, which
 * may not, is counted on its own). A word alone in its group is remembered with its count.
 */
export function wordTokenizer(model: LlamaModel): WordTokenizer {
  let rule = rules.get(model);
  if (rule === undefined) {
    rule = cutRule(model);
    if (rule && !probeHolds(model, rule)) rule = null;
    rules.set(model, rule);
  }
  const whole = (text: string) => model.tokenize(text, false);
  const tokens = tokenCounter(model);
  if (!rule) return { count: tokens, head: whole, cuts: false };
  const cut = rule;
  const memo = new Map<string, number>();
  const firsts = new Map<string, number>();
  return {
    cuts: true,
    count: (text) => {
      let total = 0;
      let last = '';
      const unseen = new Map<string, number>();
      forEachWord(cut, text, (start, end) => {
        if (start === 0) {
          // A text's first word is tokenized as it is, with no space taken off: remembered apart from later words.
          const word = text.slice(0, end);
          let known = firsts.get(word);
          if (known === undefined) known = boundedSet(firsts, word, tokens(wordText(cut, word, true)));
          total += known;
        } else if (end === text.length) last = text.slice(start, end);
        else {
          const word = text.slice(start, end);
          const known = memo.get(word);
          if (known !== undefined) total += known;
          else unseen.set(word, (unseen.get(word) ?? 0) + 1);
        }
      });
      if (last !== '') {
        let known = memo.get(last);
        if (known === undefined) known = boundedSet(memo, last, tokens(wordText(cut, last, false)));
        total += known;
      }
      const byOccurrences = new Map<number, string[]>();
      for (const [word, k] of unseen) {
        const group = byOccurrences.get(k);
        if (group) group.push(word);
        else byOccurrences.set(k, [word]);
      }
      for (const [k, words] of byOccurrences) {
        const counted = tokens(wordText(cut, words.join(''), false));
        if (words.length === 1) boundedSet(memo, words[0]!, counted);
        total += k * counted;
      }
      return total;
    },
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

/** The tokens of one word of a text: the first as it is; a later one, which starts with its space, in context. */
function wordTokens(model: LlamaModel, rule: CutRule, text: string, first: boolean): Token[] {
  return model.tokenize(wordText(rule, text, first), false);
}

/** What llama.cpp is given for one word: a later word without its space where llama.cpp puts one back. */
function wordText(rule: CutRule, text: string, first: boolean): string {
  return first || !rule.spacePrefix ? text : text.slice(1);
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

interface GgufTokenizerMetadata {
  model?: unknown;
  tokens?: unknown;
  token_type?: unknown;
  add_space_prefix?: unknown;
}

/** The cut rule of an SPM vocabulary, or null when texts must be tokenized whole. */
function cutRule(model: LlamaModel): CutRule | null {
  if (String(model.vocabularyType) !== 'spm') return null;
  const ggml = (model.fileInfo.metadata as { tokenizer?: { ggml?: GgufTokenizerMetadata } }).tokenizer?.ggml;
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
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i];
    if (typeof token !== 'string') return null;
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
  return { unsafe, unsafeUnit, unsafeAfterUnit, spacePrefix };
}

/** Texts with cuts after letters, digits, punctuation, spaces, CJK and emoji, at the start and the end. */
const PROBES = [
  'a b',
  ' a b ',
  'Hello world, said Mara. “You said Tuesday,” she whispered —  twice.',
  'x  y   z\n\n  indented line\tand a tab',
  '潮水 退去了 — and then? 12 March 1911 3.14159 😀 🙂x',
  'if (a) { return b; } // code <b>bold</b> <|im_start|> ▁lit ▁',
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
