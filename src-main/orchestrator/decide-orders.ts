// The order of candidates: one model as a decision sees it (Evaluated, its hard reasons as bit flags), what decisions
// keep while the registry is unchanged (per task, the orders the last decision left), the comparators that sort them
// and the orders each tier and the local route rank by.
import { RANKS_LOWER, type CandidateReason, type ModelSpec, type QualityTier } from '../../src-preload/contract';
import { MIN_QUALITY } from '../../src-preload/contract/constants';
import { sizeForComplexity } from './tasks';

export { MIN_QUALITY };
/** prefer_local: a local model within this many points of the best candidate wins. */
export const PREFER_LOCAL_MARGIN = 1;

/**
 * One model as one decision sees it. The objects belong to the registry's RegistryState and are rewritten by every
 * decision (decisions are synchronous and none escapes into a Decision), so 5,000 models do not allocate 5,000
 * objects per call.
 */
export interface Evaluated {
  readonly spec: ModelSpec;
  readonly local: boolean;
  quality: number;
  cost: number;
  /** valueForMoney of this quality and cost, computed once per decision rather than in every comparison. */
  value: number;
  /** Hard reasons it cannot be used at all (empty = usable); shared between candidates, never mutated. */
  hard: readonly CandidateReason[];
  /** The same reasons as BIT flags. */
  mask: number;
  affordable: boolean;
  /** The tokens its context must hold for this call: the request's, its images' as it sees them, and the answer. */
  need: number;
  /** Position in the final ranking (explain); unranked ones sort after. */
  order: number;
  /** Position in the registry's (legacy, id) order: the last tie-break, one integer comparison. */
  readonly tie: number;
  /** SIZE_INDEX of its local size class (medium when it has none). */
  readonly size: number;
}

const SIZE_INDEX = { small: 0, medium: 1, large: 2 } as const;

/** The hard reasons in the order a candidate lists them, then over_budget; one bit each. */
export const REASON_ORDER = [
  'no_vision',
  'retired',
  'excluded',
  'local_only',
  'not_downloaded',
  'unusable',
  'no_key',
  'lacks_strength',
  'context_too_small',
  'below_min_quality',
  'over_budget',
] as const satisfies readonly CandidateReason[];
export const BIT = Object.fromEntries(REASON_ORDER.map((reason, i) => [reason, 1 << i])) as Record<
  (typeof REASON_ORDER)[number],
  number
>;
/** The reasons a mask of BIT flags stands for, as one shared frozen array per mask (indexed by the mask). */
const REASON_LISTS: readonly (readonly CandidateReason[])[] = Array.from(
  { length: 1 << REASON_ORDER.length },
  (_, mask) => Object.freeze(REASON_ORDER.filter((reason) => mask & BIT[reason])),
);

export function reasonsOf(mask: number): readonly CandidateReason[] {
  return REASON_LISTS[mask]!;
}

function tieBreak(a: Evaluated, b: Evaluated): number {
  return a.tie - b.tie;
}

