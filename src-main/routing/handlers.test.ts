import { describe, expect, it } from 'vitest';
import { envAvailability } from '../providers/env-availability';
import { useTestApp } from '../../test/support/test-app';

const testApp = useTestApp();

/** Seed 000's set-up: the two seed local models downloaded, a DeepSeek key in the environment. */
async function seedHost() {
  const env = { DEEPSEEK_API_KEY: 'sk-test-not-real' };
  const installed = new Set(['llama-3.2-3b-instruct-q4_k_m', 'mistral-7b-instruct-v0.3-q4_k_m']);
  return testApp.host({
    env,
    availability: { cloudReady: envAvailability(env).cloudReady, localInstalled: (id) => installed.has(id) },
  });
}

describe('orchestrator channels over the HTTP host', () => {
  it('orchestrator:recommend holds the seed worked examples (budget tier)', async () => {
    const { call } = await seedHost();
    const health = await call('orchestrator:recommend', { task: 'health_check_review' });
    expect(health.body.ok).toBe(true);
    expect(health.body.value.recommendations.budget.model_id).toBe('llama3.2');
    const theme = await call('orchestrator:recommend', { task: 'theme_analysis' });
    expect(theme.body.value.recommendations.budget.model_id).toBe('deepseek-chat');
    expect(theme.body.value.recommendations.budget.reason).toMatch(/cheapest cloud model/);
    for (const tier of ['budget', 'balanced', 'premium'])
      expect(theme.body.value.recommendations[tier].model_id).toBeTruthy();
  });

  it('orchestrator:recommend says when the budget left, not the models, is why a tier has no pick', async () => {
    // A DeepSeek key and no local model: every pick is a cloud one.
    const env = { DEEPSEEK_API_KEY: 'sk-test-not-real' };
    const { call, app } = await testApp.host({
      env,
      availability: { cloudReady: envAvailability(env).cloudReady, localInstalled: () => false },
    });
    const theme = async () => (await call('orchestrator:recommend', { task: 'theme_analysis' })).body.value;
    expect((await theme()).recommendations.premium).toMatchObject({ model_id: 'deepseek-chat', over_budget: false });
    // At $0 the budget refuses it: the models are there, the money is not.
    app.services.settings.set({ orchestrator: { monthly_budget: 0 } });
    expect((await theme()).recommendations.premium).toMatchObject({ model_id: null, over_budget: true });
  });

  it('orchestrator:decide explains itself', async () => {
    const { call, app } = await seedHost();
    app.services.settings.set({ orchestrator: { enabled: true, quality_tier: 'premium' } });
    const { body } = await call('orchestrator:decide', { task: 'theme_analysis', input_tokens: 5000 });
    expect(body.ok).toBe(true);
    expect(body.value).toMatchObject({
      mode: 'orchestrator',
      tier_requested: 'premium',
      input_tokens: 5000,
      refusal: null,
    });
    expect(body.value.model_id).toMatch(/^deepseek-/);
    const gpt = body.value.candidates.find((c: { model_id: string }) => c.model_id === 'gpt-5.5');
    expect(gpt.reasons).toContain('no_key');
    expect(body.value.fallback_chain.at(-1)).toBe('mistral-7b');
    const local = await call('orchestrator:decide', { task: 'theme_analysis', local_only: true, complexity: 2 });
    expect(local.body.value.local_only).toBe(true);
    expect(local.body.value.model_id).toBe('llama3.2');
  });

  it('orchestrator:capabilities lists the registry with availability and price sources', async () => {
    const { call } = await seedHost();
    const { body } = await call('orchestrator:capabilities');
    const byId = new Map(body.value.models.map((m: { id: string }) => [m.id, m]));
    expect(byId.get('llama3.2')).toMatchObject({ available: true, unavailable_reason: null, provider: 'local' });
    expect(byId.get('phi-3.5-mini')).toMatchObject({ available: false, unavailable_reason: 'not_downloaded' });
    expect(byId.get('gpt-4o')).toMatchObject({
      available: false,
      unavailable_reason: 'no_key',
      quality: expect.any(Number),
    });
    expect((byId.get('gpt-4o') as any).effective_pricing.source).toBe('genai-prices');
    expect((byId.get('qwen-plus') as any).effective_pricing.source).toBe('registry');
    expect(body.value.tasks).toHaveLength(15);
  });

  it("orchestrator:estimate prices the seed's sample profile", async () => {
    const { call } = await seedHost();
    const usage = { coordinator: 100, health_check_review: 20, theme_analysis: 15 };
    const budget = await call('orchestrator:estimate', { tier: 'budget', usage });
    expect(budget.body.value.picks).toEqual({
      coordinator: 'llama3.2',
      health_check_review: 'llama3.2',
      theme_analysis: 'deepseek-chat',
    });
    expect(budget.body.value.by_task.coordinator).toBe(0);
    expect(budget.body.value.by_task.theme_analysis).toBeGreaterThan(0);
    expect(budget.body.value.by_task.theme_analysis).toBeLessThan(0.1);
    expect(budget.body.value.total_usd).toBeCloseTo(budget.body.value.by_task.theme_analysis, 6);
    expect(Object.keys(budget.body.value.by_model).sort()).toEqual(['deepseek-chat', 'llama3.2']);
  });

  it.each([
    ['orchestrator:decide', { task: 'no_such_task' }, 'task'],
    ['orchestrator:recommend', { task: 'no_such_task' }, 'task'],
    ['orchestrator:estimate', { tier: 'ultra', usage: {} }, 'tier'],
    ['orchestrator:estimate', { tier: 'budget', usage: { coordinator: -1 } }, 'usage.coordinator'],
    ['orchestrator:estimate', { tier: 'budget', usage: { no_such_task: 3 } }, 'usage.no_such_task'],
    ['orchestrator:decide', { task: 'coordinator', input_tokens: -5 }, 'input_tokens'],
    ['orchestrator:decide', { task: 'coordinator', tier: 'gold' }, 'tier'],
  ])('%s %j → invalid_input', async (channel, payload, path) => {
    const { call } = await seedHost();
    const { body } = await call(channel, payload);
    expect(body.ok).toBe(false);
    expect(body.error).toMatchObject({ code: 'invalid_input', path });
  });
});

