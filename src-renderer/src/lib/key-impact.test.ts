import { describe, expect, it } from 'vitest';
import type { KeyDependent, KeyImpact } from '$contract/orchestrator';
import { keyImpactText } from './key-impact';

const MODELS: Record<string, string> = {
  'deepseek-chat': 'DeepSeek V3.2',
  'deepseek-reasoner': 'DeepSeek Reasoner',
  'claude-haiku-4-5': 'Claude Haiku 4.5',
  'gemma-3-4b': 'Gemma 3 4B Instruct',
};
const names = { model: (id: string) => MODELS[id] ?? id, task: (id: string) => id.replace('_', ' ') };
const on = (model_id: string, moves_to: string | null, tasks: string[], step_down = false): KeyDependent[] =>
  tasks.map((task) => ({ task, model_id, moves_to, step_down }));
const impact = (tiers: Partial<KeyImpact['tiers']>, budget_usd: number | null = null): KeyImpact => ({
  provider: 'deepseek',
  budget_usd,
  tiers: { budget: [], balanced: [], premium: [], ...tiers },
});

describe('keyImpactText', () => {
  it('names the writer’s tier first: what it uses the key for, where those tasks go, and which cannot run', () => {
    // The removal dialog said only "tasks go to your other models, or cannot run where none of them can do the task".
    const text = keyImpactText(
      impact({
        balanced: [
          ...on('deepseek-chat', 'claude-haiku-4-5', ['a', 'b', 'c', 'd', 'e', 'f', 'g']),
          ...on('deepseek-chat', null, ['theme_analysis', 'beat_structure']),
        ],
        budget: on('deepseek-chat', 'claude-haiku-4-5', ['a', 'b']),
      }),
      'balanced',
      names,
      'DeepSeek',
    );
    expect(text).toBe(
      'Balanced, your tier, uses DeepSeek V3.2 for 9 tasks: without this key, 7 move to Claude Haiku 4.5 and 2 ' +
        'cannot run (theme analysis, beat structure). Lowest cost uses it for 2 tasks too.',
    );
  });

  it('one task is named; several destinations are each said; another tier’s tasks that cannot run are counted', () => {
    expect(
      keyImpactText(
        impact({ premium: on('deepseek-chat', 'gemma-3-4b', ['line_edit']) }),
        'premium',
        names,
        'DeepSeek',
      ),
    ).toBe('Best, your tier, uses DeepSeek V3.2 for line edit: without this key, it moves to Gemma 3 4B Instruct.');
    expect(
      keyImpactText(
        impact({
          budget: [
            ...on('deepseek-chat', 'claude-haiku-4-5', ['a', 'b']),
            ...on('deepseek-reasoner', 'gemma-3-4b', ['c']),
          ],
          premium: on('deepseek-reasoner', null, ['a', 'b', 'c']),
        }),
        'budget',
        names,
        'DeepSeek',
      ),
    ).toBe(
      'Lowest cost, your tier, uses DeepSeek V3.2 and DeepSeek Reasoner for 3 tasks: without this key, 2 move to ' +
        'Claude Haiku 4.5 and 1 to Gemma 3 4B Instruct. Best uses it for 3 tasks too (none of them can run without it).',
    );
  });

  it('says when the writer’s tier does not use the key, and when no tier does', () => {
    expect(
      keyImpactText(impact({ premium: on('deepseek-chat', null, ['a', 'b']) }), 'balanced', names, 'DeepSeek'),
    ).toBe('Balanced, your tier, does not use it. Best uses it for 2 tasks (none of them can run without it).');
    expect(keyImpactText(impact({}), 'balanced', names, 'DeepSeek')).toBe(
      'No tier picks a DeepSeek model now: no task changes.',
    );
  });

  it('says which tiers’ runs the budget steps down onto the key, and where they go without it', () => {
    // Under a $1 budget the dialog said "Best, your tier, does not use it", while Best's runs step down onto DeepSeek.
    expect(
      keyImpactText(
        impact(
          {
            premium: [
              ...on('deepseek-chat', 'claude-haiku-4-5', ['a', 'b'], true),
              ...on('deepseek-chat', null, ['theme_analysis'], true),
            ],
            budget: on('deepseek-chat', 'gemma-3-4b', ['a'], true),
          },
          1,
        ),
        'premium',
        names,
        'DeepSeek',
      ),
    ).toBe(
      'Best, your tier, steps down to DeepSeek V3.2 for 3 tasks as your $1.00 budget runs low: without this key, 2 ' +
        'step down to Claude Haiku 4.5 and 1 waits for next month (theme analysis). Lowest cost steps down to it for ' +
        '1 task too.',
    );
    // A tier that picks the key's model for some tasks and steps down onto it for others says both.
    expect(
      keyImpactText(
        impact(
          {
            balanced: [
              ...on('deepseek-chat', 'claude-haiku-4-5', ['line_edit']),
              ...on('deepseek-chat', null, ['a', 'b'], true),
            ],
          },
          0.5,
        ),
        'balanced',
        names,
        'DeepSeek',
      ),
    ).toBe(
      'Balanced, your tier, uses DeepSeek V3.2 for line edit: without this key, it moves to Claude Haiku 4.5. As ' +
        'your $0.50 budget runs low, it steps down to it for 2 more tasks: without this key, they wait for next month.',
    );
  });

  it('an endpoint is said as one', () => {
    expect(
      keyImpactText(
        impact({ balanced: on('atlas/llama', 'deepseek-chat', ['line_edit']) }),
        'balanced',
        { ...names, model: (id) => (id === 'atlas/llama' ? 'Night Editor' : names.model(id)) },
        'your endpoint “atlas”',
        'endpoint',
      ),
    ).toBe('Balanced, your tier, uses Night Editor for line edit: without this endpoint, it moves to DeepSeek V3.2.');
  });
});
