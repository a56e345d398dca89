// Issue 13's doors and money: tokens (bad, none, revoked), Host and Origin guards, CORS preflight with Private Network
// Access, body limit, unknown model, malformed requests, per-token limits, the gateway off, and 50 concurrent calls
// against a nearly spent budget. Real app over SQLite, cloud models on the loopback fake LLM server.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { connect } from 'node:net';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startFakeLlmServer, type FakeLlmServer } from '../../test/support/fake-llm-server';
import { gatewayApp, withGateway, type GatewayApp } from '../../test/support/gateway-app';
import { useTempDir } from '../../test/support/temp-dir';
import { cloudSpec, localSpec } from '../../test/support/tournament-app';

const tempDir = useTempDir();
let fake: FakeLlmServer;
beforeAll(async () => {
  fake = await startFakeLlmServer();
});
afterAll(() => fake.close());

async function open(
  gateway: { concurrencyPerToken?: number; maxBodyBytes?: number } = {},
): Promise<GatewayApp & { dir: string }> {
  fake.reset();
  const dir = tempDir();
  const g = await gatewayApp({
    dataDir: dir,
    fake,
    registry: [cloudSpec('cloud-gpt', 'openai', 9, 99), localSpec('tiny-local', 'tiny-fixture', 3)],
    gateway,
    // Calls held at the fake server (a gate) must not fail over on the first-token deadline on a loaded machine.
    execution: { firstTokenTimeoutMs: 60_000 },
  });
  return Object.assign(g, { dir });
}

const chatBody = (model = 'cloud-gpt') => JSON.stringify({ model, messages: [{ role: 'user', content: 'hi' }] });
const json = { 'Content-Type': 'application/json' };

