// A text longer than the model an app names (or every model that could do the work) reads at once is the app's to
// shorten: answered as OpenAI and Anthropic answer it — HTTP 400, `context_length_exceeded` in OpenAI's shape — so an
// app that trims its conversation on that error does, and no SDK retries it. Nothing is sent and nothing is charged.
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

/** Reads 2,000 tokens at once: a few pages are too long for it. */
const SMALL: ModelSpec = { ...cloudSpec('cloud-small', 'openai', 9, 8), context_window: 2_000 };
const open = (): Promise<GatewayApp> => {
  fake.reset();
  return gatewayApp({ dataDir: tempDir(), fake, registry: [SMALL] });
};
const pages = 'The lighthouse keeper counted the ships again, and again the count was one short. '.repeat(200);
const ask = (model: string) => ({ model, max_tokens: 200, messages: [{ role: 'user' as const, content: pages }] });

async function refusal<T>(call: Promise<T>): Promise<InstanceType<typeof OpenAI.APIError>> {
  const error = await call.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(OpenAI.APIError);
  return error as InstanceType<typeof OpenAI.APIError>;
}

describe('a text too long for the model', () => {
  it.each(['cloud-small', 'quire/auto', 'quire/continuity_check'])(
    '%s: OpenAI’s 400 context_length_exceeded, not retried, nothing sent or charged',
    async (model) => {
      await withGateway(open(), async (g) => {
        const client = new OpenAI({ baseURL: g.baseUrl, apiKey: g.token(), maxRetries: 2 });
        const error = await refusal(client.chat.completions.create(ask(model)));
        expect(error.status).toBe(400);
        expect(error.error).toMatchObject({
          type: 'invalid_request_error',
          code: 'context_length_exceeded',
          param: 'messages',
        });
        // With the numbers, as OpenAI gives them: what this needs and what the model reads at once.
        expect(error.message).toMatch(/this needs about [\d,]+ tokens with its answer; it reads 2,000 at once/);
        expect(error.headers?.get('x-should-retry')).toBe('false');
        expect(fake.requests).toHaveLength(0);
        const spent = g.db.prepare('SELECT COUNT(*) AS n FROM ledger').get() as { n: number };
        expect(spent.n).toBe(0);
      });
    },
  );

  it('streamed, the same 400 before any event', async () => {
    await withGateway(open(), async (g) => {
      const client = new OpenAI({ baseURL: g.baseUrl, apiKey: g.token(), maxRetries: 0 });
      const error = await refusal(client.chat.completions.create({ ...ask('quire/auto'), stream: true }));
      expect(error.status).toBe(400);
      expect(error.error).toMatchObject({ code: 'context_length_exceeded' });
      expect(fake.requests).toHaveLength(0);
    });
  });

  it('Anthropic’s 400 invalid_request_error on /v1/messages', async () => {
    await withGateway(open(), async (g) => {
      const client = new Anthropic({ baseURL: g.baseUrl.replace(/\/v1$/, ''), apiKey: g.token(), maxRetries: 0 });
      const error = await client.messages.create(ask('cloud-small')).then(
        () => null,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(Anthropic.BadRequestError);
      expect((error as InstanceType<typeof Anthropic.BadRequestError>).error).toMatchObject({
        type: 'error',
        error: { type: 'invalid_request_error' },
      });
      expect(fake.requests).toHaveLength(0);
    });
  });

  it('the same text, short enough, runs', async () => {
    await withGateway(open(), async (g) => {
      fake.script('cloud-small', { text: 'One short.', inputTokens: 40, outputTokens: 3 });
      const client = new OpenAI({ baseURL: g.baseUrl, apiKey: g.token(), maxRetries: 0 });
      const done = await client.chat.completions.create({
        ...ask('cloud-small'),
        messages: [{ role: 'user', content: pages.slice(0, 400) }],
      });
      expect(done.choices[0]!.message.content).toBe('One short.');
    });
  });
});
