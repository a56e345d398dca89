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
// the ▁ llama.cpp prepends to each part: llama.cpp's time grows faster than the length of such a run (word-walk.ts).
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
// llama.cpp on the probes of vocab-probe.ts when a vocabulary is first seen; any difference means llama.cpp for every word.
import type { LlamaModel, Token } from 'node-llama-cpp';
import type { CutRule } from './cut-rule';
import { chunkPrefix, cutRule, probeHolds, scriptCounter } from './vocab-probe';
import { wordCounter } from './word-counter';
import { forEachWord, wordTokens } from './word-walk';

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
