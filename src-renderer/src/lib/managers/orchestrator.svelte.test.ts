import { describe, expect, it } from 'vitest';
import type { Capabilities, Estimate, QualityTier, Recommendations, SetupPlans, TierPlan } from '$contract';
import { FakeApi } from '../../../../test/renderer/fake-api';
import { model, runSummary, task } from '../../../../test/renderer/fixtures';
import { providerLabel } from '$contract/provider-table';
import { OrchestratorManager } from './orchestrator.svelte';

const NOW = Date.parse('2026-03-15T12:00:00.000Z');

const capabilities = (models = [model('gpt'), model('llama', { available: false })]): Capabilities => ({
  models,
  tasks: [task('coordinator', { display_name: 'Coordinator' }), task('line_edit')],
});

const estimate = (tier: QualityTier, total: number): Estimate => ({
  tier,
  total_usd: total,
  by_task: {},
  by_model: {},
  picks: {},
});

const recommendations = (taskId: string, modelId: string | null, overBudget = false): Recommendations => {
  const pick = { model_id: modelId, tier_used: null, estimate_usd: 0, reason: '', over_budget: overBudget };
  return { task: taskId, recommendations: { budget: pick, balanced: pick, premium: pick } };
};

const plan = (tier: QualityTier): TierPlan => ({
  tier,
  ready: false,
  needs: [{ kind: 'key', provider: 'deepseek', provider_name: 'DeepSeek', label: 'Add a DeepSeek key' }],
  total_usd: 2.5,
  picks: {
    coordinator: {
      model_id: 'deepseek-chat',
      estimate_usd: 0.002,
      ready: false,
      need: { kind: 'key', provider: 'deepseek', provider_name: 'DeepSeek', label: 'Add a DeepSeek key' },
      reason: 'Balanced: deepseek-chat gives the most quality per dollar',
      over_budget: false,
    },
    line_edit: {
      model_id: null,
      estimate_usd: 0,
      ready: false,
      need: null,
      reason: 'No model can',
      over_budget: false,
    },
  },
});
const plans = (): SetupPlans => ({
  tiers: { budget: plan('budget'), balanced: plan('balanced'), premium: plan('premium') },
  private: plan('budget'),
});

function setup() {
  const fake = new FakeApi();
  fake.answer('orchestrator:capabilities', capabilities());
  fake.answer('runs:list', { runs: [] });
  fake.answer('orchestrator:estimate', ({ tier }) => estimate(tier, tier === 'premium' ? 9 : 1));
  fake.answer('orchestrator:recommend', ({ task }) => recommendations(task, 'gpt'));
  fake.answer('orchestrator:plan', plans());
  return { fake, manager: new OrchestratorManager(fake, () => NOW) };
}

