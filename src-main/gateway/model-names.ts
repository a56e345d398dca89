// The model names apps send: a registry model id runs that model; `quire/auto` lets the orchestrator choose for the
// writer's tier and budget; `quire/<tier>` forces a tier; `quire/<task>` runs that writing task's definition.
import { QUALITY_TIERS, TIER_NAMES, type ModelSpec, type QualityTier, type TaskSpec } from '../../src-preload/contract';

/** The task a call runs as when the name does not say one (auto, a tier or a model id): open-ended writing help. */
export const GATEWAY_DEFAULT_TASK = 'brainstorm';

export type ModelChoice =
  | { kind: 'auto'; task: string }
  | { kind: 'tier'; task: string; tier: QualityTier }
  | { kind: 'task'; task: string }
  | { kind: 'model'; task: string; spec: ModelSpec };

/** What a name asks the decision for: its task, and the tier or the model it names. */
export function choiceRequest(choice: ModelChoice): { task: string; tier?: QualityTier; model?: string } {
  return {
    task: choice.task,
    ...(choice.kind === 'tier' ? { tier: choice.tier } : {}),
    ...(choice.kind === 'model' ? { model: choice.spec.id } : {}),
  };
}

export interface ModelNameSources {
  models: () => readonly ModelSpec[];
  tasks: () => ReadonlyMap<string, TaskSpec>;
}

/** The choice a model name stands for, or null when Quire knows no such name. */
export function resolveModelName(name: string, sources: ModelNameSources): ModelChoice | null {
  if (name.startsWith('quire/')) {
    const rest = name.slice('quire/'.length);
    if (rest === 'auto') return { kind: 'auto', task: GATEWAY_DEFAULT_TASK };
    if ((QUALITY_TIERS as readonly string[]).includes(rest)) {
      return { kind: 'tier', task: GATEWAY_DEFAULT_TASK, tier: rest as QualityTier };
    }
    return sources.tasks().has(rest) ? { kind: 'task', task: rest } : null;
  }
  const spec = sources.models().find((m) => m.id === name && !m.retired);
  return spec ? { kind: 'model', task: GATEWAY_DEFAULT_TASK, spec } : null;
}

export interface ListedModel {
  id: string;
  display_name: string;
  owned_by: string;
}

/** Every name Quire knows, its own first, with a name a writer recognises (/v1/models lists those an app can call). */
export function listModelNames(sources: ModelNameSources): ListedModel[] {
  const own: ListedModel[] = [
    { id: 'quire/auto', display_name: 'Quire — automatic (your tier and budget)', owned_by: 'quire' },
    ...QUALITY_TIERS.map((tier) => ({
      id: `quire/${tier}`,
      display_name: `Quire — ${TIER_NAMES[tier]} tier`,
      owned_by: 'quire',
    })),
    ...[...sources.tasks().values()].map((task) => ({
      id: `quire/${task.id}`,
      display_name: `Quire — ${task.display_name}`,
      owned_by: 'quire',
    })),
  ];
  const models = sources
    .models()
    .filter((m) => !m.retired)
    .map((m) => ({ id: m.id, display_name: m.display_name, owned_by: m.provider }));
  return [...own, ...models];
}
