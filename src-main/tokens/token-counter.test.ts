// The estimates are compared with real tokenizers (OpenAI's o200k and cl100k through gpt-tokenizer) on every class
// of text naive estimates get wrong: they may be high, never low.
import { countTokens as cl100k } from 'gpt-tokenizer/encoding/cl100k_base';
import { countTokens as o200k } from 'gpt-tokenizer/encoding/o200k_base';
import { describe, expect, it } from 'vitest';
import type { ModelSpec } from '../../src-preload/contract';
import { estimateInputTokens, estimateTextTokens } from '../../src-preload/contract/tokens';
import { mulberry32 } from '../orchestrator/random';
import { model } from '../../test/support/decision-fixtures';
import { novel, randomTexts, textSamples } from '../../test/fixtures/text-samples';
import { TokenCounter, type CountRequest } from './token-counter';

const real = (text: string) => Math.max(o200k(text), cl100k(text));
const counter = new TokenCounter();
const user = (content: string): CountRequest => ({ messages: [{ role: 'user', content }] });

const cloud: Record<string, ModelSpec> = {
  anthropic: model('claude-sonnet-4-6', { provider: 'anthropic' }),
  deepseek: model('deepseek-chat', { provider: 'deepseek' }),
  qwen: model('qwen-plus', { provider: 'qwen' }),
  gemini: model('gemini-3.5-flash', { provider: 'gemini' }),
  openrouter: model('openrouter/anthropic/claude-sonnet-4.6', {
    provider: 'openrouter',
    api_model_id: 'anthropic/claude-sonnet-4.6',
  }),
  endpoint: model('lab/mistral-small', { provider: 'openai-compatible', endpoint_id: 'lab', api_model_id: 'mistral' }),
};

const classes = Object.keys(textSamples());

describe('the character-class estimate (the renderer’s quote and the floor under every estimate)', () => {
  it.each(classes)('%s: never below o200k or cl100k, at any length', (name) => {
    for (const seed of [1, 2, 3]) {
      for (const length of [40, 400, 8000]) {
        const text = textSamples(seed, length)[name]!;
        expect(estimateTextTokens(text), `${name} seed ${seed} length ${length}`).toBeGreaterThanOrEqual(real(text));
      }
    }
  });

  it('was the audit’s weak spot: digits, punctuation and base64 now reserve at least what a tokenizer counts', () => {
    const { digits, punctuation, base64, uuids } = textSamples(9, 3000);
    for (const text of [digits!, punctuation!, base64!, uuids!]) {
      expect(estimateInputTokens([{ content: text }])).toBeGreaterThanOrEqual(real(text) + 16);
    }
  });
});

