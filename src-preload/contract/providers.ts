// Providers: health of each circuit breaker, custom endpoints (Ollama, LM Studio, vLLM, llama.cpp, gateways) and
// base-URL overrides of the built-in providers.
import { z } from 'zod';
import { channel, noInput } from './define';
import type { KeyTest } from './keys';
import { STRENGTHS, strengthSchema, usdPerMtokSchema } from './registry';

export interface ProviderHealth {
  provider: string;
  state: 'closed' | 'open' | 'half_open';
  /** Consecutive failures counted by the breaker. */
  failure_count: number;
  last_error: { code: string; message: string; at: string } | null;
  /** When an open breaker lets the next probe through (ISO), null otherwise. */
  retry_at: string | null;
}

export const endpointModelSchema = z.strictObject({
  id: z.string().min(1).max(200),
  display_name: z.string().min(1).max(200).optional(),
  quality: z.number().min(0).max(10),
  strengths: z.array(strengthSchema).max(STRENGTHS.length),
  input_usd_per_mtok: usdPerMtokSchema,
  output_usd_per_mtok: usdPerMtokSchema,
  context_window: z.number().int().positive().max(10_000_000).optional(),
  /** The model takes images (Ollama's llava or MiniCPM-V, a vision model in LM Studio): runs with images may use it. */
  vision: z.boolean().optional(),
});
export type EndpointModel = z.infer<typeof endpointModelSchema>;

const baseUrl = z.url({ protocol: /^https?$/, error: 'The address must start with http:// or https://' }).max(2048);

export const endpointSchema = z.strictObject({
  id: z
    .string()
    .min(1)
    .max(60)
    .regex(/^[a-z0-9][a-z0-9_-]*$/, 'Use lower-case letters, digits, - and _ only for the endpoint id'),
  /** What Quire calls it ("Ollama on my Mac"), changed at will; the id stays. Left out: the name it had, else the id. */
  name: z.string().trim().min(1, 'Give the endpoint a name, or leave the field as it was').max(60).optional(),
  kind: z.enum(['openai-compatible', 'anthropic']),
  base_url: baseUrl,
  api_key: z.string().min(1).max(4096).optional(),
  /** The writer agreed to plain-text key storage where nothing better exists. */
  allow_weak_storage: z.boolean().optional(),
  models: z.array(endpointModelSchema).min(1, 'An endpoint needs at least one model').max(200),
});
export type EndpointInput = z.infer<typeof endpointSchema>;

export interface ProviderEntry {
  id: string;
  /** What the writer reads: a custom endpoint's name (its id when it has none), a built-in provider's id. */
  name: string;
  kind: EndpointInput['kind'];
  /** built_in: one of Quire's providers (base_url null = the default); custom: a writer's endpoint. */
  type: 'built_in' | 'custom';
  base_url: string | null;
  key_configured: boolean;
  key_last4: string | null;
  models: EndpointModel[];
  health: ProviderHealth;
}

/** A model a custom endpoint's server lists (GET …/models). */
export interface EndpointListedModel {
  id: string;
  display_name: string | null;
  /** The context size the server reports for it, when it does (vLLM, OpenRouter, LM Studio's own list). */
  context_window: number | null;
}

export const endpointModelsInputSchema = z.union([
  /** A saved endpoint: its address and stored key. */
  z.strictObject({ id: z.string().min(1).max(60) }),
  /** An endpoint being typed in: any non-empty key (Ollama's "ollama", LM Studio's "lm-studio"). */
  z.strictObject({
    kind: z.enum(['openai-compatible', 'anthropic']),
    base_url: baseUrl,
    api_key: z.string().min(1).max(4096).optional(),
  }),
]);

export type EndpointModelsInput = z.infer<typeof endpointModelsInputSchema>;

/** An endpoint as typed in the form, to connect to before it is saved; without a key, the saved endpoint's own. */
export const endpointTestSchema = endpointSchema.pick({ id: true, kind: true, base_url: true, api_key: true });
export type EndpointTestInput = z.infer<typeof endpointTestSchema>;

export const providersChannels = {
  'providers:list': channel<{ providers: ProviderEntry[] }>()(noInput),
  /** Saves a custom endpoint, or (id of a built-in provider, no models needed) a base-URL override. */
  'providers:save': channel<ProviderEntry>()(
    z.union([
      endpointSchema,
      z.strictObject({ id: z.string().min(1).max(60), base_url: baseUrl.nullable(), builtin: z.literal(true) }),
    ]),
    { maxBytes: 256 * 1024 },
  ),
  /**
   * Connects to a custom endpoint as typed (a KeyTest) and stores nothing: "Test and save" saves only after it
   * passes, so a failed test leaves the endpoint and its key as they were.
   */
  'providers:test': channel<KeyTest>()(endpointTestSchema),
  'providers:delete': channel<{ deleted: boolean }>()(z.strictObject({ id: z.string().min(1).max(60) })),
  'providers:health': channel<{ providers: ProviderHealth[] }>()(noInput),
  /** The models an endpoint's server lists, to pick from instead of typing ids ("Fetch models"). */
  'providers:endpoint_models': channel<{ models: EndpointListedModel[] }>()(endpointModelsInputSchema),
  /** Closes a provider's breaker by hand (admin reset); all when no provider is given. */
  'providers:reset': channel<{ providers: ProviderHealth[] }>()(
    z.union([noInput, z.strictObject({ provider: z.string().min(1).max(120).optional() })]),
  ),
};