describe('packs channels over the HTTP host', () => {
  it('list, save, get, activate and delete', async () => {
    const { call } = await seedHost();
    const list = await call('packs:list');
    expect(list.body.value.active).toBe('mixed');
    expect(list.body.value.packs).toHaveLength(6);
    const saved = await call('packs:save', { name: 'my-pack', copy_from: 'local-only', display_name: 'Mine' });
    expect(saved.body.value).toMatchObject({ name: 'my-pack', builtin: false, display_name: 'Mine' });
    expect((await call('packs:get', { name: 'my-pack' })).body.value.tasks.coordinator).toBe('llama3.2');
    expect((await call('packs:activate', { name: 'my-pack' })).body.value.active).toBe('my-pack');
    // Packs decide only with automatic selection off (it is on by default).
    await call('settings:set', { orchestrator: { enabled: false } });
    const decision = await call('orchestrator:decide', { task: 'coordinator' });
    expect(decision.body.value).toMatchObject({ mode: 'pack', pack: 'Mine', model_id: 'llama3.2' });
    expect((await call('packs:delete', { name: 'my-pack' })).body.value.active).toBe('mixed');
    expect((await call('packs:get', { name: 'my-pack' })).body.error.code).toBe('not_found');
    expect((await call('packs:delete', { name: 'mixed' })).body.error.code).toBe('conflict');
    expect((await call('packs:save', { name: 'Bad Name!' })).body.error).toMatchObject({
      code: 'invalid_input',
      path: 'name',
    });
  });
});
