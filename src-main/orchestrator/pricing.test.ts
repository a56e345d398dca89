import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { calcPrice } from '@pydantic/genai-prices';
import { describe, expect, it } from 'vitest';
import { providerDescriptor } from '../../src-preload/contract/provider-table';
import { shippedModels } from '../routing/resources';
import { costUsd, effectivePricing, GENAI_PRICES_DATA, REPAIR_NOTE_TOKENS, runBoundUsd, worstCaseUsd } from './pricing';
import { model } from '../../test/support/decision-fixtures';

const registry = shippedModels();
// 10:00 UTC: what used to be DeepSeek's peak hours (00:30–16:30 UTC) in genai-prices' data.
const at = new Date('2026-11-18T10:00:00Z');

/** Qwen (DashScope) is only listed in genai-prices through OpenRouter (table: genai_prices_id null). */
const unlisted = (spec: (typeof registry)[number]) => providerDescriptor(spec.provider)?.genai_prices_id === null;

describe('registry prices agree with @pydantic/genai-prices', () => {
  const cloud = registry.filter((m) => m.provider !== 'local');
  it.each(cloud.map((m) => [m.id, m] as const))('%s', (_id, spec) => {
    const effective = effectivePricing(spec, { at });
    if (unlisted(spec) || spec.pricing.overrides_genai_prices) {
      expect(effective.source).toBe('registry');
      return;
    }
    expect(effective.source).toBe('genai-prices');
    expect(effective.input_usd_per_mtok).toBeCloseTo(spec.pricing.input_usd_per_mtok, 6);
    expect(effective.output_usd_per_mtok).toBeCloseTo(spec.pricing.output_usd_per_mtok, 6);
    if (spec.pricing.cached_input_usd_per_mtok !== undefined) {
      expect(effective.cached_input_usd_per_mtok).toBeCloseTo(spec.pricing.cached_input_usd_per_mtok, 6);
    }
    if (spec.pricing.cache_write_usd_per_mtok !== undefined) {
      expect(effective.cache_write_usd_per_mtok).toBeCloseTo(spec.pricing.cache_write_usd_per_mtok, 6);
    }
  });

  it('DeepSeek chat and reasoner cost V3.2 prices at every hour: $0.28 in, $0.028 cached, $0.42 out', () => {
    for (const id of ['deepseek-chat', 'deepseek-reasoner']) {
      const spec = registry.find((m) => m.id === id)!;
      for (const when of [at, new Date('2026-11-18T18:00:00Z')]) {
        expect(effectivePricing(spec, { at: when })).toMatchObject({
          input_usd_per_mtok: 0.28,
          cached_input_usd_per_mtok: 0.028,
          output_usd_per_mtok: 0.42,
          source: 'registry',
          source_url: 'https://api-docs.deepseek.com/quick_start/pricing',
        });
        expect(
          costUsd(spec, { inputTokens: 10_000, cachedInputTokens: 4_000, outputTokens: 1_000 }, { at: when }),
        ).toBeCloseTo((6_000 * 0.28 + 4_000 * 0.028 + 1_000 * 0.42) / 1e6, 12);
        // The stale genai-prices entry no longer raises the reservation either.
        expect(worstCaseUsd(spec, 1000, 1000, { at: when })).toBeCloseTo((1000 * 0.28 + 1000 * 0.42) / 1e6, 12);
      }
    }
  });

  it('every registry override is still needed: genai-prices still disagrees with it (drop the override once it agrees)', () => {
    const overridden = registry.filter((m) => m.pricing.overrides_genai_prices);
    expect(overridden.map((m) => m.id).sort()).toEqual(['deepseek-chat', 'deepseek-reasoner']);
    for (const spec of overridden) {
      const providerId = providerDescriptor(spec.provider)!.genai_prices_id!;
      const genai = calcPrice({ input_tokens: 1e6, output_tokens: 1e6 }, spec.api_model_id ?? spec.id, {
        providerId,
        timestamp: at,
      });
      expect(genai).not.toBeNull();
      expect(genai!.total_price).not.toBeCloseTo(spec.pricing.input_usd_per_mtok + spec.pricing.output_usd_per_mtok, 6);
    }
  });

  it('every local model is free', () => {
    for (const spec of registry.filter((m) => m.provider === 'local')) {
      expect(costUsd(spec, { inputTokens: 1e6, outputTokens: 1e6 })).toBe(0);
      expect(worstCaseUsd(spec, 1e6, 1e6)).toBe(0);
    }
  });
});

