// A reasoning model's hidden thinking counts against its output allowance: a task run gives it the task's answer
// allowance plus room to think (orchestrator/thinking.ts), and the reservation and the quote cover all of it. Over the
// real host, the official openai SDK and the ledger against the loopback fake.
import { describe, expect, it } from 'vitest';
import type { ModelSpec } from '../../src-preload/contract';
import { findingsAnswer } from '../../test/support/findings-answer';
import { useExecutionHarness, type ExecutionHost } from '../../test/support/execution-harness';
import { worstCaseUsd } from '../orchestrator/pricing';
import { shippedModels } from '../routing/resources';

const harness = useExecutionHarness();
const PASSAGE = '# Chapter 1\n\nMara pushed the hair from her green eyes.\n\n# Chapter 2\n\nHer blue eyes flashed.';
const GOOD = findingsAnswer("Mara's eyes change colour", 'Her blue eyes flashed');

const spec = (id: string): ModelSpec => shippedModels().find((m) => m.id === id)!;

/** The app with a built-in provider's key, its address pointed at the fake. */
async function withProvider(provider: 'openai' | 'deepseek' | 'gemini'): Promise<ExecutionHost> {
  const env = {
    openai: { OPENAI_API_KEY: 'sk-test-openai-0001' },
    deepseek: { DEEPSEEK_API_KEY: 'sk-test-deepseek-0001' },
    gemini: { GEMINI_API_KEY: 'AIzaTestTestTestTestTestTest0001' },
  }[provider];
  const host = await harness.host({ env });
  const saved = await host.call('providers:save', {
    id: provider,
    base_url: harness.server().openaiBaseUrl,
    builtin: true,
  });
  expect(saved.body.ok).toBe(true);
  return host;
}

describe("a reasoning model's room to think", () => {
  it('GPT-5.5 is sent a continuity check’s 2,500 answer tokens plus 16,000 to think, at medium effort; the reservation and the quote cover all 18,500', async () => {
    const host = await withProvider('openai');
    const server = harness.server();
    let open!: () => void;
    server.script('gpt-5.5', { json: GOOD, gate: new Promise<void>((resolve) => (open = resolve)) });
    const start = { task: 'continuity_check', input: PASSAGE, model: 'gpt-5.5' };
    const quote = (await host.call('runs:quote', start)).body.value;
    const running = host.call('runs:start', start);
    try {
      const sent = await server.nextRequest('gpt-5.5');
      expect(sent.body.max_completion_tokens).toBe(18_500);
      expect(sent.body.reasoning_effort).toBe('medium');
      expect(sent.body).not.toHaveProperty('max_tokens');
      // Held before the call: every token it may produce at the output price (the input is a few hundred tokens).
      const allOut = worstCaseUsd(spec('gpt-5.5'), 0, 18_500);
      const reserved = (await host.call('spend:current')).body.value.reserved_usd;
      expect(reserved).toBeGreaterThanOrEqual(allOut);
      expect(reserved).toBeLessThan(allOut + worstCaseUsd(spec('gpt-5.5'), 2_000, 0));
      // The quote's "at most": the call and its one retry, each with all 18,500 tokens out.
      expect(quote).toMatchObject({ kind: 'single', retry: true });
      expect(quote.at_most_usd).toBeGreaterThanOrEqual(2 * allOut);
      expect(quote.at_most_usd).toBeGreaterThanOrEqual(reserved);
    } finally {
      open();
    }
    const { body } = await running;
    expect(body.value).toMatchObject({ status: 'completed', model_id: 'gpt-5.5' });
  });

  it('a model that does not think is sent the task’s allowance as it is (GPT-4o: 2,500, no effort)', async () => {
    const host = await withProvider('openai');
    const server = harness.server();
    server.script('gpt-4o', { json: GOOD });
    const { body } = await host.call('runs:start', { task: 'continuity_check', input: PASSAGE, model: 'gpt-4o' });
    expect(body.value).toMatchObject({ status: 'completed', model_id: 'gpt-4o' });
    expect(server.requests[0]!.body.max_tokens).toBe(2_500);
    expect(server.requests[0]!.body).not.toHaveProperty('max_completion_tokens');
    expect(server.requests[0]!.body).not.toHaveProperty('reasoning_effort');
  });

  it('the room is capped by the model’s max output (DeepSeek Reasoner: 32,768), and DeepSeek is not sent an effort it does not take', async () => {
    const host = await withProvider('deepseek');
    const server = harness.server();
    server.script('deepseek-reasoner', { json: GOOD });
    const start = { task: 'continuity_check', input: PASSAGE, model: 'deepseek-reasoner', max_output_tokens: 24_000 };
    const quote = (await host.call('runs:quote', start)).body.value;
    const { body } = await host.call('runs:start', start);
    expect(body.value).toMatchObject({ status: 'completed', model_id: 'deepseek-reasoner' });
    expect(server.requests[0]!.body.max_completion_tokens).toBe(32_768);
    expect(server.requests[0]!.body).not.toHaveProperty('reasoning_effort');
    expect(quote.at_most_usd).toBeGreaterThanOrEqual(2 * worstCaseUsd(spec('deepseek-reasoner'), 0, 32_768));
  });

  it('Gemini 3.1 Pro is asked for the task’s effort too (its OpenAI endpoint takes reasoning_effort): a scene draft thinks at low', async () => {
    const host = await withProvider('gemini');
    const server = harness.server();
    server.script('gemini-3.1-pro-preview', { text: 'Mara opened the letter.' });
    const { body } = await host.call('runs:start', {
      task: 'scene_draft',
      input: PASSAGE,
      model: 'gemini-3.1-pro-preview',
    });
    expect(body.value).toMatchObject({ status: 'completed' });
    expect(server.requests[0]!.body).toMatchObject({ max_completion_tokens: 3_000 + 4_000, reasoning_effort: 'low' });
  });

  it('a caller’s own chat messages keep the allowance they were given (the gateway’s max_tokens is the caller’s)', async () => {
    const host = await withProvider('openai');
    const server = harness.server();
    server.script('gpt-5.5', { text: 'ok' });
    const { body } = await host.call('runs:start', {
      task: 'brainstorm',
      input: [{ role: 'user', content: 'Three names for a harbour town.' }],
      model: 'gpt-5.5',
      max_output_tokens: 500,
    });
    expect(body.value).toMatchObject({ status: 'completed' });
    expect(server.requests[0]!.body.max_completion_tokens).toBe(500);
    expect(server.requests[0]!.body).not.toHaveProperty('reasoning_effort');
  });
});
