// The one table of built-in cloud providers. Everything that needs a provider's id, wire format, address, key
// variable, price-list id, key shape or display name derives it from here: the registry's provider enum, the
// adapters, pricing, the key store and its validation, the redactor, env availability and the keys screen.
// Zod-free so the renderer can import it.

/** The wire format a provider speaks (one adapter per kind). */
export type WireKind = 'openai-compatible' | 'anthropic';

/**
 * How a provider is asked for structured output: OpenAI's `json_schema` response format, `json_object` (JSON mode:
 * the schema goes into the instruction and the answer is validated by Quire), or a forced tool call (Anthropic).
 */
export type JsonMode = 'json_schema' | 'json_object' | 'tool';

export interface ProviderDescriptor {
  /** The key name used by the registry, the key store, the keys:* channels and the breakers. */
  readonly id: string;
  readonly display_name: string;
  readonly kind: WireKind;
  /** The API base URL the official SDK is pointed at (a writer may override it in Settings). */
  readonly base_url: string;
  /** The environment variable read for this provider's key. */
  readonly env_var: string;
  /** The provider id in @pydantic/genai-prices; null when that package does not list the provider. */
  readonly genai_prices_id: string | null;
  /**
   * What a key looks like, as a RegExp source without anchors: anchored to validate a pasted key, unanchored (with
   * every other row's) to mask keys in logs, errors and stored runs. Loose on purpose past the prefix: providers
   * lengthen keys without notice, and a wrong refusal stops a writer cold.
   */
  readonly key_pattern: string;
  /** The key's shape in a writer's words, for the keys screen and a refused key's message. */
  readonly key_hint: string;
  /** How every key of the provider starts: a key that does but fails key_pattern was cut short when copied. */
  readonly key_prefix: string;
  readonly json_mode: JsonMode;
  /**
   * Takes OpenAI's `reasoning_effort` on a reasoning model's chat completion (how hard it thinks: the task's effort,
   * src-main/orchestrator/thinking.ts). False where it is not documented: such a provider is never sent it, since a
   * server may refuse a parameter it does not know, and its model thinks as it decides within the room it is given.
   */
  readonly reasoning_effort: boolean;
  /** Where a writer gets a key. */
  readonly docs_url: string;
}

/** Keys that start with sk- but belong to Anthropic or OpenRouter are not OpenAI-style keys. */
const SK_KEY = 'sk-(?!ant-|or-)[A-Za-z0-9_-]{8,}';

export const PROVIDER_TABLE = [
  {
    id: 'openai',
    display_name: 'OpenAI',
    kind: 'openai-compatible',
    base_url: 'https://api.openai.com/v1',
    env_var: 'OPENAI_API_KEY',
    genai_prices_id: 'openai',
    key_pattern: SK_KEY,
    key_hint: 'starts with sk-',
    key_prefix: 'sk-',
    json_mode: 'json_schema',
    reasoning_effort: true,
    docs_url: 'https://platform.openai.com/api-keys',
  },
  {
    id: 'anthropic',
    display_name: 'Anthropic',
    kind: 'anthropic',
    base_url: 'https://api.anthropic.com',
    env_var: 'ANTHROPIC_API_KEY',
    genai_prices_id: 'anthropic',
    key_pattern: 'sk-ant-[A-Za-z0-9_-]{8,}',
    key_hint: 'starts with sk-ant-',
    key_prefix: 'sk-ant-',
    json_mode: 'tool',
    // Anthropic's own wire: extended thinking is a `thinking` block with a budget, which Quire never asks for.
    reasoning_effort: false,
    docs_url: 'https://console.anthropic.com/settings/keys',
  },
  {
    id: 'deepseek',
    display_name: 'DeepSeek',
    kind: 'openai-compatible',
    base_url: 'https://api.deepseek.com/v1',
    env_var: 'DEEPSEEK_API_KEY',
    genai_prices_id: 'deepseek',
    key_pattern: SK_KEY,
    key_hint: 'starts with sk-',
    key_prefix: 'sk-',
    // DeepSeek documents JSON Output (json_object) only; json_schema is not accepted.
    json_mode: 'json_object',
    // DeepSeek documents no effort for deepseek-reasoner: it thinks as it decides.
    reasoning_effort: false,
    docs_url: 'https://platform.deepseek.com/api_keys',
  },
  {
    id: 'qwen',
    display_name: 'Qwen (Alibaba DashScope)',
    kind: 'openai-compatible',
    base_url: 'https://dashscope-intl.aliyuncs.com/compatible-mode/v1',
    env_var: 'DASHSCOPE_API_KEY',
    genai_prices_id: null,
    key_pattern: SK_KEY,
    key_hint: 'starts with sk-',
    key_prefix: 'sk-',
    // DashScope's compatible mode documents structured output as json_object.
    json_mode: 'json_object',
    // DashScope asks for thinking with enable_thinking / thinking_budget, not reasoning_effort.
    reasoning_effort: false,
    docs_url: 'https://www.alibabacloud.com/help/en/model-studio/get-api-key',
  },
  {
    id: 'gemini',
    display_name: 'Google Gemini',
    kind: 'openai-compatible',
    base_url: 'https://generativelanguage.googleapis.com/v1beta/openai/',
    env_var: 'GEMINI_API_KEY',
    genai_prices_id: 'google',
    key_pattern: 'AIza[0-9A-Za-z_-]{20,}',
    key_hint: 'starts with AIza',
    key_prefix: 'AIza',
    json_mode: 'json_schema',
    // Google's OpenAI-compatible endpoint maps reasoning_effort onto Gemini's thinking level.
    reasoning_effort: true,
    docs_url: 'https://aistudio.google.com/apikey',
  },
  {
    id: 'openrouter',
    display_name: 'OpenRouter',
    kind: 'openai-compatible',
    base_url: 'https://openrouter.ai/api/v1',
    env_var: 'OPENROUTER_API_KEY',
    genai_prices_id: 'openrouter',
    key_pattern: 'sk-or-[A-Za-z0-9_-]{8,}',
    key_hint: 'starts with sk-or-',
    key_prefix: 'sk-or-',
    // json_schema reaches only some of the models behind OpenRouter; JSON mode plus Quire's check works for all.
    json_mode: 'json_object',
    // OpenRouter speaks its own `reasoning` object; no reasoning model is reached through it here.
    reasoning_effort: false,
    docs_url: 'https://openrouter.ai/settings/keys',
  },
] as const satisfies readonly ProviderDescriptor[];

