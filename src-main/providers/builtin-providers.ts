// The cloud providers Quire knows by name: which wire format each speaks, where, and which key it needs.
import type { ModelSpec } from '../../src-preload/contract';

export type WireKind = 'openai-compatible' | 'anthropic';

export interface BuiltinProvider {
  /** The key name used by the key store and keys:* channels. */
  id: string;
  kind: WireKind;
  /** undefined = the SDK's own default. */
  baseURL: string | undefined;
  envVar: string;
}

export const BUILTIN_PROVIDERS: readonly BuiltinProvider[] = [
  { id: 'openai', kind: 'openai-compatible', baseURL: undefined, envVar: 'OPENAI_API_KEY' },
  { id: 'anthropic', kind: 'anthropic', baseURL: undefined, envVar: 'ANTHROPIC_API_KEY' },
  { id: 'deepseek', kind: 'openai-compatible', baseURL: 'https://api.deepseek.com/v1', envVar: 'DEEPSEEK_API_KEY' },
  {
    id: 'qwen',
    kind: 'openai-compatible',
    baseURL: 'https://dashscope-intl.aliyuncs.com/compatible-mode/v1',
    envVar: 'DASHSCOPE_API_KEY',
  },
  {
    id: 'gemini',
    kind: 'openai-compatible',
    baseURL: 'https://generativelanguage.googleapis.com/v1beta/openai/',
    envVar: 'GEMINI_API_KEY',
  },
  {
    id: 'openrouter',
    kind: 'openai-compatible',
    baseURL: 'https://openrouter.ai/api/v1',
    envVar: 'OPENROUTER_API_KEY',
  },
];

export const BUILTIN_IDS = BUILTIN_PROVIDERS.map((p) => p.id);

export function builtinProvider(id: string): BuiltinProvider | undefined {
  return BUILTIN_PROVIDERS.find((p) => p.id === id);
}

/** Which provider (key, breaker, health) serves a registry model: its custom endpoint, else its provider. */
export function providerIdOf(spec: ModelSpec): string {
  if (spec.endpoint_id) return `endpoint:${spec.endpoint_id}`;
  return spec.provider;
}
