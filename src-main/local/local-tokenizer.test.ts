// The local token count is the model's own: equal to the input tokens a real generation on the generated GGUF
// consumed, chat template and default system prompt included, without loading the model's weights.
import type { Llama } from 'node-llama-cpp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChatMessage } from '../providers/spec';
import { fixtureLlama, fixtureRuntime, fixtureSpec } from '../../test/support/local-fixture';
import { TokenCounter } from '../tokens/token-counter';
import { tinyLlamaFixture } from '../../test/fixtures/tiny-llama';
import { chatOnce } from './local-chat';
import { LocalTokenizer } from './local-tokenizer';

let llama: Llama;
beforeAll(async () => {
  llama = await fixtureLlama();
});
afterAll(async () => {
  await llama.dispose();
});

const spec = fixtureSpec('tiny', 'tiny-a');
const conversations: [string, ChatMessage[]][] = [
  ['one user message (the default system prompt is added)', [{ role: 'user', content: 'Who moved the boat?' }]],
  [
    'an instruction and a passage',
    [
      { role: 'system', content: 'You check a manuscript for continuity errors. Quote both places.' },
      { role: 'user', content: 'Chapter 3: “You said Tuesday,” Mara whispered. The storm came on 12 March 1911.' },
    ],
  ],
  [
    'several turns',
    [
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'Name the dog.' },
      { role: 'assistant', content: 'Biscuit.' },
      { role: 'user', content: '潮水退去了 — and then?' },
    ],
  ],
];

describe('LocalTokenizer (vocabulary only) on the generated GGUF', () => {
  it.each(conversations)('%s: counts exactly the prompt tokens a generation evaluates', async (_label, messages) => {
    const path = tinyLlamaFixture({ seed: 1 });
    const tokenizer = new LocalTokenizer({ llama: () => Promise.resolve(llama), fileOf: () => path });
    const runtime = fixtureRuntime(llama);
    try {
      const counted = await tokenizer.count(spec, messages);
      // Counting loaded no model into the runtime.
      expect(runtime.resident()).toEqual([]);
      const used = await runtime.use('tiny', path, (model) => chatOnce(model, { messages, maxOutputTokens: 1 }));
      // node-llama-cpp meters the prompt's last token, whose logits give the first answer token, as output.
      expect(counted).toBe(used.usage.inputTokens! + 1);
    } finally {
      await runtime.close();
      await tokenizer.close();
    }
  });

  it('gives the TokenCounter the model method, and an estimate when the model is not installed', async () => {
    const path = tinyLlamaFixture({ seed: 1 });
    const installed = new Set(['tiny-a']);
    const tokenizer = new LocalTokenizer({
      llama: () => Promise.resolve(llama),
      fileOf: (id) => (installed.has(id) ? path : undefined),
    });
    const counter = new TokenCounter({ local: tokenizer.count });
    const request = { messages: conversations[1]![1] };
    const exact = await counter.count(spec, request);
    expect(exact).toEqual({ tokens: await tokenizer.count(spec, request.messages), method: 'model' });
    installed.clear();
    const estimated = await counter.count(spec, request);
    expect(estimated.method).toBe('estimate');
    expect(estimated.tokens).toBeGreaterThan(0);
    await tokenizer.close();
  });
});