describe('price provenance', () => {
  it('every cloud price names its source, its page and its date', () => {
    for (const spec of registry.filter((m) => m.provider !== 'local')) {
      const effective = effectivePricing(spec, { at });
      expect(effective.source_url, spec.id).toMatch(/^https:\/\//);
      expect(effective.checked_at, spec.id).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      if (effective.source === 'genai-prices') {
        expect(effective.source_detail).toBe(`@pydantic/genai-prices ${GENAI_PRICES_DATA.version}`);
        expect(effective.checked_at).toBe(GENAI_PRICES_DATA.published);
      }
    }
  });

  it('the genai-prices date belongs to the installed version (an upgrade must update it)', () => {
    const require = createRequire(import.meta.url);
    const main = require.resolve('@pydantic/genai-prices');
    const pkg = JSON.parse(readFileSync(join(dirname(main), '..', 'package.json'), 'utf8')) as { version: string };
    expect(pkg.version).toBe(GENAI_PRICES_DATA.version);
  });

  it('OpenRouter models are priced from genai-prices’ OpenRouter list', () => {
    const routed = registry.filter((m) => m.provider === 'openrouter');
    expect(routed.length).toBeGreaterThan(0);
    for (const spec of routed) {
      const effective = effectivePricing(spec, { at });
      expect(effective).toMatchObject({ source: 'genai-prices', source_url: 'https://openrouter.ai/models' });
    }
  });

  it('a writer’s endpoint is priced by the writer’s numbers even when genai-prices knows the model id', () => {
    const proxy = model('lab/claude-sonnet-4-6', {
      provider: 'anthropic',
      endpoint_id: 'lab',
      api_model_id: 'claude-sonnet-4-6',
      price: [1, 2],
    });
    expect(effectivePricing(proxy)).toMatchObject({
      source: 'registry',
      input_usd_per_mtok: 1,
      output_usd_per_mtok: 2,
      source_detail: 'The price entered for this endpoint',
      checked_at: null,
    });
    expect(costUsd(proxy, { inputTokens: 1000, outputTokens: 1000 })).toBeCloseTo(3000 / 1e6, 12);
  });
});

describe('costUsd', () => {
  const gpt4o = registry.find((m) => m.id === 'gpt-4o')!;
  const sonnet = registry.find((m) => m.id === 'claude-sonnet-4-6')!;
  it.each([
    ['plain', gpt4o, { inputTokens: 1000, outputTokens: 500 }, (1000 * 2.5 + 500 * 10) / 1e6],
    [
      'cached input is a subset of input',
      gpt4o,
      { inputTokens: 1000, outputTokens: 0, cachedInputTokens: 400 },
      (600 * 2.5 + 400 * 1.25) / 1e6,
    ],
    [
      'reasoning tokens are already output',
      gpt4o,
      { inputTokens: 0, outputTokens: 100, reasoningTokens: 80 },
      (100 * 10) / 1e6,
    ],
    [
      'Anthropic cache writes and reads',
      sonnet,
      { inputTokens: 1000, outputTokens: 10, cachedInputTokens: 300, cacheWriteTokens: 200 },
      (500 * 3 + 300 * 0.3 + 200 * 3.75 + 10 * 15) / 1e6,
    ],
    ['unknown counts are zero', gpt4o, { inputTokens: undefined, outputTokens: undefined }, 0],
  ])('%s', (_label, spec, usage, expected) => {
    expect(costUsd(spec, usage, { at })).toBeCloseTo(expected, 12);
  });

  it('falls back to the registry price for a model genai-prices does not know', () => {
    const custom = model('my-endpoint-model', { provider: 'openai-compatible', price: [1, 3] });
    expect(effectivePricing(custom).source).toBe('registry');
    expect(costUsd(custom, { inputTokens: 2000, outputTokens: 1000, cachedInputTokens: 1000 })).toBeCloseTo(
      (2000 * 1 + 1000 * 3) / 1e6,
      12,
    );
  });

  it('worst case is never below either price source', () => {
    for (const spec of registry) {
      const worst = worstCaseUsd(spec, 5000, 2000, { at });
      expect(worst).toBeGreaterThanOrEqual(costUsd(spec, { inputTokens: 5000, outputTokens: 2000 }, { at }) - 1e-12);
      const registryCost = (5000 * spec.pricing.input_usd_per_mtok + 2000 * spec.pricing.output_usd_per_mtok) / 1e6;
      expect(worst).toBeGreaterThanOrEqual(registryCost - 1e-12);
    }
  });
});

describe("a run's bound", () => {
  // A writer's endpoint: priced by its registry numbers only ($2 in, $10 out per million tokens).
  const spec = model('ep/writer', { endpoint_id: 'ep', price: [2, 10] });

  it('is one call for prose, and the call plus a repair that reads the first answer for a structured answer', () => {
    expect(runBoundUsd(spec, 1000, 500, { repair: false })).toBeCloseTo((1000 * 2 + 500 * 10) / 1e6, 12);
    // The repair sends the request, the first answer (at most 500 tokens) and the note, and may answer 500 again.
    const repair = ((1000 + 500 + REPAIR_NOTE_TOKENS) * 2 + 500 * 10) / 1e6;
    expect(runBoundUsd(spec, 1000, 500, { repair: true })).toBeCloseTo((1000 * 2 + 500 * 10) / 1e6 + repair, 12);
    expect(runBoundUsd(model('free', { provider: 'local' }), 1000, 500, { repair: true })).toBe(0);
    expect(worstCaseUsd(spec, 1000, 500)).toBeLessThan(runBoundUsd(spec, 1000, 500, { repair: true }) / 2);
  });
});
