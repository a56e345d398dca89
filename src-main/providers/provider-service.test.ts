import { describe, expect, it } from 'vitest';
import type { ModelSpec } from '../../src-preload/contract';
import { useExecutionHarness } from '../../test/support/execution-harness';
import { closedPort } from '../../test/support/self-signed-server';
import { modelPlace } from '../../src-preload/contract/provider-table';

const harness = useExecutionHarness();
const price = { input_usd_per_mtok: 1, output_usd_per_mtok: 2 };
const model = (id: string) => ({ id, quality: 7, ...price, strengths: ['narrative_continuity'] });
const modelIds = async (call: (channel: string, body?: unknown) => Promise<{ body: { value?: any } }>) =>
  ((await call('orchestrator:capabilities')).body.value.models as { id: string }[]).map((m) => m.id);

describe('providers:save is all or nothing', () => {
  it('leaves no models in the registry when the key store refuses a new endpoint’s key', async () => {
    const h = await harness.host();
    const reply = await h.call('providers:save', {
      id: 'lab',
      kind: 'openai-compatible',
      base_url: harness.server().openaiBaseUrl,
      api_key: 'not a key',
      models: [model('m1')],
    });
    expect(reply.body.error).toMatchObject({ code: 'invalid_input', path: 'api_key' });
    expect(await modelIds(h.call)).not.toContain('lab/m1');
    const listed = (await h.call('providers:list')).body.value.providers as { id: string }[];
    expect(listed.map((p) => p.id)).not.toContain('lab');
  });

  it('keeps an existing endpoint’s models and key when an edit’s key is refused', async () => {
    const h = await harness.host();
    await h.endpoint('lab', [{ id: 'm1', quality: 7, ...price }], { api_key: 'sk-lab-original-1234' });
    const reply = await h.call('providers:save', {
      id: 'lab',
      kind: 'openai-compatible',
      base_url: harness.server().openaiBaseUrl,
      api_key: 'not a key',
      models: [model('m2')],
    });
    expect(reply.body.ok).toBe(false);
    const ids = await modelIds(h.call);
    expect(ids).toContain('lab/m1');
    expect(ids).not.toContain('lab/m2');
    const lab = ((await h.call('providers:list')).body.value.providers as { id: string }[]).find((p) => p.id === 'lab');
    expect(lab).toMatchObject({ key_configured: true, key_last4: '1234', models: [{ id: 'm1' }] });
  });
});

describe('an endpoint is renamed in place', () => {
  it('keeps its id, models and key, and every place that names its models says the new name', async () => {
    const h = await harness.host();
    await h.endpoint('ollama', [{ id: 'llama3.1:8b', quality: 7, ...price }], { api_key: 'ollama-key-123456' });
    const before = (await h.call('providers:list')).body.value.providers.find((p: { id: string }) => p.id === 'ollama');
    expect(before).toMatchObject({ name: 'ollama' });
    const renamed = await h.call('providers:save', {
      id: 'ollama',
      name: 'Ollama on my Mac',
      kind: 'openai-compatible',
      base_url: harness.server().openaiBaseUrl,
      models: before.models,
    });
    expect(renamed.body.value).toMatchObject({
      id: 'ollama',
      name: 'Ollama on my Mac',
      key_configured: true,
      key_last4: '3456',
      models: before.models,
    });
    const caps = (await h.call('orchestrator:capabilities')).body.value.models as ModelSpec[];
    const llama = caps.find((m) => m.id === 'ollama/llama3.1:8b')!;
    expect(llama.display_name).toBe('llama3.1:8b (Ollama on my Mac)');
    expect(modelPlace(llama)).toBe('your endpoint “Ollama on my Mac”');
    // An edit that says nothing of the name keeps it.
    await h.call('providers:save', {
      id: 'ollama',
      kind: 'openai-compatible',
      base_url: harness.server().openaiBaseUrl,
      models: before.models,
    });
    const after = (await h.call('providers:list')).body.value.providers.find((p: { id: string }) => p.id === 'ollama');
    expect(after).toMatchObject({ id: 'ollama', name: 'Ollama on my Mac' });
    // What a failed call says names it too, not by its id.
    harness.server().script('llama3.1:8b', { alwaysFault: { kind: 'status', status: 500 } });
    const failed = await h.call('runs:start', {
      task: 'continuity_check',
      input: 'The door was blue. Then it was red.',
      model: 'ollama/llama3.1:8b',
    });
    expect(failed.body.error.message).toMatch(/^Your endpoint “Ollama on my Mac” /);
  });
});

