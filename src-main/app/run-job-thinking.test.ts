// A reasoning model on a passage run in parts: every call is sent the answer's allowance plus room to think at the
// task's effort, as a single run is (runs/thinking-room.test.ts), the parts are cut to leave that room in the context,
// and the quote, each part's hold and the job's bound count all of it. Over the real host, the official openai SDK
// and the ledger against the loopback fake (a continuity checker reading the story so far).
import { describe, expect, it } from 'vitest';
import type { ModelSpec } from '../../src-preload/contract';
import { continuityResponder } from '../../test/fixtures/continuity-fake';
import { contradictionManuscript } from '../../test/fixtures/manuscript';
import { useExecutionHarness, type ExecutionHost } from '../../test/support/execution-harness';
import { worstCaseUsd } from '../orchestrator/pricing';
import { shippedModels } from '../routing/resources';

const h = useExecutionHarness();
/** Narrower than the manuscript (about 43,000 tokens as OpenAI's models count it): it runs in parts. */
const CONTEXT = 40_000;
const text = contradictionManuscript();

/** The shipped registry with `id`'s context narrowed to CONTEXT, and OpenAI's key with its address at the fake. */
async function narrowed(id: string): Promise<{ host: ExecutionHost; spec: ModelSpec }> {
  const models = shippedModels().map((m) => (m.id === id ? { ...m, context_window: CONTEXT } : m));
  const host = await h.host({ env: { OPENAI_API_KEY: 'sk-test-openai-0001' }, models });
  const saved = await host.call('providers:save', { id: 'openai', base_url: h.server().openaiBaseUrl, builtin: true });
  expect(saved.body.ok).toBe(true);
  return { host, spec: models.find((m) => m.id === id)! };
}

/** Each request's messages and schema as the app's one token counter counts them, with what it may produce. */
async function fits(host: ExecutionHost, spec: ModelSpec, body: Record<string, unknown>): Promise<number> {
  const messages = body.messages as { role: 'system' | 'user'; content: string }[];
  const format = body.response_format as { json_schema: { name: string; schema: Record<string, unknown> } };
  const { tokens } = await host.app.services.tokens.count(spec, { messages, jsonSchema: format.json_schema });
  return tokens + ((body.max_completion_tokens ?? body.max_tokens) as number);
}

describe("a reasoning model's room to think on a passage run in parts", () => {
  it('GPT-5.5: every part is sent a continuity check’s 2,500 answer tokens plus 16,000 to think, at medium effort, within its context; the quote, the hold and the bound count all 18,500', async () => {
    const { host, spec } = await narrowed('gpt-5.5');
    const server = h.server();
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    server.script('gpt-5.5', { respond: continuityResponder(), inputTokens: 3000, outputTokens: 200, gate });
    const start = { task: 'continuity_check', input: text, model: 'gpt-5.5' };
    const quote = (await host.call('runs:quote', start)).body.value;
    expect(quote).toMatchObject({ kind: 'job', model_id: 'gpt-5.5' });
    expect(quote.parts).toBeGreaterThan(1);
    // The quote counts every part's whole allowance, and each part's bound its call and one repair at all of it.
    expect(quote.output_tokens_max).toBe(quote.parts * 18_500);
    const allOut = worstCaseUsd(spec, 0, 18_500);
    expect(quote.total_usd).toBeGreaterThanOrEqual(quote.parts * 2 * allOut);
    const running = host.call('runs:start', start);
    try {
      const first = await server.nextRequest('gpt-5.5');
      expect(first.body.max_completion_tokens).toBe(18_500);
      expect(first.body.reasoning_effort).toBe('medium');
      // Held before part 1 is sent: every token it may produce at the output price, and never past the quote.
      const reserved = (await host.call('spend:current')).body.value.reserved_usd;
      expect(reserved).toBeGreaterThanOrEqual(allOut + worstCaseUsd(spec, 1_000, 0));
      expect(reserved).toBeLessThanOrEqual(quote.total_usd);
    } finally {
      open();
    }
    const { body } = await running;
    expect(body.value).toMatchObject({ status: 'completed', model_id: 'gpt-5.5' });
    const requests = server.requests;
    expect(requests).toHaveLength(quote.parts);
    for (const r of requests) {
      expect(r.body).toMatchObject({ max_completion_tokens: 18_500, reasoning_effort: 'medium' });
      expect(r.body).not.toHaveProperty('max_tokens');
      // The parts were cut to leave the room to think, not only the answer, in the model's context.
      expect(await fits(host, spec, r.body)).toBeLessThanOrEqual(CONTEXT);
    }
    expect(body.value.cost_usd).toBeLessThanOrEqual(quote.total_usd);
    // The planted contradiction is still found across the parts.
    expect(body.value.answer.findings).toHaveLength(1);
  });

  it('a model that does not think is sent the answer’s allowance as it is, and quoted for it (GPT-4o: 2,500, no effort)', async () => {
    const { host, spec } = await narrowed('gpt-4o');
    const server = h.server();
    server.script('gpt-4o', { respond: continuityResponder(), inputTokens: 3000, outputTokens: 200 });
    const start = { task: 'continuity_check', input: text, model: 'gpt-4o' };
    const quote = (await host.call('runs:quote', start)).body.value;
    expect(quote).toMatchObject({ kind: 'job', model_id: 'gpt-4o' });
    expect(quote.output_tokens_max).toBe(quote.parts * 2_500);
    const { body } = await host.call('runs:start', start);
    expect(body.value).toMatchObject({ status: 'completed', model_id: 'gpt-4o' });
    expect(server.requests).toHaveLength(quote.parts);
    for (const r of server.requests) {
      expect(r.body.max_tokens).toBe(2_500);
      expect(r.body).not.toHaveProperty('max_completion_tokens');
      expect(r.body).not.toHaveProperty('reasoning_effort');
      expect(await fits(host, spec, r.body)).toBeLessThanOrEqual(CONTEXT);
    }
  });
});
