import { describe, expect, it } from 'vitest';
import type { ModelSpec } from '../../src-preload/contract';
import { familyOf, selectMembers, selectVerifier, type SelectionCandidate } from './member-selection';

function spec(id: string, provider: ModelSpec['provider'], local?: string): ModelSpec {
  return {
    id,
    display_name: id,
    provider,
    quality: 8,
    strengths: ['narrative_continuity'],
    speed: 'fast',
    context_window: 128_000,
    pricing: { input_usd_per_mtok: 1, output_usd_per_mtok: 2 },
    capabilities: { json_output: true, vision: false, streaming: true },
    ...(local ? { local: { catalog_id: local, size_class: 'small' as const } } : {}),
  };
}
const cand = (
  id: string,
  provider: ModelSpec['provider'],
  score: number,
  cost: number,
  local?: string,
): SelectionCandidate => ({
  spec: spec(id, provider, local),
  score,
  worst_case_usd: cost,
});

const pool = [
  cand('gpt-big', 'openai', 9.5, 0.2),
  cand('gpt-mini', 'openai', 9, 0.01),
  cand('claude', 'anthropic', 8.5, 0.1),
  cand('deepseek', 'deepseek', 8, 0.005),
  cand('qwen2.5-7b', 'local', 6, 0, 'qwen2.5-7b-instruct-q4_k_m'),
];

describe('member selection', () => {
  it('groups models into families: providers for cloud, base model names for local ones', () => {
    expect(familyOf(spec('qwen2.5-7b', 'local', 'qwen2.5-7b-instruct-q4_k_m'))).toBe('qwen');
    expect(familyOf(spec('qwen-plus', 'qwen'))).toBe('qwen');
    expect(familyOf(spec('gpt-4o', 'openai'))).toBe('openai');
  });

  it('counts a model reached through OpenRouter in its maker’s family, not in one "openrouter" family', () => {
    const routed = (api: string) => ({ ...spec(`openrouter/${api}`, 'openrouter'), api_model_id: api });
    expect(familyOf(routed('anthropic/claude-sonnet-4.6'))).toBe('anthropic');
    expect(familyOf(routed('google/gemini-3.5-flash'))).toBe('gemini');
    expect(familyOf(routed('deepseek/deepseek-v3.2'))).toBe('deepseek');
  });

  it('takes the best distinct providers over a second model of the same provider', () => {
    const result = selectMembers({ candidates: pool, n: 3, cost_cap_usd: null, remaining_budget_usd: null });
    expect(result.ok && result.members.map((m) => m.model_id)).toEqual(['gpt-big', 'claude', 'deepseek']);
  });

  it('counts local models as members at no cost', () => {
    const result = selectMembers({ candidates: pool, n: 5, cost_cap_usd: null, remaining_budget_usd: null });
    expect(result.ok && result.members.map((m) => m.model_id)).toContain('qwen2.5-7b');
  });

  it('chooses cheaper members when the cap is tight, then fewer, down to two', () => {
    const cheaper = selectMembers({ candidates: pool, n: 3, cost_cap_usd: 0.02, remaining_budget_usd: null });
    expect(cheaper.ok && cheaper.members.map((m) => m.model_id)).toEqual(['gpt-mini', 'deepseek', 'qwen2.5-7b']);
    expect(cheaper.ok && cheaper.total_worst_case_usd).toBeCloseTo(0.015);

    const cloudOnly = pool.slice(0, 4);
    const fewer = selectMembers({ candidates: cloudOnly, n: 3, cost_cap_usd: 0.016, remaining_budget_usd: null });
    expect(fewer.ok && fewer.members.map((m) => m.model_id)).toEqual(['gpt-mini', 'deepseek']);
    expect(fewer.ok && fewer.notes[0]).toMatch(/did not fit the \$0\.016 tournament cap; running with 2/);
  });

  it('says why when not even two members fit, naming the limit that binds', () => {
    const costly = [cand('a', 'openai', 9, 0.3), cand('b', 'anthropic', 9, 0.3)];
    const cap = selectMembers({ candidates: costly, n: 3, cost_cap_usd: 0.25, remaining_budget_usd: 5 });
    expect(cap).toMatchObject({ ok: false, reason: 'cost_cap' });
    const budget = selectMembers({ candidates: costly, n: 3, cost_cap_usd: 1, remaining_budget_usd: 0.5 });
    expect(budget).toMatchObject({ ok: false, reason: 'budget' });
    expect(!budget.ok && budget.message).toContain("$0.50 left in this month's budget");
    // The $1 cap is not what stops it ($0.60 fits under it): only the budget is named.
    expect(!budget.ok && budget.message).not.toContain('tournament cap');
    expect(!cap.ok && cap.message).toMatch(/more than the \$0\.25 tournament cap\./);
    expect(
      selectMembers({ candidates: costly.slice(0, 1), n: 3, cost_cap_usd: null, remaining_budget_usd: null }),
    ).toMatchObject({
      ok: false,
      reason: 'too_few_candidates',
    });
  });

  it('picks a cheaper verifier from another family', () => {
    expect(selectVerifier(pool[0]!, pool)?.spec.id).toBe('qwen2.5-7b');
    expect(selectVerifier(pool[0]!, pool.slice(0, 2))?.spec.id).toBe('gpt-mini');
  });
});
