import { describe, expect, it } from 'vitest';
import { availability, inputs, model, registryPrice } from '../../test/support/decision-fixtures';
import type { ModelSpec } from '../../src-preload/contract';
import { budgetedMonth } from './budget-month';
import { decide } from './decide';
import { keyDependents } from './key-impact';

describe('keyDependents', () => {
  it('lists, per tier, the tasks that run on the provider’s models and where each goes without its key', () => {
    // Removing a key said only "tasks go to your other models, or cannot run": the writer could not tell which.
    const all = inputs();
    const impact = keyDependents('deepseek', all);
    expect(impact.provider).toBe('deepseek');
    // The Lowest cost tier reads themes with DeepSeek; without it, GPT-4o is the one cloud model left that does.
    expect(impact.tiers.budget).toEqual([
      { task: 'theme_analysis', model_id: 'deepseek-chat', moves_to: 'gpt-4o', step_down: false },
    ]);
    // Best never picks DeepSeek here: nothing of it depends on the key.
    expect(impact.tiers.premium).toEqual([]);
    // The picks are the tier cards' own: decide's, with the orchestrator on.
    for (const tier of ['budget', 'balanced'] as const) {
      for (const row of impact.tiers[tier]) {
        expect(decide({ task: row.task, tier }, all).model_id).toBe(row.model_id);
      }
    }
  });

  it('a task no other model can do is said to have none; a spent budget does not hide what uses the key', () => {
    const onlyDeepSeek = inputs({
      availability: availability([], ['deepseek']),
      orchestrator: { monthly_budget: 0 },
      spend: { month: '2026-11', spent_usd: 3, reserved_usd: 0 },
    });
    const impact = keyDependents('deepseek', onlyDeepSeek);
    expect(impact.tiers.premium.find((row) => row.task === 'theme_analysis')).toEqual({
      task: 'theme_analysis',
      model_id: 'deepseek-chat',
      moves_to: null,
      step_down: false,
    });
    // A task that never leaves the machine never depends on a key.
    expect(impact.tiers.premium.some((row) => row.task === 'private_notes_review')).toBe(false);
  });

  it('under a small budget, a tier whose runs step down onto the provider’s model is said to use it', () => {
    // Under a $1 budget the dialog said "Best does not use it": Best's own pick is GPT-4o, but once the budget runs
    // low its theme runs step down to DeepSeek, as the tier card's month says.
    const usage = { coordinator: 100, health_check_review: 20, theme_analysis: 15 };
    const runUsd = (spec: ModelSpec, task: string) => {
      const t = all.tasks.get(task)!;
      return registryPrice(spec, t.typical_input_tokens, t.typical_output_tokens);
    };
    const all = inputs({ orchestrator: { monthly_budget: 0.05 } });
    const open = keyDependents('deepseek', inputs());
    expect(open.tiers.premium).toEqual([]);
    const impact = keyDependents('deepseek', all, { usage, runUsd });
    expect(impact.budget_usd).toBe(0.05);
    const theme = impact.tiers.premium.find((row) => row.task === 'theme_analysis');
    expect(theme).toMatchObject({ model_id: 'deepseek-chat', step_down: true });
    // The same month's runs as the tier card's: some of Best's theme runs land on DeepSeek.
    const seen: string[] = [];
    budgetedMonth('premium', usage, all, 0.05, runUsd, (task, model) => task === 'theme_analysis' && seen.push(model));
    expect(seen).toContain('deepseek-chat');
    // The tier's own picks of the key's model are not step-downs; a budget that never binds adds none.
    expect(impact.tiers.budget.every((row) => !row.step_down)).toBe(true);
    const roomy = keyDependents('deepseek', inputs({ orchestrator: { monthly_budget: 1000 } }), { usage, runUsd });
    expect(roomy.tiers.premium).toEqual([]);
  });

  it('an endpoint is said by its tasks too: "endpoint:<id>" matches that endpoint’s models only', () => {
    const registry = [
      ...inputs().registry,
      model('atlas/llama', {
        display_name: 'Night Editor',
        provider: 'openai-compatible',
        endpoint_id: 'atlas',
        quality: 10,
        price: [0, 0],
        strengths: ['thematic_analysis', 'semantic_reasoning', 'creative_generation'],
      }),
    ];
    const impact = keyDependents('endpoint:atlas', inputs({ registry }));
    expect(impact.tiers.balanced.find((row) => row.task === 'theme_analysis')).toMatchObject({
      model_id: 'atlas/llama',
      moves_to: 'deepseek-chat',
    });
    // The built-in OpenAI key is another thing: none of its rows is the endpoint's.
    expect(keyDependents('openai', inputs({ registry })).tiers.balanced.some((r) => r.model_id === 'atlas/llama')).toBe(
      false,
    );
  });
});
