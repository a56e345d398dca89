// GET /v1/models and GET /v1/models/{id} as the SDKs call them (models.list, models.retrieve): the names this app's
// token can call now, so a picker (LibreChat, Open WebUI) offers only what works. Cloud models answer from the loopback
// fake LLM server; the local one is the generated tiny GGUF, installed but never run here.
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import { tinyLlamaFixture } from '../../test/fixtures/tiny-llama';
import { gatewayApp, withGateway, type GatewayApp } from '../../test/support/gateway-app';
import { useTempDir } from '../../test/support/temp-dir';
import { cloudSpec, localSpec } from '../../test/support/tournament-app';
import { useLocalFixture } from '../../test/support/use-local-fixture';

const fixture = useLocalFixture();
const tempDir = useTempDir();

/** cloud-gpt has its key; ds-chat's provider (DeepSeek) has none; tiny-local is downloaded, gone-local is not. */
async function open(options: { localFiles?: boolean } = {}): Promise<GatewayApp> {
  fixture.fake().reset();
  const g = await gatewayApp({
    dataDir: tempDir(),
    fake: fixture.fake(),
    registry: [
      cloudSpec('cloud-gpt', 'openai', 9, 8),
      cloudSpec('ds-chat', 'deepseek', 8, 6),
      localSpec('tiny-local', 'tiny-fixture', 3),
      localSpec('gone-local', 'never-downloaded', 5),
    ],
    local: {
      llama: fixture.llama(),
      files: options.localFiles === false ? {} : { 'tiny-fixture': tinyLlamaFixture() },
    },
  });
  g.app.services.keys.delete('deepseek');
  return g;
}

const idsOf = async (client: OpenAI) => {
  const ids: string[] = [];
  for await (const m of client.models.list()) ids.push(m.id);
  return ids;
};

const TIERS = ['quire/auto', 'quire/budget', 'quire/balanced', 'quire/premium'];

describe('GET /v1/models lists what the token can call now', () => {
  it('leaves out a model whose provider has no key and a local model not downloaded', async () => {
    await withGateway(open(), async (g) => {
      const client = new OpenAI({ baseURL: g.baseUrl, apiKey: g.token(), maxRetries: 0 });
      const ids = await idsOf(client);
      expect(ids).toEqual(expect.arrayContaining([...TIERS, 'quire/continuity_check', 'cloud-gpt', 'tiny-local']));
      expect(ids).not.toContain('ds-chat');
      expect(ids).not.toContain('gone-local');
      // What a call to the missing ones gets: they could not be called.
      const noKey = (await client.chat.completions
        .create({ model: 'ds-chat', messages: [{ role: 'user', content: 'x' }] })
        .catch((e: unknown) => e)) as InstanceType<typeof OpenAI.APIError>;
      expect([noKey.status, noKey.message]).toEqual([503, expect.stringMatching(/no DeepSeek key/)]);
    });
  });

  it('a "local models only" token sees local models and the quire/* names that run locally, no cloud model', async () => {
    await withGateway(open(), async (g) => {
      const client = new OpenAI({
        baseURL: g.baseUrl,
        apiKey: g.token({ name: 'Private', local_only: true }),
        maxRetries: 0,
      });
      const ids = await idsOf(client);
      expect(ids).toEqual(expect.arrayContaining([...TIERS, 'quire/private_notes_review', 'tiny-local']));
      expect(ids.filter((id) => !id.startsWith('quire/'))).toEqual(['tiny-local']);
      const anthropic = new Anthropic({
        baseURL: g.baseUrl.replace(/\/v1$/, ''),
        apiKey: g.token({ name: 'Private too', local_only: true }),
        maxRetries: 0,
      });
      const page = await anthropic.models.list();
      expect(page.data.map((m) => m.id)).toEqual(ids);
    });
  });

  it('a "local models only" token with no local model downloaded is offered nothing, as nothing would run', async () => {
    await withGateway(open({ localFiles: false }), async (g) => {
      const client = new OpenAI({
        baseURL: g.baseUrl,
        apiKey: g.token({ name: 'Private', local_only: true }),
        maxRetries: 0,
      });
      expect(await idsOf(client)).toEqual([]);
      const refused = (await client.chat.completions
        .create({ model: 'quire/auto', messages: [{ role: 'user', content: 'x' }] })
        .catch((e: unknown) => e)) as InstanceType<typeof OpenAI.APIError>;
      expect(refused.status).toBe(403);
    });
  });
});