/** Current models before legacy ones, then by id. */
function staticOrder(a: ModelSpec, b: ModelSpec): number {
  return Number(a.legacy ?? false) - Number(b.legacy ?? false) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/** The candidate orders a task's last decision left, each over every candidate (sorted again by the next one). */
interface TaskOrders {
  best: Evaluated[];
  cheapest: Evaluated[];
  value: Evaluated[];
  /**
   * Each model's cost in the task's last decision (by its index in the registry), and what it was priced with: the
   * next decision of the task with the same price function and token counts (and no images) reads it rather than
   * asking the price function 5,000 times.
   */
  costs: Float64Array;
  /** `output` null: each model priced at its own output limit (DecideRequest.own_output_limit). */
  priced: { price: unknown; input: number; output: number | null; effort: string | null } | null;
}

/**
 * What decisions keep while the registry is unchanged: one Evaluated per model (with its static order, sorted once
 * rather than compared as strings inside every decision) and, per task, the orders its last decision left. The cache
 * checks the specs are the same objects, so a registry array reused with other contents starts again.
 */
interface RegistryState {
  specs: readonly ModelSpec[];
  evaluated: Evaluated[];
  orders: Map<string, TaskOrders>;
}

/** Tasks whose orders are kept per registry; beyond it they start again (the shipped table has 15). */
const MAX_TASK_ORDERS = 64;
const states = new WeakMap<readonly ModelSpec[], RegistryState>();

export function registryState(registry: readonly ModelSpec[]): RegistryState {
  const cached = states.get(registry);
  if (cached && cached.specs.length === registry.length && cached.specs.every((spec, i) => spec === registry[i])) {
    return cached;
  }
  const specs = [...registry];
  const ties = new Int32Array(specs.length);
  specs
    .map((_, i) => i)
    .sort((a, b) => staticOrder(specs[a]!, specs[b]!) || a - b)
    .forEach((index, rank) => (ties[index] = rank));
  const evaluated = specs.map((spec, i): Evaluated => ({
    spec,
    local: spec.provider === 'local',
    quality: 0,
    cost: 0,
    value: 0,
    hard: REASON_LISTS[0]!,
    mask: 0,
    affordable: true,
    need: 0,
    order: Number.MAX_SAFE_INTEGER,
    tie: ties[i]!,
    size: SIZE_INDEX[spec.local?.size_class ?? 'medium'],
  }));
  const state = { specs, evaluated, orders: new Map() };
  states.set(registry, state);
  return state;
}

export function ordersFor(state: RegistryState, task: string): TaskOrders {
  let orders = state.orders.get(task);
  if (!orders) {
    if (state.orders.size >= MAX_TASK_ORDERS) state.orders.clear();
    const all = state.evaluated;
    orders = { best: [...all], cheapest: [...all], value: [...all], costs: new Float64Array(all.length), priced: null };
    state.orders.set(task, orders);
  }
  return orders;
}

function byCheapest(a: Evaluated, b: Evaluated): number {
  return a.cost - b.cost || b.quality - a.quality || tieBreak(a, b);
}

export function byBest(a: Evaluated, b: Evaluated): number {
  return b.quality - a.quality || a.cost - b.cost || tieBreak(a, b);
}

/**
 * Quality per dollar, with quality above the minimum squared: for analysis a point near the top is worth more than one
 * near the floor, so a barely-adequate model five times cheaper does not beat a strong one.
 */
export function valueForMoney(quality: number, cost: number): number {
  const above = quality - MIN_QUALITY + 1;
  return (above * above) / Math.max(cost, 1e-9);
}

function byValueForMoney(a: Evaluated, b: Evaluated): number {
  return b.value - a.value || byBest(a, b);
}

/** What a decision ranks its candidates by; every list is in its comparator's order, built in linear time. */
export interface Rankings {
  orders: TaskOrders;
  /** Every candidate by byBest. */
  best: Evaluated[];
  /** routeLocal: the installed local models that the last step down may use. */
  route: Evaluated[];
}

/** Candidates in the order the tier prefers them (usable ones only). */
export function rankForTier(
  tier: QualityTier,
  rankings: Rankings,
  complexity: number,
  preferLocal: boolean,
): Evaluated[] {
  const locals = rankings.route.filter(isUsable);
  let ranked: Evaluated[];
  switch (tier) {
    case 'budget':
      ranked = [...locals, ...usableClouds(rankings.orders.cheapest.sort(byCheapest))];
      break;
    case 'balanced': {
      // Simple work (1–4) stays local; medium work (5–7) stays local while a free model is within a point of the
      // best-value cloud model; complex work (8–10) goes to the cloud (seed 002's routing, seed 000's balanced tier).
      const byValue = usableClouds(rankings.orders.value.sort(byValueForMoney));
      const size = sizeForComplexity(complexity);
      const bestLocal = locals[0];
      const bestCloud = byValue[0];
      const localFirst =
        size === 'small' ||
        (size === 'medium' &&
          (!bestCloud || (bestLocal !== undefined && bestLocal.quality >= bestCloud.quality - PREFER_LOCAL_MARGIN)));
      ranked = localFirst ? [...locals, ...byValue] : [...byValue, ...locals];
      break;
    }
    case 'premium':
      ranked = rankings.best.filter(isUsable);
      break;
  }
  const top = ranked[0];
  if (preferLocal && top && !top.local) {
    const bestLocal = rankings.best.find((e) => e.local && isUsable(e));
    if (bestLocal && bestLocal.quality >= top.quality - PREFER_LOCAL_MARGIN) {
      ranked = [bestLocal, ...ranked.filter((e) => e !== bestLocal)];
    }
  }
  return ranked;
}

function isUsable(e: Evaluated): boolean {
  return e.hard.length === 0;
}

function usableClouds(order: Evaluated[]): Evaluated[] {
  return order.filter((e) => !e.local && e.hard.length === 0);
}

/** The reasons the last step down relaxes. */
const RELAXED = [...RANKS_LOWER].reduce((mask, reason) => mask | BIT[reason as keyof typeof BIT], 0);

/** Installed local models that pass everything but the strength and the minimum quality. */
function isLastStep(e: Evaluated): boolean {
  return e.local && (e.mask & ~RELAXED) === 0;
}

/**
 * Seed 002's complexity routing among local models: strength-matching ones first (only the last step down reaches
 * past them), then the size class the complexity asks for, then quality, then the static order. Among local models
 * (cost 0) byBest is quality then the static order, so this is a stable bucketing of `best` by (strength, distance).
 */
export function routeLocal(best: readonly Evaluated[], complexity: number): Evaluated[] {
  const target = SIZE_INDEX[sizeForComplexity(complexity)];
  const buckets: Evaluated[][] = [[], [], [], [], [], []];
  for (const e of best) {
    if (!isLastStep(e)) continue;
    buckets[(e.hard.length > 0 ? 3 : 0) + Math.abs(e.size - target)]!.push(e);
  }
  return buckets.flat();
}
