// The Workbench card's "Tier:" line when the orchestrator ran the task below the tier the writer asked for, and why:
// the work must stay on this computer, the budget left passed the tier's models over, or none of them is ready (no
// key yet, not downloaded). It said "to stay within the budget" for all three, also with no budget set.
import type { Decision } from '$contract';
import { TIER_INFO } from './tiers';

export function tierStepText(decision: Decision): string {
  const { tier_used: used, tier_requested: asked } = decision;
  if (decision.mode !== 'orchestrator' || used === null || used === asked) return '';
  if (decision.local_only) return ' → local models only: this work stays on this computer';
  const to = used === 'local' ? 'local models only' : TIER_INFO[used].label;
  if (decision.candidates.some((c) => c.reasons.includes('over_budget'))) return ` → ${to} to stay within the budget`;
  return ` → ${to}: no model of the ${TIER_INFO[asked].label} tier is ready yet`;
}