export type BuiltinProviderId = (typeof PROVIDER_TABLE)[number]['id'];

export const BUILTIN_PROVIDER_IDS: readonly BuiltinProviderId[] = PROVIDER_TABLE.map((p) => p.id);

export function providerDescriptor(
  id: string,
  table: readonly ProviderDescriptor[] = PROVIDER_TABLE,
): ProviderDescriptor | undefined {
  return table.find((p) => p.id === id);
}

/** The display name of a built-in provider, else the id itself (custom endpoints). */
export function providerDisplayName(id: string, table: readonly ProviderDescriptor[] = PROVIDER_TABLE): string {
  return providerDescriptor(id, table)?.display_name ?? id;
}

/**
 * The writer's names for their endpoints, by id (a name given in Settings; an endpoint without one is named by its id).
 * Whoever knows them keeps them here: the main process's provider service as endpoints are saved, the renderer as the
 * registry loads. Words only: nothing is looked up by a name.
 */
const endpointNames = new Map<string, string>();

/** Replaces the endpoint names {@link providerLabel} says (id → name). */
export function nameEndpoints(names: Iterable<readonly [string, string]>): void {
  endpointNames.clear();
  for (const [id, name] of names) endpointNames.set(id, name);
}

/**
 * Where a model runs, for the UI: a built-in provider's name, "your endpoint “<name>”" for a writer's own endpoint
 * (`endpoint:<id>`), "on this Mac" for a local model; an unknown id as it is.
 */
export function providerLabel(id: string): string {
  if (id === 'local') return 'on this Mac';
  if (id.startsWith('endpoint:')) {
    const endpoint = id.slice('endpoint:'.length);
    return `your endpoint “${endpointNames.get(endpoint) ?? endpoint}”`;
  }
  return providerDisplayName(id);
}

/** Where a registry model runs, for the UI: a writer's endpoint by its name, else providerLabel of its provider. */
export function modelPlace(spec: {
  provider: string;
  endpoint_id?: string | undefined;
  endpoint_name?: string | undefined;
}): string {
  if (spec.endpoint_id && spec.endpoint_name) return `your endpoint “${spec.endpoint_name}”`;
  return providerLabel(spec.endpoint_id ? `endpoint:${spec.endpoint_id}` : spec.provider);
}

/** Built-in provider id → the environment variable read for its key. */
export function providerEnvVars(table: readonly ProviderDescriptor[] = PROVIDER_TABLE): Record<string, string> {
  return Object.fromEntries(table.map((p) => [p.id, p.env_var]));
}

/** Does `key` have the shape of a key of `descriptor`? (The whole key, not a part of it.) */
export function matchesKeyPattern(descriptor: ProviderDescriptor, key: string): boolean {
  return new RegExp(`^(?:${descriptor.key_pattern})$`).test(key);
}

/**
 * Every row's key pattern as one global RegExp, for masking. A key must not start in the middle of a longer word, so
 * "task-…" is not read as "sk-…".
 */
export function keyShapesRegExp(table: readonly ProviderDescriptor[] = PROVIDER_TABLE): RegExp {
  const sources = [...new Set(table.map((p) => p.key_pattern))];
  return new RegExp(`(?<![A-Za-z0-9_-])(?:${sources.join('|')})`, 'g');
}
