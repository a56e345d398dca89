import { describe, expect, it } from 'vitest';
import type { SetupPlans, TierPlan } from '../../src-preload/contract';
import { useTestApp } from '../../test/support/test-app';

const testApp = useTestApp();

/** A writer's month (no internal tasks). */
const usage = { line_edit: 40, chapter_summary: 20, continuity_check: 10, scene_draft: 8, theme_analysis: 5 };
const GB = 1e9;

async function freshHost(totalMemoryBytes = 16 * GB, env: NodeJS.ProcessEnv = {}) {
  return testApp.host({ env, local: { runtime: { totalMemoryBytes } } });
}

function writerTasks(plan: TierPlan): string[] {
  return Object.keys(plan.picks).filter((task) => task !== 'coordinator' && task !== 'health_check_review');
}

describe('orchestrator:plan: what each tier would use before anything is set up', () => {
  it('on a fresh machine every tier names a model for every task and what it needs, priced as if set up', async () => {
    const { call } = await freshHost();
    const { body } = await call('orchestrator:plan', { usage });
    expect(body.ok).toBe(true);
    const plans = body.value as SetupPlans;
    for (const tier of ['budget', 'balanced', 'premium'] as const) {
      const plan = plans.tiers[tier];
      expect(plan.ready).toBe(false);
      expect(plan.needs.length).toBeGreaterThan(0);
      for (const task of writerTasks(plan)) {
        const pick = plan.picks[task]!;
        expect(pick.model_id, `${tier} ${task}`).not.toBeNull();
        expect(pick.need?.label, `${tier} ${task}`).toMatch(
          /^(Add an? .+ key|Download .+ — \d+\.\d GB, (fits|a tight fit))$/,
        );
      }
    }
    expect(plans.tiers.premium.total_usd).toBeGreaterThan(plans.tiers.balanced.total_usd);
    expect(plans.tiers.balanced.needs.some((need) => need.kind === 'key')).toBe(true);
    // Free and private: one download that fits, nothing to pay.
    expect(plans.private.needs).toHaveLength(1);
    expect(plans.private.needs[0]).toMatchObject({ kind: 'download', fit: 'fits' });
    expect(plans.private.total_usd).toBe(0);
  });

  it('never suggests a download that will not fit this machine', async () => {
    const { call } = await freshHost(2 * GB);
    const plans = (await call('orchestrator:plan', { usage })).body.value as SetupPlans;
    const downloads = [plans.private, ...Object.values(plans.tiers)].flatMap((plan) =>
      plan.needs.filter((need) => need.kind === 'download'),
    );
    for (const need of downloads) expect(need.kind === 'download' && need.fit).not.toBe('wont_fit');
  });

  it('once the key is there the tier is ready and its picks are the real decisions', async () => {
    const { call } = await freshHost(16 * GB, {
      OPENAI_API_KEY: 'sk-test-not-real-0000',
      ANTHROPIC_API_KEY: 'sk-ant-test-not-real',
      DEEPSEEK_API_KEY: 'sk-test-not-real-1111',
    });
    const plans = (await call('orchestrator:plan', { usage: { line_edit: 10 } })).body.value as SetupPlans;
    const premium = plans.tiers.premium;
    expect(premium.picks.line_edit?.ready).toBe(true);
    const decided = await call('orchestrator:decide', { task: 'line_edit', tier: 'premium' });
    expect(premium.picks.line_edit?.model_id).toBe(decided.body.value.model_id);
  });

  it('refuses an unknown task by name', async () => {
    const { call } = await freshHost();
    const { body } = await call('orchestrator:plan', { usage: { nope: 1 } });
    expect(body.ok).toBe(false);
    expect(body.error.code).toBe('invalid_input');
    expect(body.error.message).toContain('nope');
  });

  it('prices the month at the writer’s own runs’ tokens when the renderer sends them, over the wire', async () => {
    const { call } = await freshHost();
    const short = Object.fromEntries(Object.keys(usage).map((task) => [task, { input: 700, output: 200 }]));
    const typical = (await call('orchestrator:plan', { usage })).body.value as SetupPlans;
    const own = (await call('orchestrator:plan', { usage, tokens: short })).body.value as SetupPlans;
    expect(own.tiers.premium.total_usd).toBeGreaterThan(0);
    expect(own.tiers.premium.total_usd).toBeLessThan(typical.tiers.premium.total_usd);
    const estimate = await call('orchestrator:estimate', { tier: 'premium', usage, tokens: short });
    expect(estimate.body.ok).toBe(true);
    // Input alone: the task's answers were measured on no run whose output was the answer alone.
    const inputOnly = await call('orchestrator:estimate', {
      tier: 'premium',
      usage,
      tokens: { line_edit: { input: 700 } },
    });
    expect(inputOnly.body.ok).toBe(true);
    const negative = await call('orchestrator:estimate', {
      tier: 'premium',
      usage,
      tokens: { line_edit: { input: -1, output: 0 } },
    });
    expect(negative.body).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
  });
});
