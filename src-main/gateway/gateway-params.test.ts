// What an app asks for reaches the model, or is said not to: an app that sets no max_tokens is bounded, and held, at
// the model's own output limit as the provider would bound it; seed and the sampling parameters go where the provider
// takes them (temperature to the Anthropic models that accept it, under the API version that does). Checked with the
// real `openai` and `@anthropic-ai/sdk` clients against the loopback fake provider.
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ModelSpec } from '../../src-preload/contract';
import { gatewayApp, withGateway, type GatewayApp } from '../../test/support/gateway-app';
import { startFakeLlmServer, type FakeLlmServer } from '../../test/support/fake-llm-server';
import { useTempDir } from '../../test/support/temp-dir';
import { cloudSpec } from '../../test/support/tournament-app';

const tempDir = useTempDir();
let fake: FakeLlmServer;
beforeAll(async () => {
  fake = await startFakeLlmServer({ port: 0 });
});
afterAll(() => fake.close());

/** $1 in, $8 out per Mtok; writes up to 16,384 tokens, as gpt-4o does. */
const GPT: ModelSpec = { ...cloudSpec('cloud-gpt', 'openai', 9, 8), max_output_tokens: 16_384 };
const CLAUDE: ModelSpec = { ...cloudSpec('cloud-claude', 'anthropic', 8, 6), max_output_tokens: 64_000 };
/** A Claude model that takes no sampling parameters (Opus 4.7 and later refuse them). */
const OPUS: ModelSpec = {
  ...cloudSpec('cloud-opus', 'anthropic', 7, 6),
  capabilities: { ...CLAUDE.capabilities, sampling: false },
};

const open = (): Promise<GatewayApp> => {
  fake.reset();
  return gatewayApp({ dataDir: tempDir(), fake, registry: [GPT, CLAUDE, OPUS] });
};

const openai = (g: GatewayApp, token = g.token()) => new OpenAI({ baseURL: g.baseUrl, apiKey: token, maxRetries: 0 });
const anthropic = (g: GatewayApp) =>
  new Anthropic({ baseURL: g.baseUrl.replace(/\/v1$/, ''), apiKey: g.token(), maxRetries: 0 });
const runIdOf = (id: string) => id.replace(/^(chatcmpl-|msg_)/, '');
const sent = () => fake.requests.at(-1)!;

describe('an app that sets no max_tokens', () => {
  it("is bounded at the model's own output limit, as the provider would bound it, and held at that much", async () => {
    await withGateway(open(), async (g) => {
      fake.script('cloud-gpt', { text: 'A long chapter.', inputTokens: 10, outputTokens: 4 });
      const completion = await openai(g).chat.completions.create({
        model: 'cloud-gpt',
        messages: [{ role: 'user', content: 'Write a long chapter.' }],
      });
      expect(completion.choices[0]!.finish_reason).toBe('stop');
      expect(sent().body.max_tokens).toBe(16_384);
      // The reservation was the call's honest worst case: every one of those tokens at $8/Mtok, and the input.
      const [row] = g.db.prepare('SELECT reserved_micros FROM ledger WHERE run_id = ?').all(runIdOf(completion.id)) as {
        reserved_micros: number;
      }[];
      expect(row!.reserved_micros).toBeGreaterThanOrEqual(16_384 * 8);
      expect(row!.reserved_micros).toBeLessThan(16_384 * 8 + 1_000);
      // The app's own limit is the one sent.
      await openai(g).chat.completions.create({
        model: 'cloud-gpt',
        messages: [{ role: 'user', content: 'Write a short one.' }],
        max_tokens: 300,
      });
      expect(sent().body.max_tokens).toBe(300);
    });
  });

  it('past a cap or the budget, is refused saying what it would hold and that a max_tokens holds less', async () => {
    await withGateway(open(), async (g) => {
      const capped = openai(g, g.token({ name: 'Capped', monthly_cap_usd: 0.05 }));
      const ask = { model: 'cloud-gpt', messages: [{ role: 'user' as const, content: 'A chapter.' }] };
      const refused = (await capped.chat.completions.create(ask).catch((e: unknown) => e)) as InstanceType<
        typeof OpenAI.APIError
      >;
      expect(refused.status).toBe(429);
      expect(refused.message).toMatch(/This call could cost up to \$0\.13\d*, but only \$0\.05 of the cap is left/);
      expect(refused.message).toMatch(
        /This call set no max_tokens, so it is held at the most the model may write; a max_tokens holds less\./,
      );
      fake.script('cloud-gpt', { text: 'Short.' });
      await capped.chat.completions.create({ ...ask, max_tokens: 200 });
      // Under a cap that holds it, the call runs at the model's own limit (its hold covers its reservation), and so
      // does quire/auto, held at the dearest model it may fall back to.
      const roomy = openai(g, g.token({ name: 'Roomy', monthly_cap_usd: 1 }));
      await roomy.chat.completions.create(ask);
      expect(sent().body.max_tokens).toBe(16_384);
      await roomy.chat.completions.create({ ...ask, model: 'quire/auto' });
      g.app.services.settings.set({ orchestrator: { monthly_budget: 0.05 } });
      const overBudget = (await openai(g)
        .chat.completions.create(ask)
        .catch((e: unknown) => e)) as InstanceType<typeof OpenAI.APIError>;
      expect(overBudget.status).toBe(429);
      expect(overBudget.message).toMatch(/This call set no max_tokens, so it is held at the most the model may write/);
      expect(fake.requests).toHaveLength(3);
    });
  });
});

