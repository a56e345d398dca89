import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS, PROVIDERS, QUALITY_TIERS, STRENGTHS, type ModelSpec } from '../../src-preload/contract';
import { decide, type DecisionInputs } from './decide';
import { registryPrice, task, taskTable } from '../../test/support/decision-fixtures';

const specArb = (id: string): fc.Arbitrary<ModelSpec> =>
  fc
    .record({
      provider: fc.constantFrom(...PROVIDERS),
      quality: fc.double({ min: 0, max: 10, noNaN: true }),
      strengths: fc.subarray([...STRENGTHS]),
      size: fc.constantFrom('small' as const, 'medium' as const, 'large' as const),
      input: fc.double({ min: 0, max: 30, noNaN: true }),
      output: fc.double({ min: 0, max: 100, noNaN: true }),
      context: fc.integer({ min: 1000, max: 1_000_000 }),
      legacy: fc.boolean(),
      retired: fc.boolean(),
    })
    .map(({ provider, quality, strengths, size, input, output, context, legacy, retired }) => ({
      id,
      display_name: id,
      provider,
      quality,
      strengths,
      speed: 'fast' as const,
      context_window: context,
      pricing: {
        input_usd_per_mtok: provider === 'local' ? 0 : input,
        output_usd_per_mtok: provider === 'local' ? 0 : output,
      },
      capabilities: { json_output: true, vision: false, streaming: true },
      ...(provider === 'local' ? { local: { catalog_id: `${id}-gguf`, size_class: size } } : {}),
      legacy,
      ...(retired ? { retired: '2025-10-22' } : {}),
    }));

const tasks = taskTable([
  ...STRENGTHS.map((s, i) => task(`t_${s}`, s, { complexity: (i % 10) + 1 })),
  task('private', 'semantic_reasoning', { may_leave_machine: false }),
]);

const scenario = fc.integer({ min: 0, max: 12 }).chain((n) =>
  fc.record({
    registry: fc.tuple(...Array.from({ length: n }, (_, i) => specArb(`m${i}`))),
    installed: fc.array(fc.boolean(), { minLength: n, maxLength: n }),
    keyed: fc.array(fc.boolean(), { minLength: n, maxLength: n }),
    excluded: fc.array(fc.boolean(), { minLength: n, maxLength: n }),
    task: fc.constantFrom(...tasks.keys()),
    tier: fc.constantFrom(...QUALITY_TIERS),
    budget: fc.option(fc.double({ min: 0, max: 1, noNaN: true })),
    spent: fc.double({ min: 0, max: 1, noNaN: true }),
    reserved: fc.double({ min: 0, max: 0.5, noNaN: true }),
    localOnly: fc.boolean(),
    forceLocal: fc.boolean(),
    preferLocal: fc.boolean(),
    enabled: fc.boolean(),
    complexity: fc.option(fc.integer({ min: 1, max: 10 })),
    inputTokens: fc.option(fc.integer({ min: 0, max: 200_000 })),
    packPick: fc.nat(),
  }),
);

describe('decide: properties', () => {
  it('never picks an unavailable or retired model, never breaks local-only, never exceeds what is left by its own estimate', () => {
    fc.assert(
      fc.property(scenario, (s) => {
        const ready = new Set(s.registry.filter((_, i) => s.keyed[i]).map((m) => m.id));
        const installed = new Set(s.registry.filter((_, i) => s.installed[i]).map((m) => `${m.id}-gguf`));
        const exclude = s.registry.filter((_, i) => s.excluded[i]).map((m) => m.id);
        const ids = s.registry.map((m) => m.id);
        const inputs: DecisionInputs = {
          registry: s.registry,
          tasks,
          settings: {
            ...DEFAULT_SETTINGS.orchestrator,
            enabled: s.enabled,
            monthly_budget: s.budget,
            force_local: s.forceLocal,
            prefer_local: s.preferLocal,
          },
          availability: { cloudReady: (spec) => ready.has(spec.id), localInstalled: (c) => installed.has(c) },
          spend: { month: '2026-11', spent_usd: s.spent, reserved_usd: s.reserved },
          price: registryPrice,
          pack:
            ids.length > 0
              ? {
                  name: 'p',
                  tasks: Object.fromEntries([...tasks.keys()].map((t, i) => [t, ids[(s.packPick + i) % ids.length]!])),
                }
              : null,
        };
        const d = decide(
          {
            task: s.task,
            tier: s.tier,
            local_only: s.localOnly,
            exclude,
            ...(s.complexity !== null ? { complexity: s.complexity } : {}),
            ...(s.inputTokens !== null ? { input_tokens: s.inputTokens } : {}),
          },
          inputs,
        );
        const mustStayLocal = s.localOnly || s.forceLocal || s.task === 'private';
        const byId = new Map(s.registry.map((m) => [m.id, m]));
        const usableNow = (id: string) => {
          const spec = byId.get(id)!;
          if (exclude.includes(id) || spec.retired) return false;
          if (spec.provider === 'local') return installed.has(spec.local!.catalog_id);
          return !mustStayLocal && ready.has(id);
        };
        expect(d.local_only).toBe(mustStayLocal);
        if (d.model_id === null) {
          expect(d.refusal).not.toBeNull();
          expect(d.estimate_usd).toBe(0);
        } else {
          expect(d.refusal).toBeNull();
          expect(usableNow(d.model_id)).toBe(true);
          if (mustStayLocal) expect(byId.get(d.model_id)!.provider).toBe('local');
          if (d.remaining_usd !== null) expect(d.estimate_usd).toBeLessThanOrEqual(d.remaining_usd + 1e-9);
        }
        for (const id of d.fallback_chain) {
          expect(usableNow(id)).toBe(true);
          expect(id).not.toBe(d.model_id);
          const cost = registryPrice(byId.get(id)!, d.input_tokens, d.max_output_tokens);
          if (d.remaining_usd !== null) expect(cost).toBeLessThanOrEqual(d.remaining_usd + 1e-9);
        }
        expect(d.candidates).toHaveLength(s.registry.length);
        expect(d.candidates.filter((c) => c.status === 'chosen')).toHaveLength(d.model_id ? 1 : 0);
      }),
      { numRuns: 2000 },
    );
  });
});