describe('gateway tokens', () => {
  it('bad token → 401, no token → 401, revoked token → 401, each in OpenAI error shape', async () => {
    await withGateway(open(), async (g) => {
      const bad = await g.raw('/v1/chat/completions', {
        method: 'POST',
        headers: { ...json, Authorization: 'Bearer quire-not-a-real-token' },
        body: chatBody(),
      });
      expect(bad.status).toBe(401);
      expect(await bad.json()).toMatchObject({
        error: { type: 'invalid_request_error', code: 'invalid_api_key', message: expect.stringMatching(/token/) },
      });
      const none = await g.raw('/v1/chat/completions', { method: 'POST', headers: json, body: chatBody() });
      expect(none.status).toBe(401);
      const token = g.token({ name: 'Novelcrafter' });
      const id = g.app.services.gateway.get().tokens[0]!.id;
      const ok = await g.raw('/v1/models', { headers: { Authorization: `Bearer ${token}` } });
      expect(ok.status).toBe(200);
      expect(await g.app.dispatcher.call('gateway:token_revoke', { id }, { transport: 'internal' })).toEqual({
        ok: true,
        value: { revoked: true },
      });
      const revoked = await g.raw('/v1/models', { headers: { Authorization: `Bearer ${token}` } });
      expect(revoked.status).toBe(401);
      const anthropic = await g.raw('/v1/messages', {
        method: 'POST',
        headers: { ...json, 'x-api-key': token },
        body: '{}',
      });
      expect(anthropic.status).toBe(401);
      expect(await anthropic.json()).toMatchObject({ type: 'error', error: { type: 'authentication_error' } });
      expect(g.app.services.gateway.get().tokens).toEqual([]);
    });
  });

  it('a token is stored only as its hash: not in the data directory, and gateway:get never shows it', async () => {
    await withGateway(open(), async (g) => {
      const created = await g.app.dispatcher.call(
        'gateway:token_create',
        { name: 'Script', monthly_cap_usd: 2, local_only: true },
        { transport: 'internal' },
      );
      expect(created.ok).toBe(true);
      const { token } = (created as { value: { token: string } }).value;
      expect(token).toMatch(/^quire-[A-Za-z0-9_-]{32}$/);
      g.db.pragma('wal_checkpoint(TRUNCATE)');
      for (const file of readdirSync(g.dir)) {
        expect(readFileSync(join(g.dir, file)).includes(Buffer.from(token))).toBe(false);
      }
      const state = g.app.services.gateway.get();
      expect(JSON.stringify(state)).not.toContain(token);
      expect(state.tokens).toEqual([
        expect.objectContaining({
          name: 'Script',
          monthly_cap_usd: 2,
          local_only: true,
          spend_usd: 0,
          last_used_at: null,
        }),
      ]);
    });
  });

  it('a "local models only" token is refused a cloud model with 403 and a plain reason', async () => {
    await withGateway(open(), async (g) => {
      const client = new OpenAI({
        baseURL: g.baseUrl,
        apiKey: g.token({ local_only: true, name: 'Private' }),
        maxRetries: 0,
      });
      const error = (await client.chat.completions
        .create({ model: 'cloud-gpt', messages: [{ role: 'user', content: 'x' }] })
        .catch((e: unknown) => e)) as InstanceType<typeof OpenAI.APIError>;
      expect(error.status).toBe(403);
      expect(error.message).toMatch(/local models only/);
      expect(fake.requests).toHaveLength(0);
    });
  });

  it('a "local models only" token naming a local model that is not downloaded hears why, not about its setting', async () => {
    await withGateway(open(), async (g) => {
      const ask = async (apiKey: string) => {
        const client = new OpenAI({ baseURL: g.baseUrl, apiKey, maxRetries: 0 });
        return (await client.chat.completions
          .create({ model: 'tiny-local', messages: [{ role: 'user', content: 'x' }] })
          .catch((e: unknown) => e)) as InstanceType<typeof OpenAI.APIError>;
      };
      const anyModels = await ask(g.token({ name: 'Open' }));
      const localOnly = await ask(g.token({ local_only: true, name: 'Private' }));
      expect(anyModels.message).toMatch(/not downloaded/);
      // The same answer: the local-only switch has nothing to do with a local model that is missing.
      expect([localOnly.status, localOnly.message]).toEqual([anyModels.status, anyModels.message]);
      expect(localOnly.message).not.toMatch(/local models only/);
    });
  });

  it("a token's own monthly cap refuses a call that could pass it: 429 insufficient_quota, nothing sent", async () => {
    await withGateway(open(), async (g) => {
      fake.script('cloud-gpt', { text: 'ok', inputTokens: 10, outputTokens: 100 });
      // One call: up to 100 output tokens × $99/Mtok ≈ $0.0099 (plus input), and it charges about that: a second
      // one could pass the $0.015 cap.
      const client = new OpenAI({
        baseURL: g.baseUrl,
        apiKey: g.token({ monthly_cap_usd: 0.015, name: 'Capped' }),
        maxRetries: 0,
      });
      const ask = () =>
        client.chat.completions.create({
          model: 'cloud-gpt',
          messages: [{ role: 'user', content: 'x' }],
          max_tokens: 100,
        });
      await ask();
      const refused = (await ask().catch((e: unknown) => e)) as InstanceType<typeof OpenAI.APIError>;
      expect(refused.status).toBe(429);
      expect(refused.error).toMatchObject({
        type: 'insufficient_quota',
        code: 'insufficient_quota',
        message: expect.stringMatching(/"Capped" has a monthly cap of \$0\.015 in Quire/),
      });
      // And the step past it: where the writer raises the cap, or when it starts again.
      expect(refused.error).toMatchObject({
        message: expect.stringMatching(
          / of the cap is left this month\. To go on this month, raise it in Quire → Settings → AI Intelligence → Let other apps use Quire → Change limits for Capped; the cap starts again next month\.$/,
        ),
      });
      expect(fake.requests).toHaveLength(1);
      // The writer's other apps are not held by this app's cap.
      const other = new OpenAI({ baseURL: g.baseUrl, apiKey: g.token({ name: 'Other' }), maxRetries: 0 });
      await expect(
        other.chat.completions.create({
          model: 'cloud-gpt',
          messages: [{ role: 'user', content: 'x' }],
          max_tokens: 100,
        }),
      ).resolves.toBeTruthy();
    });
  });

  it("an app's cap and local-only switch change in place: its next call is held to the new limits, same token", async () => {
    await withGateway(open(), async (g) => {
      fake.script('cloud-gpt', { text: 'ok', inputTokens: 10, outputTokens: 100 });
      const token = g.token({ monthly_cap_usd: 0.001, name: 'Novelcrafter' });
      const id = g.app.services.gateway.get().tokens[0]!.id;
      const client = new OpenAI({ baseURL: g.baseUrl, apiKey: token, maxRetries: 0 });
      const ask = () =>
        client.chat.completions
          .create({ model: 'cloud-gpt', messages: [{ role: 'user', content: 'x' }], max_tokens: 100 })
          .then(() => 200)
          .catch((e: { status?: number }) => e.status);
      const update = (input: Record<string, unknown>) =>
        g.app.dispatcher.call('gateway:token_update', { id, ...input }, { transport: 'internal' });
      expect(await ask()).toBe(429);
      expect(await update({ monthly_cap_usd: 1 })).toMatchObject({
        ok: true,
        value: { id, name: 'Novelcrafter', monthly_cap_usd: 1, local_only: false },
      });
      expect(await ask()).toBe(200);
      expect(await update({ local_only: true })).toMatchObject({
        ok: true,
        value: { monthly_cap_usd: 1, local_only: true },
      });
      expect(await ask()).toBe(403);
      expect(await update({ monthly_cap_usd: null, local_only: false })).toMatchObject({
        ok: true,
        value: { monthly_cap_usd: null, local_only: false },
      });
      expect(await ask()).toBe(200);
      expect(fake.requests).toHaveLength(2);
      // A revoked token's limits no longer change.
      await g.app.dispatcher.call('gateway:token_revoke', { id }, { transport: 'internal' });
      expect(await update({ monthly_cap_usd: 5 })).toMatchObject({ ok: false, error: { code: 'not_found' } });
    });
  });

  it('per-token concurrency: calls past the limit (chat or embeddings) get 429 rate_limit_exceeded while the others run', async () => {
    await withGateway(open({ concurrencyPerToken: 2 }), async (g) => {
      let release!: () => void;
      fake.script('cloud-gpt', { text: 'ok', gate: new Promise<void>((r) => (release = r)) });
      const token = g.token();
      const call = () =>
        g.raw('/v1/chat/completions', {
          method: 'POST',
          headers: { ...json, Authorization: `Bearer ${token}` },
          body: chatBody(),
        });
      const first = [call(), call()];
      while (fake.requests.length < 2) await new Promise((r) => setImmediate(r));
      const third = await call();
      expect(third.status).toBe(429);
      expect(third.headers.get('x-should-retry')).toBe('true');
      expect(await third.json()).toMatchObject({ error: { code: 'rate_limit_exceeded' } });
      // An embeddings call is one of the app's calls too.
      const embedding = await g.raw('/v1/embeddings', {
        method: 'POST',
        headers: { ...json, Authorization: `Bearer ${token}` },
        body: JSON.stringify({ model: 'quire/auto', input: 'a red door' }),
      });
      expect(embedding.status).toBe(429);
      expect(await embedding.json()).toMatchObject({ error: { code: 'rate_limit_exceeded' } });
      release();
      expect((await Promise.all(first)).map((r) => r.status)).toEqual([200, 200]);
    });
  });

  it("revoking a token stops that app's calls in flight: 401 saying so, the call charged by the ledger's rule, the run stopped", async () => {
    await withGateway(open(), async (g) => {
      let release!: () => void;
      fake.script('cloud-gpt', { text: 'ok', gate: new Promise<void>((r) => (release = r)) });
      const token = g.token({ name: 'Runaway plugin' });
      const other = g.token({ name: 'Script' });
      const [plugin] = g.app.services.gateway.get().tokens.filter((t) => t.name === 'Runaway plugin');
      const call = (bearer: string) =>
        g.raw('/v1/chat/completions', {
          method: 'POST',
          headers: { ...json, Authorization: `Bearer ${bearer}` },
          body: chatBody(),
        });
      const held = call(token);
      const unaffected = call(other);
      while (fake.requests.length < 2) await new Promise((r) => setImmediate(r));
      await g.app.dispatcher.call('gateway:token_revoke', { id: plugin!.id }, { transport: 'internal' });
      const stopped = await held;
      release();
      expect(stopped.status).toBe(401);
      expect(await stopped.json()).toMatchObject({
        error: { code: 'invalid_api_key', message: expect.stringMatching(/^Access for "Runaway plugin" was revoked/) },
      });
      // The request had reached the provider, which sent no counts: the call keeps its reservation as its charge.
      expect(Number(stopped.headers.get('x-quire-cost-usd'))).toBeGreaterThan(0);
      expect((await unaffected).status).toBe(200);
      const runs = g.app.services.runs.list();
      expect(runs.map((r) => [r.client, r.status]).sort()).toEqual([
        ['Runaway plugin', 'cancelled'],
        ['Script', 'completed'],
      ]);
      // The history says why the run stopped: the writer revoked the app, not "The run was cancelled" as if by hand.
      const revoked = runs.find((r) => r.client === 'Runaway plugin')!;
      expect(g.app.services.runs.get(revoked.run_id).error?.message).toBe(
        'Access for "Runaway plugin" was revoked while this ran, so Quire stopped it.',
      );
    });
  });

  it('an app hanging up mid-stream cancels its run and never pauses the provider for the other apps', async () => {
    await withGateway(open(), async (g) => {
      const token = g.token({ name: 'Flaky plugin' });
      // Five hang-ups in a row: as many provider failures would open OpenAI's breaker (a 503 for every app).
      for (let i = 1; i <= 5; i++) {
        fake.script('cloud-gpt', { text: 'one two three four', faults: [{ kind: 'stall', afterTokens: 2 }] });
        const hangUp = new AbortController();
        const streamed = await g.raw('/v1/chat/completions', {
          method: 'POST',
          headers: { ...json, Authorization: `Bearer ${token}` },
          body: JSON.stringify({ model: 'cloud-gpt', stream: true, messages: [{ role: 'user', content: 'hi' }] }),
          signal: hangUp.signal,
        });
        const reader = streamed.body!.getReader();
        const decoder = new TextDecoder();
        let seen = '';
        while (!seen.includes('two')) seen += decoder.decode((await reader.read()).value, { stream: true });
        hangUp.abort();
        await vi.waitUntil(() => g.app.services.runs.list().filter((r) => r.status === 'cancelled').length === i);
      }
      for (const run of g.app.services.runs.list()) {
        const record = g.app.services.runs.get(run.run_id);
        expect(record.attempts.map((a) => a.error?.code)).toEqual(['cancelled']);
        // The history says who stopped it and keeps what had arrived: the writer did not cancel it.
        expect(record.error?.message).toBe(
          '"Flaky plugin" closed the connection before the answer was finished, so Quire stopped it. What had arrived is kept here and charged.',
        );
        expect(record.text).toMatch(/^one two/);
      }
      expect(g.app.services.resilience.health('openai')[0]).toMatchObject({
        failure_count: 0,
        last_error: null,
      });
      fake.script('cloud-gpt', { text: 'still here' });
      const after = await g.raw('/v1/chat/completions', {
        method: 'POST',
        headers: { ...json, Authorization: `Bearer ${g.token({ name: 'Other app' })}` },
        body: chatBody(),
      });
      expect(after.status).toBe(200);
    });
  });

  it("per-token concurrency counts requests whose bodies are still arriving: an app cannot hold more bodies in Quire's memory than calls it may run", async () => {
    await withGateway(open({ concurrencyPerToken: 2 }), async (g) => {
      fake.script('cloud-gpt', { text: 'ok' });
      const token = g.token();
      const headers = { ...json, Authorization: `Bearer ${token}` };
      // Two uploads that have sent their headers and part of their bodies, and go on sending slowly.
      const slow = await Promise.all([0, 1].map(() => slowUpload(g.port, '/v1/chat/completions', headers, chatBody())));
      const third = await g.raw('/v1/chat/completions', { method: 'POST', headers, body: chatBody() });
      expect(third.status).toBe(429);
      expect(await third.json()).toMatchObject({
        error: { code: 'rate_limit_exceeded', message: expect.stringContaining('already has 2 requests') },
      });
      expect(fake.requests).toHaveLength(0);
      // The slow ones, once whole, run; their seats are given back when they are answered.
      expect((await Promise.all(slow.map((upload) => upload.finish()))).map((r) => r.status)).toEqual([200, 200]);
      expect((await g.raw('/v1/chat/completions', { method: 'POST', headers, body: chatBody() })).status).toBe(200);
      // An upload the app gives up on halfway gives its seat back too.
      const dropped = await Promise.all(
        [0, 1].map(() => slowUpload(g.port, '/v1/chat/completions', headers, chatBody())),
      );
      await Promise.all(dropped.map((upload) => upload.drop()));
      // The gateway hears of the hang-up on its own side of the socket, a few turns after the app: ask until it has
      // (a seat never given back would keep every answer a 429, and the test fails).
      let status = 429;
      for (let asked = 0; status === 429 && asked < 500; asked++) {
        status = (await g.raw('/v1/chat/completions', { method: 'POST', headers, body: chatBody() })).status;
      }
      expect(status).toBe(200);
    });
  });

  it('a token revoked while its request body is still arriving is refused: 401, nothing run or charged', async () => {
    await withGateway(open(), async (g) => {
      const bodies = {
        '/v1/chat/completions': chatBody(),
        '/v1/embeddings': JSON.stringify({ model: 'quire/auto', input: 'a red door' }),
      };
      for (const [path, body] of Object.entries(bodies)) {
        const token = g.token({ name: 'Slow upload' });
        const { id } = g.app.services.gateway.get().tokens[0]!;
        const refused = await g.postAfterDoor(path, { ...json, Authorization: `Bearer ${token}` }, body, () =>
          g.app.services.gateway.revokeToken(id),
        );
        expect(refused.status, path).toBe(401);
        expect(await refused.json()).toMatchObject({
          error: {
            code: 'invalid_api_key',
            message: expect.stringMatching(/^Access for "Slow upload" was revoked in Quire before this request ran/),
          },
        });
      }
      expect(fake.requests).toHaveLength(0);
      expect(g.db.prepare('SELECT COUNT(*) FROM runs').pluck().get()).toBe(0);
      expect(g.db.prepare('SELECT COUNT(*) FROM ledger').pluck().get()).toBe(0);
    });
  });

  it('"local models only" switched on while the request body is still arriving: 403, nothing sent to the cloud', async () => {
    await withGateway(open(), async (g) => {
      fake.script('cloud-gpt', { text: 'ok' });
      const token = g.token({ name: 'Private' });
      const { id } = g.app.services.gateway.get().tokens[0]!;
      const body = JSON.stringify({ model: 'cloud-gpt', messages: [{ role: 'user', content: 'my private chapter' }] });
      const refused = await g.postAfterDoor(
        '/v1/chat/completions',
        { ...json, Authorization: `Bearer ${token}` },
        body,
        () => g.app.services.gateway.updateToken({ id, local_only: true }),
      );
      expect(refused.status).toBe(403);
      expect(await refused.json()).toMatchObject({
        error: { type: 'permission_error', message: expect.stringMatching(/^"Private" may use local models only/) },
      });
      expect(fake.requests).toHaveLength(0);
    });
  });

  it('GET /v1/models marks the token used, as a call does', async () => {
    await withGateway(open(), async (g) => {
      const token = g.token();
      expect(g.app.services.gateway.get().tokens[0]!.last_used_at).toBeNull();
      expect((await g.raw('/v1/models', { headers: { Authorization: `Bearer ${token}` } })).status).toBe(200);
      expect(g.app.services.gateway.get().tokens[0]!.last_used_at).not.toBeNull();
    });
  });

  it("the auth scheme in any case, and an Anthropic client's x-api-key beside another provider's Bearer", async () => {
    await withGateway(open(), async (g) => {
      const token = g.token();
      const status = async (headers: Record<string, string>) => (await g.raw('/v1/models', { headers })).status;
      expect(await status({ Authorization: `bearer ${token}` })).toBe(200);
      expect(await status({ Authorization: `BEARER   ${token}` })).toBe(200);
      expect(
        await status({ Authorization: 'Bearer sk-ant-other', 'x-api-key': token, 'anthropic-version': '2023-06-01' }),
      ).toBe(200);
      expect(await status({ Authorization: 'Bearer ', 'x-api-key': token })).toBe(200);
      expect(await status({ Authorization: 'Bearer sk-other', 'x-api-key': 'quire-not-a-real-token' })).toBe(401);
    });
  });
});

