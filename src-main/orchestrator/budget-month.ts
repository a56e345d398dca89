// A month of runs against a monthly budget, decided as runs are: each by decide() with what is left, so the tier's
// dearest picks step down (and a task nothing affordable can do stops) at the same points a real month would.
import type { BudgetedMonth, ModelSpec, QualityTier, TierUsed } from '../../src-preload/contract';
import { roundUsd } from '../../src-preload/contract/usd-text';
import { decide, type DecisionInputs } from './decide';

/**
 * Decisions are made this far below the budget left: at exactly a pick's worst case the run after it would no longer
 * fit (a tenth of a micro-dollar, below what the ledger counts; above a float's error on a budget of $1,000,000).
 */
const JUST_BELOW = 1e-7;

/**
 * The month's runs are spread evenly over it, every task at its own pace. Spending is constant between the moments
 * the budget left falls below some pick's worst case; at each such moment every task is decided again. A pick that no
 * longer fits never fits again that month (the budget left only shrinks), so there are at most as many moments as
 * there are tasks times models.
 */
export function budgetedMonth(
  tier: QualityTier,
  usage: Readonly<Record<string, number>>,
  inputs: DecisionInputs,
  budget: number,
  /** What a typical run of the task costs on the model (the open month's price of it). */
  runUsd: (spec: ModelSpec, task: string) => number,
  /** Told of each task's runs on a model, as they are decided (what removing a key takes from the month). */
  onRuns?: (task: string, modelId: string, runs: number) => void,
): BudgetedMonth {
  const settings = { ...inputs.settings, enabled: true, monthly_budget: budget };
  const byId = new Map(inputs.registry.map((m) => [m.id, m]));
  const runs: Partial<Record<TierUsed, number>> = {};
  let active = Object.entries(usage).filter(([, perMonth]) => perMonth > 0);
  let spent = 0;
  let stopped = 0;
  let time = 0;
  while (active.length > 0 && time < 1) {
    const spend = { ...inputs.spend, spent_usd: spent + JUST_BELOW, reserved_usd: 0 };
    const running: { task: string; model: string; perMonth: number; tier: TierUsed; cost: number; worst: number }[] =
      [];
    const still: [string, number][] = [];
    for (const [task, perMonth] of active) {
      const decision = decide({ task, tier }, { ...inputs, settings, spend });
      const spec = decision.model_id ? byId.get(decision.model_id) : undefined;
      if (!spec || decision.tier_used === null) {
        // A task no model can do at all is left out, as the open month leaves it out; one the budget left cannot pay
        // for stops for the rest of the month.
        if (decision.refusal?.code === 'budget_exceeded') stopped += perMonth * (1 - time);
        continue;
      }
      const cost = spec.provider === 'local' ? 0 : runUsd(spec, task);
      // The tier's own picks (a free local model for a simple task included) are its runs; a step down to a free
      // local model is said as such, whichever lower tier's rules picked it.
      const used = decision.tier_used === tier ? tier : spec.provider === 'local' ? 'local' : decision.tier_used;
      running.push({ task, model: spec.id, perMonth, tier: used, cost, worst: decision.estimate_usd });
      still.push([task, perMonth]);
    }
    active = still;
    if (running.length === 0) break;
    const rate = running.reduce((sum, run) => sum + run.perMonth * run.cost, 0);
    let step = 1 - time;
    if (rate > 0) {
      const left = budget - spent;
      for (const run of running) if (run.cost > 0) step = Math.min(step, (left - run.worst) / rate);
    }
    step = Math.max(step, 0);
    for (const run of running) {
      runs[run.tier] = (runs[run.tier] ?? 0) + run.perMonth * step;
      if (step > 0) onRuns?.(run.task, run.model, run.perMonth * step);
    }
    spent += rate * step;
    time += step;
  }
  return { budget_usd: budget, total_usd: roundUsd(Math.min(spent, budget)), runs, stopped };
}