describe('an app whose max_tokens is more than the model writes', () => {
  it("is sent and held at the model's own output limit, not refused by the provider or held at the app's figure", async () => {
    await withGateway(open(), async (g) => {
      fake.script('cloud-gpt', { text: 'A chapter.', inputTokens: 10, outputTokens: 4 });
      // An app that does not know which model quire/auto picks asks for plenty: 100,000 where gpt-4o writes 16,384.
      const completion = await openai(g).chat.completions.create({
        model: 'quire/auto',
        messages: [{ role: 'user', content: 'Write a chapter.' }],
        max_tokens: 100_000,
      });
      expect(completion.choices[0]!.message.content).toBe('A chapter.');
      // It was sent max_tokens 100,000 (OpenAI answers that with a 400) and held at $0.80 for it.
      expect(sent().model).toBe('cloud-gpt');
      expect(sent().body.max_tokens).toBe(16_384);
      const [row] = g.db.prepare('SELECT reserved_micros FROM ledger WHERE run_id = ?').all(runIdOf(completion.id)) as {
        reserved_micros: number;
      }[];
      expect(row!.reserved_micros).toBeLessThan(16_384 * 8 + 1_000);
      // Claude (64,000) is asked for the app's figure where it is less than its own.
      fake.script('cloud-claude', { text: 'Another.', inputTokens: 10, outputTokens: 3 });
      await openai(g).chat.completions.create({
        model: 'cloud-claude',
        messages: [{ role: 'user', content: 'Write another.' }],
        max_tokens: 50_000,
      });
      expect(sent().body.max_tokens).toBe(50_000);
    });
  });
});

describe('reasoning_effort', () => {
  /** A reasoning model on OpenAI's API, which takes reasoning_effort. */
  const O3: ModelSpec = {
    ...cloudSpec('cloud-o3', 'openai', 7, 8),
    max_output_tokens: 100_000,
    capabilities: { ...GPT.capabilities, reasoning: true },
  };
  const withO3 = () => {
    fake.reset();
    return gatewayApp({ dataDir: tempDir(), fake, registry: [GPT, O3] });
  };

  it('reaches a reasoning model within the max_tokens the app set, which counts the thinking; no other model', async () => {
    await withGateway(withO3(), async (g) => {
      fake.script('cloud-o3', { text: 'Thought it through.', inputTokens: 10, outputTokens: 40 });
      const ask = { messages: [{ role: 'user' as const, content: 'Why does Mara lie?' }], max_tokens: 3_000 };
      await openai(g).chat.completions.create({ ...ask, model: 'cloud-o3', reasoning_effort: 'low' });
      // It was dropped, and the model thought at its provider's default.
      expect(sent().body.reasoning_effort).toBe('low');
      expect(sent().body.max_completion_tokens ?? sent().body.max_tokens).toBe(3_000);
      // A model that does not think is sent none (OpenAI refuses it there).
      fake.script('cloud-gpt', { text: 'Because.', inputTokens: 10, outputTokens: 2 });
      await openai(g).chat.completions.create({ ...ask, model: 'cloud-gpt', reasoning_effort: 'high' });
      expect(sent().body.reasoning_effort).toBeUndefined();
    });
  });

  it('is part of what the answer cache matches: the same question at another effort is asked again', async () => {
    await withGateway(withO3(), async (g) => {
      g.app.services.settings.set({ runs: { cache_enabled: true } });
      fake.script('cloud-o3', { text: 'Thought it through.', inputTokens: 10, outputTokens: 40 });
      const ask = { model: 'cloud-o3', messages: [{ role: 'user' as const, content: 'Why?' }], temperature: 0 };
      await openai(g).chat.completions.create({ ...ask, reasoning_effort: 'low' });
      await openai(g).chat.completions.create({ ...ask, reasoning_effort: 'low' });
      expect(fake.requests).toHaveLength(1);
      await openai(g).chat.completions.create({ ...ask, reasoning_effort: 'high' });
      expect(fake.requests).toHaveLength(2);
      expect(sent().body.reasoning_effort).toBe('high');
    });
  });

  it('on quire/<task>, replaces the task’s own effort; a value Quire does not take is refused naming it', async () => {
    await withGateway(withO3(), async (g) => {
      fake.script('cloud-o3', { text: '{"findings": []}', inputTokens: 10, outputTokens: 40 });
      await openai(g).chat.completions.create({
        model: 'quire/continuity_check',
        messages: [{ role: 'user', content: '# One\n\nMara counted the boats twice.' }],
        reasoning_effort: 'high',
      });
      expect(sent().model).toBe('cloud-o3');
      expect(sent().body.reasoning_effort).toBe('high');
      const refused = (await openai(g)
        .chat.completions.create({
          model: 'cloud-o3',
          messages: [{ role: 'user', content: 'Hi' }],
          reasoning_effort: 'extreme',
        } as never)
        .catch((e: unknown) => e)) as InstanceType<typeof OpenAI.APIError>;
      expect(refused.status).toBe(400);
      expect(refused.error).toMatchObject({ param: 'reasoning_effort' });
      expect(refused.message).toMatch(/reasoning_effort must be one of "low", "medium", "high"/);
    });
  });
});

