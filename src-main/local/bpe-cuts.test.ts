// Word-by-word tokenization of byte-level BPE vocabularies must give exactly llama.cpp's whole-text tokens for the
// pre-tokenizers bpe-cuts.ts proves (llama 3, Qwen2, GPT-2), on every class of text and on seeded random texts built
// from the edges the pre-tokenizers care about (contractions, digit runs, whitespace runs, \r\n, marks, user-defined
// tokens); every other pre-tokenizer is tokenized whole. The fixtures' merges are learned from English text, so
// tokens span several bytes (" said", "123", ".”") and a wrong cut shows in the count.
import type { LlamaModel } from 'node-llama-cpp';
import { describe, expect, it } from 'vitest';
import { baseModelFixture, tinyLlamaFixture, type VocabularyOptions } from '../../test/fixtures/tiny-llama';
import { randomTexts, textSamples, wordCutTexts } from '../../test/fixtures/text-samples';
import { useVocabOnly } from '../../test/support/use-local-fixture';
import { expectWholeTextTokens } from '../../test/support/word-cuts';
import { countPromptTokens } from './local-prompt';
import { wordTokenizer } from './vocab-chunks';

/**
 * Digit groups, whitespace runs (so a wrong cut in one shows), and user-defined tokens: matched in the raw text first,
 * one across a space.
 */
const PIECES: NonNullable<VocabularyOptions['pieces']> = [
  { text: '123' },
  { text: '456' },
  ...['  ', '   ', '    ', '  \n', ' \n', '\n\n', ' \r\n', '\t '].map((text) => ({ text })),
  { text: '<tag>', userDefined: true },
  { text: 'x y', userDefined: true },
];

const bpe = (pre: string | undefined): VocabularyOptions => ({
  kind: 'bpe',
  learned: 800,
  pieces: PIECES,
  ...(pre === undefined ? {} : { pre }),
});

const proven: [string, VocabularyOptions][] = [
  ['llama 3 (Llama 3.x)', bpe('llama3')],
  ['llama-bpe (the name older Llama 3 GGUFs carry)', bpe('llama-bpe')],
  ['Qwen2', bpe('qwen2')],
  ['GPT-2', bpe('gpt-2')],
];

/** Fragments that meet at every kind of edge the pre-tokenizers look at. */
const FRAGMENTS = [
  'the',
  'said',
  'Mara',
  'a',
  'x',
  'y',
  ' ',
  ' ',
  ' ',
  ' ',
  '  ',
  '   ',
  '\n',
  '\n\n',
  '\r\n',
  '\r',
  '\t',
  '\u00a0',
  '\u2009',
  '\u3000',
  '\u0085',
  '\ufeff',
  "'s",
  "'re",
  "'LL",
  "'",
  '’s',
  "don't",
  '1',
  '12',
  '123',
  '4567',
  '1234567',
  '3.14',
  '2026-12-02',
  ',',
  '.',
  '?',
  '!',
  '“',
  '”',
  '—',
  '…',
  '(',
  ')',
  '{',
  '=',
  '$',
  '%',
  '<tag>',
  'x y',
  '<',
  '>',
  '<|im_start|>',
  '潮水',
  '退',
  '😀',
  '👨‍👩‍👧',
  'é',
  'e\u0301',
  '\ud83d',
];

const texts = wordCutTexts(FRAGMENTS, [
  ['long digit runs', 'In 1234567890123 and 98765 432 1000000, 3.14159265 or 12/03/1911 at 12:30:45.'],
  ['contractions', "It's they'LL we'Re you'VE I'm he'd 'tis ' s don't ’s’re"],
  ['line endings', 'one\r\ntwo \r\n three\r\r\n\n  four  \n\tfive .\n six'],
  ['punctuation runs', 'Wait... what?! No -- never. (Yes.) "Quoted," she said; {a: 1}.  ... ,,, !!'],
  ['before a user-defined token', 'a <tag> b\n\n x y — x y, ax y <tag>x'],
]);

/**
 * Words without whitespace longer than word-walk.ts's LONG_WORD (1,024 UTF-16 units), which it cuts between
 * characters: every edge of letters, digits, punctuation, contractions, CJK, emoji and user-defined tokens met at
 * random, and the sample classes that come as one long run.
 */
const longWords: [string, string][] = [
  ...randomTexts(
    9,
    24,
    900,
    FRAGMENTS.filter((fragment) => !/\s/u.test(fragment)),
  ).map((text, i): [string, string] => [`long word ${i}`, text.padEnd(1100, 'x1-')]),
  ...Object.entries(textSamples(4, 3000))
    .filter(([name]) => ['base64', 'base64url', 'hex', 'uuids', 'cjk', 'rare_cjk', 'emoji'].includes(name))
    .map(([name, text]): [string, string] => [name, text.replace(/\s+/gu, '-')]),
];

const withModel = useVocabOnly();

