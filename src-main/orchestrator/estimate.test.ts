import { describe, expect, it } from 'vitest';
import { isQuireError } from '../errors';
import { estimateMonthly } from './estimate';
import { availability, inputs, registryPrice } from '../../test/support/decision-fixtures';

// Seed 000's sample profile.
const usage = { coordinator: 100, health_check_review: 20, theme_analysis: 15 };

describe('estimateMonthly', () => {
  it.each([
    [
      'budget',
      { coordinator: 'llama3.2', health_check_review: 'llama3.2', theme_analysis: 'deepseek-chat' },
      15 * 0.00348,
    ],
    [
      'balanced',
      { coordinator: 'llama3.2', health_check_review: 'llama3.2', theme_analysis: 'deepseek-chat' },
      15 * 0.00348,
    ],
    [
      'premium',
      { coordinator: 'gpt-4o', health_check_review: 'gpt-4o', theme_analysis: 'gpt-4o' },
      100 * 0.00675 + 20 * 0.023 + 15 * 0.032,
    ],
  ] as const)('%s tier', (tier, picks, total) => {
    const estimate = estimateMonthly(tier, usage, inputs(), registryPrice);
    expect(estimate.picks).toEqual(picks);
    expect(estimate.total_usd).toBeCloseTo(total, 6);
    const byTask = Object.values(estimate.by_task).reduce((a, b) => a + b, 0);
    const byModel = Object.values(estimate.by_model).reduce((a, b) => a + b, 0);
    expect(byTask).toBeCloseTo(estimate.total_usd, 6);
    expect(byModel).toBeCloseTo(estimate.total_usd, 6);
  });

  it('prices a task at the tokens this writer’s own runs of it used, the typical passage only where none are known', () => {
    // Settings said a month would cost about nine times what the writer's runs cost: every run was priced at the
    // task's typical passage (8,000 tokens in for a theme analysis), whatever the writer actually sends.
    const all = inputs();
    const gpt = all.registry.find((m) => m.id === 'gpt-4o')!;
    const own = { theme_analysis: { input: 900, output: 300 } };
    const estimate = estimateMonthly('premium', usage, all, registryPrice, own);
    expect(estimate.by_task.theme_analysis).toBeCloseTo(15 * registryPrice(gpt, 900, 300), 6);
    expect(estimate.by_task.coordinator).toBeCloseTo(100 * 0.00675, 6);
    expect(estimate.total_usd).toBeCloseTo(100 * 0.00675 + 20 * 0.023 + 15 * registryPrice(gpt, 900, 300), 6);
  });

  it('a task whose own answers are unknown (its runs thought aloud) is priced at its own input and typical answer', () => {
    const all = inputs();
    const gpt = all.registry.find((m) => m.id === 'gpt-4o')!;
    const theme = all.tasks.get('theme_analysis')!;
    const estimate = estimateMonthly('premium', usage, all, registryPrice, { theme_analysis: { input: 900 } });
    expect(estimate.by_task.theme_analysis).toBeCloseTo(15 * registryPrice(gpt, 900, theme.typical_output_tokens), 6);
  });

  it('plans as if the budget were open (a plan, not a call)', () => {
    const tight = inputs({ orchestrator: { monthly_budget: 0, enabled: false } });
    expect(estimateMonthly('premium', usage, tight, registryPrice).picks.theme_analysis).toBe('gpt-4o');
  });

  it('zero runs cost nothing; an unknown task is invalid_input naming it', () => {
    expect(estimateMonthly('premium', { theme_analysis: 0 }, inputs(), registryPrice).total_usd).toBe(0);
    try {
      estimateMonthly('budget', { coordinator: 1, nope: 2 }, inputs(), registryPrice);
      expect.unreachable();
    } catch (error) {
      expect(isQuireError(error) && error.path).toBe('usage.nope');
    }
  });

  it('runs the month within a monthly budget as runs are decided: the tier steps down as it is spent, then stops', () => {
    // Settings showed Best at its open-budget month ($1.615 here) under a $1 budget, while every run is held to what
    // is left: the dearest picks step down as the budget runs low, and a task nothing free can do stops.
    const all = inputs({ orchestrator: { monthly_budget: 1 } });
    const open = estimateMonthly('premium', usage, inputs(), registryPrice);
    expect(open.within_budget).toBeUndefined();
    const month = estimateMonthly('premium', usage, all, registryPrice).within_budget!;
    expect(month.budget_usd).toBe(1);
    expect(month.total_usd).toBeLessThanOrEqual(1);
    expect(month.total_usd).toBeGreaterThan(0.95);
    // Best ran until its dearest runs no longer fitted; the rest went to cheaper tiers.
    expect(month.runs.premium).toBeGreaterThan(0);
    expect((month.runs.balanced ?? 0) + (month.runs.budget ?? 0) + (month.runs.local ?? 0)).toBeGreaterThan(0);
    const ran = Object.values(month.runs).reduce((a, b) => a + b, 0);
    expect(ran + month.stopped).toBeCloseTo(135, 6);
  });

  it('a budget that never binds leaves the month as estimated; $0 runs only free local models', () => {
    const roomy = estimateMonthly('premium', usage, inputs({ orchestrator: { monthly_budget: 1000 } }), registryPrice);
    expect(roomy.within_budget!.total_usd).toBeCloseTo(roomy.total_usd, 6);
    expect(roomy.within_budget!.runs).toEqual({ premium: 135 });
    expect(roomy.within_budget!.stopped).toBe(0);
    // Balanced's own picks of a free local model (simple tasks) are Balanced's runs, not a step down.
    const balanced = estimateMonthly(
      'balanced',
      usage,
      inputs({ orchestrator: { monthly_budget: 1000 } }),
      registryPrice,
    );
    expect(balanced.picks.coordinator).toBe('llama3.2');
    expect(balanced.within_budget!.runs).toEqual({ balanced: 135 });
    // Nothing can be spent: every run goes to a free local model (counted as such, whatever tier picked it)…
    const none = estimateMonthly('premium', usage, inputs({ orchestrator: { monthly_budget: 0 } }), registryPrice);
    expect(none.within_budget).toEqual({ budget_usd: 0, total_usd: 0, runs: { local: 135 }, stopped: 0 });
    // …and with none installed, nothing runs.
    const bare = inputs({ orchestrator: { monthly_budget: 0 }, availability: availability([]) });
    expect(estimateMonthly('premium', usage, bare, registryPrice).within_budget).toEqual({
      budget_usd: 0,
      total_usd: 0,
      runs: {},
      stopped: 135,
    });
  });
});
