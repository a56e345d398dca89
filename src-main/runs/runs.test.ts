import { describe, expect, it } from 'vitest';
import type { PushedEvent } from '../../src-preload/contract';
import { TASK, useExecutionHarness } from '../../test/support/execution-harness';

const harness = useExecutionHarness();
const price = { input_usd_per_mtok: 2, output_usd_per_mtok: 10 };

describe('runs through the browser host against the loopback server', () => {
  it('charges exactly what the server reported and shows it in spend:current and spend:month', async () => {
    const h = await harness.host();
    await h.endpoint('studio', [{ id: 'writer-large', quality: 9, ...price }]);
    harness.server().script('writer-large', {
      text: 'The timeline holds.',
      inputTokens: 1200,
      cachedInputTokens: 200,
      outputTokens: 300,
    });
    const events: PushedEvent[] = [];
    h.app.events.subscribe((e) => events.push(e));
    const { body } = await h.call('runs:start', { task: TASK, input: 'Check chapter 3.', stream: true });
    expect(body.ok).toBe(true);
    // Registry prices for a custom endpoint: 1200 input (cache priced as input: no cached rate given) × $2 + 300 × $10.
    const expected = (1200 * 2 + 300 * 10) / 1e6;
    expect(body.value).toMatchObject({
      status: 'completed',
      model_id: 'studio/writer-large',
      text: 'The timeline holds.',
      input_tokens: 1200,
      output_tokens: 300,
      cache_hit: false,
    });
    expect(body.value.cost_usd).toBeCloseTo(expected, 9);
    const current = await h.call('spend:current');
    expect(current.body.value.spend_usd).toBeCloseTo(expected, 9);
    expect(current.body.value.reserved_usd).toBe(0);
    const month = await h.call('spend:month', { month: current.body.value.month });
    expect(month.body.value.settled_usd).toBeCloseTo(expected, 9);
    expect(month.body.value.by_model[0]).toMatchObject({ key: 'studio/writer-large', calls: 1 });
    expect(month.body.value.by_task[0]).toMatchObject({ key: TASK });
    const tokens = events.filter((e) => e.name === 'run:token').map((e) => (e.payload as { text: string }).text);
    expect(tokens.join('')).toBe('The timeline holds.');
    expect(events.map((e) => e.name)).toEqual(
      expect.arrayContaining(['run:started', 'run:completed', 'spend:updated']),
    );
    const csv = await h.call('spend:export', { month: current.body.value.month });
    expect(csv.body.value.csv.split('\n')[1]).toContain('studio/writer-large');
    // The task and where the model ran as the Spend screen names them, never their ids alone.
    expect(csv.body.value.csv.split('\n')[1]).toContain(',Scene draft,');
    expect(csv.body.value.csv.split('\n')[1]).toContain(',your endpoint “studio”,charged,');
    // The request went out with usage asked for and the reservation's max tokens.
    expect(harness.server().requests[0]!.body).toMatchObject({ stream: true, stream_options: { include_usage: true } });
  });

  it('prices built-in models from their own usage: OpenAI cached tokens inside prompt_tokens, Anthropic cache reads and writes apart', async () => {
    const h = await harness.host({
      env: { OPENAI_API_KEY: 'sk-test-openai-0001', ANTHROPIC_API_KEY: 'sk-test-anthropic-0002' },
    });
    await h.call('providers:save', { id: 'openai', base_url: harness.server().openaiBaseUrl, builtin: true });
    await h.call('providers:save', { id: 'anthropic', base_url: harness.server().anthropicBaseUrl, builtin: true });
    const caps = (await h.call('orchestrator:capabilities')).body.value.models as {
      id: string;
      effective_pricing: {
        input_usd_per_mtok: number;
        output_usd_per_mtok: number;
        cached_input_usd_per_mtok?: number;
        cache_write_usd_per_mtok?: number;
      };
    }[];
    const rates = (id: string) => caps.find((m) => m.id === id)!.effective_pricing;
    harness
      .server()
      .script('gpt-4o-mini', { text: 'ok', inputTokens: 10_000, cachedInputTokens: 8_000, outputTokens: 500 });
    const openai = await h.call('runs:start', { task: TASK, input: 'x', model: 'gpt-4o-mini', stream: true });
    const o = rates('gpt-4o-mini');
    expect(openai.body.value.cost_usd).toBeCloseTo(
      (2_000 * o.input_usd_per_mtok + 8_000 * o.cached_input_usd_per_mtok! + 500 * o.output_usd_per_mtok) / 1e6,
      6,
    );
    harness.server().script('claude-haiku-4-5', {
      text: 'ok',
      inputTokens: 10_000,
      cachedInputTokens: 6_000,
      cacheWriteTokens: 3_000,
      outputTokens: 400,
    });
    const claude = await h.call('runs:start', { task: TASK, input: 'x', model: 'claude-haiku-4-5', stream: true });
    const a = rates('claude-haiku-4-5');
    expect(claude.body.value.input_tokens).toBe(10_000);
    expect(claude.body.value.cost_usd).toBeCloseTo(
      (1_000 * a.input_usd_per_mtok +
        6_000 * a.cached_input_usd_per_mtok! +
        3_000 * a.cache_write_usd_per_mtok! +
        400 * a.output_usd_per_mtok) /
        1e6,
      6,
    );
  });

  it('stores failed runs, lists and gets them, and rates completed ones into feedback', async () => {
    const h = await harness.host();
    await h.endpoint('studio', [{ id: 'writer-large', quality: 9, ...price }]);
    harness.server().script('writer-large', { alwaysFault: { kind: 'status', status: 400, message: 'bad request' } });
    const failed = await h.call('runs:start', { task: TASK, input: 'x' });
    expect(failed.body.ok).toBe(false);
    expect(failed.body.error.code).toBe('provider_error');
    // An HTTP error answer billed nothing: the reservation is released, not kept as spend.
    const afterFailure = await h.call('spend:current');
    expect(afterFailure.body.value).toMatchObject({ spend_usd: 0, reserved_usd: 0 });
    harness.server().script('writer-large', { text: 'fine' });
    const ok = await h.call('runs:start', { task: TASK, input: 'y' });
    const list = await h.call('runs:list', {});
    expect(list.body.value.runs.map((r: { status: string }) => r.status).sort()).toEqual(['completed', 'failed']);
    const got = await h.call('runs:get', { run_id: ok.body.value.run_id });
    expect(got.body.value.text).toBe('fine');
    const rated = await h.call('runs:rate', { run_id: ok.body.value.run_id, rating: 9 });
    expect(rated.body.value.rating).toBe(9);
    expect(h.app.services.feedback.statsFor('studio/writer-large', TASK)).toMatchObject({ count: 1 });
    const stats = await h.call('runs:stats');
    expect(stats.body.value).toMatchObject({ total_executions: 2, completed: 1, failed: 1, success_rate: 0.5 });
    // The failed call billed nothing: its reservation was released.
    const current = await h.call('spend:current');
    expect(current.body.value.spend_usd).toBeGreaterThan(0);
    expect(current.body.value.reserved_usd).toBe(0);
  });

  it('falls back along the chain on a 500 and records it', async () => {
    const h = await harness.host();
    await h.endpoint('main', [{ id: 'primary', quality: 9.5, ...price }]);
    await h.endpoint('spare', [{ id: 'backup', quality: 9, ...price }]);
    harness.server().script('primary', { alwaysFault: { kind: 'status', status: 500 } });
    harness.server().script('backup', { text: 'from backup' });
    const { body } = await h.call('runs:start', { task: TASK, input: 'go' });
    expect(body.value).toMatchObject({ model_id: 'spare/backup', fallbacks: ['spare/backup'], text: 'from backup' });
    expect(body.value.attempts[0]).toMatchObject({
      model_id: 'main/primary',
      outcome: 'failed',
      error: { code: 'provider_error' },
    });
    const stats = await h.call('runs:stats');
    expect(stats.body.value.fallbacks_triggered).toBe(1);
  });

  it('when every model fails, the run says what happened to each, not only the last', async () => {
    const h = await harness.host();
    await h.endpoint('main', [{ id: 'primary', quality: 9.5, ...price }]);
    await h.endpoint('spare', [{ id: 'backup', quality: 9, ...price }]);
    harness.server().script('primary', { alwaysFault: { kind: 'status', status: 401, message: 'bad key' } });
    harness.server().script('backup', { alwaysFault: { kind: 'status', status: 500, message: 'upstream down' } });
    const { body } = await h.call('runs:start', { task: TASK, input: 'go' });
    expect(body.ok).toBe(false);
    expect(body.error.message).toMatch(/^None of the 2 models Quire tried could do this\. /);
    expect(body.error.message).toMatch(/primary \(main\): Your endpoint “main” refused the API key Quire has for it: /);
    expect(body.error.message).toMatch(
      /backup \(spare\): Your endpoint “spare” had a problem on its side \(HTTP 500\)/,
    );
    // The step is the one the writer can take: the key, though another model failed after it (its 500 has none).
    expect(body.error).toMatchObject({ code: 'provider_error', advised: true, fix_in: 'settings' });
  });

  it('a failed run reopened from the history says what it said then: its own step, where it is taken, whether to retry', async () => {
    const h = await harness.host();
    await h.endpoint('main', [{ id: 'primary', quality: 9.5, ...price }]);
    harness.server().script('primary', { alwaysFault: { kind: 'status', status: 401, message: 'bad key' } });
    const { body } = await h.call('runs:start', { task: TASK, input: 'go' });
    expect(body.error).toMatchObject({ advised: true, fix_in: 'settings' });
    const listed = await h.call('runs:list', { limit: 1 });
    const reopened = await h.call('runs:get', { run_id: listed.body.value.runs[0].run_id });
    // Without its advice, the history showed the message with a general step after it ("Try again, or pick another
    // model") and no Open Settings button.
    expect(reopened.body.value.error).toEqual(body.error);
  });

  it('fails over from a hanging primary at the first-token deadline, and from an absurd Retry-After at once', async () => {
    const h = await harness.host({ execution: { firstTokenTimeoutMs: 300 } });
    await h.endpoint('main', [{ id: 'primary', quality: 9.5, ...price }]);
    await h.endpoint('spare', [{ id: 'backup', quality: 9, ...price }]);
    harness.server().script('primary', { alwaysFault: { kind: 'hang' } });
    harness.server().script('backup', { json: { findings: [] } });
    const t0 = performance.now();
    // A task read as findings: its quote holds a retry, so after the hung call's reservation is kept a backup as dear
    // still fits it (a prose run's quote holds one call, all of it kept here: run-bound.test.ts).
    const hung = await h.call('runs:start', { task: 'continuity_check', input: 'a' });
    // At the first-token deadline for the task's instruction (2.5 × (1.5 s + 0.5 s per 1,000 tokens)), long before
    // the run's 120 s timeout.
    expect(performance.now() - t0).toBeLessThan(10_000);
    expect(hung.body.value).toMatchObject({ model_id: 'spare/backup' });
    expect(hung.body.value.attempts[0].error).toMatchObject({ code: 'timeout' });
    // Usage unknown after a hang: the primary's reservation is kept, not dropped to $0.
    expect(hung.body.value.attempts[0].cost_usd).toBeGreaterThan(0);
    harness.server().script('primary', { alwaysFault: { kind: 'rate_limit', retryAfter: '900' } });
    const limited = await h.call('runs:start', { task: TASK, input: 'b' });
    expect(limited.body.value.model_id).toBe('spare/backup');
    expect(limited.body.value.attempts[0].error.message).toMatch(/15 minutes/);
    expect(limited.body.value.attempts[0].cost_usd).toBe(0);
  });

  it('honours a short Retry-After through the SDK (one retry, same model)', async () => {
    const h = await harness.host({ execution: { maxRetries: 1 } });
    await h.endpoint('main', [{ id: 'primary', quality: 9.5, ...price }]);
    harness.server().script('primary', { faults: [{ kind: 'rate_limit', retryAfter: '1' }], text: 'after the wait' });
    const t0 = performance.now();
    const { body } = await h.call('runs:start', { task: TASK, input: 'c' });
    expect(performance.now() - t0).toBeGreaterThanOrEqual(900);
    expect(body.value).toMatchObject({ model_id: 'main/primary', text: 'after the wait', fallbacks: [] });
    expect(harness.server().requests).toHaveLength(2);
  });

  it('cancels a run in flight', async () => {
    const h = await harness.host();
    await h.endpoint('main', [{ id: 'primary', quality: 9, ...price }]);
    harness.server().script('primary', { alwaysFault: { kind: 'hang' } });
    const started = new Promise<string>((resolve) =>
      h.app.events.subscribe((e) => e.name === 'run:started' && resolve((e.payload as { run_id: string }).run_id)),
    );
    const pending = h.call('runs:start', { task: TASK, input: 'slow' });
    const runId = await started;
    // Wait until the request reached the server, then cancel.
    while (harness.server().requests.length === 0) await new Promise((r) => setImmediate(r));
    expect((await h.call('runs:cancel', { run_id: runId })).body.value).toEqual({ cancelled: true });
    const { body } = await pending;
    expect(body.error.code).toBe('cancelled');
    expect((await h.call('runs:get', { run_id: runId })).body.value.status).toBe('cancelled');
    // The request had reached the provider, which may bill it: its hold is kept as its cost, never given back.
    const spend = (await h.call('spend:current')).body.value as { spend_usd: number; reserved_usd: number };
    expect(spend.spend_usd).toBeGreaterThan(0);
    expect(spend.reserved_usd).toBe(0);
    // The stop cost more than nothing arrived would suggest: its attempt says why, and is marked as charged its most.
    const [attempt] = (await h.call('runs:get', { run_id: runId })).body.value.attempts;
    expect(attempt).toMatchObject({
      charged_most: true,
      error: {
        code: 'cancelled',
        message:
          'Stopped after primary (main) had the request, before its first word: a provider bills a request once it ' +
          'has it and said nothing of what this one came to, so Quire counts it at the most it could have cost.',
      },
    });
    expect(attempt.cost_usd).toBeCloseTo(spend.spend_usd, 9);
  });

  it('serves an exact repeat from the opt-in cache at $0 and counts the hit rate', async () => {
    const h = await harness.host();
    await h.endpoint('main', [{ id: 'primary', quality: 9, ...price }]);
    h.app.services.settings.set({ runs: { cache_enabled: true } });
    harness.server().script('primary', { text: 'same answer' });
    const first = await h.call('runs:start', { task: TASK, input: 'same', temperature: 0 });
    const second = await h.call('runs:start', { task: TASK, input: 'same', temperature: 0 });
    const warm = await h.call('runs:start', { task: TASK, input: 'same', temperature: 0.9 });
    expect(first.body.value.cache_hit).toBe(false);
    expect(second.body.value).toMatchObject({ cache_hit: true, cost_usd: 0, text: 'same answer' });
    expect(warm.body.value.cache_hit).toBe(false);
    expect(harness.server().requests).toHaveLength(2);
    const stats = await h.call('runs:stats');
    expect(stats.body.value).toMatchObject({ cache_hits: 1, cache_hit_rate: 0.5 });
  });

  it('custom endpoints join the registry, can be listed and deleted; built-ins take a base-URL override', async () => {
    const h = await harness.host();
    await h.endpoint('lab', [{ id: 'm1', quality: 7, ...price }], {
      kind: 'anthropic',
      api_key: 'sk-ant-endpointkey123',
    });
    const caps = await h.call('orchestrator:capabilities');
    expect(caps.body.value.models.find((m: { id: string }) => m.id === 'lab/m1')).toMatchObject({ available: true });
    const override = await h.call('providers:save', { id: 'openai', base_url: 'http://127.0.0.1:1/v1', builtin: true });
    expect(override.body.value).toMatchObject({ id: 'openai', type: 'built_in', base_url: 'http://127.0.0.1:1/v1' });
    const list = await h.call('providers:list');
    const lab = list.body.value.providers.find((p: { id: string }) => p.id === 'lab');
    expect(lab).toMatchObject({ type: 'custom', key_configured: true, key_last4: 'y123' });
    expect(JSON.stringify(list.body.value)).not.toContain('sk-ant-endpointkey123');
    const unknown = await h.call('keys:set', { provider: 'nobody', api_key: 'sk-abcdefgh12345' });
    expect(unknown.body.error).toMatchObject({ code: 'invalid_input', path: 'provider' });
    const set = await h.call('keys:set', { provider: 'deepseek', api_key: 'sk-deepseek-key-4321' });
    expect(set.body.value).toMatchObject({ provider: 'deepseek', configured: true, last4: '4321', source: 'file' });
    const status = await h.call('keys:status');
    expect(status.body.value.storage).toBe('file');
    expect(JSON.stringify(status.body.value)).not.toContain('sk-deepseek-key-4321');
    harness.server().script('__models__', { text: 'ok' });
    const tested = await h.call('keys:test', { provider: 'endpoint:lab' });
    expect(tested.body.value).toMatchObject({ ok: true, message: 'Your endpoint “lab” accepted the key.' });
    expect(harness.server().requests.at(-1)!.headers.authorization).toBe('Bearer sk-ant-endpointkey123');
    await h.call('providers:delete', { id: 'lab' });
    const after = await h.call('orchestrator:capabilities');
    expect(after.body.value.models.find((m: { id: string }) => m.id === 'lab/m1')).toBeUndefined();
  });
});