describe.each(proven)('word-by-word tokenization, BPE with the %s pre-tokenizer', (label, vocabulary) => {
  const path = () => tinyLlamaFixture({ seed: 1, vocabulary });

  it('the fixture has merges: its tokens span several bytes', async () => {
    await withModel(path(), (model) => {
      const text = 'The harbour master said the things.';
      expect(model.tokenize(text, false).length).toBeLessThan(Buffer.byteLength(text) / 2);
    });
  });

  it('gives exactly the whole text’s tokens (so never a lower count) on every class of text', async () => {
    await withModel(path(), (model) => {
      const words = wordTokenizer(model);
      expect(words.cuts).toBe(true);
      // A long word is cut too, but only at edges of character classes: inside a run the pre-tokenizer groups
      // characters (digits in threes), which no pair of characters can prove, so a long digit run stays whole.
      expect(words.chunks).toBe(true);
      const digits = '1234567890'.repeat(150);
      expect(words.count(`Mara ${digits} said`)).toBe(model.tokenize(`Mara ${digits} said`, false).length);
      expectWholeTextTokens(model, words, texts);
    });
  });

  it('cuts long words without spaces only where every pre-token ends, and still gives the whole text’s count', async () => {
    await withModel(path(), (model) => {
      const words = wordTokenizer(model);
      for (const [name, text] of longWords) {
        expect(words.count(text), name).toBe(model.tokenize(text, false).length);
        // Again from the chunks remembered, and as a later word (after a space) of a text.
        expect(words.count(text), `${name}, remembered`).toBe(model.tokenize(text, false).length);
        expect(words.count(`Mara said ${text}.`), `${name}, later`).toBe(
          model.tokenize(`Mara said ${text}.`, false).length,
        );
      }
    });
  });

  it('counts a whole prompt (chat template, and a base model’s completion format) as node-llama-cpp does', async () => {
    for (const file of [path(), baseModelFixture({ seed: 1, vocabulary })])
      await withModel(file, (model) => {
        for (const [name, text] of texts.filter((_, i) => i < 40 || i % 8 === 0))
          expect(
            countPromptTokens(model, [{ role: 'user', content: text }], wordTokenizer(model)),
            `${label}: ${name}`,
          ).toBe(countPromptTokens(model, [{ role: 'user', content: text }]));
      });
  });
});

describe('BPE vocabularies whose pre-tokenizer is not proven are tokenized whole', () => {
  it.each([
    ['no tokenizer.ggml.pre (llama.cpp’s "default": several regexes in turn)', undefined],
    ['deepseek-llm', 'deepseek-llm'],
    ['starcoder (digits isolated by a first regex)', 'starcoder'],
  ])('%s', async (_, pre) => {
    await withModel(tinyLlamaFixture({ seed: 1, vocabulary: bpe(pre) }), (model) => {
      const words = wordTokenizer(model);
      expect(words.cuts).toBe(false);
      for (const [name, text] of texts.slice(0, 30))
        expect(words.count(text), name).toBe(model.tokenize(text, false).length);
    });
  });
});

describe('the cut rule is what keeps BPE counts exact', () => {
  /** The count of `parts` tokenized one by one: what cutting the text at those places would give. */
  const cutCount = (model: LlamaModel, parts: string[]) =>
    parts.reduce((sum, part) => sum + model.tokenize(part, false).length, 0);

  it('cutting inside a digit run, or between a space and the word after it, would miscount', async () => {
    await withModel(tinyLlamaFixture({ seed: 1, vocabulary: bpe('llama3') }), (model) => {
      const words = wordTokenizer(model);
      for (const parts of [
        ['In 1234', '56 days'],
        ['she said ', 'the boat'],
      ]) {
        const text = parts.join('');
        const whole = model.tokenize(text, false).length;
        expect(cutCount(model, parts), text).not.toBe(whole);
        expect(words.count(text), text).toBe(whole);
      }
    });
  });

  it('GPT-2 keeps a space with the digits after it: a cut between them would miscount', async () => {
    await withModel(tinyLlamaFixture({ seed: 1, vocabulary: bpe('gpt-2') }), (model) => {
      const text = 'In 1911 and 2026';
      const whole = model.tokenize(text, false).length;
      expect(cutCount(model, ['In ', '1911 and ', '2026'])).not.toBe(whole);
      expect(wordTokenizer(model).count(text)).toBe(whole);
    });
  });

  it('a user-defined token across a space is never cut (a cut there would miscount)', async () => {
    await withModel(tinyLlamaFixture({ seed: 1, vocabulary: bpe('llama3') }), (model) => {
      const text = 'ax yb';
      const whole = model.tokenize(text, false).length;
      expect(cutCount(model, ['ax', ' yb'])).not.toBe(whole);
      const words = wordTokenizer(model);
      expect(words.head(text, Infinity)).toEqual(model.tokenize(text, false));
      expect(words.count(text)).toBe(whole);
    });
  });
});