describe('OrchestratorManager', () => {
  it('loads models, tasks, an estimate per tier and the picks for every task', async () => {
    const { fake, manager } = setup();
    const loading = manager.load();
    expect(manager.loading).toBe(true);
    await loading;
    expect(manager.loading).toBe(false);
    expect(manager.availableCount).toBe(1);
    expect(manager.modelName('gpt')).toBe('Model gpt');
    expect(manager.modelName(null)).toBe('None available');
    // A model removed since (an imported file deleted, an endpoint taken out) is named as the writer knew it.
    expect(manager.modelName('local:story-fixture')).toBe('story-fixture (no longer on this Mac)');
    expect(manager.modelName('fake/atlas')).toBe('atlas from “fake” (no longer set up)');
    // A removed model a run kept the name of is named as the writer knew it; the registry's name wins while it has one.
    expect(manager.modelName('fake/llama3.1:8b', 'Night Editor')).toBe('Night Editor from “fake” (no longer set up)');
    expect(manager.modelName('gpt', 'Old name')).toBe(manager.modelName('gpt'));
    expect(manager.modelName('gpt-9')).toBe('gpt-9 (no longer set up)');
    expect(manager.placeOf('gpt')).toBe('OpenAI');
    expect(manager.placeOf('unknown')).toBe('');
    expect(manager.placeOf('gone', { provider: 'endpoint:atlas', local: false })).toBe('your endpoint “atlas”');
    expect(manager.placeOf('gone', { provider: 'local', local: true })).toBe('on this Mac');
    // A removed endpoint's model, as a tournament recorded it (its API's format for a provider): the endpoint by name.
    expect(manager.placeOf('atlas/gone', { provider: 'openai-compatible', local: false })).toBe(
      'your endpoint “atlas”',
    );
    expect(manager.placeOf('gone', { provider: 'openai-compatible', local: false })).toBe('');
    expect(manager.placeOf('gpt', { provider: 'openrouter', local: false })).toBe('OpenAI');
    expect(manager.taskName('coordinator')).toBe('Coordinator');
    expect(manager.taskName('unknown')).toBe('unknown');
    expect(manager.estimates.premium?.total_usd).toBe(9);
    expect(Object.keys(manager.estimates)).toEqual(['budget', 'balanced', 'premium']);
    expect(manager.recommendations.map((entry) => entry.task)).toEqual(['coordinator', 'line_edit']);
    expect(fake.inputsOf('orchestrator:recommend')).toEqual([{ task: 'coordinator' }, { task: 'line_edit' }]);
  });

  it('names a writer’s endpoint by the name it has now wherever the screens say where a call went', async () => {
    const { fake, manager } = setup();
    const atlas = model('ep1/atlas', {
      provider: 'openai-compatible',
      endpoint_id: 'ep1',
      endpoint_name: 'Ollama on my Mac',
    });
    fake.answer('orchestrator:capabilities', capabilities([model('gpt'), atlas]));
    await manager.load();
    // Spend's By provider table and the paused-provider notice name the endpoint from its id.
    expect(providerLabel('endpoint:ep1')).toBe('your endpoint “Ollama on my Mac”');
    fake.answer('orchestrator:capabilities', capabilities([model('gpt'), { ...atlas, endpoint_name: 'Studio' }]));
    await manager.loadCapabilities();
    expect(providerLabel('endpoint:ep1')).toBe('your endpoint “Studio”');
  });

  it('estimates from the writer’s last 30 days of runs, leaving out cancelled, old and unknown ones', async () => {
    const { fake, manager } = setup();
    const o3 = model('o3', { capabilities: { json_output: true, vision: false, streaming: true, reasoning: true } });
    fake.answer('orchestrator:capabilities', capabilities([model('gpt'), o3]));
    const recent = '2026-03-10T12:00:00.000Z';
    fake.answer('runs:list', {
      runs: [
        runSummary('1', { task: 'line_edit', created_at: recent, input_tokens: 800, output_tokens: 200 }),
        runSummary('2', { task: 'line_edit', created_at: recent, input_tokens: 1000, output_tokens: 300 }),
        // A model that thinks first: its output is its thinking and its answer, so only its input is measured.
        runSummary('6', {
          task: 'line_edit',
          model_id: 'o3',
          created_at: recent,
          input_tokens: 1200,
          output_tokens: 6000,
        }),
        runSummary('3', { task: 'line_edit', created_at: recent, status: 'cancelled' }),
        runSummary('4', { task: 'line_edit', created_at: '2026-01-01T00:00:00.000Z' }),
        runSummary('5', { task: 'gone', created_at: recent }),
      ],
    });
    await manager.load();
    // Priced at what those runs used, not at the task's typical passage (about nine times a writer's, in Settings).
    const tokens = { line_edit: { input: 1000, output: 250 } };
    expect(manager.profile).toEqual({ usage: { line_edit: 3 }, tokens, source: 'recent' });
    expect(fake.inputsOf('orchestrator:estimate')[0]).toEqual({ tier: 'budget', usage: { line_edit: 3 }, tokens });
    expect(fake.inputsOf('orchestrator:plan')[0]).toEqual({ usage: { line_edit: 3 }, tokens });
    expect(manager.basis).toBe(
      'Based on your last 30 days: 3 runs (3 × Task line_edit), each priced at what your own ' +
        'runs of its task used, not at the most a run may cost.',
    );
  });

  it('counts the whole 30 days of a writer whose month is more than one page of runs, and says how many runs', async () => {
    const { fake, manager } = setup();
    const at = (day: number) => new Date(NOW - day * 24 * 60 * 60 * 1000).toISOString();
    // 700 runs in 30 days (a writer of tournaments: each call is a run of its own), newest first, then older ones.
    const runs = [
      ...Array.from({ length: 700 }, (_, i) => runSummary(`r${i}`, { task: 'line_edit', created_at: at(i / 25) })),
      ...Array.from({ length: 300 }, (_, i) => runSummary(`o${i}`, { task: 'line_edit', created_at: at(31 + i) })),
    ];
    fake.answer('runs:list', (input) => {
      const before = input && 'before' in input ? input.before : undefined;
      const from = before === undefined ? 0 : runs.findIndex((run) => run.run_id === before) + 1;
      return { runs: runs.slice(from, from + 500) };
    });
    await manager.load();
    // One page of 500 was about 20 of the 30 days: the month was priced as two thirds of itself.
    expect(manager.profile?.usage).toEqual({ line_edit: 700 });
    expect(fake.inputsOf('runs:list')).toEqual([{ limit: 500 }, { limit: 500, before: 'r499' }]);
    expect(manager.basis).toMatch(/^Based on your last 30 days: 700 runs \(700 × Task line_edit\)/);
  });

  it('uses the sample month, limited to known tasks, when the writer has no runs yet', async () => {
    const { fake, manager } = setup();
    await manager.load();
    // A writer's month: the internal coordinator task is not part of it.
    expect(manager.profile).toEqual({ usage: { line_edit: 40 }, tokens: {}, source: 'sample' });
    expect(fake.inputsOf('orchestrator:plan')).toEqual([{ usage: { line_edit: 40 } }]);
    expect(manager.basis).toBe(
      'You have no runs yet, so estimates use a sample month (40 × Task line_edit), each run on a passage of its ' +
        'task’s typical length.',
    );
  });

  it('before setup, a task with no model today shows the pick the tier would use and what it needs', async () => {
    const { fake, manager } = setup();
    fake.answer('orchestrator:recommend', ({ task }) => recommendations(task, null));
    await manager.load();
    expect(manager.pickFor('coordinator', 'balanced')).toMatchObject({
      model_id: 'deepseek-chat',
      ready: false,
      need: { label: 'Add a DeepSeek key' },
    });
    // "None available" only when the plan itself has nothing.
    expect(manager.pickFor('line_edit', 'balanced')).toBeNull();
  });

  it('a task the budget left cannot pay for shows no pick, not the plan’s model that is ready and refused', async () => {
    // At a $0 budget every tier's column showed "DeepSeek V3.2 $0.0005" (the plan's pick, priced as if the budget were
    // open) while every run of it would be refused for the budget.
    const { fake, manager } = setup();
    fake.answer('orchestrator:recommend', ({ task }) => recommendations(task, null));
    const ready = plans();
    for (const tier of ['budget', 'balanced', 'premium'] as const) {
      ready.tiers[tier].picks.coordinator = { ...ready.tiers[tier].picks.coordinator!, ready: true, need: null };
    }
    fake.answer('orchestrator:plan', ready);
    await manager.load();
    expect(manager.pickFor('coordinator', 'balanced')).toBeNull();
  });

  it('names a cell the budget left refuses as such, and "None available" only where no model could do the task', async () => {
    // Issue 16: "None available" only when nothing in the registry could ever do the task; at a spent budget every
    // cell read it, as if no model existed.
    const { fake, manager } = setup();
    fake.answer('orchestrator:recommend', ({ task }) => recommendations(task, null, task === 'coordinator'));
    const ready = plans();
    for (const tier of ['budget', 'balanced', 'premium'] as const) {
      ready.tiers[tier].picks.coordinator = { ...ready.tiers[tier].picks.coordinator!, ready: true, need: null };
    }
    fake.answer('orchestrator:plan', ready);
    await manager.load();
    expect(manager.pickName('coordinator', 'balanced')).toBe('Not within your budget');
    expect(manager.pickName('line_edit', 'balanced')).toBe('None available');
    fake.answer('orchestrator:recommend', ({ task }) => recommendations(task, 'gpt'));
    await manager.load();
    expect(manager.pickName('line_edit', 'premium')).toBe(manager.modelName('gpt'));
  });

  it('a task whose plan the budget left would refuse once set up says the budget stops it, not a key to add', async () => {
    // At a $0 budget the per-task table showed "DeepSeek V3.2 (via OpenRouter) · Add an OpenRouter key · $0.0004":
    // once the key was added, every run of it would be refused.
    const { fake, manager } = setup();
    fake.answer('orchestrator:recommend', ({ task }) => recommendations(task, null));
    const stopped = plans();
    stopped.tiers.balanced.picks.coordinator = {
      model_id: null,
      estimate_usd: 0,
      ready: false,
      need: null,
      reason: 'Nothing affordable can do Coordinator: $0.00 is left of this month’s $0.00 budget.',
      over_budget: true,
    };
    fake.answer('orchestrator:plan', stopped);
    await manager.load();
    expect(manager.pickFor('coordinator', 'balanced')).toBeNull();
    expect(manager.pickName('coordinator', 'balanced')).toBe('Not within your budget');
    expect(manager.whyFor('coordinator', 'balanced')).toBe(
      'Nothing affordable can do Coordinator: $0.00 is left of this month’s $0.00 budget.',
    );
    // A plan pick the budget allows still stands in, with its own reason.
    expect(manager.whyFor('coordinator', 'premium')).toBe('Balanced: deepseek-chat gives the most quality per dollar');
  });

  it('a task that can run now shows the real pick, ready', async () => {
    const { manager } = setup();
    await manager.load();
    expect(manager.pickFor('coordinator', 'premium')).toMatchObject({ model_id: 'gpt', ready: true, need: null });
  });

  it('loads models and tasks alone for the screens that need no estimates', async () => {
    const { fake, manager } = setup();
    await manager.loadCapabilities();
    expect(manager.tasks.map((spec) => spec.id)).toEqual(['coordinator', 'line_edit']);
    expect(fake.countOf('orchestrator:estimate')).toBe(0);
    expect(manager.estimates).toEqual({});
  });

  it('refreshes only after a full load, keeping the usage profile', async () => {
    const { fake, manager } = setup();
    await expect(manager.refresh()).resolves.toBe(false);
    expect(fake.calls).toEqual([]);
    await manager.load();
    fake.answer('orchestrator:capabilities', capabilities([model('gpt'), model('llama')]));
    fake.answer('orchestrator:estimate', ({ tier }) => estimate(tier, 3));
    await manager.refresh();
    expect(manager.availableCount).toBe(2);
    expect(manager.estimates.premium?.total_usd).toBe(3);
    expect(manager.profile?.source).toBe('sample');
    expect(fake.countOf('runs:list')).toBe(1);
  });

  it('makes the plans once for the models ready now, again after a key or a download, never over an error', async () => {
    const { fake, manager } = setup();
    await manager.loadCapabilities();
    expect(manager.plans).toBeNull();
    await expect(manager.ensurePlans()).resolves.toBe(true);
    expect(manager.pickFor('coordinator', 'budget')).toMatchObject({ model_id: 'gpt', ready: true });
    expect(manager.plans?.tiers.balanced.picks.coordinator?.model_id).toBe('deepseek-chat');
    // The same models ready: the plans stand, however often the Workbench asks.
    await manager.loadCapabilities();
    await expect(manager.ensurePlans()).resolves.toBe(false);
    expect(fake.countOf('orchestrator:plan')).toBe(1);
    // A download (or a key) makes another model ready: the plans are made again.
    fake.answer('orchestrator:capabilities', capabilities([model('gpt'), model('llama')]));
    await manager.loadCapabilities();
    await expect(manager.ensurePlans()).resolves.toBe(true);
    expect(fake.countOf('orchestrator:plan')).toBe(2);
    // A failed load stays on screen with its Try again; it is not retried on its own.
    fake.fail('orchestrator:plan', 'internal', 'plan broke');
    fake.answer('orchestrator:capabilities', capabilities([model('gpt')]));
    await manager.loadCapabilities();
    await manager.ensurePlans();
    expect(manager.error).toMatchObject({ message: 'plan broke' });
    await expect(manager.ensurePlans()).resolves.toBe(false);
    expect(fake.countOf('orchestrator:plan')).toBe(3);
  });

  it('reports a failed load and keeps what it had', async () => {
    const { fake, manager } = setup();
    await manager.load();
    fake.fail('orchestrator:estimate', 'internal', 'estimate broke');
    await manager.refresh();
    expect(manager.error).toMatchObject({ message: 'estimate broke' });
    expect(manager.estimates.premium?.total_usd).toBe(9);
    fake.answer('orchestrator:estimate', ({ tier }) => estimate(tier, 4));
    await manager.refresh();
    expect(manager.error).toBeNull();
  });

  it('never shows estimates from an older refresh over a newer one', async () => {
    const { fake, manager } = setup();
    await manager.load();
    const estimates = fake.hold('orchestrator:estimate');
    const older = manager.refresh();
    const newer = manager.refresh();
    const olderCalls = [await estimates.next(), await estimates.next(), await estimates.next()];
    for (const call of [await estimates.next(), await estimates.next(), await estimates.next()]) {
      call.resolve(estimate(call.input.tier, 20));
    }
    await newer;
    for (const call of olderCalls) call.resolve(estimate(call.input.tier, 10));
    await older;
    expect(manager.estimates.budget?.total_usd).toBe(20);
  });

  it('reset() forgets everything', async () => {
    const { manager } = setup();
    await manager.load();
    manager.reset();
    expect(manager.capabilities).toBeNull();
    expect(manager.tasks).toEqual([]);
    expect(manager.profile).toBeNull();
  });

  it('what removing a key changes is worked out for the month the tier cards price, budget and all', async () => {
    // The removal dialog judged the tiers with the budget aside: it said "Best does not use it" while Best's runs
    // step down onto the key's model under a $1 budget.
    const { fake, manager } = setup();
    let asked: unknown = null;
    fake.answer('orchestrator:key_impact', (input) => {
      asked = input;
      return {
        provider: 'deepseek',
        budget_usd: 1,
        tiers: {
          budget: [],
          balanced: [],
          premium: [{ task: 'coordinator', model_id: 'gpt', moves_to: null, step_down: true }],
        },
      };
    });
    await manager.load();
    const text = await manager.withoutKey('deepseek', 'premium', 'DeepSeek');
    expect(asked).toEqual({ provider: 'deepseek', usage: manager.profile!.usage });
    expect(text).toBe(
      'Best, your tier, steps down to Model gpt for Coordinator as your $1.00 budget runs low: without this key, it ' +
        'waits for next month.',
    );
    // The key's models, for the packs that map tasks to them.
    expect(manager.modelIdsOf('openai')).toEqual(['gpt', 'llama']);
    expect(manager.modelIdsOf('deepseek')).toEqual([]);
  });
});