describe('a run whose model was removed since', () => {
  it('keeps the name the writer knew the model by, in the history, the record and the report', async () => {
    const h = await harness.host();
    await h.endpoint('studio', [{ id: 'llama3.1:8b-q4', display_name: 'Night Editor', quality: 9, ...price }]);
    harness.server().script('llama3.1:8b-q4', { text: 'The lamp turned.', inputTokens: 100, outputTokens: 20 });
    const run = await h.call('runs:start', { task: TASK, input: 'The lighthouse.', model: 'studio/llama3.1:8b-q4' });
    expect(run.body.value.status).toBe('completed');
    // The writer removes the model from the endpoint, then the endpoint itself.
    await h.endpoint('studio', [{ id: 'other', quality: 7, ...price }]);
    await h.call('providers:delete', { id: 'studio' });

    const [listed] = (await h.call('runs:list', {})).body.value.runs;
    expect(listed).toMatchObject({ model_id: 'studio/llama3.1:8b-q4', model_name: 'Night Editor' });
    expect((await h.call('runs:get', { run_id: run.body.value.run_id })).body.value.model_name).toBe('Night Editor');
    const report = (await h.call('runs:export', { run_id: run.body.value.run_id })).body.value.markdown;
    expect(report).toContain('- Model: Night Editor from “studio” (no longer set up)\n');
  });
});

