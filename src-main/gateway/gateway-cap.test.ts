// Issue 13: an app's monthly cap is exact across Quire processes on one data directory (the desktop app and a browser
// host, say). The cap check and the call's hold are one SQLite transaction, not a count in one process's memory.
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../store/database';
import { startFakeLlmServer, type FakeLlmServer } from '../../test/support/fake-llm-server';
import { gatewayApp, type GatewayApp } from '../../test/support/gateway-app';
import { useTempDir } from '../../test/support/temp-dir';
import { cloudSpec } from '../../test/support/tournament-app';
import { heldDisk } from '../../test/support/held-disk';
import { GatewayRepo } from './gateway-repo';
import { join } from 'node:path';

const tempDir = useTempDir();
let fake: FakeLlmServer;
beforeAll(async () => {
  fake = await startFakeLlmServer();
});
afterAll(() => fake.close());

const open = (dataDir: string): Promise<GatewayApp> =>
  gatewayApp({
    dataDir,
    fake,
    registry: [cloudSpec('cloud-gpt', 'openai', 9, 99)],
    execution: { firstTokenTimeoutMs: 60_000 },
  });

describe("an app's monthly cap across processes", () => {
  it('two Quire instances on one data directory never both admit a call the cap cannot cover', async () => {
    fake.reset();
    const dir = tempDir();
    // Two app instances, each with its own SQLite connection and gateway, as two processes would have.
    const a = await open(dir);
    const b = await open(dir);
    try {
      let release!: () => void;
      const gate = new Promise<void>((resolve) => (release = resolve));
      // One call may cost up to ~$0.0099 (100 output tokens at $99/Mtok) and the cap is $0.015: one fits, not two.
      fake.script('cloud-gpt', { json: { findings: [] }, inputTokens: 10, outputTokens: 100, gate });
      const token = a.token({ monthly_cap_usd: 0.015, name: 'Capped' });
      const ask = (g: GatewayApp) =>
        new OpenAI({ baseURL: g.baseUrl, apiKey: token, maxRetries: 0 }).chat.completions.create({
          model: 'cloud-gpt',
          messages: [{ role: 'user', content: 'x' }],
          max_tokens: 100,
        });
      const first = ask(a);
      await fake.nextRequest('cloud-gpt'); // A's call is at the provider: held, not yet settled.
      const second = (await ask(b).catch((e: unknown) => e)) as InstanceType<typeof OpenAI.APIError>;
      expect(second.status).toBe(429);
      expect(second.error).toMatchObject({ type: 'insufficient_quota', message: expect.stringMatching(/"Capped"/) });
      release();
      await first;
      // Settled in A: B reads A's charge from the ledger and still refuses; only one call ever reached the provider.
      const third = (await ask(b).catch((e: unknown) => e)) as InstanceType<typeof OpenAI.APIError>;
      expect(third.status).toBe(429);
      expect(fake.requests).toHaveLength(1);
    } finally {
      await b.close();
      await a.close();
    }
  });

  it("holds a quire/<task> call at least at the run's own reservation, the task's instruction counted", async () => {
    fake.reset();
    const dir = tempDir();
    const g = await open(dir);
    try {
      let release!: () => void;
      const gate = new Promise<void>((resolve) => (release = resolve));
      fake.script('cloud-gpt', { json: { findings: [] }, inputTokens: 10, outputTokens: 100, gate });
      const token = g.token({ monthly_cap_usd: 5, name: 'Capped' });
      const call = new OpenAI({ baseURL: g.baseUrl, apiKey: token, maxRetries: 0 }).chat.completions.create({
        model: 'quire/continuity_check',
        messages: [{ role: 'user', content: 'Chapter 1: the door was blue. Chapter 2: the door was red.' }],
        max_tokens: 100,
      });
      await fake.nextRequest('cloud-gpt');
      const db = openDatabase(join(dir, 'quire.sqlite'));
      try {
        const { run_id, held_micros } = db
          .prepare('SELECT run_id, held_micros FROM gateway_runs WHERE held_micros > 0')
          .get() as { run_id: string; held_micros: number };
        const reserved = db
          .prepare('SELECT SUM(reserved_micros) FROM ledger WHERE run_id = ?')
          .pluck()
          .get(run_id) as number;
        // The instruction is 1,738 characters, many times the app's message: a hold counted from the message alone
        // would fall short.
        expect(reserved).toBeGreaterThan(0);
        expect(held_micros).toBeGreaterThanOrEqual(reserved);
      } finally {
        db.close();
      }
      release();
      await call;
    } finally {
      await g.close();
    }
  });

  it('a cap lowered while the request body is still arriving holds that call to it: 429, nothing sent', async () => {
    fake.reset();
    const g = await open(tempDir());
    try {
      fake.script('cloud-gpt', { text: 'ok', inputTokens: 10, outputTokens: 100 });
      const token = g.token({ monthly_cap_usd: 5, name: 'Capped' });
      const { id } = g.app.services.gateway.get().tokens[0]!;
      const body = JSON.stringify({ model: 'cloud-gpt', messages: [{ role: 'user', content: 'x' }], max_tokens: 100 });
      const refused = await g.postAfterDoor(
        '/v1/chat/completions',
        { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
        body,
        () => g.app.services.gateway.updateToken({ id, monthly_cap_usd: 0.001 }),
      );
      expect(refused.status).toBe(429);
      expect(await refused.json()).toMatchObject({
        error: { type: 'insufficient_quota', message: expect.stringMatching(/"Capped" has a monthly cap of \$0\.001/) },
      });
      expect(fake.requests).toHaveLength(0);
    } finally {
      await g.close();
    }
  });

  it('holds a JSON call at its answer and the one repair it may need, not at one call', async () => {
    fake.reset();
    const g = await open(tempDir());
    try {
      // One call may cost up to ~$0.0099, and its repair (which resends the first answer) a little more: the cap of
      // $0.015 covers one, not both.
      fake.script('cloud-gpt', { replies: [{ text: 'not JSON' }, { json: { ok: true } }], outputTokens: 100 });
      const token = g.token({ monthly_cap_usd: 0.015, name: 'Capped' });
      const refused = (await new OpenAI({ baseURL: g.baseUrl, apiKey: token, maxRetries: 0 }).chat.completions
        .create({
          model: 'cloud-gpt',
          messages: [{ role: 'user', content: 'x' }],
          max_tokens: 100,
          response_format: { type: 'json_object' },
        })
        .catch((e: unknown) => e)) as InstanceType<typeof OpenAI.APIError>;
      expect(refused.status).toBe(429);
      expect(refused.error).toMatchObject({
        type: 'insufficient_quota',
        message: expect.stringMatching(/could cost up to \$0\.02\d\d/),
      });
      expect(fake.requests).toHaveLength(0);
    } finally {
      await g.close();
    }
  });

  it('holds a model that charged past its hold at that multiple, as the budget does', async () => {
    fake.reset();
    const g = await open(tempDir());
    try {
      // The provider counts 300 output tokens for a call Quire bounded at 100: it charges ~3x what was held.
      fake.script('cloud-gpt', { text: 'ok', inputTokens: 10, outputTokens: 300 });
      const token = g.token({ monthly_cap_usd: 0.05, name: 'Capped' });
      const ask = () =>
        new OpenAI({ baseURL: g.baseUrl, apiKey: token, maxRetries: 0 }).chat.completions
          .create({ model: 'cloud-gpt', messages: [{ role: 'user', content: 'x' }], max_tokens: 100 })
          .catch((e: unknown) => e);
      await ask(); // charged ~$0.0297 against a hold of ~$0.0099
      // A second call is held at ~$0.0297 now: with ~$0.0297 spent, the $0.05 cap cannot cover it.
      const second = (await ask()) as InstanceType<typeof OpenAI.APIError>;
      expect(second.status).toBe(429);
      expect(second.error).toMatchObject({ message: expect.stringMatching(/could cost up to \$0\.029\d/) });
      expect(fake.requests).toHaveLength(1);
    } finally {
      await g.close();
    }
  });

  it('a capped call whose quote found no model never runs past the cap: only a free call could run under it', async () => {
    fake.reset();
    const g = await open(tempDir());
    try {
      fake.script('cloud-gpt', { text: 'ok', inputTokens: 10, outputTokens: 5 });
      const token = g.token({ monthly_cap_usd: 5, name: 'Capped' });
      // The quote found nothing to run it (a provider paused at that moment, say); by the start, the model is back.
      const runs = g.app.services.runs;
      const quote = runs.quote.bind(runs);
      runs.quote = async (start) => ({ ...(await quote(start)), bound: null });
      const refused = (await new OpenAI({ baseURL: g.baseUrl, apiKey: token, maxRetries: 0 }).chat.completions
        .create({ model: 'cloud-gpt', messages: [{ role: 'user', content: 'x' }], max_tokens: 100 })
        .catch((e: unknown) => e)) as InstanceType<typeof OpenAI.APIError>;
      expect(refused.status).toBeGreaterThanOrEqual(400);
      expect(refused.message).toMatch(/was not asked: it could cost up to .*more than the \$0\.00 this run was quoted/);
      expect(fake.requests).toHaveLength(0);
    } finally {
      await g.close();
    }
  });

  it("ignores the hold of a process that is gone, and drops a finished call's hold", () => {
    const db = openDatabase(join(tempDir(), 'quire.sqlite'));
    try {
      const now = () => new Date('2026-12-02T10:00:00Z');
      db.prepare(
        `INSERT INTO gateway_tokens (id, name, token_sha256, monthly_cap_micros, local_only, created_at)
         VALUES ('t1', 'App', 'hash', 20000, 0, '2026-12-01T00:00:00Z')`,
      ).run();
      const repo = new GatewayRepo(db, now, { pid: process.pid, token: 'me' });
      const cap = { micros: 9000, limit: 20000, month: '2026-12' };
      expect(repo.holdAndLink('r1', { id: 't1', name: 'App' }, cap)).toBeNull();
      expect(repo.holdAndLink('r2', { id: 't1', name: 'App' }, cap)).toBeNull();
      // A third call would pass the cap while both are held.
      expect(repo.holdAndLink('r3', { id: 't1', name: 'App' }, cap)).toEqual({ counted: 18000 });
      // r2's process is gone (a pid no process has): its hold no longer counts.
      db.prepare("UPDATE gateway_runs SET owner_pid = 999999999, owner_token = 'gone' WHERE run_id = 'r2'").run();
      expect(repo.capCounted('t1', '2026-12')).toBe(9000);
      repo.releaseHold('r1');
      expect(repo.capCounted('t1', '2026-12')).toBe(0);
    } finally {
      db.close();
    }
  });

  it("a capped app's call is sent only once its hold is on disk, even with money held ahead (a power cut cannot hide it from the cap)", async () => {
    fake.reset();
    const d = heldDisk();
    const g = await gatewayApp({
      dataDir: tempDir(),
      fake,
      registry: [cloudSpec('cloud-gpt', 'openai', 9, 99)],
      execution: { firstTokenTimeoutMs: 60_000, durableSync: d.sync },
    });
    try {
      const ask = (token: string) =>
        new OpenAI({ baseURL: g.baseUrl, apiKey: token, maxRetries: 0 }).chat.completions.create({
          model: 'cloud-gpt',
          messages: [{ role: 'user', content: 'x' }],
          max_tokens: 100,
        });
      const answer = (text: string) => fake.script('cloud-gpt', { text, inputTokens: 10, outputTokens: 5 });
      answer('one');
      // An app without a cap opens the month's calls: this process now holds money ahead, on disk.
      await ask(g.token({ name: 'Open' }));
      await g.app.services.ledger.heldAhead();
      const capped = g.token({ monthly_cap_usd: 1, name: 'Capped' });
      answer('two');
      d.hold();
      const synced = d.nextSync();
      const call = ask(capped);
      await synced; // its hold and reservation are committed, on their way to disk
      for (let turn = 0; turn < 20; turn++) await new Promise((r) => setImmediate(r));
      expect(fake.requests).toHaveLength(1);
      d.release();
      expect((await call).choices[0]!.message.content).toBe('two');
      expect(fake.requests).toHaveLength(2);
      // The app without a cap is still sent at once, out of what is held ahead.
      answer('three');
      d.hold();
      const open = ask(g.token({ name: 'Open again' }));
      await expect.poll(() => fake.requests.length).toBe(3);
      d.release();
      await open;
    } finally {
      d.release();
      await g.close();
    }
  });
});