describe('providers:test: an endpoint is tried as typed, before anything is saved', () => {
  const NEW_KEY = 'lab-key-new-5678';

  it('tries an edit’s new key and, when the server refuses it, leaves the endpoint and its key as they were', async () => {
    const h = await harness.host();
    await h.endpoint('lab', [{ id: 'm1', quality: 7, ...price }], { api_key: 'sk-lab-original-1234' });
    harness.server().script('__models__', { faults: [{ kind: 'status', status: 401 }] });
    const tested = await h.call('providers:test', {
      id: 'lab',
      kind: 'openai-compatible',
      base_url: harness.server().openaiBaseUrl,
      api_key: NEW_KEY,
    });
    expect(tested.body.value).toMatchObject({ provider: 'endpoint:lab', ok: false, reason: 'refused' });
    const asked = harness.server().requests.filter((r) => r.model === '__models__');
    expect(asked.at(-1)!.headers.authorization).toBe(`Bearer ${NEW_KEY}`);
    const lab = ((await h.call('providers:list')).body.value.providers as { id: string }[]).find((p) => p.id === 'lab');
    expect(lab).toMatchObject({ key_configured: true, key_last4: '1234', models: [{ id: 'm1' }] });
  });

  it('tries an edit without a new key with the endpoint’s stored key, at the address typed', async () => {
    const h = await harness.host();
    await h.endpoint('lab', [{ id: 'm1', quality: 7, ...price }], { api_key: 'sk-lab-original-1234' });
    const moved = await h.call('providers:test', {
      id: 'lab',
      kind: 'openai-compatible',
      base_url: 'http://127.0.0.1:9/v1',
    });
    expect(moved.body.value).toMatchObject({ ok: false, reason: 'unreachable' });
    const tested = await h.call('providers:test', {
      id: 'lab',
      kind: 'openai-compatible',
      base_url: harness.server().openaiBaseUrl,
    });
    expect(tested.body.value).toMatchObject({ ok: true });
    expect(harness.server().requests.at(-1)!.headers.authorization).toBe('Bearer sk-lab-original-1234');
  });

  it('never shows a key being tried when the server’s answer quotes it', async () => {
    const h = await harness.host();
    // Short and plain enough to pass as the server's own sentence: only the key store's knowledge of it masks it.
    const key = 'opensesame9';
    harness
      .server()
      .script('__models__', { faults: [{ kind: 'status', status: 400, message: `Key ${key} is unknown` }] });
    const tested = await h.call('providers:test', {
      id: 'lab',
      kind: 'openai-compatible',
      base_url: harness.server().openaiBaseUrl,
      api_key: key,
    });
    expect(tested.body.value).toMatchObject({ ok: false, reason: 'other' });
    expect(tested.body.value.message).toContain('Key [redacted] is unknown');
    expect(JSON.stringify(tested.body)).not.toContain(key);
  });

  it('a server that answers a web page, not its API, fails the test instead of "accepting the key"', async () => {
    // Open WebUI's address instead of Ollama's, a web server's page, a hotel Wi-Fi's sign-in page: HTTP 200, HTML.
    const h = await harness.host();
    harness.server().script('__models__', { alwaysFault: { kind: 'wrong_content_type' } });
    for (const kind of ['openai-compatible', 'anthropic'] as const) {
      const base_url = kind === 'anthropic' ? harness.server().url : harness.server().openaiBaseUrl;
      const tested = await h.call('providers:test', { id: 'webui', kind, base_url, api_key: 'ollama' });
      expect(tested.body.value).toMatchObject({ provider: 'endpoint:webui', ok: false, reason: 'unreachable' });
      expect(tested.body.value.message).toBe('Your endpoint “webui” answered with a web page, not its list of models.');
    }
  });

  it('a server that is not running is said once, plainly, with how to start Ollama or LM Studio', async () => {
    const h = await harness.host();
    const port = await closedPort();
    const tested = await h.call('providers:test', {
      id: 'ollama',
      kind: 'openai-compatible',
      base_url: `http://127.0.0.1:${port}/v1`,
      api_key: 'ollama',
    });
    expect(tested.body.value).toMatchObject({ ok: false, reason: 'unreachable' });
    expect(tested.body.value.message).toBe(
      `Nothing answers at 127.0.0.1:${port}. Start the server (open Ollama, or start LM Studio’s local server), then try ` +
        'again; if it is running, check the port in the address (Ollama uses 11434, LM Studio 1234).',
    );
  });

  it('saves nothing for a new endpoint, whatever the answer', async () => {
    const h = await harness.host();
    const tested = await h.call('providers:test', {
      id: 'fresh',
      kind: 'openai-compatible',
      base_url: harness.server().openaiBaseUrl,
      api_key: NEW_KEY,
    });
    expect(tested.body.value).toMatchObject({ provider: 'endpoint:fresh', ok: true });
    const listed = (await h.call('providers:list')).body.value.providers as { id: string }[];
    expect(listed.map((p) => p.id)).not.toContain('fresh');
    const saved = await h.call('providers:save', {
      id: 'fresh',
      kind: 'openai-compatible',
      base_url: harness.server().openaiBaseUrl,
      models: [model('m1')],
    });
    expect(saved.body.value).toMatchObject({ key_configured: false });
  });
});

