// Builders for tests and benchmarks: model specs, small registries, task tables and decision inputs with everything
// injectable.
import {
  DEFAULT_SETTINGS,
  type ModelSpec,
  type Settings,
  type Strength,
  type TaskSpec,
} from '../../src-preload/contract';
import type { DecisionInputs } from '../../src-main/orchestrator/decide';
import type { AvailabilitySource } from '../../src-main/orchestrator/sources';
import type { TaskTable } from '../../src-main/orchestrator/tasks';

export function model(id: string, overrides: Partial<ModelSpec> & { price?: [number, number] } = {}): ModelSpec {
  const { price, ...rest } = overrides;
  const local = rest.provider === 'local';
  return {
    id,
    display_name: id,
    provider: 'openai',
    quality: 7,
    strengths: ['semantic_reasoning'],
    speed: 'fast',
    context_window: 128_000,
    pricing: {
      input_usd_per_mtok: local ? 0 : (price?.[0] ?? 1),
      output_usd_per_mtok: local ? 0 : (price?.[1] ?? 2),
    },
    capabilities: { json_output: true, vision: false, streaming: true },
    ...(local ? { local: { catalog_id: `${id}-gguf`, size_class: 'small' as const } } : {}),
    ...rest,
  };
}

export function localModel(
  id: string,
  size: 'small' | 'medium' | 'large',
  overrides: Partial<ModelSpec> = {},
): ModelSpec {
  return model(id, { provider: 'local', local: { catalog_id: `${id}-gguf`, size_class: size }, ...overrides });
}

export function task(id: string, strength: Strength, overrides: Partial<TaskSpec> = {}): TaskSpec {
  return {
    id,
    display_name: id,
    description: id,
    strength,
    complexity: 5,
    typical_input_tokens: 4000,
    typical_output_tokens: 1000,
    critical: false,
    may_leave_machine: true,
    ...overrides,
  };
}

export function taskTable(tasks: TaskSpec[]): TaskTable {
  return new Map(tasks.map((t) => [t.id, t]));
}

/** Seed 000's eight models with the seed's qualities and strengths (registry ids from integration.md). */
export function seedRegistry(): ModelSpec[] {
  return [
    localModel('mistral-7b', 'medium', {
      quality: 6,
      strengths: ['creative_generation', 'prose_style', 'narrative_continuity'],
    }),
    localModel('llama3.2', 'small', { quality: 6, strengths: ['semantic_reasoning', 'creative_generation'] }),
    model('deepseek-chat', {
      provider: 'deepseek',
      quality: 9,
      price: [0.27, 1.1],
      strengths: ['semantic_reasoning', 'character_psychology', 'thematic_analysis', 'narrative_continuity'],
    }),
    model('qwen-plus', {
      provider: 'qwen',
      quality: 8,
      price: [0.4, 1.2],
      strengths: ['semantic_reasoning', 'character_psychology'],
    }),
    model('qwen-turbo', { provider: 'qwen', quality: 6, price: [0.05, 0.2], strengths: ['semantic_reasoning'] }),
    model('gpt-4o-mini', {
      provider: 'openai',
      quality: 7,
      price: [0.15, 0.6],
      strengths: ['semantic_reasoning', 'prose_style'],
    }),
    model('claude-3-5-sonnet-20241022', {
      provider: 'anthropic',
      quality: 10,
      price: [3, 15],
      strengths: ['narrative_continuity', 'character_psychology', 'semantic_reasoning', 'prose_style'],
    }),
    model('gpt-4o', {
      provider: 'openai',
      quality: 10,
      price: [2.5, 10],
      strengths: ['thematic_analysis', 'semantic_reasoning', 'creative_generation'],
    }),
  ];
}

export function seedTasks(): TaskTable {
  return taskTable([
    task('coordinator', 'semantic_reasoning', {
      complexity: 3,
      typical_input_tokens: 1500,
      typical_output_tokens: 300,
    }),
    task('health_check_review', 'semantic_reasoning', {
      complexity: 4,
      typical_input_tokens: 6000,
      typical_output_tokens: 800,
    }),
    task('theme_analysis', 'thematic_analysis', {
      complexity: 7,
      typical_input_tokens: 8000,
      typical_output_tokens: 1200,
    }),
    task('continuity_check', 'narrative_continuity', { complexity: 8 }),
    task('private_notes_review', 'semantic_reasoning', { complexity: 4, may_leave_machine: false }),
  ]);
}

export function availability(installed: string[] = [], keyed: string[] | 'all' = 'all'): AvailabilitySource {
  const local = new Set(installed.map((id) => `${id}-gguf`));
  return {
    cloudReady: (spec) => keyed === 'all' || keyed.includes(spec.provider),
    localInstalled: (catalogId) => local.has(catalogId),
  };
}

/** Registry prices only: decisions in unit tests do not depend on genai-prices data. */
export function registryPrice(spec: ModelSpec, input: number, output: number): number {
  return (input * spec.pricing.input_usd_per_mtok + output * spec.pricing.output_usd_per_mtok) / 1e6;
}

export function inputs(
  overrides: Partial<DecisionInputs> & { orchestrator?: Partial<Settings['orchestrator']> } = {},
): DecisionInputs {
  const { orchestrator, ...rest } = overrides;
  return {
    registry: seedRegistry(),
    tasks: seedTasks(),
    settings: { ...DEFAULT_SETTINGS.orchestrator, enabled: true, ...orchestrator },
    availability: availability(['mistral-7b', 'llama3.2']),
    spend: { month: '2026-11', spent_usd: 0, reserved_usd: 0 },
    price: registryPrice,
    ...rest,
  };
}
