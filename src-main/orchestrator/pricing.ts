// The one place cost is computed. Prices come from @pydantic/genai-prices for the cloud models it knows (kept current
// by its maintainers, including tiered and time-of-day prices), else from the registry entry — which also wins where
// it records that genai-prices is out of date for the model. Every price says where it came from and when. Pure.
import { calcPrice, TieredPrices, type ModelPrice } from '@pydantic/genai-prices';
import type { EffectivePricing, ModelSpec } from '../../src-preload/contract';
import { providerDescriptor } from '../../src-preload/contract/provider-table';
import type { Usage } from './usage';

export type { EffectivePricing };

export interface PricingOptions {
  /** When the call happens (time-of-day and dated prices); default: now, as genai-prices does. */
  at?: Date;
}

/**
 * The bundled genai-prices data: the package version and the day npm published it (a test checks the version against
 * the installed package, so an upgrade cannot keep an old date).
 */
export const GENAI_PRICES_DATA = { version: '0.1.8', published: '2026-09-23' } as const;

/**
 * The genai-prices provider of a registry model (the provider table's genai_prices_id), or null: a writer's endpoint
 * is priced by the writer's numbers, and a registry entry that overrides genai-prices by its own.
 */
function genaiProvider(spec: ModelSpec): string | null {
  if (spec.endpoint_id || spec.pricing.overrides_genai_prices) return null;
  return providerDescriptor(spec.provider)?.genai_prices_id ?? null;
}

function apiId(spec: ModelSpec): string {
  return spec.api_model_id ?? spec.id;
}

/** input_tokens, output_tokens, cache_read_tokens, cache_write_tokens (the cache counts are subsets of input). */
type GenaiUsage = Record<string, number>;

function genaiCalc(spec: ModelSpec, usage: GenaiUsage, options: PricingOptions) {
  const providerId = genaiProvider(spec);
  if (providerId === null) return null;
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

/** Per-million-token prices Quire charges with for this model, where they come from and how recent they are. */
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
        source_detail: `@pydantic/genai-prices ${GENAI_PRICES_DATA.version}`,
        source_url: result.provider.pricing_urls?.[0] ?? null,
        checked_at: GENAI_PRICES_DATA.published,
      };
    }
  }
  const p = spec.pricing;
  return {
    input_usd_per_mtok: p.input_usd_per_mtok,
    output_usd_per_mtok: p.output_usd_per_mtok,
    ...(p.cached_input_usd_per_mtok !== undefined ? { cached_input_usd_per_mtok: p.cached_input_usd_per_mtok } : {}),
    ...(p.cache_write_usd_per_mtok !== undefined ? { cache_write_usd_per_mtok: p.cache_write_usd_per_mtok } : {}),
    source: 'registry',
    source_detail: registryDetail(spec),
    source_url: p.source_url ?? null,
    checked_at: p.checked_at ?? null,
  };
}

function registryDetail(spec: ModelSpec): string {
  if (spec.provider === 'local') return 'Free: runs on this computer';
  if (spec.endpoint_id) return 'The price entered for this endpoint';
  if (spec.pricing.overrides_genai_prices) return `Quire's registry: ${spec.pricing.overrides_genai_prices}`;
  return "Quire's registry";
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

/**
 * Tokens a repair adds to its request besides the first answer: the note saying what was wrong (about 60 tokens of
 * Quire's words and the problem, cut to REPAIR_PROBLEM_CHARS characters: a validator's ASCII message is at most a
 * token a character) and two more messages' framing. A repair whose real request is longer is still checked by its
 * own reservation against the run's bound, never let past it.
 */
export const REPAIR_NOTE_TOKENS = 512;
export const REPAIR_PROBLEM_CHARS = 240;
/**
 * Room a request keeps in the model's context for a repair that cannot send the first answer back (the note at the end
 * of its last message: the problem, at most REPAIR_PROBLEM_CHARS, and Quire's 30-odd words), so that repair fits too.
 */
export const RETRY_NOTE_TOKENS = 320;

/**
 * The worst case of one repair of a call of `inputTokens` in and at most `maxOutputTokens` out: the same request with
 * the first answer (at most `maxOutputTokens`) and the note added, answered in full again.
 */
export function repairWorstCaseUsd(
  spec: ModelSpec,
  inputTokens: number,
  maxOutputTokens: number,
  options: PricingOptions = {},
): number {
  return worstCaseUsd(spec, inputTokens + maxOutputTokens + REPAIR_NOTE_TOKENS, maxOutputTokens, options);
}

/**
 * The most a run on `spec` may spend: the call's worst case and, where Quire reads the answer (`repair`: a structured
 * answer gets one repair when it cannot be read), that repair's worst case. A run's quote is the largest of these over
 * the models its decision lists; every further call of the run (the repair, a fallback) is made only while what is
 * already charged plus that call's worst case stays within it (runs/run-bound.ts).
 */
export function runBoundUsd(
  spec: ModelSpec,
  inputTokens: number,
  maxOutputTokens: number,
  options: PricingOptions & { repair: boolean },
): number {
  const call = worstCaseUsd(spec, inputTokens, maxOutputTokens, options);
  return options.repair ? call + repairWorstCaseUsd(spec, inputTokens, maxOutputTokens, options) : call;
}
