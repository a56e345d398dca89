// Word-by-word tokenization must give exactly llama.cpp's whole-text tokens (not just the count: never fewer, never
// more) on every vocabulary type the tests can generate — the default byte-level SPM fixture, SPM vocabularies with
// word pieces, pieces that span a space, user-defined tokens, with and without the space prefix, and a BPE with
// llama.cpp's default pre-tokenizer (tokenized whole; bpe-cuts.test.ts has the BPE ones that are cut) — on every
// class of text and on seeded random texts built from the pieces' edges.
import { describe, expect, it } from 'vitest';
import { baseModelFixture, tinyLlamaFixture, type VocabularyOptions } from '../../test/fixtures/tiny-llama';
import { randomTexts, textSamples, wordCutTexts } from '../../test/fixtures/text-samples';
import { useVocabOnly } from '../../test/support/use-local-fixture';
import { expectWholeTextTokens } from '../../test/support/word-cuts';
import { countPromptTokens } from './local-prompt';
import { wordTokenizer } from './vocab-chunks';

/** Word pieces that merge (higher scores first), some across a space ("d▁the", ".▁"), and user-defined tokens. */
const PIECES: NonNullable<VocabularyOptions['pieces']> = [
  ...['▁t', '▁th', '▁the', 'he', 'an', 'nd', '▁a', '▁an', '▁and', 'in', 'ing', 'ed', '▁s', '▁sa', '▁sai', '▁said'].map(
    (text, i) => ({ text, score: 10 + i }),
  ),
  { text: '▁M', score: 5 },
  { text: '▁Ma', score: 6 },
  { text: '▁Mar', score: 7 },
  { text: '▁Mara', score: 8 },
  { text: '▁▁', score: 4 },
  { text: '▁▁▁▁', score: 3 },
  { text: 'd▁the', score: 40 },
  { text: '.▁', score: 30 },
  { text: '潮水', score: 2 },
  { text: '<tag>', userDefined: true },
  { text: 'x y', userDefined: true },
];

const vocabularies: [string, VocabularyOptions | undefined][] = [
  ['byte-level SPM (the default fixture)', undefined],
  ['SPM with word pieces, pieces across a space and user-defined tokens', { pieces: PIECES }],
  ['the same SPM without the space prefix', { pieces: PIECES, addSpacePrefix: false }],
  [
    'byte-level BPE, no pre-tokenizer named (llama.cpp’s default: tokenized whole)',
    { kind: 'bpe', pieces: PIECES.map((p) => ({ text: p.text })) },
  ],
];

/** Fragments that meet at every kind of edge: spaces (runs, leading, trailing), the pieces, CJK, emoji, marks. */
const FRAGMENTS = [
  'the',
  'and',
  'said',
  'Mara',
  'd',
  'a',
  '.',
  ',',
  '?',
  ' ',
  ' ',
  ' ',
  '  ',
  '    ',
  '\n',
  '\n\n',
  '\t',
  '<tag>',
  'x y',
  'x',
  'y',
  '>',
  '潮水',
  '退',
  '😀',
  '▁',
  '12',
  '3.5',
  '“',
  '”',
  '—',
  'é',
  'ing',
  'ed',
  '<|im_start|>',
];

const texts = wordCutTexts(FRAGMENTS, [
  ['had the', 'Mara had the thing. Then she had the end.'],
  ['before a user-defined token', 'a <tag> b\n\n x y — x y'],
]);

const withModel = useVocabOnly();

describe.each(vocabularies)('word-by-word tokenization, %s', (label, vocabulary) => {
  const path = () => tinyLlamaFixture({ seed: 1, ...(vocabulary ? { vocabulary } : {}) });

  it('gives exactly the whole text’s tokens (so never a lower count) on every class of text', async () => {
    await withModel(path(), (model) => {
      const words = wordTokenizer(model);
      expect(words.cuts).toBe(vocabulary?.kind !== 'bpe');
      expectWholeTextTokens(model, words, texts);
    });
  });

  it('cuts long words without spaces between characters and still gives the whole text’s count', async () => {
    await withModel(path(), (model) => {
      const words = wordTokenizer(model);
      // SPM vocabularies have characters nothing joins: their long words are cut (GPT-2 BPE texts stay whole).
      expect(words.chunks).toBe(vocabulary?.kind !== 'bpe');
      const samples = textSamples(5, 6000);
      const runs = randomTexts(
        8,
        6,
        900,
        FRAGMENTS.filter((f) => !f.includes(' ')),
      );
      for (const [name, text] of [
        ...(['base64', 'hex', 'uuids', 'cjk', 'rare_cjk', 'emoji'] as const).map((k): [string, string] => [
          k,
          samples[k]!,
        ]),
        ...runs.map((text, i): [string, string] => [`random run ${i}`, text]),
      ]) {
        for (const variant of [text, `Mara said ${text}`, `${text} and ${text.slice(5)}`, `${text}\n${text}`]) {
          expect(words.count(variant), name).toBe(model.tokenize(variant, false).length);
        }
      }
    });
  });

  it('counts a whole prompt (chat template, and a base model’s completion format) as node-llama-cpp does', async () => {
    for (const file of [path(), baseModelFixture({ seed: 1, ...(vocabulary ? { vocabulary } : {}) })])
      await withModel(file, (model) => {
        for (const [name, text] of texts.filter((_, i) => i < 40 || i % 8 === 0)) {
          for (const messages of [
            [{ role: 'user' as const, content: text }],
            [
              { role: 'system' as const, content: 'Check the continuity. Quote both places.' },
              { role: 'user' as const, content: text },
            ],
          ])
            expect(countPromptTokens(model, messages, wordTokenizer(model)), `${label}: ${name}`).toBe(
              countPromptTokens(model, messages),
            );
        }
      });
  });
});

describe('the cut rule is what keeps the counts exact', () => {
  it('a text’s first word is remembered with the same word after a space only where llama.cpp tokenizes them alike', async () => {
    for (const addSpacePrefix of [true, false]) {
      await withModel(tinyLlamaFixture({ seed: 1, vocabulary: { pieces: PIECES, addSpacePrefix } }), (model) => {
        const words = wordTokenizer(model);
        // Each text's first word was seen after a space in the text before it, and the other way round.
        for (const text of ['x Mara and', 'Mara said', ' Mara said', 'said Mara the', 'the Mara', 'Mara', 'and x', 'x'])
          expect(words.count(text), `${text} (space prefix ${addSpacePrefix})`).toBe(
            model.tokenize(text, false).length,
          );
      });
    }
  });

  it('cutting before every space would miscount a vocabulary with a piece across a space; the rule does not cut there', async () => {
    await withModel(tinyLlamaFixture({ seed: 1, vocabulary: { pieces: PIECES } }), (model) => {
      const text = 'Mara had the thing.';
      const whole = model.tokenize(text, false).length;
      // The naive cut: each word on its own (its leading space left to the space prefix).
      const naive = text
        .split(/(?= )/)
        .reduce((sum, word, i) => sum + model.tokenize(i === 0 ? word : word.slice(1), false).length, 0);
      expect(naive).not.toBe(whole);
      expect(wordTokenizer(model).count(text)).toBe(whole);
    });
  });
});
