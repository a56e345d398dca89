// Token counting throughput (issue 12's target: at least 1 MB of text per 100 ms) for every method the TokenCounter
// has, measured side by side in one run on the same texts — beside the raw tokenizers they are exact to (gpt-tokenizer's
// o200k countTokens, llama.cpp's tokenize on the same GGUF vocabulary): a novel-sized manuscript with a book's
// vocabulary, and a mix of every class estimates get wrong (digits, punctuation, code, base64, UUIDs, CJK…). Each timed
// count starts with a new counter (nothing of Quire's remembered), after one warm-up that loads the tables;
// gpt-tokenizer's own merge cache is module-wide and stays warm.
import { countTokens as rawO200k } from 'gpt-tokenizer/encoding/o200k_base';
import type { Llama, LlamaModel } from 'node-llama-cpp';
import { estimateInputTokens } from '../src-preload/contract/tokens';
import { tinyLlamaFixture } from '../test/fixtures/tiny-llama';
import { LocalTokenizer } from '../src-main/local/local-tokenizer';
import { model } from '../test/support/decision-fixtures';
import { fixtureLlama, fixtureSpec } from '../test/support/local-fixture';
import { novel, textSamples } from '../test/fixtures/text-samples';
import { TokenCounter, type CountRequest } from '../src-main/tokens/token-counter';
import { percentile, timeEach } from './stats';

const ROUNDS = 7;
/** A Llama 3 style vocabulary (byte-level BPE, llama 3 pre-tokenizer) with merges learned from English text. */
const BPE_VOCABULARY = { kind: 'bpe', pre: 'llama3', learned: 800 } as const;
const INSTRUCTION = 'You check a manuscript for continuity errors. Quote both places for every contradiction.';

interface Method {
  label: string;
  count: (request: CountRequest) => Promise<number> | number;
}

export async function benchTokens(): Promise<void> {
  const texts: Record<string, string> = {
    'novel, 2 MB': novel(2_000_000),
    'mixed classes, 1 MB': Object.values(textSamples(3, 70_000)).join('\n\n').slice(0, 1_000_000),
  };
  let llama: Llama | undefined;
  const local = new LocalTokenizer({
    llama: async () => (llama ??= await fixtureLlama()),
    fileOf: (id) => tinyLlamaFixture(id === 'tiny-bpe' ? { seed: 1, vocabulary: BPE_VOCABULARY } : { seed: 1 }),
  });
  // A fresh counter per count: its memo of pieces starts empty, as for a manuscript never counted before.
  const fresh = () => new TokenCounter({ local: local.count });
  let raw: LlamaModel | undefined;
  let rawBpe: LlamaModel | undefined;
  const methods: Method[] = [
    { label: 'estimate (character classes, sync)', count: (r) => estimateInputTokens(r.messages) },
    { label: 'o200k (GPT-5.5)', count: async (r) => (await fresh().count(model('gpt-5.5'), r)).tokens },
    {
      // gpt-tokenizer's own count of each whole text (its module keeps a merge cache between calls).
      label: '  raw gpt-tokenizer countTokens, o200k',
      count: (r) => r.messages.reduce((sum, m) => sum + rawO200k(m.content), 0),
    },
    { label: 'cl100k (GPT-4)', count: async (r) => (await fresh().count(model('gpt-4-0613'), r)).tokens },
    {
      label: 'estimate (Claude: o200k x 1.75, floored)',
      count: async (r) => (await fresh().count(model('claude-sonnet-4-6', { provider: 'anthropic' }), r)).tokens,
    },
    {
      label: 'model (GGUF vocabulary + chat template)',
      count: async (r) => (await fresh().count(fixtureSpec('tiny', 'tiny-a'), r)).tokens,
    },
    {
      // The same vocabulary's llama.cpp tokenize on the bare texts: what the model method cannot go below.
      label: '  raw llama.cpp tokenize, same vocabulary',
      count: async (r) => {
        raw ??= await (llama ??= await fixtureLlama()).loadModel({
          modelPath: tinyLlamaFixture({ seed: 1 }),
          vocabOnly: true,
        });
        return r.messages.reduce((sum, m) => sum + raw!.tokenize(m.content).length, 0);
      },
    },
    {
      label: 'model, llama 3 BPE (GGUF vocab + template)',
      count: async (r) => (await fresh().count(fixtureSpec('tiny-bpe'), r)).tokens,
    },
    {
      label: '  raw llama.cpp tokenize, same BPE vocab',
      count: async (r) => {
        rawBpe ??= await (llama ??= await fixtureLlama()).loadModel({
          modelPath: tinyLlamaFixture({ seed: 1, vocabulary: BPE_VOCABULARY }),
          vocabOnly: true,
        });
        return r.messages.reduce((sum, m) => sum + rawBpe!.tokenize(m.content).length, 0);
      },
    },
  ];
  try {
    for (const [name, text] of Object.entries(texts)) {
      const megabytes = Buffer.byteLength(text, 'utf8') / 1e6;
      const request: CountRequest = {
        messages: [
          { role: 'system', content: INSTRUCTION },
          { role: 'user', content: text },
        ],
      };
      console.log(`${name} (${megabytes.toFixed(2)} MB of UTF-8):`);
      for (const method of methods) {
        const tokens = await method.count(request); // warm: tables and vocabularies loaded, caches filled once
        const samples = await timeEach(ROUNDS, () => method.count(request));
        const ms = percentile(samples, 50);
        const rate = megabytes / (ms / 100);
        console.log(
          `  ${method.label.padEnd(42)} ${String(tokens).padStart(9)} tokens  p50 ${ms.toFixed(1).padStart(7)} ms  ${rate.toFixed(2).padStart(6)} MB/100 ms${rate >= 1 ? '' : '  (below 1 MB/100 ms)'}`,
        );
      }
    }
    console.log(
      '  (The fixture GGUF has a byte-level vocabulary without merges: one token per byte, the slowest case for\n' +
        "  llama.cpp's tokenizer. A real model's vocabulary makes far fewer tokens; none can be downloaded here.\n" +
        '  The BPE fixture has 800 merges learned from English text; Llama 3 has 128,000 tokens, so longer ones.)',
    );
  } finally {
    await raw?.dispose();
    await rawBpe?.dispose();
    await local.close();
    await llama?.dispose();
  }
}