describe('seed and the sampling parameters', () => {
  it('openai client: seed, top_p and the penalties reach an OpenAI-compatible model', async () => {
    await withGateway(open(), async (g) => {
      await openai(g).chat.completions.create({
        model: 'cloud-gpt',
        messages: [{ role: 'user', content: 'x' }],
        max_tokens: 50,
        seed: 42,
        temperature: 0.9,
        top_p: 0.5,
        frequency_penalty: 1,
        presence_penalty: -0.5,
      });
      expect(sent().body).toMatchObject({
        seed: 42,
        temperature: 0.9,
        top_p: 0.5,
        frequency_penalty: 1,
        presence_penalty: -0.5,
      });
    });
  });

  it('anthropic client: temperature and top_k reach a Claude model that takes them, under the API version that does', async () => {
    await withGateway(open(), async (g) => {
      const ask = (extra: Record<string, unknown>) =>
        anthropic(g).messages.create({
          model: 'cloud-claude',
          max_tokens: 50,
          messages: [{ role: 'user', content: 'x' }],
          ...extra,
        } as Anthropic.MessageCreateParamsNonStreaming);
      await ask({ temperature: 0.2, top_k: 5 });
      expect(sent().body).toMatchObject({ temperature: 0.2, top_k: 5 });
      expect(sent().headers['anthropic-version']).toBe('2023-06-01');
      await ask({ top_p: 0.3 });
      expect(sent().body).toMatchObject({ top_p: 0.3 });
      // Anthropic's newer models take temperature or top_p, not both: temperature goes.
      await ask({ temperature: 0.4, top_p: 0.3 });
      expect(sent().body).toMatchObject({ temperature: 0.4 });
      expect(sent().body).not.toHaveProperty('top_p');
      // Nothing to sample with: the client's own API version.
      await ask({});
      expect(sent().headers['anthropic-version']).toBe('2026-10-21');
    });
  });

  it("openai client to Claude: a temperature past Anthropic's range goes as its most; a model that takes none is sent none", async () => {
    await withGateway(open(), async (g) => {
      await openai(g).chat.completions.create({
        model: 'cloud-claude',
        messages: [{ role: 'user', content: 'x' }],
        max_tokens: 50,
        temperature: 1.7,
        top_p: 1,
      });
      expect(sent().body).toMatchObject({ temperature: 1 });
      fake.script('cloud-opus', { text: 'Fine.' });
      const opus = await openai(g).chat.completions.create({
        model: 'cloud-opus',
        messages: [{ role: 'user', content: 'x' }],
        max_tokens: 50,
        temperature: 0.5,
        top_p: 0.9,
      });
      expect(opus.choices[0]!.message.content).toBe('Fine.');
      for (const param of ['temperature', 'top_p', 'top_k']) expect(sent().body).not.toHaveProperty(param);
    });
  });
});