describe('TokenCounter', () => {
  it.each(Object.entries(cloud))('%s: an estimate never below a real tokenizer on any class', async (_family, spec) => {
    for (const name of classes) {
      const text = textSamples(4, 3000)[name]!;
      const counted = await counter.count(spec, user(text));
      expect(counted.method).toBe('estimate');
      expect(counted.tokens, name).toBeGreaterThanOrEqual(real(text));
      // The same character-class function as the renderer's quote is its floor.
      expect(counted.tokens, name).toBeGreaterThanOrEqual(estimateInputTokens([{ content: text }]));
    }
  });

  it('Anthropic: o200k times its documented factor (1.75) where that is above the character-class bound', async () => {
    const prose = textSamples(5, 6000).prose!;
    const counted = await counter.count(cloud.anthropic!, user(prose));
    expect(counted.tokens).toBe(Math.ceil(o200k(prose) * 1.75) + 8 + 8);
  });

  it('DeepSeek on digits: exactly the character-class bound, one code for both', async () => {
    const digits = textSamples(5, 6000).digits!;
    const counted = await counter.count(cloud.deepseek!, user(digits));
    expect(counted.tokens).toBe(estimateInputTokens([{ content: digits }]));
  });

  it('OpenAI models are counted with their own encoding: o200k (GPT-4o and later), cl100k (GPT-4), exactly', async () => {
    const text = textSamples(6, 2000).dialogue!;
    const request: CountRequest = {
      messages: [
        { role: 'system', content: 'You polish dialogue.' },
        { role: 'user', content: text },
      ],
    };
    // OpenAI's cookbook: 3 tokens of framing per message and 3 to prime the reply.
    const framing = 3 * 2 + 3;
    for (const spec of [
      model('gpt-5.4-mini', { provider: 'openai' }),
      model('openrouter/openai/gpt-5.4-mini', { provider: 'openrouter', api_model_id: 'openai/gpt-5.4-mini' }),
    ]) {
      expect(await counter.count(spec, request)).toEqual({
        tokens: o200k('You polish dialogue.') + o200k(text) + framing,
        method: 'o200k',
      });
    }
    expect(await counter.count(model('gpt-4-0613', { provider: 'openai' }), request)).toEqual({
      tokens: cl100k('You polish dialogue.') + cl100k(text) + framing,
      method: 'cl100k',
    });
  });

  it('counts the whole request: instruction, every message’s framing and the answer schema', async () => {
    const passage = textSamples(7, 1000).prose!;
    for (const spec of [...Object.values(cloud), model('gpt-5.5', { provider: 'openai' })]) {
      const bare = (await counter.count(spec, user(passage))).tokens;
      const instructed = (
        await counter.count(spec, {
          messages: [
            { role: 'system', content: 'You check a manuscript for continuity errors and quote both places.' },
            { role: 'user', content: passage },
          ],
        })
      ).tokens;
      expect(instructed, spec.id).toBeGreaterThan(bare + 10);
      const schema = { type: 'object', properties: { findings: { type: 'array', items: { type: 'string' } } } };
      const structured = (await counter.count(spec, { ...user(passage), jsonSchema: { name: 'findings', schema } }))
        .tokens;
      expect(structured - bare, spec.id).toBeGreaterThanOrEqual(o200k(JSON.stringify(schema)) + 60);
    }
    // Anthropic's tool-use system prompt (313–346 tokens) is inside the count.
    const schema = { type: 'object' };
    const claude = cloud.anthropic!;
    const withTool = (await counter.count(claude, { ...user('x'), jsonSchema: { name: 'a', schema } })).tokens;
    expect(withTool - (await counter.count(claude, user('x'))).tokens).toBeGreaterThanOrEqual(400);
  });

  it('counts special-token strings in a writer’s text as text instead of failing', async () => {
    const text = 'The note said <|endoftext|> and <|im_start|>, nothing more.';
    const counted = await counter.count(model('gpt-5.5', { provider: 'openai' }), user(text));
    expect(counted.tokens).toBeGreaterThan(10);
  });

  it('a local model without a local tokenizer is estimated, never below a real tokenizer', async () => {
    const spec = model('qwen2.5-7b', { provider: 'local', local: { catalog_id: 'q', size_class: 'medium' } });
    for (const name of classes) {
      const text = textSamples(8, 2000)[name]!;
      const counted = await counter.count(spec, user(text));
      expect(counted.method).toBe('estimate');
      expect(counted.tokens, name).toBeGreaterThanOrEqual(real(text));
    }
  });
});

/** Fragments that meet at every kind of edge the split regexes care about: letters, digits, contractions, spaces. */
const FRAGMENTS = [
  'Mara',
  'said',
  'the',
  'A',
  'ABSOLUTELY',
  'x',
  '1',
  '123',
  '4567',
  ' ',
  ' ',
  ' ',
  '  ',
  '   ',
  '\n',
  '\n\n',
  '\r\n',
  '\t',
  "'s",
  "'S",
  "'ll",
  "'",
  '’',
  '.',
  ',',
  '?!',
  '...',
  '—',
  '“',
  '”',
  '(',
  ')',
  '{',
  '}',
  '/',
  '_',
  '-',
  '=',
  'é',
  'e\u0301',
  'Ünïcödé',
  '潮水',
  '退去了',
  '😀',
  'ǅ',
  'ʰ',
  '½',
  '٣',
  '<|',
  '|>',
  'im_start',
  // A byte order mark: gpt-tokenizer drops it when it looks up bytes that start with one (byte-ranks.ts).
  '\ufeff',
  '\ufeffusing',
  '\ud800',
];

