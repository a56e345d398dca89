// What a vocabulary allows, found once per model: its cut rule (an SPM one made here, a BPE one in bpe-cuts.ts), the
// space prefix's tokens a long word's chunks are counted without, and its JavaScript counter. Each is checked against
// llama.cpp's whole-text tokens on probe texts; one that differs is not used (texts whole, or every word natively).
import type { LlamaModel, Token } from 'node-llama-cpp';
import { bpeCutRule } from './bpe-cuts';
import type { CutRule } from './cut-rule';
import { llama3Count } from './llama3-count';
import { spmCount, type TextCount } from './spm-count';
import { wordCounter } from './word-counter';
import { SPACE_MARK, forEachWord, wordTokens } from './word-walk';

/** tokenizer.ggml.token_type of a user-defined token (llama.cpp's LLAMA_TOKEN_TYPE_USER_DEFINED). */
const USER_DEFINED = 4;

interface GgufTokenizerMetadata {
  model?: unknown;
  tokens?: unknown;
  token_type?: unknown;
  add_space_prefix?: unknown;
}

/** The cut rule of an SPM vocabulary (or a proven BPE one), or null when texts must be tokenized whole. */
export function cutRule(model: LlamaModel): CutRule | null {
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
export function scriptCounter(model: LlamaModel): (() => TextCount) | null {
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
export function probeHolds(model: LlamaModel, rule: CutRule): boolean {
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
export function chunkPrefix(model: LlamaModel, rule: CutRule, tokens: (text: string) => number): number | undefined {
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
