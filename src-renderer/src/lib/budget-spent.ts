// Under the budget field: a budget this month's spending has already reached stops every cloud run at once, which a
// writer lowering it (or setting one late in the month) would not guess.
import type { SpendCurrent } from '$contract/spend';
import { usdText } from '$contract/usd-text';

export function budgetSpentText(spend: SpendCurrent | null): string | null {
  if (!spend || spend.budget_usd === null) return null;
  const used = spend.spend_usd + spend.reserved_usd;
  if (used <= 0 || used < spend.budget_usd) return null;
  const held = spend.reserved_usd > 0 ? `, and ${usdText(spend.reserved_usd)} is held for runs under way` : '';
  return (
    `You have already spent ${usdText(spend.spend_usd)} this month${held}, all of this budget: cloud runs wait for ` +
    'next month (or a higher budget); free local models still run.'
  );
}