describe("a caller's write in the run's first transaction (the gateway's run → app link)", () => {
  it('is written inside the transaction that first stores the run, and never for a request that is not a run', async () => {
    const h = await harness.host();
    await h.endpoint('studio', [{ id: 'writer-large', quality: 9, ...price }]);
    harness.server().script('writer-large', { text: 'Fine.', inputTokens: 10, outputTokens: 2 });
    const db = h.app.services.db;
    const seen: { inTransaction: boolean; runStored: boolean; reservations: number }[] = [];
    const firstRow = (runId: string) => () =>
      seen.push({
        inTransaction: db.inTransaction,
        runStored: db.prepare('SELECT COUNT(*) FROM runs WHERE id = ?').pluck().get(runId) === 1,
        reservations: db.prepare('SELECT COUNT(*) FROM ledger WHERE run_id = ?').pluck().get(runId) as number,
      });
    const record = await h.app.services.runs.start(
      { task: TASK, input: 'Check chapter 3.' },
      { runId: 'run-linked', firstRow: firstRow('run-linked') },
    );
    expect(record.status).toBe('completed');
    // Once, inside the reservation's transaction, before the run's row (which follows it in the same commit).
    expect(seen).toEqual([{ inTransaction: true, runStored: false, reservations: 1 }]);

    await expect(
      h.app.services.runs.start({ task: 'no_such_task', input: 'x' }, { runId: 'not-a-run', firstRow: firstRow('x') }),
    ).rejects.toThrow();
    expect(seen).toHaveLength(1);
  });
});