describe('GET /v1/models/{id}', () => {
  it("answers the list's entry through both SDKs, and a 404 in each one's shape for a name the token cannot call", async () => {
    await withGateway(open(), async (g) => {
      const client = new OpenAI({ baseURL: g.baseUrl, apiKey: g.token(), maxRetries: 0 });
      const listed = new Map<string, OpenAI.Model>();
      for await (const m of client.models.list()) listed.set(m.id, m);
      // The SDK sends quire/auto as quire%2Fauto. `created` is the clock's second at each answer: a second may turn
      // between the two requests.
      expect(await client.models.retrieve('quire/auto')).toEqual({
        ...listed.get('quire/auto'),
        created: expect.any(Number),
      });
      expect(await client.models.retrieve('cloud-gpt')).toMatchObject({ id: 'cloud-gpt', object: 'model' });
      const raw = await g.raw('/v1/models/quire/continuity_check', {
        headers: { Authorization: `Bearer ${g.token()}` },
      });
      expect(await raw.json()).toMatchObject({ id: 'quire/continuity_check', object: 'model', owned_by: 'quire' });

      const missing = (await client.models.retrieve('gpt-9-imaginary').catch((e: unknown) => e)) as InstanceType<
        typeof OpenAI.APIError
      >;
      expect(missing).toBeInstanceOf(OpenAI.NotFoundError);
      expect(missing.error).toMatchObject({ code: 'model_not_found', param: 'model', type: 'invalid_request_error' });
      // Known to Quire but not callable now: a 404 that says why, as the call would.
      const noKey = (await client.models.retrieve('ds-chat').catch((e: unknown) => e)) as InstanceType<
        typeof OpenAI.APIError
      >;
      expect(noKey).toBeInstanceOf(OpenAI.NotFoundError);
      expect(noKey.message).toMatch(/no DeepSeek key/);
      const localOnly = new OpenAI({
        baseURL: g.baseUrl,
        apiKey: g.token({ name: 'Private', local_only: true }),
        maxRetries: 0,
      });
      const cloud = (await localOnly.models.retrieve('cloud-gpt').catch((e: unknown) => e)) as InstanceType<
        typeof OpenAI.APIError
      >;
      expect([cloud.status, cloud.message]).toEqual([
        404,
        expect.stringMatching(/"Private" may use local models only/),
      ]);

      const anthropic = new Anthropic({ baseURL: g.baseUrl.replace(/\/v1$/, ''), apiKey: g.token(), maxRetries: 0 });
      expect(await anthropic.models.retrieve('quire/auto')).toMatchObject({
        type: 'model',
        id: 'quire/auto',
        display_name: expect.stringMatching(/automatic/),
      });
      // A tier is listed by the name Settings gives it (contract TIER_NAMES), not the ids' "Budget"/"Premium".
      const tiers = await Promise.all(['budget', 'premium'].map((t) => anthropic.models.retrieve(`quire/${t}`)));
      expect(tiers.map((m) => m.display_name)).toEqual(['Quire — Lowest cost tier', 'Quire — Best tier']);
      const gone = (await anthropic.models.retrieve('gone-local').catch((e: unknown) => e)) as InstanceType<
        typeof Anthropic.APIError
      >;
      expect(gone).toBeInstanceOf(Anthropic.NotFoundError);
      expect(gone.error).toMatchObject({ type: 'error', error: { type: 'not_found_error' } });
      expect(gone.message).toMatch(/not downloaded/);
    });
  });
});

describe('a name nothing set up can run', () => {
  it('is refused with the step that gets past it: the names this app can call now, or where Quire is given a model', async () => {
    fixture.fake().reset();
    // The one model with a key reads themes only: nothing can brainstorm, which quire/auto and the tiers run as.
    const themesOnly = { ...cloudSpec('cloud-gpt', 'openai', 9, 8), strengths: ['thematic_analysis' as const] };
    await withGateway(
      gatewayApp({
        dataDir: tempDir(),
        fake: fixture.fake(),
        registry: [themesOnly, cloudSpec('ds-chat', 'deepseek', 8, 6)],
      }),
      async (g) => {
        g.app.services.keys.delete('deepseek');
        const token = g.token({ name: 'Obsidian' });
        const client = new OpenAI({ baseURL: g.baseUrl, apiKey: token, maxRetries: 0 });
        const refused = (await client.chat.completions
          .create({ model: 'quire/auto', max_tokens: 50, messages: [{ role: 'user', content: 'x' }] })
          .catch((e: unknown) => e)) as InstanceType<typeof OpenAI.APIError>;
        expect(refused.status).toBe(503);
        expect(refused.headers?.get('x-should-retry')).toBe('false');
        expect(refused.error).toMatchObject({
          message:
            'None of the models you have set up can do Brainstorm. Without creative range: cloud-gpt. ' +
            'This app can call cloud-gpt and quire/theme_analysis now (GET /v1/models lists them), or give Quire a model that can do this in its Settings → AI Intelligence.',
        });
        // Anthropic's "overloaded" says to come back later; nothing here changes by waiting.
        const anthropic = new Anthropic({ baseURL: g.baseUrl.replace(/\/v1$/, ''), apiKey: token, maxRetries: 0 });
        const inAnthropic = (await anthropic.messages
          .create({ model: 'quire/premium', max_tokens: 50, messages: [{ role: 'user', content: 'x' }] })
          .catch((e: unknown) => e)) as InstanceType<typeof Anthropic.APIError>;
        expect(inAnthropic.error).toMatchObject({
          type: 'error',
          error: {
            type: 'api_error',
            message: expect.stringMatching(/This app can call cloud-gpt and quire\/theme_analysis now/),
          },
        });
      },
    );
  });
});
