// A tier stepped down, in words. The Workbench card's "Tier:" line when the orchestrator ran the task below the tier
// the writer asked for, and why: the work must stay on this computer, the budget left passed the tier's models over,
// or none of them is ready (no key yet, not downloaded). It said "to stay within the budget" for all three, also with
// no budget set. And Settings' tier cards under a monthly budget: what the budget steps each tier down to.
import type { Decision, QualityTier, TierUsed } from '$contract';
import type { Estimate } from '$contract/orchestrator';
import { usdText } from '$contract/usd-text';
import { TIER_INFO } from './tiers';
import { joinAnd } from '$contract/list-text';

export function tierStepText(decision: Decision): string {
  const { tier_used: used, tier_requested: asked } = decision;
  if (decision.mode !== 'orchestrator' || used === null || used === asked) return '';
  if (decision.local_only) return ' → local models only: this work stays on this computer';
  const to = used === 'local' ? 'local models only' : TIER_INFO[used].label;
  if (decision.candidates.some((c) => c.reasons.includes('over_budget'))) return ` → ${to} to stay within the budget`;
  return ` → ${to}: no model of the ${TIER_INFO[asked].label} tier is ready yet`;
}

const RUN_ON: Record<TierUsed, string> = {
  premium: `as ${TIER_INFO.premium.label}`,
  balanced: `as ${TIER_INFO.balanced.label}`,
  budget: `as ${TIER_INFO.budget.label}`,
  local: 'on free local models',
};

/**
 * A tier card's month under the writer's budget, when the budget changes it: what it costs then, and what the budget
 * steps the tier down to, in runs a month ("Your $1.00 budget steps Best down: of 83 runs a month, 12 run as Best
 * and 60 as Balanced; 11 cannot run once it is spent."). Null when no budget is set or the month stays within it.
 */
export function budgetMonthText(estimate: Estimate): { usd: number; note: string } | null {
  const month = estimate.within_budget;
  if (!month) return null;
  const binds = month.stopped > 0 || month.total_usd < estimate.total_usd - 1e-6;
  if (!binds) return null;
  const tier = TIER_INFO[estimate.tier].label;
  const budget = usdText(month.budget_usd);
  const ran = (['premium', 'balanced', 'budget', 'local'] as const)
    .map((used) => [used, Math.round(month.runs[used] ?? 0)] as const)
    .filter(([, runs]) => runs > 0);
  const stopped = Math.round(month.stopped);
  const all = Math.round(Object.values(month.runs).reduce((sum, runs) => sum + runs, 0) + month.stopped);
  if (ran.length === 0)
    return {
      usd: month.total_usd,
      note: `Your ${budget} budget leaves nothing for ${tier}: none of ${all} runs a month can run. Raise the budget, or download a free local model on the Models screen.`,
    };
  const parts = ran.map(([used, runs], i) => `${runs} ${i === 0 ? 'run ' : ''}${RUN_ON[used]}`);
  const list = joinAnd(parts);
  const lead =
    stopped === 0 && ran.length === 1
      ? `all ${all} runs a month run ${RUN_ON[ran[0]![0]]}`
      : `of ${all} runs a month, ${list}`;
  // A budget that only stops runs, the rest all in the tier, does not step it down: it runs out.
  const steps = ran.some(([used]) => used !== estimate.tier);
  return {
    usd: month.total_usd,
    note: `Your ${budget} budget ${steps ? `steps ${tier} down` : 'runs out before the month does'}: ${lead}${stopped > 0 ? `; ${stopped} cannot run ${untilWhen(month.budget_usd)}` : ''}.`,
  };
}

/**
 * A tier not yet set up is priced as if its budget were open (its plan): said when that month is more than the
 * writer's budget, since its runs would then step down or wait. Null when no budget is set or the month fits it.
 */
export function planOverBudgetText(tier: QualityTier, monthUsd: number, budget: number | null): string | null {
  if (budget === null || monthUsd <= budget) return null;
  // Nothing of a $0 budget is ever spent, and next month's is $0 too: only raising it lets the rest run.
  if (budget === 0)
    return `With a ${usdText(0)} budget only free local models run: ${TIER_INFO[tier].label}’s other runs cannot run ${untilWhen(0)}.`;
  return `More than your ${usdText(budget)} budget: once it is spent, ${TIER_INFO[tier].label}’s runs step down to cheaper models, or wait for next month.`;
}

/** When runs the budget stops can run again: a spent budget's next month, a $0 budget's raising. */
function untilWhen(budget: number): string {
  return budget === 0 ? 'until you raise the budget' : 'once it is spent';
}
