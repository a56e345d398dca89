// Decisions rank in linear time (cached orders sorted again adaptively, lists derived by filtering and stable
// bucketing) and must decide exactly as the full sorts did. The oracle is decide.ts as it was before, kept verbatim in
// test/support/decide-full-sort.ts. Registries are seeded and random, with many exact ties in quality and price (the
// static order — current before legacy, then id — breaks them) and in a shuffled order; each registry takes a run of
// different decisions, so the orders one decision leaves are the starting point of the next.
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_SETTINGS,
  PROVIDERS,
  QUALITY_TIERS,
  STRENGTHS,
  type DecideRequest,
  type ModelSpec,
} from '../../src-preload/contract';
import { decideByFullSort } from '../../test/support/decide-full-sort';
import { registryPrice, task, taskTable } from '../../test/support/decision-fixtures';
import { decide, type DecisionInputs } from './decide';
import { priorOnly, type QualityLookup } from './quality';
import { mulberry32 } from './random';

const tasks = taskTable([
  ...STRENGTHS.map((s, i) => task(`t_${s}`, s, { complexity: (i % 10) + 1 })),
  task('private', 'semantic_reasoning', { may_leave_machine: false, complexity: 8 }),
]);
const taskIds = [...tasks.keys()];

function pick<T>(random: () => number, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)]!;
}

/** `size` models whose qualities and prices come from short lists, so exact ties are common. */
function registryOf(random: () => number, size: number): ModelSpec[] {
  const models: ModelSpec[] = [];
  for (let i = 0; i < size; i++) {
    const provider = random() < 0.35 ? 'local' : pick(random, PROVIDERS);
    const local = provider === 'local';
    const price = pick(random, [0.1, 0.5, 1, 1, 3, 15]);
    // Ids are not in registry order: ties fall to the static order, not to the position.
    const id = `m${Math.floor(random() * 1000)}-${i}`;
    models.push({
      id,
      display_name: id,
      provider,
      ...(provider === 'openai-compatible' ? { endpoint_id: 'e' } : {}),
      quality: pick(random, [4, 5.5, 6, 7, 7, 7.5, 8, 9]),
      strengths: STRENGTHS.filter(() => random() < 0.6),
      speed: 'fast',
      context_window: pick(random, [4000, 32_000, 128_000, 1_000_000]),
      pricing: {
        input_usd_per_mtok: local ? 0 : price,
        output_usd_per_mtok: local ? 0 : price * pick(random, [1, 2, 4]),
      },
      capabilities: { json_output: true, vision: random() < 0.4, streaming: true },
      ...(local ? { local: { catalog_id: `${id}-gguf`, size_class: pick(random, ['small', 'medium', 'large']) } } : {}),
      ...(random() < 0.2 ? { legacy: true } : {}),
      ...(random() < 0.1 ? { retired: '2025-10-22' } : {}),
    } as ModelSpec);
  }
  return models;
}

/** Feedback that moves some (model, task) qualities, or none. */
function qualityOf(random: () => number, registry: ModelSpec[]): QualityLookup {
  if (random() < 0.4) return priorOnly;
  const moved = new Map<string, number>();
  for (const spec of registry)
    for (const t of taskIds) if (random() < 0.2) moved.set(`${spec.id}/${t}`, pick(random, [-1, -0.5, 0.5, 1]));
  return (id, t, prior) => prior + (moved.get(`${id}/${t}`) ?? 0);
}

function scenario(
  random: () => number,
  registry: ModelSpec[],
  quality: QualityLookup,
): { request: DecideRequest; inputs: DecisionInputs } {
  const ids = registry.map((m) => m.id);
  const ready = new Set(ids.filter(() => random() < 0.7));
  const installed = new Set(registry.filter(() => random() < 0.6).map((m) => `${m.id}-gguf`));
  // Some of the rest are in the models folder but failed their test load.
  const unusable = new Set(registry.filter(() => random() < 0.2).map((m) => `${m.id}-gguf`));
  const enabled = random() < 0.8;
  const inputs: DecisionInputs = {
    registry,
    tasks,
    settings: {
      ...DEFAULT_SETTINGS.orchestrator,
      enabled,
      quality_tier: pick(random, QUALITY_TIERS),
      monthly_budget: random() < 0.5 ? null : pick(random, [0, 0.001, 0.01, 0.05, 1]),
      force_local: random() < 0.1,
      prefer_local: random() < 0.3,
    },
    availability: {
      cloudReady: (spec) => ready.has(spec.id),
      localInstalled: (c) => installed.has(c),
      localUnusable: (c) => !installed.has(c) && unusable.has(c),
    },
    spend: { month: '2026-11', spent_usd: pick(random, [0, 0.01, 0.5]), reserved_usd: 0 },
    quality,
    price: registryPrice,
    // Half the runs let decide keep a task's costs between decisions: they must decide exactly the same.
    ...(random() < 0.5 ? { pricesStable: true } : {}),
    pack:
      !enabled && ids.length > 0
        ? { name: 'p', tasks: Object.fromEntries(taskIds.map((t) => [t, random() < 0.9 ? pick(random, ids) : 'gone'])) }
        : null,
  };
  const request: DecideRequest = {
    task: pick(random, taskIds),
    ...(random() < 0.7 ? { tier: pick(random, QUALITY_TIERS) } : {}),
    ...(random() < 0.15 ? { local_only: true } : {}),
    ...(random() < 0.4 ? { complexity: 1 + Math.floor(random() * 10) } : {}),
    ...(random() < 0.5 ? { input_tokens: pick(random, [0, 500, 4000, 4000, 30_000, 200_000]) } : {}),
    ...(random() < 0.3 ? { max_output_tokens: pick(random, [100, 1000, 8000]) } : {}),
    ...(random() < 0.2 ? { exclude: ids.filter(() => random() < 0.2) } : {}),
    ...(random() < 0.1 && ids.length > 0 ? { model: random() < 0.9 ? pick(random, ids) : 'gone' } : {}),
    ...(random() < 0.15 ? { images: [{ width: pick(random, [256, 1024]), height: 768 }] } : {}),
  };
  return { request, inputs };
}