describe('gateway doors', () => {
  it('foreign Host → 403 (DNS rebinding)', async () => {
    await withGateway(open(), async (g) => {
      const res = await g.raw('/v1/models', {
        host: `evil.example:${g.port}`,
        headers: { Authorization: `Bearer ${g.token()}` },
      });
      expect(res.status).toBe(403);
    });
  });

  it('a disallowed Origin gets no CORS headers; an allowed one passes the preflight, Private Network Access included', async () => {
    await withGateway(open(), async (g) => {
      await g.app.services.gateway.set({ origins: ['https://app.novelcrafter.com'] });
      const preflight = (origin: string) =>
        g.raw('/v1/chat/completions', {
          method: 'OPTIONS',
          headers: {
            Origin: origin,
            'Access-Control-Request-Method': 'POST',
            'Access-Control-Request-Headers': 'authorization, content-type',
            'Access-Control-Request-Private-Network': 'true',
          },
        });
      const denied = await preflight('https://evil.example');
      expect(denied.status).toBe(403);
      expect(denied.headers.get('access-control-allow-origin')).toBeNull();
      expect(denied.headers.get('access-control-allow-private-network')).toBeNull();
      const allowed = await preflight('https://app.novelcrafter.com');
      expect(allowed.status).toBe(204);
      expect(allowed.headers.get('access-control-allow-origin')).toBe('https://app.novelcrafter.com');
      expect(allowed.headers.get('access-control-allow-private-network')).toBe('true');
      expect(allowed.headers.get('access-control-allow-headers')).toBe('authorization, content-type');
      const token = g.token();
      const actual = await g.raw('/v1/models', {
        headers: { Origin: 'https://app.novelcrafter.com', Authorization: `Bearer ${token}` },
      });
      expect(actual.status).toBe(200);
      expect(actual.headers.get('access-control-allow-origin')).toBe('https://app.novelcrafter.com');
      const foreign = await g.raw('/v1/models', {
        headers: { Origin: 'https://evil.example', Authorization: `Bearer ${token}` },
      });
      expect(foreign.status).toBe(403);
      expect(foreign.headers.get('access-control-allow-origin')).toBeNull();
    });
  });

  it("an OPTIONS request without an Origin (no browser's preflight) is answered in the API's shape, not a bare 403", async () => {
    await withGateway(open(), async (g) => {
      const chat = await g.raw('/v1/chat/completions', { method: 'OPTIONS' });
      expect([chat.status, chat.headers.get('allow')]).toEqual([405, 'POST']);
      expect(await chat.json()).toEqual({
        error: {
          message: 'Use POST for /v1/chat/completions (this request used OPTIONS).',
          type: 'invalid_request_error',
          param: null,
          code: 'method_not_allowed',
        },
      });
      const messages = await g.raw('/v1/messages', { method: 'OPTIONS' });
      expect(messages.status).toBe(405);
      expect(await messages.json()).toMatchObject({ type: 'error', error: { type: 'invalid_request_error' } });
      const unknown = await g.raw('/v1/nothing', { method: 'OPTIONS' });
      expect(unknown.status).toBe(404);
      expect(await unknown.json()).toMatchObject({ error: { code: 'not_found' } });
    });
  });

  it('HEAD is answered wherever GET is (the models list: its headers, no body), as HTTP has it', async () => {
    await withGateway(open(), async (g) => {
      const token = g.token();
      // It was a 405 "Use GET for /v1/models (this request used HEAD)."
      const head = await g.raw('/v1/models', { method: 'HEAD', headers: { Authorization: `Bearer ${token}` } });
      expect([head.status, head.headers.get('content-type'), await head.text()]).toEqual([
        200,
        'application/json; charset=utf-8',
        '',
      ]);
      expect((await g.raw('/v1/models', { method: 'HEAD' })).status).toBe(401);
      const chat = await g.raw('/v1/chat/completions', { method: 'HEAD' });
      expect([chat.status, chat.headers.get('allow')]).toEqual([405, 'POST']);
    });
  });

  it("an app's own origin (Obsidian's app://obsidian.md): refused with the advice to add it, added as advised, then its preflight and call pass", async () => {
    await withGateway(open(), async (g) => {
      const token = g.token({ name: 'Obsidian plugin' });
      const origin = 'app://obsidian.md';
      const models = (from: string) =>
        g.raw('/v1/models', { headers: { Origin: from, Authorization: `Bearer ${token}` } });
      const refused = await models(origin);
      expect(refused.status).toBe(403);
      const { message } = ((await refused.json()) as { error: { message: string } }).error;
      // The refusal names the address to add and where; Settings takes exactly that address.
      expect(message).toBe(
        `Web pages from app://obsidian.md may not call Quire. To allow them, add app://obsidian.md under "Web apps allowed" in Quire → Settings → AI Intelligence → Let other apps use Quire.`,
      );
      const added = await g.app.dispatcher.call('gateway:set', { origins: [origin] }, { transport: 'internal' });
      expect(added).toMatchObject({ ok: true, value: { origins: [origin] } });
      const preflight = await g.raw('/v1/chat/completions', {
        method: 'OPTIONS',
        headers: {
          Origin: origin,
          'Access-Control-Request-Method': 'POST',
          'Access-Control-Request-Headers': 'authorization, content-type',
        },
      });
      expect(preflight.status).toBe(204);
      expect(preflight.headers.get('access-control-allow-origin')).toBe(origin);
      fake.script('cloud-gpt', { text: 'The harbour at dusk.' });
      const call = await g.raw('/v1/chat/completions', {
        method: 'POST',
        headers: { ...json, Origin: origin, Authorization: `Bearer ${token}` },
        body: chatBody(),
      });
      expect(call.status).toBe(200);
      expect(call.headers.get('access-control-allow-origin')).toBe(origin);
      expect(await call.json()).toMatchObject({ choices: [{ message: { content: 'The harbour at dusk.' } }] });
      // A page that sends "null" (sandboxed, or opened from a file) is told why Settings cannot allow it.
      const sandboxed = await models('null');
      expect(sandboxed.status).toBe(403);
      expect(await sandboxed.json()).toMatchObject({
        error: {
          message: expect.stringMatching(
            /^Web pages from null may not call Quire, and Settings cannot allow them: "null" is the origin every sandboxed page/,
          ),
        },
      });
    });
  });

  it('an allowed Origin can read every answer, a refusal or a charged failure as well as a success, and its headers', async () => {
    await withGateway(open(), async (g) => {
      const origin = 'https://app.novelcrafter.com';
      await g.app.services.gateway.set({ origins: [origin] });
      const headers = { ...json, Origin: origin, Authorization: `Bearer ${g.token()}` };
      const post = (body: string) => g.raw('/v1/chat/completions', { method: 'POST', headers, body });
      // The provider takes the request and drops the connection: the call is charged, and must not be retried.
      fake.script('cloud-gpt', { text: 'never sent', faults: [{ kind: 'drop' }] });
      const answers = {
        noToken: await g.raw('/v1/models', { headers: { Origin: origin } }),
        unknownModel: await post(chatBody('gpt-9-imaginary')),
        invalid: await post('{}'),
        charged: await post(
          JSON.stringify({ model: 'cloud-gpt', max_tokens: 50, messages: [{ role: 'user', content: 'x' }] }),
        ),
        models: await g.raw('/v1/models', { headers }),
      };
      expect(Object.values(answers).map((r) => r.status)).toEqual([401, 404, 400, 502, 200]);
      expect(Number(answers.charged.headers.get('x-quire-cost-usd'))).toBeGreaterThan(0);
      expect(answers.charged.headers.get('x-should-retry')).toBe('false');
      for (const [name, res] of Object.entries(answers)) {
        expect(res.headers.get('access-control-allow-origin'), name).toBe(origin);
        expect(res.headers.get('access-control-expose-headers')?.split(/,\s*/), name).toEqual(
          expect.arrayContaining(['x-should-retry', 'retry-after', 'x-quire-run-id', 'x-quire-cost-usd']),
        );
      }
    });
  });

  it('oversize body → 413; unknown model → 404 in OpenAI shape; n = 2, malformed JSON and bad fields → 400 in shape', async () => {
    await withGateway(open({ maxBodyBytes: 4096 }), async (g) => {
      const headers = { ...json, Authorization: `Bearer ${g.token()}` };
      const post = (body: string, path = '/v1/chat/completions') => g.raw(path, { method: 'POST', headers, body });
      const big = await post(
        JSON.stringify({ model: 'cloud-gpt', messages: [{ role: 'user', content: 'x'.repeat(10_000) }] }),
      );
      expect(big.status).toBe(413);
      expect(await big.json()).toMatchObject({
        error: {
          type: 'invalid_request_error',
          code: 'request_too_large',
          message: "The request body is larger than 4.1 KB, the gateway's limit.",
        },
      });
      const unknown = await post(chatBody('gpt-9-imaginary'));
      expect(unknown.status).toBe(404);
      expect(await unknown.json()).toEqual({
        error: {
          message: expect.stringContaining('gpt-9-imaginary'),
          type: 'invalid_request_error',
          param: 'model',
          code: 'model_not_found',
        },
      });
      const n2 = await post(JSON.stringify({ model: 'cloud-gpt', n: 2, messages: [{ role: 'user', content: 'x' }] }));
      expect(n2.status).toBe(400);
      expect(await n2.json()).toMatchObject({ error: { param: 'n', message: expect.stringMatching(/one choice/) } });
      const broken = await post('{"model": ');
      expect(broken.status).toBe(400);
      expect(await broken.json()).toMatchObject({
        error: { type: 'invalid_request_error', message: expect.stringMatching(/not valid JSON/) },
      });
      const noMessages = await post(JSON.stringify({ model: 'cloud-gpt', messages: [] }));
      expect(noMessages.status).toBe(400);
      const image = await post(
        JSON.stringify({
          model: 'cloud-gpt',
          messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'x' } }] }],
        }),
      );
      expect(image.status).toBe(400);
      expect(await image.json()).toMatchObject({
        error: {
          param: 'messages.0.content.0.image_url.url',
          message: expect.stringMatching(/takes an image as a data URL/),
        },
      });
      const anthropic = await post(JSON.stringify({ model: 'cloud-gpt', messages: [] }), '/v1/messages');
      expect(anthropic.status).toBe(400);
      expect(await anthropic.json()).toMatchObject({ type: 'error', error: { type: 'invalid_request_error' } });
      expect(fake.requests).toHaveLength(0);
    });
  });

  it('a JSON body led by a UTF-8 byte order mark is read; a wrong method is a 405 naming the one to use; 5 stop sequences are refused saying 4', async () => {
    await withGateway(open(), async (g) => {
      const token = g.token();
      const headers = { ...json, Authorization: `Bearer ${token}` };
      fake.script('cloud-gpt', { text: 'Read.' });
      // What Windows tools (PowerShell 5's Out-File, Notepad's "UTF-8 with BOM") put before the text.
      const bom = await g.raw('/v1/chat/completions', {
        method: 'POST',
        headers,
        body: Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(chatBody())]),
      });
      expect(bom.status).toBe(200);
      expect(await bom.json()).toMatchObject({ choices: [{ message: { content: 'Read.' } }] });

      const get = await g.raw('/v1/chat/completions', { headers: { Authorization: `Bearer ${token}` } });
      expect(get.status).toBe(405);
      expect(get.headers.get('allow')).toBe('POST');
      expect(await get.json()).toEqual({
        error: {
          message: 'Use POST for /v1/chat/completions (this request used GET).',
          type: 'invalid_request_error',
          param: null,
          code: 'method_not_allowed',
        },
      });
      const anthropic = await g.raw('/v1/messages', { method: 'PUT', headers: { 'anthropic-version': '2023-06-01' } });
      expect([anthropic.status, anthropic.headers.get('allow')]).toEqual([405, 'POST']);
      expect(await anthropic.json()).toMatchObject({ type: 'error', error: { type: 'invalid_request_error' } });
      const models = await g.raw('/v1/models', { method: 'POST', headers, body: '{}' });
      expect([models.status, models.headers.get('allow')]).toEqual([405, 'GET']);

      const client = new OpenAI({ baseURL: g.baseUrl, apiKey: token, maxRetries: 0 });
      const stops = (await client.chat.completions
        .create({ model: 'cloud-gpt', messages: [{ role: 'user', content: 'x' }], stop: ['a', 'b', 'c', 'd', 'e'] })
        .catch((e: unknown) => e)) as InstanceType<typeof OpenAI.APIError>;
      expect([stops.status, stops.param, stops.message]).toEqual([400, 'stop', '400 stop may have at most 4 items.']);
      expect(fake.requests).toHaveLength(1);
    });
  });

  it("a client whose base URL misses or doubles /v1 is told the base URL to set, in its API's shape", async () => {
    await withGateway(open(), async (g) => {
      const token = g.token();
      const root = `http://127.0.0.1:${g.port}`;
      // The base URL Quire → Settings shows (…/v1), given to Anthropic's SDK, which adds /v1 itself.
      const doubled = (await new Anthropic({ baseURL: g.baseUrl, apiKey: token, maxRetries: 0 }).messages
        .create({ model: 'cloud-gpt', max_tokens: 10, messages: [{ role: 'user', content: 'x' }] })
        .catch((e: unknown) => e)) as InstanceType<typeof Anthropic.APIError>;
      expect([doubled.status, doubled.error]).toEqual([
        404,
        {
          type: 'error',
          error: {
            type: 'not_found_error',
            message: `Quire's gateway has no /v1/v1/messages: /v1 is in it twice. Set the client's base URL to ${root} (Anthropic's SDK adds /v1 itself).`,
          },
        },
      ]);
      const missing = (await new OpenAI({ baseURL: root, apiKey: token, maxRetries: 0 }).chat.completions
        .create({ model: 'cloud-gpt', messages: [{ role: 'user', content: 'x' }] })
        .catch((e: unknown) => e)) as InstanceType<typeof OpenAI.APIError>;
      expect([missing.status, missing.message]).toEqual([
        404,
        `404 Quire's gateway has no /chat/completions: its addresses start with /v1. Set the client's base URL to ${root}/v1.`,
      ]);
      const home = await g.raw('/', { headers: { Authorization: `Bearer ${token}` } });
      expect(home.status).toBe(404);
      expect(((await home.json()) as { error: { message: string } }).error.message).toBe(
        "Quire's gateway has no /. It answers POST /v1/chat/completions, /v1/messages and /v1/embeddings, and GET /v1/models.",
      );
      expect(fake.requests).toHaveLength(0);
    });
  });

  it('a json_schema nested thousands deep and a malformed request target get 400 in shape; nothing is stored', async () => {
    await withGateway(open(), async (g) => {
      const headers = { ...json, Authorization: `Bearer ${g.token({ monthly_cap_usd: 5 })}` };
      const deep = '{"properties":{"a":'.repeat(4000) + '{}' + '}}'.repeat(4000);
      const body = `{"model":"cloud-gpt","messages":[{"role":"user","content":"x"}],"response_format":{"type":"json_schema","json_schema":{"name":"x","schema":${deep}}}}`;
      const nested = await g.raw('/v1/chat/completions', { method: 'POST', headers, body });
      expect(nested.status).toBe(400);
      expect(await nested.json()).toMatchObject({
        error: { type: 'invalid_request_error', message: expect.stringMatching(/nests more than 64 levels/) },
      });
      // A request line whose target is not a URL (`GET http://[`), sent as bytes: a client error, not a server one.
      const status = await new Promise<string>((resolve, reject) => {
        const socket = connect(g.port, '127.0.0.1', () =>
          socket.write(`GET http://[ HTTP/1.1\r\nHost: 127.0.0.1:${g.port}\r\nConnection: close\r\n\r\n`),
        );
        let head = '';
        socket.on('data', (chunk: Buffer) => (head += chunk.toString()));
        socket.on('end', () => resolve(head.split('\r\n')[0] ?? ''));
        socket.on('error', reject);
      });
      expect(status).toMatch(/^HTTP\/1\.1 400 /);
      expect(fake.requests).toHaveLength(0);
      expect(g.db.prepare('SELECT COUNT(*) FROM gateway_runs').pluck().get()).toBe(0);
      expect(g.db.prepare('SELECT COUNT(*) FROM runs').pluck().get()).toBe(0);
    });
  });

  it('the gateway off: the port is closed; on again: it answers', async () => {
    await withGateway(open(), async (g) => {
      expect((await g.raw('/v1/models')).status).toBe(401);
      // A stream in flight is cut by Quire, not by its app: the history says which.
      fake.script('cloud-gpt', { text: 'one two three four', faults: [{ kind: 'stall', afterTokens: 2 }] });
      const streamed = await g.raw('/v1/chat/completions', {
        method: 'POST',
        headers: { ...json, Authorization: `Bearer ${g.token({ name: 'Obsidian' })}` },
        body: JSON.stringify({ model: 'cloud-gpt', stream: true, messages: [{ role: 'user', content: 'hi' }] }),
      });
      const reader = streamed.body!.getReader();
      let seen = '';
      while (!seen.includes('two')) seen += new TextDecoder().decode((await reader.read()).value);
      const off = await g.app.dispatcher.call('gateway:set', { enabled: false }, { transport: 'internal' });
      expect(off).toMatchObject({ ok: true, value: { enabled: false, listening: false } });
      const refused = await new Promise<string>((resolve) => {
        const socket = connect(g.port, '127.0.0.1');
        socket.on('connect', () => {
          socket.destroy();
          resolve('open');
        });
        socket.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? 'error'));
      });
      expect(refused).toBe('ECONNREFUSED');
      await vi.waitUntil(() => g.app.services.runs.list()[0]?.status === 'cancelled');
      const [cut] = g.app.services.runs.list();
      expect(g.app.services.runs.get(cut!.run_id).error?.message).toBe(
        "Quire's gateway was turned off while this ran, so Quire stopped it. What had arrived is kept here and charged.",
      );
    });
  });

  it('a port another program holds: apps keep the port they use, and turning the gateway on there says so', async () => {
    await withGateway(open(), async (g) => {
      const { createServer } = await import('node:net');
      const squatter = createServer();
      await new Promise<void>((resolve) => squatter.listen(0, '127.0.0.1', resolve));
      const taken = (squatter.address() as { port: number }).port;
      const token = g.token();
      try {
        // Changed while on: refused, and the gateway goes on answering where every app already calls it.
        const moved = await g.app.dispatcher.call('gateway:set', { port: taken }, { transport: 'internal' });
        expect(moved).toMatchObject({
          ok: false,
          error: {
            code: 'conflict',
            path: 'port',
            message: `Port ${taken} is already in use by another program, so apps still reach Quire at ${g.baseUrl}. Pick another port.`,
          },
        });
        expect(g.app.services.gateway.get()).toMatchObject({ listening: true, port: g.port, error: null });
        expect((await g.raw('/v1/models', { headers: { Authorization: `Bearer ${token}` } })).status).toBe(200);

        // Off, the port is only saved; turned on there, nothing can listen and the writer is told why.
        await g.app.services.gateway.set({ enabled: false });
        await g.app.services.gateway.set({ port: taken });
        const state = await g.app.services.gateway.set({ enabled: true });
        expect(state).toMatchObject({ enabled: true, listening: false, port: taken });
        expect(state.error).toBe(`Port ${taken} is already in use by another program; pick another port.`);
      } finally {
        await new Promise<void>((resolve) => squatter.close(() => resolve()));
      }
    });
  });

  it('off by default: a fresh app listens on no gateway port', async () => {
    const { createApp } = await import('../app/create-app');
    const { silentLogger } = await import('../infra/logger');
    const app = await createApp({ dataDir: tempDir(), logger: silentLogger, env: {} });
    try {
      expect(app.services.gateway.get()).toMatchObject({
        enabled: false,
        listening: false,
        port: 5175,
        url: 'http://127.0.0.1:5175/v1',
        tokens: [],
      });
    } finally {
      await app.close();
    }
  });
});

