// The provider table is the one list of built-in providers: every consumer is checked against every row, and a row
// added to a table shows up in what derives from it.
import { describe, expect, it } from 'vitest';
import {
  PROVIDER_TABLE,
  PROVIDERS,
  providerEnvVars,
  type ModelSpec,
  type ProviderDescriptor,
} from '../../src-preload/contract';
import { KeyStore } from '../keys/key-store';
import { Redactor } from '../keys/redactor';
import { effectivePricing } from '../orchestrator/pricing';
import { envAvailability, PROVIDER_KEY_ENV } from './env-availability';
import { shippedModels } from '../routing/resources';
import { openDatabase } from '../store/database';
import { TASK, useExecutionHarness } from '../../test/support/execution-harness';
import { useTempDir } from '../../test/support/temp-dir';
import { join } from 'node:path';

const harness = useExecutionHarness();
const tempDir = useTempDir();

/** A key of the row's shape, made from its pattern (so a new row needs no sample of its own). */
function sampleKey(row: ProviderDescriptor): string {
  return row.key_pattern
    .replace(/\(\?![^)]*\)/g, '')
    .replace(/\[[^\]]+\]\{(\d+),\}/g, (_m, n: string) => 'Ab3'.repeat(Math.ceil(Number(n) / 3) + 4));
}

const registry = shippedModels();
const keyEnv = Object.fromEntries(PROVIDER_TABLE.map((row) => [row.env_var, sampleKey(row)]));

describe('every row of the provider table reaches every consumer', () => {
  it.each(PROVIDER_TABLE.map((row) => [row.id, row] as const))('%s', async (_id, row) => {
    expect(PROVIDERS).toContain(row.id);
    expect(PROVIDER_KEY_ENV[row.id]).toBe(row.env_var);
    const spec = registry.find((m) => m.provider === row.id);
    // Every built-in provider serves at least one shipped model (OpenRouter had a key slot and no model before).
    expect(spec, `no registry model is served by ${row.id}`).toBeDefined();
    expect(envAvailability({ [row.env_var]: 'x' }).cloudReady(spec!)).toBe(true);
    expect(envAvailability({}).cloudReady(spec!)).toBe(false);
    expect(new RegExp(`^(?:${row.key_pattern})$`).test(sampleKey(row))).toBe(true);
    expect(new Redactor().redact(`key ${sampleKey(row)} leaked`)).toBe('key [redacted] leaked');
    expect((row.kind === 'anthropic') === (row.json_mode === 'tool')).toBe(true);
    const priced = effectivePricing(spec!);
    if (row.genai_prices_id === null || spec!.pricing.overrides_genai_prices) expect(priced.source).toBe('registry');
    else expect(priced.source).toBe('genai-prices');
  });

  it('keys:status and providers:list list exactly the table, with its env variables and wire kinds', async () => {
    const h = await harness.host({ env: keyEnv });
    const keys = (await h.call('keys:status')).body.value.keys as { provider: string; env_var: string }[];
    expect(keys.map((k) => [k.provider, k.env_var])).toEqual(PROVIDER_TABLE.map((row) => [row.id, row.env_var]));
    const listed = (await h.call('providers:list')).body.value.providers as { id: string; kind: string }[];
    expect(listed.map((p) => [p.id, p.kind])).toEqual(PROVIDER_TABLE.map((row) => [row.id, row.kind]));
    // Each pasted key is validated against its own row's shape and refused in another row whose shape it lacks.
    for (const row of PROVIDER_TABLE) {
      const set = await h.call('keys:set', { provider: row.id, api_key: sampleKey(row) });
      expect(set.body.value, row.id).toMatchObject({ configured: true, source: 'file' });
    }
    const wrong = await h.call('keys:set', { provider: 'gemini', api_key: sampleKey(PROVIDER_TABLE[0]) });
    expect(wrong.body.error).toMatchObject({ code: 'invalid_input', path: 'api_key' });
  });

  it('each provider’s adapter asks for structured output the table’s way (DeepSeek: json_object on the wire)', async () => {
    const h = await harness.host({ env: keyEnv });
    const server = harness.server();
    for (const row of PROVIDER_TABLE) {
      const url = row.kind === 'anthropic' ? server.anthropicBaseUrl : server.openaiBaseUrl;
      await h.call('providers:save', { id: row.id, base_url: url, builtin: true });
    }
    const schema = { type: 'object', properties: { ok: { type: 'boolean' } }, required: ['ok'] };
    for (const row of PROVIDER_TABLE) {
      const spec = registry.find((m) => m.provider === row.id)!;
      server.reset();
      server.script(spec.api_model_id ?? spec.id, { json: { ok: true } });
      const result = await h.app.services.providers.model(spec, 5000).generate({
        messages: [{ role: 'user', content: 'Is chapter 3 consistent?' }],
        maxOutputTokens: 50,
        jsonSchema: { name: 'check', schema },
      });
      expect(result.json, row.id).toEqual({ ok: true });
      const sent = server.requests[0]!;
      expect(sent.headers.authorization ?? sent.headers['x-api-key'], row.id).toMatch(sampleKey(row));
      if (row.json_mode === 'tool') expect(sent.body.tool_choice, row.id).toEqual({ type: 'tool', name: 'answer' });
      else expect((sent.body.response_format as { type: string }).type, row.id).toBe(row.json_mode);
    }
  });
});