/** Each OpenAI encoding, a model that uses it, and gpt-tokenizer's count of a whole text with it. */
const OPENAI_ENCODINGS = [
  ['o200k', model('gpt-5.5', { provider: 'openai' }), o200k],
  ['cl100k', model('gpt-4-0613', { provider: 'openai' }), cl100k],
] as const;

describe('OpenAI encodings, word by word', () => {
  const texts: [string, string][] = [
    ...[1, 2, 3].flatMap((seed) =>
      Object.entries(textSamples(seed, seed === 1 ? 6000 : 300)).map(([name, text]): [string, string] => [
        `${name} (seed ${seed})`,
        text,
      ]),
    ),
    ['novel', novel(30_000)],
    ['edges', ' a b  c   '],
    ...randomTexts(5, 2000, 60, FRAGMENTS).map((text, i): [string, string] => [`random ${i}`, text]),
  ];

  it.each(OPENAI_ENCODINGS)(
    '%s: exactly gpt-tokenizer’s count of the whole text, never lower, remembered or not',
    async (name, spec, whole) => {
      const { count, method } = await new TokenCounter().textCounter(spec);
      expect(method).toBe(name);
      for (const [label, text] of texts) {
        expect(count(text), label).toBe(whole(text));
        // Twice, joined by a space and by a newline: now from words remembered, and across the join.
        expect(count(`${text} ${text}`), `${label}, twice`).toBe(whole(`${text} ${text}`));
        expect(count(`${text}\n${text}`), `${label}, twice`).toBe(whole(`${text}\n${text}`));
      }
    },
  );
});

describe('pieces short and long (merged by rescanning up to 48 bytes, in O(n log n) beyond: bpe-merge.ts)', () => {
  /** One pre-tokenizer piece of `length` characters drawn from `alphabet`: no space, digit or mark to cut it. */
  const run = (random: () => number, alphabet: string, length: number) => {
    const chars = [...alphabet];
    return Array.from({ length }, () => chars[Math.floor(random() * chars.length)]!).join('');
  };

  it.each(OPENAI_ENCODINGS)(
    '%s: the same count as gpt-tokenizer on long runs of letters, CJK and rare ideographs',
    async (_n, spec, whole) => {
      const { count } = await new TokenCounter().textCounter(spec);
      const random = mulberry32(12);
      for (const length of [5, 15, 16, 17, 47, 48, 49, 63, 64, 65, 200, 1500]) {
        for (const alphabet of [
          'abcdefghijklmnopqrstuvwxyz',
          'etaoinshr',
          '潮水退去了的一是不人在有',
          '𠀀𠀁𠀂𪚥𡃁',
          'éèêàçôûñ',
          'aA',
        ]) {
          const text = run(random, alphabet, length);
          expect(count(text), `${alphabet} × ${length}`).toBe(whole(text));
          expect(count(`Mara ${text} said`), `${alphabet} × ${length} in a sentence`).toBe(whole(`Mara ${text} said`));
        }
        expect(count('a'.repeat(length))).toBe(whole('a'.repeat(length)));
      }
    },
  );
});

describe('images in the count', () => {
  it('adds each model’s image tokens to the text count, the method unchanged; none without images', async () => {
    const request = user('The map shows the lighthouse on the northern point.');
    const images = [{ width: 1024, height: 1024 }];
    for (const [spec, expected] of [
      [model('gpt-4o', { provider: 'openai' }), 765],
      [cloud.anthropic!, Math.ceil((1024 * 1024) / 750)],
      [cloud.openrouter!, Math.ceil((1024 * 1024) / 750)],
      [cloud.gemini!, 1120],
    ] as const) {
      const text = await counter.count(spec, request);
      const withImages = await counter.count(spec, { ...request, images });
      expect(text.imageTokens).toBeUndefined();
      expect(withImages).toEqual({ tokens: text.tokens + expected, method: text.method, imageTokens: expected });
    }
  });
});