describe('gateway budget', () => {
  it('50 concurrent gateway calls against a nearly spent budget: the cap holds; refusals are 429 insufficient_quota', async () => {
    await withGateway(open({ concurrencyPerToken: 64 }), async (g) => {
      // Worst case per call ≈ 1000 × $99/Mtok ≈ $0.099; the budget leaves room for at most 10 of them.
      g.app.services.settings.set({ orchestrator: { monthly_budget: 1 } });
      let release!: () => void;
      fake.script('cloud-gpt', {
        text: 'ok',
        inputTokens: 10,
        outputTokens: 2,
        gate: new Promise<void>((r) => (release = r)),
      });
      const token = g.token({ name: 'Batch script' });
      const headers = { ...json, Authorization: `Bearer ${token}` };
      const body = JSON.stringify({
        model: 'quire/auto',
        messages: [{ role: 'user', content: 'x' }],
        max_tokens: 1000,
      });
      const answered: Response[] = [];
      const calls = Array.from({ length: 50 }, () =>
        g.raw('/v1/chat/completions', { method: 'POST', headers, body }).then((r) => {
          answered.push(r);
          return r;
        }),
      );
      while (answered.length + fake.requests.length < 50) await new Promise((r) => setImmediate(r));
      const held = fake.requests.length;
      const during = g.app.services.ledger.snapshot(new Date());
      expect(held).toBeGreaterThan(0);
      expect(held).toBeLessThanOrEqual(10);
      expect(during.spent_usd + during.reserved_usd).toBeLessThanOrEqual(1);
      release();
      const all = await Promise.all(calls);
      const refused = all.filter((r) => r.status !== 200);
      expect(all.length - refused.length).toBe(held);
      for (const r of refused) {
        expect(r.status).toBe(429);
        expect(r.headers.get('x-should-retry')).toBe('false');
        expect(await r.json()).toMatchObject({
          error: {
            type: 'insufficient_quota',
            code: 'insufficient_quota',
            message: expect.stringMatching(/\$|budget/),
          },
        });
      }
      const after = g.app.services.ledger.snapshot(new Date());
      expect(after.reserved_usd).toBe(0);
      expect(after.spent_usd).toBeLessThanOrEqual(1);
      const month = g.app.services.ledger.monthOf(new Date());
      expect(g.app.services.gateway.byApp(month).apps).toMatchObject([{ name: 'Batch script', calls: held }]);
    });
  });
});

