// Local context sized honestly, on real node-llama-cpp with generated GGUFs: the context follows the trained context
// and the memory budget (no fixed 4,096); a base model without a chat template is prompted as plain completion; a
// passage too long for the context is refused with the numbers, never shifted out of the prompt.
import type { Llama } from 'node-llama-cpp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS } from '../../src-preload/contract';
import { baseModelFixture, tinyLlamaFixture } from '../../test/fixtures/tiny-llama';
import { fixtureLlama, fixtureModels, fixtureSpec } from '../../test/support/local-fixture';
import { useTestApp } from '../../test/support/test-app';
import { InputTooLongError } from '../errors';
import { TokenCounter } from '../tokens/token-counter';
import { planContext } from './context-size';
import { completionPrompt, countPromptTokens, hasChatTemplate, promptFormat } from './local-prompt';
import { LocalTokenizer } from './local-tokenizer';
import { LocalRuntime } from './runtime';

let llama: Llama;
beforeAll(async () => {
  llama = await fixtureLlama();
});
afterAll(async () => {
  await llama.dispose();
});

function runtime(memoryBudgetMb: number | null = null): LocalRuntime {
  return new LocalRuntime({
    settings: () => ({ ...DEFAULT_SETTINGS.local, threads: 2, memory_budget_mb: memoryBudgetMb }),
    createLlama: () => Promise.resolve(llama),
  });
}

describe('local context size', () => {
  it('context size follows the trained context, not 4,096: a 16k-trained model opens 16,384 tokens', async () => {
    const rt = runtime(4096);
    try {
      const long = tinyLlamaFixture({ seed: 31, contextLength: 16_384 });
      const short = tinyLlamaFixture({ seed: 31, contextLength: 1024 });
      expect(await rt.estimate(long)).toMatchObject({ context_size: 16_384, limited_by: 'trained' });
      expect((await rt.load('long', long)).context_size).toBe(16_384);
      expect((await rt.load('short', short)).context_size).toBe(1024);
      const models = fixtureModels(rt, { long }, [fixtureSpec('long')]);
      // What the registry reports for the installed model is what the runtime opens.
      expect(await models.contextWindow(fixtureSpec('long'))).toBe(16_384);
    } finally {
      await rt.close();
    }
  });

  it('context size follows the memory budget: a tight budget opens the largest context that fits, below trained', async () => {
    const file = tinyLlamaFixture({ seed: 32, embd: 256, heads: 4, contextLength: 131_072 });
    const roomy = await runtime(64 * 1024).estimate(file);
    expect(roomy).toMatchObject({ context_size: 131_072, limited_by: 'trained' });
    const budgetMb = Math.ceil(roomy.bytes / (1024 * 1024) / 4);
    const tight = runtime(budgetMb);
    try {
      const plan = await tight.estimate(file);
      expect(plan.limited_by).toBe('memory');
      expect(plan.context_size).toBeLessThan(131_072);
      expect(plan.context_size).toBeGreaterThan(4096);
      expect(plan.bytes).toBeLessThanOrEqual(budgetMb * 1024 * 1024);
      expect((await tight.load('tight', file)).context_size).toBe(plan.context_size);
    } finally {
      await tight.close();
    }
  });

  it('planContext picks the largest 256-token step whose estimate fits the budget', () => {
    const insights = {
      estimateModelResourceRequirements: () => ({ cpuRam: 1000, gpuVram: 0 }),
      estimateContextResourceRequirements: ({ contextSize }: { contextSize: number }) => ({
        cpuRam: contextSize * 10,
        gpuVram: 0,
      }),
    };
    expect(planContext(insights, 32_768, 1000 + 20_000 * 10)).toMatchObject({
      context_size: 19_968,
      limited_by: 'memory',
    });
    expect(planContext(insights, 8192, 10_000_000)).toMatchObject({ context_size: 8192, limited_by: 'trained' });
    expect(planContext(insights, 8192, 100).bytes).toBeGreaterThan(100);
  });
});

