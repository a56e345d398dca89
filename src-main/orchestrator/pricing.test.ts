import { describe, expect, it } from 'vitest';
import { shippedModels } from '../routing/resources';
import { costUsd, effectivePricing, worstCaseUsd } from './pricing';
import { model } from './testing';

const registry = shippedModels();
// 10:00 UTC: DeepSeek's standard (peak-hour, 00:30–16:30 UTC) prices apply.
const at = new Date('2026-11-18T10:00:00Z');

/**
 * Where the shipped registry and @pydantic/genai-prices 0.1.8 knowingly differ. Qwen (DashScope) is only listed there
 * through OpenRouter, so it is priced from the registry and never compared.
 */
const KNOWN_DIFFERENCES: Record<string, string> = {};

describe('registry prices agree with @pydantic/genai-prices', () => {
  const cloud = registry.filter((m) => m.provider !== 'local');
  it.each(cloud.map((m) => [m.id, m] as const))('%s', (_id, spec) => {
    const effective = effectivePricing(spec, { at });
    if (spec.provider === 'qwen') {
      expect(effective.source).toBe('registry');
      return;
    }
    expect(effective.source).toBe('genai-prices');
    if (KNOWN_DIFFERENCES[spec.id]) return;
    expect(effective.input_usd_per_mtok).toBeCloseTo(spec.pricing.input_usd_per_mtok, 6);
    expect(effective.output_usd_per_mtok).toBeCloseTo(spec.pricing.output_usd_per_mtok, 6);
    if (spec.pricing.cached_input_usd_per_mtok !== undefined) {
      expect(effective.cached_input_usd_per_mtok).toBeCloseTo(spec.pricing.cached_input_usd_per_mtok, 6);
    }
    if (spec.pricing.cache_write_usd_per_mtok !== undefined) {
      expect(effective.cache_write_usd_per_mtok).toBeCloseTo(spec.pricing.cache_write_usd_per_mtok, 6);
    }
  });

  it('documented difference: DeepSeek off-peak (16:30–00:30 UTC) is cheaper than the registry, which keeps the peak price', () => {
    const offPeak = new Date('2026-11-18T18:00:00Z');
    for (const id of ['deepseek-chat', 'deepseek-reasoner']) {
      const spec = registry.find((m) => m.id === id)!;
      const effective = effectivePricing(spec, { at: offPeak });
      expect(effective.input_usd_per_mtok).toBeLessThan(spec.pricing.input_usd_per_mtok);
      // Reservations use the higher of the two, so an off-peak estimate never understates a peak-hour charge.
      expect(worstCaseUsd(spec, 1000, 1000, { at: offPeak })).toBeCloseTo(
        (1000 * spec.pricing.input_usd_per_mtok + 1000 * spec.pricing.output_usd_per_mtok) / 1e6,
        12,
      );
    }
  });

  it('every local model is free', () => {
    for (const spec of registry.filter((m) => m.provider === 'local')) {
      expect(costUsd(spec, { inputTokens: 1e6, outputTokens: 1e6 })).toBe(0);
      expect(worstCaseUsd(spec, 1e6, 1e6)).toBe(0);
    }
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
