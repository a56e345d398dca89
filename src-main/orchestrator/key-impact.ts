// What a built-in provider's key carries: per tier, the tasks whose pick is one of its models, and where each would go
// without it, decided by decide() as the tier cards are (the orchestrator on), so removing a key can say so first.
import { QUALITY_TIERS, type KeyDependent, type KeyImpact, type QualityTier } from '../../src-preload/contract';
import { decide, type DecisionInputs } from './decide';

export function keyDependents(provider: string, inputs: DecisionInputs): KeyImpact {
  // The budget aside: a month's budget spent does not make a key unneeded.
  const open: DecisionInputs = { ...inputs, settings: { ...inputs.settings, enabled: true, monthly_budget: null } };
  const real = inputs.availability;
  const without: DecisionInputs = {
    ...open,
    availability: {
      cloudReady: (spec) =>
        spec.endpoint_id === undefined && spec.provider === provider ? false : real.cloudReady(spec),
      localInstalled: (id) => real.localInstalled(id),
    },
  };
  const byId = new Map(inputs.registry.map((spec) => [spec.id, spec]));
  const tiers = {} as Record<QualityTier, KeyDependent[]>;
  for (const tier of QUALITY_TIERS) {
    tiers[tier] = [];
    for (const task of inputs.tasks.keys()) {
      const now = decide({ task, tier }, open);
      const spec = now.model_id ? byId.get(now.model_id) : undefined;
      if (!spec || spec.endpoint_id !== undefined || spec.provider !== provider) continue;
      tiers[tier].push({ task, model_id: spec.id, moves_to: decide({ task, tier }, without).model_id });
    }
  }
  return { provider, tiers };
}