describe('decide: linear ranking decides exactly as the full sorts did', () => {
  it('matches the full sorts over runs of decisions on seeded random registries with ties', () => {
    let decisions = 0;
    let chosen = 0;
    let refused = 0;
    let withUnusable = 0;
    for (let seed = 1; seed <= 60; seed++) {
      const random = mulberry32(seed);
      const registry = registryOf(random, seed % 10 === 0 ? 400 : Math.floor(random() * 60));
      const quality = qualityOf(random, registry);
      for (let i = 0; i < 40; i++) {
        const { request, inputs } = scenario(random, registry, quality);
        const expected = decideByFullSort(request, inputs);
        expect({ seed, i, decision: decide(request, inputs) }).toEqual({ seed, i, decision: expected });
        decisions++;
        if (expected.model_id === null) refused++;
        else chosen++;
        if (expected.candidates.some((c) => c.reasons.includes('unusable'))) withUnusable++;
      }
    }
    // The runs cover both outcomes, not only refusals.
    expect(decisions).toBe(2400);
    expect(chosen).toBeGreaterThan(decisions / 3);
    expect(refused).toBeGreaterThan(decisions / 20);
    // …and local models that failed their test load.
    expect(withUnusable).toBeGreaterThan(decisions / 20);
  });

  it('ranks exact ties by the static order, not by the registry position, and keeps doing so as orders are reused', () => {
    // Same quality and price: current models before legacy ones, then by id, wherever they sit in the registry.
    const twin = (id: string, legacy = false): ModelSpec => ({
      id,
      display_name: id,
      provider: 'openai',
      quality: 8,
      strengths: ['semantic_reasoning'],
      speed: 'fast',
      context_window: 128_000,
      pricing: { input_usd_per_mtok: 1, output_usd_per_mtok: 2 },
      capabilities: { json_output: true, vision: false, streaming: true },
      ...(legacy ? { legacy: true } : {}),
    });
    const registry = [twin('c'), twin('a', true), twin('b'), twin('a2')];
    const inputs: DecisionInputs = {
      registry,
      tasks: taskTable([task('t', 'semantic_reasoning')]),
      settings: { ...DEFAULT_SETTINGS.orchestrator, enabled: true },
      availability: { cloudReady: () => true, localInstalled: () => false },
      spend: { month: '2026-11', spent_usd: 0, reserved_usd: 0 },
      price: registryPrice,
    };
    for (const tier of [...QUALITY_TIERS, ...QUALITY_TIERS]) {
      const d = decide({ task: 't', tier }, inputs);
      expect(d.candidates.map((c) => c.model_id)).toEqual(['a2', 'b', 'c', 'a']);
      expect(d).toEqual(decideByFullSort({ task: 't', tier }, inputs));
    }
  });
});

describe('decide: a task’s costs kept between decisions', () => {
  const registry = registryOf(mulberry32(7), 300);
  const clouds = registry.filter((m) => m.provider !== 'local').length;
  const counted = () => {
    const calls = { n: 0 };
    const price: DecisionInputs['price'] = (spec, input, output) => {
      calls.n++;
      return registryPrice(spec, input, output);
    };
    return { calls, price };
  };
  const inputsWith = (price: DecisionInputs['price'], pricesStable: boolean): DecisionInputs => ({
    registry,
    tasks,
    settings: { ...DEFAULT_SETTINGS.orchestrator, enabled: true },
    availability: { cloudReady: () => true, localInstalled: () => true },
    spend: { month: '2026-11', spent_usd: 0, reserved_usd: 0 },
    price,
    pricesStable,
  });

  it('prices each cloud model once while the price function and the token counts stay the same', () => {
    const { calls, price } = counted();
    const stable = inputsWith(price, true);
    const request = { task: taskIds[0]!, input_tokens: 4000, max_output_tokens: 1000 };
    const first = decide(request, stable);
    expect(calls.n).toBe(clouds);
    expect(decide(request, stable)).toEqual(first);
    expect(decide({ ...request, tier: 'premium' }, stable).candidates.length).toBe(registry.length);
    expect(calls.n).toBe(clouds);
    // Other token counts, images (priced per model), another task, or another price function: priced again.
    decide({ ...request, input_tokens: 4001 }, stable);
    expect(calls.n).toBe(2 * clouds);
    decide({ ...request, input_tokens: 4001, images: [{ width: 512, height: 512 }] }, stable);
    decide({ ...request, input_tokens: 4001 }, stable);
    expect(calls.n).toBe(4 * clouds);
    decide({ ...request, task: taskIds[1]! }, stable);
    expect(calls.n).toBe(5 * clouds);
    const other = counted();
    expect(decide(request, inputsWith(other.price, true))).toEqual(first);
    expect(other.calls.n).toBe(clouds);
  });

  it('prices every model on every decision when the prices are not declared stable', () => {
    const { calls, price } = counted();
    const request = { task: taskIds[2]!, input_tokens: 4000, max_output_tokens: 1000 };
    decide(request, inputsWith(price, false));
    decide(request, inputsWith(price, false));
    expect(calls.n).toBe(2 * clouds);
  });
});