describe('a row added to the table appears in what derives from it', () => {
  const mistral: ProviderDescriptor = {
    id: 'mistral',
    display_name: 'Mistral',
    kind: 'openai-compatible',
    base_url: 'https://api.mistral.ai/v1',
    env_var: 'MISTRAL_API_KEY',
    genai_prices_id: 'mistral',
    key_pattern: 'mk-[A-Za-z0-9]{16,}',
    key_hint: 'starts with mk-',
    key_prefix: 'mk-',
    json_mode: 'json_object',
    reasoning_effort: false,
    docs_url: 'https://console.mistral.ai/api-keys',
  };
  const table = [...PROVIDER_TABLE, mistral];

  it('env variables, redaction, key validation and key status', () => {
    expect(providerEnvVars(table)).toMatchObject({ mistral: 'MISTRAL_API_KEY', openai: 'OPENAI_API_KEY' });
    const key = sampleKey(mistral);
    expect(new Redactor(table).redact(`token ${key}`)).toBe('token [redacted]');
    expect(new Redactor().redact(`token ${key}`)).toBe(`token ${key}`);
    const dataDir = tempDir();
    const keys = new KeyStore({
      db: openDatabase(join(dataDir, 'q.sqlite')),
      dataDir,
      env: { MISTRAL_API_KEY: key },
      redactor: new Redactor(table),
      providers: table,
      now: () => new Date(),
    });
    expect(keys.status(['mistral'])[0]).toMatchObject({ configured: true, source: 'env', env_var: 'MISTRAL_API_KEY' });
    expect(() => keys.set('mistral', 'sk-abcdefghijklmnop')).toThrow(
      expect.objectContaining({ message: expect.stringContaining('starts with mk-') }),
    );
  });
});

describe('OpenRouter is real: shipped models route through it with an OpenRouter key alone', () => {
  it('the orchestrator picks an OpenRouter model, the call reaches OpenRouter with its key, priced from its list', async () => {
    const openrouter = PROVIDER_TABLE.find((row) => row.id === 'openrouter')!;
    const key = sampleKey(openrouter);
    const h = await harness.host({ env: { OPENROUTER_API_KEY: key } });
    await h.call('providers:save', { id: 'openrouter', base_url: harness.server().openaiBaseUrl, builtin: true });
    const caps = (await h.call('orchestrator:capabilities')).body.value.models as (ModelSpec & {
      available: boolean;
    })[];
    const available = caps.filter((m) => m.available && m.provider !== 'local');
    expect(available.length).toBeGreaterThan(0);
    expect(available.every((m) => m.provider === 'openrouter')).toBe(true);
    const chosen = available.find((m) => m.id === 'openrouter/anthropic/claude-sonnet-4.6')!;
    harness.server().script(chosen.api_model_id!, { text: 'Consistent.', inputTokens: 2000, outputTokens: 100 });
    const run = await h.call('runs:start', { task: TASK, input: 'Check chapter 3.' });
    expect(run.body.value).toMatchObject({ status: 'completed', text: 'Consistent.' });
    expect(run.body.value.model_id).toMatch(/^openrouter\//);
    const sent = harness.server().requests.at(-1)!;
    expect(sent.headers.authorization).toBe(`Bearer ${key}`);
    const spec = h.app.services.registry.get(run.body.value.model_id as string)!;
    expect(sent.model).toBe(spec.api_model_id);
    const rates = effectivePricing(spec);
    expect(run.body.value.cost_usd).toBeCloseTo(
      (2000 * rates.input_usd_per_mtok + 100 * rates.output_usd_per_mtok) / 1e6,
      9,
    );
  });
});
