// The model registry's shape: what every model (shipped, custom endpoint, or imported GGUF) is described by.
import { z } from 'zod';
import { STRENGTHS } from './constants';
import { BUILTIN_PROVIDER_IDS } from './provider-table';

export { STRENGTHS } from './constants';
export const strengthSchema = z.enum(STRENGTHS);
export type Strength = z.infer<typeof strengthSchema>;

/** This machine, a writer's OpenAI-compatible endpoint, and the built-in cloud providers (provider-table.ts). */
export const PROVIDERS = ['local', 'openai-compatible', ...BUILTIN_PROVIDER_IDS] as const;
export const providerSchema = z.enum(PROVIDERS);
export type Provider = z.infer<typeof providerSchema>;

export const SPEEDS = ['very_fast', 'fast', 'medium', 'slow'] as const;

export const usdPerMtokSchema = z.number().finite().min(0).max(10_000);
const isoDateSchema = z.iso.date();

export const modelSpecSchema = z.object({
  /** Stable id used everywhere in Quire (packs, ledger, runs). */
  id: z.string().min(1).max(200),
  display_name: z.string().min(1).max(200),
  provider: providerSchema,
  /** The id sent to the provider's API when it differs from `id`. */
  api_model_id: z.string().min(1).max(200).optional(),
  /** For custom endpoints: which saved endpoint serves this model. */
  endpoint_id: z.string().min(1).max(100).optional(),
  /** The writer's name for that endpoint, where it has one other than its id. */
  endpoint_name: z.string().min(1).max(100).optional(),
  quality: z.number().min(0).max(10),
  strengths: z.array(strengthSchema).max(STRENGTHS.length),
  speed: z.enum(SPEEDS),
  context_window: z.number().int().positive(),
  max_output_tokens: z.number().int().positive().optional(),
  pricing: z.object({
    input_usd_per_mtok: usdPerMtokSchema,
    output_usd_per_mtok: usdPerMtokSchema,
    /** Cache reads (OpenAI cached prompt tokens, Anthropic cache_read_input_tokens). */
    cached_input_usd_per_mtok: usdPerMtokSchema.optional(),
    /** Anthropic cache writes (cache_creation_input_tokens). */
    cache_write_usd_per_mtok: usdPerMtokSchema.optional(),
    /** Where these registry prices were read (the provider's pricing page), and when (YYYY-MM-DD). */
    source_url: z.url().max(500).optional(),
    checked_at: isoDateSchema.optional(),
    /**
     * Why these registry prices win over @pydantic/genai-prices, which lists this model with prices known to be out
     * of date. Without it, genai-prices wins wherever it knows the model.
     */
    overrides_genai_prices: z.string().min(1).max(500).optional(),
  }),
  capabilities: z.object({
    json_output: z.boolean(),
    vision: z.boolean(),
    streaming: z.boolean(),
    /**
     * o-series style: max_completion_tokens, no temperature. It thinks before it answers, out of its output allowance
     * and billed as output: a task run adds room to think to the answer's allowance (src-main/orchestrator/thinking.ts).
     */
    reasoning: z.boolean().optional(),
    /**
     * False: the model takes no sampling parameters — Claude Opus 4.7 and later refuse temperature, top_p and top_k
     * with a 400 — so none is sent (a task's temperature included). Absent: it takes them where its provider does.
     */
    sampling: z.boolean().optional(),
  }),
  /** Local models: the catalog entry (GGUF) they need, and their size class for complexity routing. */
  local: z
    .object({
      catalog_id: z.string().min(1).max(200),
      size_class: z.enum(['small', 'medium', 'large']),
    })
    .optional(),
  /** Superseded models stay for history and packs but rank after their successors on ties. */
  legacy: z.boolean().optional(),
  /**
   * The day the provider stopped serving the model (YYYY-MM-DD). A retired model stays for history but is never
   * chosen, forced, or put in a fallback chain.
   */
  retired: isoDateSchema.optional(),
});
export type ModelSpec = z.infer<typeof modelSpecSchema>;

/**
 * A model that thinks before it answers, out of its output allowance and billed as output (local models here never
 * do): its output tokens are its thinking and its answer. The one rule for src-main/orchestrator/thinking.ts and the
 * renderer's measure of a writer's answers (usage.ts).
 */
export function thinksFirst(spec: Pick<ModelSpec, 'provider' | 'capabilities'>): boolean {
  return spec.provider !== 'local' && spec.capabilities.reasoning === true;
}
