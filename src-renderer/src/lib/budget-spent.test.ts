import { describe, expect, it } from 'vitest';
import { budgetSpentText } from './budget-spent';

const month = (spend_usd: number, budget_usd: number | null, reserved_usd = 0) => ({
  month: '2026-12',
  spend_usd,
  reserved_usd,
  budget_usd,
  remaining_usd: budget_usd === null ? null : Math.max(0, budget_usd - spend_usd - reserved_usd),
});

describe('budgetSpentText', () => {
  it('says when a budget is already spent this month, and what still runs', () => {
    // A budget set below this month's spend was taken without a word: runs then stopped, and Settings said nothing.
    expect(budgetSpentText(month(0.42, 0.25))).toBe(
      'You have already spent $0.42 this month, all of this budget: cloud runs wait for next month (or a higher ' +
        'budget); free local models still run.',
    );
    expect(budgetSpentText(month(0.2, 0.25, 0.05))).toBe(
      'You have already spent $0.20 this month, and $0.05 is held for runs under way, all of this budget: cloud runs ' +
        'wait for next month (or a higher budget); free local models still run.',
    );
  });

  it('says nothing with no budget, a budget not yet spent, nothing spent, or the month not known', () => {
    expect(budgetSpentText(month(0.42, null))).toBeNull();
    expect(budgetSpentText(month(0.1, 0.25))).toBeNull();
    // A $0 budget with nothing spent: the tier cards say what it leaves.
    expect(budgetSpentText(month(0, 0))).toBeNull();
    expect(budgetSpentText(null)).toBeNull();
  });
});
