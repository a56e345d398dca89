// The one place cost is computed. Prices come from @pydantic/genai-prices for the cloud models it knows (kept current
// by its maintainers, including tiered and time-of-day prices), else from the registry entry. Pure: no I/O.
import { calcPrice, TieredPrices, type ModelPrice } from '@pydantic/genai-prices';
import type { CapabilityModel, ModelSpec } from '../../src-preload/contract';
import type { Usage } from '../providers/spec';

export type EffectivePricing = CapabilityModel['effective_pricing'];

export interface PricingOptions {
  /** When the call happens (time-of-day and dated prices); default: now, as genai-prices does. */
  at?: Date;
}

/** genai-prices provider ids; Qwen (DashScope) is only listed there through OpenRouter, so it uses the registry. */
const GENAI_PROVIDER: Partial<Record<ModelSpec['provider'], string>> = {
  openai: 'openai',
  anthropic: 'anthropic',
  deepseek: 'deepseek',
  gemini: 'google',
};

function genaiProvider(spec: ModelSpec): string | undefined {
  return GENAI_PROVIDER[spec.provider];
}

function apiId(spec: ModelSpec): string {
  return spec.api_model_id ?? spec.id;
}

/** input_tokens, output_tokens, cache_read_tokens, cache_write_tokens (the cache counts are subsets of input). */
type GenaiUsage = Record<string, number>;

function genaiCalc(spec: ModelSpec, usage: GenaiUsage, options: PricingOptions) {
  const providerId = genaiProvider(spec);
  if (!providerId) return null;
  try {
    return calcPrice(usage, apiId(spec), {
      providerId,
      ...(options.at ? { timestamp: options.at } : {}),
    });
  } catch {
    return null;
  }
}

function base(price: ModelPrice[string]): number | undefined {
  if (typeof price === 'number') return price;
  if (price instanceof TieredPrices) return price.base;
  if (price && typeof price === 'object' && 'base' in price) return (price as { base: number }).base;
  return undefined;
}

/** Per-million-token prices Quire charges with for this model, and their source. */
export function effectivePricing(spec: ModelSpec, options: PricingOptions = {}): EffectivePricing {
  if (spec.provider !== 'local') {
    const result = genaiCalc(spec, { input_tokens: 1, output_tokens: 1 }, options);
    const input = result ? base(result.model_price['input_mtok']) : undefined;
    const output = result ? base(result.model_price['output_mtok']) : undefined;
    if (result && input !== undefined && output !== undefined) {
      const cached = base(result.model_price['cache_read_mtok']);
      const write = base(result.model_price['cache_write_mtok']);
      return {
        input_usd_per_mtok: input,
        output_usd_per_mtok: output,
        ...(cached !== undefined ? { cached_input_usd_per_mtok: cached } : {}),
        ...(write !== undefined ? { cache_write_usd_per_mtok: write } : {}),
        source: 'genai-prices',
      };
    }
  }
  return { ...spec.pricing, source: 'registry' };
}

function registryCost(spec: ModelSpec, input: number, output: number, cached: number, written: number): number {
  const p = spec.pricing;
  const cachedRate = p.cached_input_usd_per_mtok ?? p.input_usd_per_mtok;
  const writeRate = p.cache_write_usd_per_mtok ?? p.input_usd_per_mtok;
  const plain = Math.max(0, input - cached - written);
  return (
    (plain * p.input_usd_per_mtok + cached * cachedRate + written * writeRate + output * p.output_usd_per_mtok) / 1e6
  );
}

/**
 * USD for one call's usage. OpenAI semantics: cached and cache-write tokens are subsets of inputTokens, each priced at
 * its own rate; reasoning tokens are already part of outputTokens. Local models cost nothing. Unknown counts are 0:
 * the caller decides what to do about a provider that reported none.
 */
export function costUsd(spec: ModelSpec, usage: Usage, options: PricingOptions = {}): number {
  if (spec.provider === 'local') return 0;
  const input = Math.max(0, usage.inputTokens ?? 0);
  const output = Math.max(0, usage.outputTokens ?? 0);
  const cached = Math.min(input, Math.max(0, usage.cachedInputTokens ?? 0));
  const written = Math.min(input - cached, Math.max(0, usage.cacheWriteTokens ?? 0));
  const result = genaiCalc(
    spec,
    {
      input_tokens: input,
      output_tokens: output,
      ...(cached > 0 ? { cache_read_tokens: cached } : {}),
      ...(written > 0 ? { cache_write_tokens: written } : {}),
    },
    options,
  );
  if (result) return result.total_price;
  return registryCost(spec, input, output, cached, written);
}

/**
 * The most one call can cost: every input token uncached, every allowed output token produced. Takes the higher of the
 * two price sources so a reservation is never below what the provider may charge.
 */
export function worstCaseUsd(
  spec: ModelSpec,
  inputTokens: number,
  maxOutputTokens: number,
  options: PricingOptions = {},
): number {
  if (spec.provider === 'local') return 0;
  const input = Math.max(0, inputTokens);
  const output = Math.max(0, maxOutputTokens);
  const fromGenai = genaiCalc(spec, { input_tokens: input, output_tokens: output }, options)?.total_price ?? 0;
  return Math.max(fromGenai, registryCost(spec, input, output, 0, 0));
}

/** Expected cost of a typical call (used for monthly estimates): the registry-or-genai price, no worst-case margin. */
export function expectedUsd(
  spec: ModelSpec,
  inputTokens: number,
  outputTokens: number,
  options: PricingOptions = {},
): number {
  return costUsd(spec, { inputTokens, outputTokens }, options);
}