/**
 * A POST whose headers and first half of the body have reached the gateway (it answered "100 Continue"), the rest
 * held back: finish() sends it and reads the answer; drop() hangs up and resolves once the gateway saw it go.
 */
async function slowUpload(
  port: number,
  path: string,
  headers: Record<string, string>,
  body: string,
): Promise<{ finish(): Promise<Response>; drop(): Promise<void> }> {
  const { request } = await import('node:http');
  const half = Math.floor(body.length / 2);
  const req = request({
    host: '127.0.0.1',
    port,
    path,
    method: 'POST',
    headers: { ...headers, 'Content-Length': Buffer.byteLength(body), Expect: '100-continue' },
  });
  const answered = new Promise<Response>((resolve, reject) => {
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve(new Response(Buffer.concat(chunks), { status: res.statusCode ?? 0, headers: res.headers as never })),
      );
    });
    req.on('error', reject);
  });
  await new Promise<void>((resolve) => {
    req.on('continue', () => req.write(body.slice(0, half), () => resolve()));
    req.flushHeaders();
  });
  return {
    finish: () => {
      req.end(body.slice(half));
      return answered;
    },
    drop: async () => {
      answered.catch(() => undefined);
      const closed = new Promise<void>((resolve) => req.socket?.once('close', () => resolve()));
      req.destroy();
      await closed;
    },
  };
}