describe('a base model without a chat template', () => {
  it('no-chat-template fixture generates with a plain completion prompt, not a borrowed chat wrapper', async () => {
    const base = baseModelFixture({ seed: 33, contextLength: 1024 });
    const rt = runtime(4096);
    const models = fixtureModels(rt, { base }, [fixtureSpec('base')]);
    const tokenizer = new LocalTokenizer({ llama: () => Promise.resolve(llama), fileOf: () => base });
    try {
      const messages = [
        { role: 'system' as const, content: 'Continue the story.' },
        { role: 'user' as const, content: 'The lighthouse keeper opened the door' },
      ];
      const result = await models.run(
        fixtureSpec('base'),
        { messages, maxOutputTokens: 12, temperature: 0 },
        undefined,
      );
      expect(result.text.length).toBeGreaterThan(0);
      expect(result.usage.outputTokens).toBe(12);
      await rt.use('base', base, async (resident) => {
        expect(hasChatTemplate(resident.model)).toBe(false);
        expect(promptFormat(resident.model)).toBeNull();
        // The input the model consumed is the plain prompt (±1: a BOS, the token meter's count of the last prompt
        // token): no chat markup around it (the ChatML framing of the same messages is checked below to be longer).
        const plain = resident.model.tokenize(completionPrompt(messages), false).length;
        expect(Math.abs(result.usage.inputTokens! - plain)).toBeLessThanOrEqual(1);
        expect(countPromptTokens(resident.model, messages)).toBe(plain + 1);
      });
      // The token counter counts the same format the generation used.
      const counter = new TokenCounter({ local: tokenizer.count });
      expect((await counter.count(fixtureSpec('base'), { messages })).tokens).toBe(
        (await rt.use('base', base, async (r) => r.model.tokenize(completionPrompt(messages), false).length)) + 1,
      );
      // A JSON answer cut at its length limit says so (jsonError), as a chat turn does: the run keeps it as truncated.
      const cut = await models.run(
        fixtureSpec('base'),
        {
          messages,
          maxOutputTokens: 3,
          temperature: 0,
          jsonSchema: {
            name: 'ideas',
            schema: {
              type: 'object',
              properties: { idea: { type: 'string' } },
              required: ['idea'],
              additionalProperties: false,
            },
          },
        },
        undefined,
      );
      expect(cut).toMatchObject({ finishReason: 'length', jsonError: expect.stringMatching(/length limit/) });
      // The ChatML fixture still goes through its own chat template.
      const chat = tinyLlamaFixture({ seed: 33, contextLength: 1024 });
      await rt.use('chat', chat, async (resident) => {
        expect(hasChatTemplate(resident.model)).toBe(true);
        const framed = countPromptTokens(resident.model, messages);
        expect(framed).toBeGreaterThan(resident.model.tokenize(completionPrompt(messages), false).length + 10);
        expect(framed).toBeGreaterThan(result.usage.inputTokens! + 10);
      });
    } finally {
      await tokenizer.close();
      await rt.close();
    }
  });
});

describe('no silent truncation on a local model', () => {
  it('a passage too long for a model is refused with the numbers, never truncated', async () => {
    const file = tinyLlamaFixture({ seed: 34, contextLength: 512 });
    const rt = runtime(4096);
    const spec = { ...fixtureSpec('small'), display_name: 'Tiny 512' };
    const models = fixtureModels(rt, { small: file }, [spec]);
    try {
      const passage = 'The tide came in over the causeway. '.repeat(40);
      const error = await models
        .run(spec, { messages: [{ role: 'user', content: passage }], maxOutputTokens: 64 }, undefined)
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(InputTooLongError);
      const tooLong = error as InputTooLongError;
      expect(tooLong.code).toBe('invalid_input');
      expect(tooLong.inputTokens).toBeGreaterThan(tooLong.limitTokens);
      expect(tooLong.message).toMatch(
        new RegExp(`^This passage is ${tooLong.inputTokens.toLocaleString('en-US')} tokens; Tiny 512 can read`),
      );
      expect(tooLong.message).toContain('512-token context');
      // Nothing was generated on a shifted context: a passage that fits still runs.
      const ok = await models.run(
        spec,
        { messages: [{ role: 'user', content: 'The tide came in.' }], maxOutputTokens: 8 },
        undefined,
      );
      expect(ok.usage.outputTokens).toBe(8);
    } finally {
      await rt.close();
    }
  });
});

describe('the registry of the app', () => {
  const testApp = useTestApp();

  it("an installed local model's context_window in the registry is the context the runtime opens, not the advertised one", async () => {
    const file = tinyLlamaFixture({ seed: 35, contextLength: 8192 });
    const advertised = { ...fixtureSpec('tiny-8k'), context_window: 131_072 };
    const app = await testApp.app({
      env: {},
      models: [advertised],
      local: {
        runtime: { createLlama: () => Promise.resolve(llama) },
        installed: { installedFile: (id) => (id === 'tiny-8k' ? { path: file, bytes: 1 } : undefined) },
      },
    });
    const { registry } = app.services;
    // Measured in the background at start-up; the registry says when it changes.
    await new Promise<void>((resolve) => {
      const check = () => registry.get('tiny-8k')?.context_window === 8192 && resolve();
      registry.onChange(check);
      check();
    });
    expect(registry.get('tiny-8k')!.context_window).toBe(8192);
    // The runtime's own plan agrees: what the registry says is what a load opens.
    const plan = await app.services.local.runtime.estimate(file);
    expect(plan.context_size).toBe(8192);
  });
});
