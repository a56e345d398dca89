import { describe, expect, it } from 'vitest';
import { isQuireError } from '../errors';
import { estimateMonthly } from './estimate';
import { asIfAvailable, MAX_SETUP_ITEMS, planSetup, type SetupItem } from './setup-plan';
import { availability, inputs, model, registryPrice, task, taskTable } from '../../test/support/decision-fixtures';

const usage = { coordinator: 100, health_check_review: 20, theme_analysis: 15 };
const everyKey: SetupItem[] = ['openai', 'anthropic', 'deepseek', 'qwen'].map((provider) => ({
  kind: 'key',
  provider,
}));
const everyDownload: SetupItem[] = ['mistral-7b-gguf', 'llama3.2-gguf'].map((catalog_id) => ({
  kind: 'download',
  catalog_id,
}));
const nothingSetUp = inputs({ availability: availability([], []) });

describe('planSetup: what a tier would use before anything is set up', () => {
  it('with nothing set up, every tier names a model for every task and what it needs (never "none available")', () => {
    for (const tier of ['budget', 'balanced', 'premium'] as const) {
      const plan = planSetup(tier, usage, nothingSetUp, [...everyKey, ...everyDownload], registryPrice);
      expect(plan.items.length).toBeGreaterThan(0);
      expect(plan.items.length).toBeLessThanOrEqual(MAX_SETUP_ITEMS);
      for (const [id, pick] of Object.entries(plan.tasks)) {
        expect(pick.model_id, id).not.toBeNull();
        expect(pick.ready, id).toBe(false);
        expect(pick.needs, id).not.toBeNull();
      }
    }
  });

  it('the premium plan asks for the key of the premium pick and prices the month as if it were added', () => {
    const plan = planSetup('premium', usage, nothingSetUp, [...everyKey, ...everyDownload], registryPrice);
    expect(plan.tasks.theme_analysis).toMatchObject({ model_id: 'gpt-4o', needs: { kind: 'key', provider: 'openai' } });
    expect(plan.items[0]).toEqual({ kind: 'key', provider: 'openai' });
    const asIfSetUp = inputs({ availability: asIfAvailable(nothingSetUp.availability, plan.items) });
    expect(plan.total_usd).toBeCloseTo(estimateMonthly('premium', usage, asIfSetUp, registryPrice).total_usd, 6);
    expect(plan.total_usd).toBeGreaterThan(0);
  });

  it('prices the month at the tokens the writer’s own runs used, as the estimate does', () => {
    const own = { theme_analysis: { input: 900, output: 300 } };
    const plan = planSetup('premium', usage, nothingSetUp, everyKey, registryPrice, own);
    const typical = planSetup('premium', usage, nothingSetUp, everyKey, registryPrice);
    const asIfSetUp = inputs({ availability: asIfAvailable(nothingSetUp.availability, plan.items) });
    expect(plan.total_usd).toBeCloseTo(estimateMonthly('premium', usage, asIfSetUp, registryPrice, own).total_usd, 6);
    expect(plan.total_usd).toBeLessThan(typical.total_usd);
  });

  it('the budget plan asks for one free download, not a key, and costs nothing', () => {
    const plan = planSetup('budget', usage, nothingSetUp, [...everyKey, ...everyDownload], registryPrice);
    expect(plan.items).toHaveLength(1);
    expect(plan.items[0]?.kind).toBe('download');
    expect(plan.tasks.coordinator).toMatchObject({ needs: plan.items[0], ready: false });
    expect(plan.total_usd).toBe(0);
  });

  it('candidates earlier in the list win ties (the service lists smaller downloads first)', () => {
    const [mistral, llama] = everyDownload as [SetupItem, SetupItem];
    const plan = planSetup('budget', usage, nothingSetUp, [llama, mistral], registryPrice);
    expect(plan.items).toEqual([llama]);
  });

  it('when everything is already set up the plan asks for nothing and equals the monthly estimate', () => {
    const ready = inputs({ availability: availability(['mistral-7b', 'llama3.2'], 'all') });
    for (const tier of ['budget', 'balanced', 'premium'] as const) {
      const plan = planSetup(tier, usage, ready, [], registryPrice);
      expect(plan.items).toEqual([]);
      expect(Object.values(plan.tasks).every((p) => p.ready && p.needs === null)).toBe(true);
      expect(plan.total_usd).toBeCloseTo(estimateMonthly(tier, usage, ready, registryPrice).total_usd, 6);
    }
  });

  it('a tier that can already run every task of the month asks for nothing more', () => {
    const oneKey = inputs({ availability: availability([], ['deepseek', 'openai']) });
    const plan = planSetup('premium', usage, oneKey, [...everyKey, ...everyDownload], registryPrice);
    expect(plan.items).toEqual([]);
    expect(plan.tasks.theme_analysis?.ready).toBe(true);
  });

  it('a cloud tier on local models alone still names the key that lifts it; the lowest cost tier asks for nothing', () => {
    // A local model runs every task, and no key is set: "Best" read "Ready to use now" on a small local model.
    const localOnly = inputs({ availability: availability(['llama3.2'], []) });
    const premium = planSetup('premium', usage, localOnly, [...everyKey, ...everyDownload], registryPrice);
    expect(premium.items[0]).toEqual({ kind: 'key', provider: 'openai' });
    expect(premium.tasks.theme_analysis).toMatchObject({ model_id: 'gpt-4o', ready: false });
    expect(premium.total_usd).toBeGreaterThan(0);
    const budget = planSetup('budget', usage, localOnly, [...everyKey, ...everyDownload], registryPrice);
    expect(budget.items).toEqual([]);
    expect(budget.total_usd).toBe(0);
  });

  it('free and private (nothing leaves the machine) asks only for a download and costs nothing', () => {
    const local = inputs({ availability: availability([], []), orchestrator: { force_local: true } });
    const plan = planSetup('budget', usage, local, everyDownload, registryPrice);
    expect(plan.items.every((i) => i.kind === 'download')).toBe(true);
    expect(plan.items).toHaveLength(1);
    expect(plan.total_usd).toBe(0);
    expect(Object.values(plan.tasks).every((p) => p.model_id !== null)).toBe(true);
    // Beside "Download …", a pick's reason never calls the model installed (it read "the best installed local model").
    for (const pick of Object.values(plan.tasks)) expect(pick.reason).not.toMatch(/installed/);
  });

  it('"None available" only when nothing in the registry could ever do the task', () => {
    const odd = inputs({
      registry: [model('only-reasoning', { strengths: ['semantic_reasoning'] })],
      tasks: taskTable([task('coordinator', 'semantic_reasoning'), task('pacing', 'structure_pacing')]),
      availability: availability([], []),
    });
    const plan = planSetup('balanced', { coordinator: 10 }, odd, [{ kind: 'key', provider: 'openai' }], registryPrice);
    expect(plan.tasks.coordinator?.model_id).toBe('only-reasoning');
    expect(plan.tasks.pacing?.model_id).toBeNull();
  });

  it('an unknown task in the usage is refused by name', () => {
    try {
      planSetup('budget', { nope: 1 }, nothingSetUp, everyKey, registryPrice);
      expect.unreachable();
    } catch (error) {
      expect(isQuireError(error) && error.path).toBe('usage.nope');
    }
  });

  it('under a monthly budget a task’s pick is what the budget would allow once set up, or none it would allow', () => {
    // At a $0 budget the per-task table showed Balanced's pick as a cloud model needing another key ("Add an
    // OpenRouter key"), priced as if the budget were open: once set up, every run of it would be refused.
    const zero = inputs({ availability: availability([], ['deepseek']), orchestrator: { monthly_budget: 0 } });
    const open = planSetup('balanced', usage, { ...zero, settings: { ...zero.settings, monthly_budget: null } }, [
      ...everyKey,
      ...everyDownload,
    ]);
    expect(open.tasks.coordinator?.estimate_usd).toBeGreaterThan(0);
    const plan = planSetup('balanced', usage, zero, [...everyKey, ...everyDownload], registryPrice);
    // A free local download does the simple task within $0…
    expect(plan.tasks.coordinator).toMatchObject({
      model_id: 'llama3.2',
      estimate_usd: 0,
      ready: false,
      needs: { kind: 'download', catalog_id: 'llama3.2-gguf' },
      over_budget: false,
    });
    // …as a local model stands in for themes, where the budget allows no cloud model (decide's own step down)…
    expect(plan.tasks.theme_analysis).toMatchObject({ model_id: 'mistral-7b', estimate_usd: 0, over_budget: false });
    // …and with no download to offer, nothing the budget allows: no pick, and the refusal says why and what to do.
    const keysOnly = planSetup('balanced', usage, zero, everyKey, registryPrice);
    expect(keysOnly.tasks.theme_analysis).toMatchObject({ model_id: null, needs: null, over_budget: true });
    expect(keysOnly.tasks.theme_analysis?.reason).toMatch(/budget/);
    // The plan's month (its needs and total) stays the open plan's: the tier card says the budget beside it.
    expect(plan.items).toEqual(open.items);
    // A budget that never binds changes no pick.
    const roomy = planSetup(
      'balanced',
      usage,
      inputs({ availability: availability([], ['deepseek']), orchestrator: { monthly_budget: 1000 } }),
      [...everyKey, ...everyDownload],
      registryPrice,
    );
    const openRoomy = planSetup(
      'balanced',
      usage,
      inputs({ availability: availability([], ['deepseek']) }),
      [...everyKey, ...everyDownload],
      registryPrice,
    );
    for (const [task, pick] of Object.entries(roomy.tasks))
      expect(pick.model_id, task).toBe(openRoomy.tasks[task]?.model_id);
  });
});
