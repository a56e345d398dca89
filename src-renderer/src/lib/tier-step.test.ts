import { describe, expect, it } from 'vitest';
import type { Candidate } from '$contract';
import { decision } from '../../../test/renderer/fixtures';
import { budgetMonthText, planOverBudgetText, tierStepText } from './tier-step';

const passedOver = (reason: Candidate['reasons'][number]) =>
  ({ model_id: 'deepseek-chat', reasons: [reason] }) as unknown as Candidate;

describe('tierStepText', () => {
  const stepped = { mode: 'orchestrator', tier_requested: 'balanced', tier_used: 'local' } as const;

  it('says the budget only when the budget passed a model over', () => {
    const over = decision('line_edit', 'local:tiny', { ...stepped, candidates: [passedOver('over_budget')] });
    expect(tierStepText(over)).toBe(' → local models only to stay within the budget');
    // No key yet and no budget set: it used to say "to stay within the budget" too.
    const noKey = decision('line_edit', 'local:tiny', { ...stepped, candidates: [passedOver('no_key')] });
    expect(tierStepText(noKey)).toBe(' → local models only: no model of the Balanced tier is ready yet');
  });

  it('says the work stays here when it must, and nothing when the tier asked for ran', () => {
    expect(tierStepText(decision('line_edit', 'local:tiny', { ...stepped, local_only: true }))).toBe(
      ' → local models only: this work stays on this computer',
    );
    expect(tierStepText(decision('line_edit', 'm', { ...stepped, tier_used: 'balanced' }))).toBe('');
  });
});

describe('budgetMonthText', () => {
  const open = { tier: 'premium', total_usd: 5.27, by_task: {}, by_model: {}, picks: {} } as const;

  it('says nothing without a budget, or with one the month stays within', () => {
    expect(budgetMonthText(open)).toBeNull();
    const roomy = { budget_usd: 1000, total_usd: 5.27, runs: { premium: 83 }, stopped: 0 };
    expect(budgetMonthText({ ...open, within_budget: roomy })).toBeNull();
  });

  it('says what a small budget steps the tier down to, in runs a month, and what stops', () => {
    // The Best card said "$5.27 / month" under a $1 budget, while runs past the first dollar step down.
    const month = { budget_usd: 1, total_usd: 1, runs: { premium: 11.6, balanced: 60.2, local: 0.3 }, stopped: 10.9 };
    expect(budgetMonthText({ ...open, within_budget: month })).toEqual({
      usd: 1,
      note:
        'Your $1.00 budget steps Best down: of 83 runs a month, 12 run as Best and 60 as Balanced; ' +
        '11 cannot run once it is spent.',
    });
  });

  it('says a budget runs out, not that it steps the tier down, when every run that runs stays in the tier', () => {
    const lowest = { tier: 'budget', total_usd: 0.6, by_task: {}, by_model: {}, picks: {} } as const;
    const month = { budget_usd: 0.5, total_usd: 0.4981, runs: { budget: 72 }, stopped: 11 };
    expect(budgetMonthText({ ...lowest, within_budget: month })?.note).toBe(
      'Your $0.50 budget runs out before the month does: of 83 runs a month, 72 run as Lowest cost; 11 cannot run ' +
        'once it is spent.',
    );
  });

  it('says when a budget leaves nothing to run, and what would', () => {
    const month = { budget_usd: 0, total_usd: 0, runs: {}, stopped: 83 };
    expect(budgetMonthText({ ...open, within_budget: month })?.note).toBe(
      'Your $0.00 budget leaves nothing for Best: none of 83 runs a month can run. Raise the budget, or download a ' +
        'free local model on the Models screen.',
    );
    const local = { budget_usd: 0, total_usd: 0, runs: { local: 83 }, stopped: 0 };
    expect(budgetMonthText({ ...open, within_budget: local })?.note).toBe(
      'Your $0.00 budget steps Best down: all 83 runs a month run on free local models.',
    );
  });
});

describe('planOverBudgetText', () => {
  it('says a tier not yet set up would cost more than the budget, and what happens then', () => {
    // Best read "$9.74 / month once set up" beside a $1 budget, and nothing of it.
    expect(planOverBudgetText('premium', 9.74, 1)).toBe(
      'More than your $1.00 budget: once it is spent, Best’s runs step down to cheaper models, or wait for next month.',
    );
    expect(planOverBudgetText('premium', 0.5, 1)).toBeNull();
    // A $0 budget is never spent and does not come back next month: it read "once it is spent, … or wait for next
    // month" at $0.00 too.
    expect(planOverBudgetText('balanced', 1.53, 0)).toBe(
      'With a $0.00 budget only free local models run: Balanced’s other runs cannot run until you raise the budget.',
    );
    expect(planOverBudgetText('premium', 9.74, null)).toBeNull();
  });

  it('at a $0 budget, the runs that cannot run wait for a budget, not for it to be spent', () => {
    const best = { tier: 'premium', total_usd: 5.27, by_task: {}, by_model: {}, picks: {} } as const;
    const month = { budget_usd: 0, total_usd: 0, runs: { local: 70 }, stopped: 13 };
    expect(budgetMonthText({ ...best, within_budget: month })?.note).toBe(
      'Your $0.00 budget steps Best down: of 83 runs a month, 70 run on free local models; 13 cannot run until you ' +
        'raise the budget.',
    );
  });
});
