// The JavaScript counters of GGUF vocabularies (spm-count.ts, llama3-count.ts) against llama.cpp's own tokenize, the
// oracle, on seeded random texts of every class (prose, dialogue, digits, punctuation, code, CJK, emoji, odd
// whitespace, mixed scripts, raw-matched tokens, lone surrogates): wherever a counter answers it must be llama.cpp's
// count, and it must answer for most texts (or the test would prove nothing).
import { describe, expect, it } from 'vitest';
import { tinyLlamaFixture, type VocabularyOptions } from '../../test/fixtures/tiny-llama';
import { randomTexts, textSamples } from '../../test/fixtures/text-samples';
import { useVocabOnly } from '../../test/support/use-local-fixture';
import { certainClass, llama3Count } from './llama3-count';
import { spmCount, type TextCount } from './spm-count';

const FRAGMENTS = [
  ...['the', 'The', 'and', 'said', 'Mara', 'aaaa', 'd', 'a', 'x', 'ing', 'ed', 'é', 'É', 'ß', 'Zoë', 'naïve', 'Ω'],
  ...[' ', ' ', '  ', '   ', '\n', '\n\n', '\r\n', '\t', ' \n ', '\u00a0', '\u3000', '\u2028'],
  ...['.', ',', '?', '!!', '…', '—', '–', '“', '”', '‘', '’', "'", "'s", "'S", "'ll", "'Re", '-', '_', '$', '+', '§'],
  ...['12', '1234567', '3.5', '٣', '½', '①', '❶'],
  ...['if (a) { return b; }', '<b>', '</b>', '=>', '//', '0x1F', 'a_b'],
  ...['潮水', '退', '嵐の夜', 'ガ', '한국어', '。', '，', '「', '」', '龘'],
  ...['😀', '🌊', '⚓️', '👨‍👩‍👧', '🏳️‍🌈', '✨', '🫠', '→', '\u200d', '\ufe0f'],
  ...[
    '▁',
    '<tag>',
    'x y',
    '<s>',
    '<|im_start|>',
    '\ud800',
    '\udc00',
    '\ufffd',
    '\u0000',
    'Ελλάδα',
    'Москва',
    'عربى',
    'हिन्दी',
  ],
];

/** Texts from the fragments (short and long), and the samples of every class the benchmark counts. */
const TEXTS = [
  ...randomTexts(21, 500, 12, FRAGMENTS),
  ...randomTexts(22, 60, 300, FRAGMENTS),
  ...Object.values(textSamples(4, 1500)),
];

const withModel = useVocabOnly();

/** Checks `count` against llama.cpp on every text; returns the share it answered. */
function agreement(tokenize: (text: string) => number, count: TextCount): number {
  let answered = 0;
  for (const text of TEXTS) {
    const counted = count(text, 0, text.length);
    if (counted < 0) continue;
    answered++;
    expect(counted, JSON.stringify(text.slice(0, 120))).toBe(tokenize(text));
  }
  return answered / TEXTS.length;
}

const SPM_PIECES: NonNullable<VocabularyOptions['pieces']> = [
  ...['▁t', '▁th', '▁the', 'he', 'an', 'nd', '▁a', '▁an', '▁and', 'in', 'ing', 'ed', '▁s', '▁sa', '▁said'].map(
    (text, i) => ({ text, score: 10 + i }),
  ),
  // Ties (the leftmost first), a piece across a space, pieces of characters that are no token alone (their pair
  // merges; alone they are bytes), and user-defined tokens (counted natively).
  ...['aa', 'aaa', 'Ma', 'ar', 'ra'].map((text) => ({ text, score: 1 })),
  { text: 'd▁the', score: 40 },
  { text: '😀😀', score: 2 },
  { text: '潮水', score: 2 },
  { text: 'é', score: 0.5 },
  { text: 'ét', score: 0.25 },
  { text: '<tag>', userDefined: true },
  { text: 'x y', userDefined: true },
];

describe('the SPM counter in JavaScript', () => {
  it.each([
    ['byte-level SPM (the default fixture)', undefined],
    ['SPM with scored pieces, ties, pieces across a space and user-defined tokens', { pieces: SPM_PIECES }],
    ['the same without the space prefix', { pieces: SPM_PIECES, addSpacePrefix: false }],
  ])('gives llama.cpp’s count of every text it answers: %s', async (_, vocabulary) => {
    await withModel(tinyLlamaFixture({ seed: 1, ...(vocabulary ? { vocabulary } : {}) }), (model) => {
      const count = spmCount((model.fileInfo.metadata as { tokenizer: { ggml: object } }).tokenizer.ggml);
      expect(count).not.toBeNull();
      expect(agreement((text) => model.tokenize(text, false).length, count!)).toBeGreaterThan(0.4);
    });
  });
});

describe('the llama 3 BPE counter in JavaScript', () => {
  it.each([
    ['800 merges learned from English', { kind: 'bpe', pre: 'llama3', learned: 800 }],
    [
      'merges and whole-word pieces, and a user-defined token',
      {
        kind: 'bpe',
        pre: 'llama-bpe',
        learned: 300,
        pieces: [
          ...['the', ' the', ' said', 'Mara', "'s", '潮水', 'é', '123', '🌊', ' 😀'].map((text) => ({ text })),
          { text: '<tag>', userDefined: true },
        ],
      },
    ],
  ] as [string, VocabularyOptions][])('gives llama.cpp’s count of every text it answers: %s', async (_, vocabulary) => {
    await withModel(tinyLlamaFixture({ seed: 1, vocabulary }), (model) => {
      const make = llama3Count((model.fileInfo.metadata as { tokenizer: { ggml: object } }).tokenizer.ggml);
      expect(make).not.toBeNull();
      expect(agreement((text) => model.tokenize(text, false).length, make!())).toBeGreaterThan(0.2);
    });
  });

  it('is not made for the other pre-tokenizers (counted natively)', async () => {
    for (const pre of ['qwen2', 'gpt-2', undefined])
      await withModel(tinyLlamaFixture({ seed: 1, vocabulary: { kind: 'bpe', learned: 50, pre } }), (model) => {
        expect(llama3Count((model.fileInfo.metadata as { tokenizer: { ggml: object } }).tokenizer.ggml)).toBeNull();
      });
  });

  it('takes a character’s class only where JavaScript’s Unicode tables agree with it', () => {
    const kinds = ['', 'letter', 'digit', 'other', 'space'];
    for (let unit = 0; unit < 0xd800; unit++) {
      const kind = kinds[certainClass(unit)]!;
      if (kind === '') continue;
      const char = String.fromCharCode(unit);
      const js = /\p{L}/u.test(char)
        ? 'letter'
        : /\p{N}/u.test(char)
          ? 'digit'
          : /[\t\n\r ]/u.test(char)
            ? 'space'
            : /\s/u.test(char)
              ? 'whitespace'
              : 'other';
      expect(js, `U+${unit.toString(16)}`).toBe(kind);
    }
  });
});
