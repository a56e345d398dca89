import { describe, expect, it } from 'vitest';
import { availability, inputs } from '../../test/support/decision-fixtures';
import { decide } from './decide';
import { keyDependents } from './key-impact';

describe('keyDependents', () => {
  it('lists, per tier, the tasks that run on the provider’s models and where each goes without its key', () => {
    // Removing a key said only "tasks go to your other models, or cannot run": the writer could not tell which.
    const all = inputs();
    const impact = keyDependents('deepseek', all);
    expect(impact.provider).toBe('deepseek');
    // The Lowest cost tier reads themes with DeepSeek; without it, GPT-4o is the one cloud model left that does.
    expect(impact.tiers.budget).toEqual([{ task: 'theme_analysis', model_id: 'deepseek-chat', moves_to: 'gpt-4o' }]);
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
    });
    // A task that never leaves the machine never depends on a key.
    expect(impact.tiers.premium.some((row) => row.task === 'private_notes_review')).toBe(false);
  });
});
