// What a provider's key (or a custom endpoint) carries: per tier, the tasks whose pick is one of its models, and where
// each would go without it, decided by decide() as the tier cards are (the orchestrator on), so removing a key or an
// endpoint can say so first. Under a monthly budget, the tier cards' month (budgetedMonth) also says which tiers' runs
// step down onto its models as the budget runs low.
import {
  QUALITY_TIERS,
  type KeyDependent,
  type KeyImpact,
  type ModelSpec,
  type QualityTier,
} from '../../src-preload/contract';
import { budgetedMonth } from './budget-month';
import { decide, type DecisionInputs } from './decide';

/** The month the tier cards price: runs per task, and what a typical run of a task costs on a model. */
export interface ImpactMonth {
  usage: Readonly<Record<string, number>>;
  runUsd: (spec: ModelSpec, task: string) => number;
}

/** "endpoint:<id>" is a custom endpoint's models; anything else a built-in provider's (not an endpoint's). */
export function carriedBy(source: string): (spec: ModelSpec) => boolean {
  const endpoint = source.startsWith('endpoint:') ? source.slice('endpoint:'.length) : null;
  return endpoint !== null
    ? (spec) => spec.endpoint_id === endpoint
    : (spec) => spec.endpoint_id === undefined && spec.provider === source;
}

export function keyDependents(provider: string, inputs: DecisionInputs, month?: ImpactMonth): KeyImpact {
  const carried = carriedBy(provider);
  // The tier's own picks with the budget aside: a month's budget spent does not make a key unneeded.
  const open: DecisionInputs = { ...inputs, settings: { ...inputs.settings, enabled: true, monthly_budget: null } };
  const real = inputs.availability;
  const withoutIt = (from: DecisionInputs): DecisionInputs => ({
    ...from,
    availability: {
      cloudReady: (spec) => (carried(spec) ? false : real.cloudReady(spec)),
      localInstalled: (id) => real.localInstalled(id),
    },
  });
  const without = withoutIt(open);
  const byId = new Map(inputs.registry.map((spec) => [spec.id, spec]));
  const budget = inputs.settings.monthly_budget;
  const tiers = {} as Record<QualityTier, KeyDependent[]>;
  for (const tier of QUALITY_TIERS) {
    tiers[tier] = [];
    const own = new Map<string, string | null>();
    for (const task of inputs.tasks.keys()) {
      const now = decide({ task, tier }, open);
      own.set(task, now.model_id);
      const spec = now.model_id ? byId.get(now.model_id) : undefined;
      if (!spec || !carried(spec)) continue;
      tiers[tier].push({
        task,
        model_id: spec.id,
        moves_to: decide({ task, tier }, without).model_id,
        step_down: false,
      });
    }
    if (budget === null || !month) continue;
    // The month the tier card shows: runs its own pick cannot pay for step down, some onto this key's models.
    const onIt = new Map<string, string>();
    budgetedMonth(tier, month.usage, inputs, budget, month.runUsd, (task, model) => {
      const spec = byId.get(model);
      if (spec && carried(spec) && own.get(task) !== model && !onIt.has(task)) onIt.set(task, model);
    });
    if (onIt.size === 0) continue;
    // Without it, those runs step down elsewhere, or wait for next month (null).
    const elsewhere = new Map<string, string>();
    budgetedMonth(tier, month.usage, withoutIt(inputs), budget, month.runUsd, (task, model) => {
      if (onIt.has(task) && own.get(task) !== model && !elsewhere.has(task)) elsewhere.set(task, model);
    });
    for (const [task, model] of onIt) {
      if (tiers[tier].some((row) => row.task === task)) continue;
      tiers[tier].push({ task, model_id: model, moves_to: elsewhere.get(task) ?? null, step_down: true });
    }
  }
  return { provider, budget_usd: month ? budget : null, tiers };
}