describe('keys:test', () => {
  it('does not count failures against the provider’s circuit breaker', async () => {
    const h = await harness.host({ execution: { failureThreshold: 2 } });
    await h.endpoint('lab', [{ id: 'm1', quality: 9, ...price }], { api_key: 'sk-lab-wrongkey-999' });
    harness.server().script('__models__', { alwaysFault: { kind: 'status', status: 500 } });
    for (let i = 0; i < 4; i++) {
      const tested = await h.call('keys:test', { provider: 'endpoint:lab' });
      expect(tested.body.value).toMatchObject({ provider: 'endpoint:lab', ok: false });
    }
    const health = (await h.call('providers:health')).body.value.providers as { provider: string }[];
    const lab = health.find((p) => p.provider === 'endpoint:lab');
    expect(lab ?? { state: 'closed', failure_count: 0 }).toMatchObject({ state: 'closed', failure_count: 0 });
    harness.server().script('m1', { text: 'still running' });
    const run = await h.call('runs:start', { task: 'scene_draft', input: 'x', model: 'lab/m1' });
    expect(run.body).toMatchObject({ ok: true, value: { status: 'completed', text: 'still running' } });
  });

  it('answers a refused key with a failed test whose message never shows the key', async () => {
    const h = await harness.host();
    await h.endpoint('lab', [{ id: 'm1', quality: 9, ...price }], { api_key: 'sk-lab-wrongkey-999' });
    harness.server().script('__models__', {
      alwaysFault: { kind: 'status', status: 401, message: 'Incorrect API key provided: sk-lab-wrongkey-999' },
    });
    const tested = await h.call('keys:test', { provider: 'endpoint:lab' });
    expect(tested.body.value).toMatchObject({ ok: false, reason: 'refused' });
    expect(tested.body.value.message).not.toContain('sk-lab-wrongkey-999');
    // The key being tried may not be one Quire has yet, and the writer is where keys are set: a run's advice to check
    // the key in Settings would not fit.
    expect(tested.body.value.message).toMatch(/^Your endpoint “lab” refused the API key/);
    expect(tested.body.value.message).not.toMatch(/Quire has for it|Settings|pick another model/);
  });

  it('a server that does not answer is "unreachable", not a bad key', async () => {
    const h = await harness.host();
    await h.call('providers:save', {
      id: 'gone',
      kind: 'openai-compatible',
      base_url: 'http://127.0.0.1:9/v1',
      api_key: 'ollama',
      models: [model('m1')],
    });
    const tested = await h.call('keys:test', { provider: 'endpoint:gone' });
    expect(tested.body.value).toMatchObject({ ok: false, reason: 'unreachable' });
  });
});

describe('providers:endpoint_models: "Fetch models" lists what the server offers', () => {
  it('lists the loopback server’s models for an endpoint being typed in, with Ollama’s key "ollama"', async () => {
    const h = await harness.host();
    harness.server().script('llama3.1:8b', { text: 'hi' });
    harness.server().script('qwen2.5:7b', { text: 'hi' });
    const reply = await h.call('providers:endpoint_models', {
      kind: 'openai-compatible',
      base_url: harness.server().openaiBaseUrl,
      api_key: 'ollama',
    });
    expect(reply.body.ok).toBe(true);
    expect(reply.body.value.models.map((m: { id: string }) => m.id)).toEqual(
      expect.arrayContaining(['llama3.1:8b', 'qwen2.5:7b']),
    );
    const listing = harness
      .server()
      .requests.filter((r) => r.model === '__models__')
      .at(-1)!;
    expect(listing.headers.authorization).toBe('Bearer ollama');
  });

  it('a saved endpoint is listed with its stored key; the short key was accepted on save', async () => {
    const h = await harness.host();
    harness.server().script('m-listed', { text: 'hi' });
    const saved = await h.call('providers:save', {
      id: 'lms',
      kind: 'openai-compatible',
      base_url: harness.server().openaiBaseUrl,
      api_key: 'lm-studio',
      models: [model('m-listed')],
    });
    expect(saved.body.ok).toBe(true);
    const reply = await h.call('providers:endpoint_models', { id: 'lms' });
    expect(reply.body.value.models.map((m: { id: string }) => m.id)).toContain('m-listed');
    expect(harness.server().requests.at(-1)!.headers.authorization).toBe('Bearer lm-studio');
  });

  it('a server that is not running says so and what to check, not "check the key"', async () => {
    const h = await harness.host();
    const reply = await h.call('providers:endpoint_models', {
      kind: 'openai-compatible',
      base_url: 'http://127.0.0.1:9/v1',
      api_key: 'ollama',
    });
    expect(reply.body.ok).toBe(false);
    expect(reply.body.error.code).toBe('unavailable');
    expect(reply.body.error.message).toMatch(/server is running/);
    expect(reply.body.error.message).not.toMatch(/copied the whole key/);
    // Its own step ends it: no general "check that the service is reachable" after it.
    expect(reply.body.error.advised).toBe(true);
  });

  it('a refused key says the server refused it', async () => {
    const h = await harness.host();
    harness.server().script('__models__', { alwaysFault: { kind: 'status', status: 401 } });
    const reply = await h.call('providers:endpoint_models', {
      kind: 'openai-compatible',
      base_url: harness.server().openaiBaseUrl,
      api_key: 'wrong',
    });
    expect(reply.body.error).toMatchObject({ code: 'provider_error' });
    expect(reply.body.error.message).toMatch(/refused the key \(HTTP 401\)/);
  });
});
