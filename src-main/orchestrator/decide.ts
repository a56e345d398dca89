// Seed 000's selection, pure: given the registry, the task, the settings, what is available, what is spent and what
// feedback taught us, pick one model and say why — or refuse and say why.
import type {
  Candidate,
  CandidateReason,
  DecideRequest,
  Decision,
  ModelSpec,
  QualityTier,
  Settings,
  TaskSpec,
  TierUsed,
} from '../../src-preload/contract';
import { STRENGTH_WORDS } from '../../src-preload/contract/constants';
import { providerDescriptor } from '../../src-preload/contract/provider-table';
import { InvalidInputError } from '../errors/invalid-input-error';
import { imageTokens } from './image-tokens';
import { worstCaseUsd } from './pricing';
import { priorOnly, type QualityLookup } from './quality';
import type { AvailabilitySource, SpendSnapshot } from './sources';
import { sizeForComplexity, type TaskTable } from './tasks';

/** Seed 000: the budget tier's minimum quality; no tier picks a model estimated below it for the task. */
export const MIN_QUALITY = 6;
/** prefer_local: a local model within this many points of the best candidate wins. */
export const PREFER_LOCAL_MARGIN = 1;
/** Alternatives listed before the local model that closes the fallback chain. */
const FALLBACK_CLOUD_LIMIT = 3;
const EPSILON = 1e-12;

const STEP_DOWN: Record<QualityTier, TierUsed[]> = {
  premium: ['premium', 'balanced', 'budget', 'local'],
  balanced: ['balanced', 'budget', 'local'],
  budget: ['budget', 'local'],
};

export interface DecisionInputs {
  registry: readonly ModelSpec[];
  tasks: TaskTable;
  settings: Settings['orchestrator'];
  availability: AvailabilitySource;
  spend: SpendSnapshot;
  quality?: QualityLookup;
  /** The active pack's mapping, used when the orchestrator is disabled. */
  pack?: { name: string; tasks: Readonly<Record<string, string>> } | null;
  /** Worst-case USD of a call; defaults to pricing.worstCaseUsd. */
  price?: (spec: ModelSpec, inputTokens: number, maxOutputTokens: number) => number;
}

/**
 * One model as one decision sees it. The objects belong to the registry's RegistryState and are rewritten by every
 * decision (decisions are synchronous and none escapes into a Decision), so 5,000 models do not allocate 5,000
 * objects per call.
 */
interface Evaluated {
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
  /** Position in the final ranking (explain); unranked ones sort after. */
  order: number;
  /** Position in the registry's (legacy, id) order: the last tie-break, one integer comparison. */
  readonly tie: number;
  /** SIZE_INDEX of its local size class (medium when it has none). */
  readonly size: number;
}

const SIZE_INDEX = { small: 0, medium: 1, large: 2 } as const;

/** The hard reasons in the order a candidate lists them, then over_budget; one bit each. */
const REASON_ORDER = [
  'no_vision',
  'retired',
  'excluded',
  'local_only',
  'not_downloaded',
  'no_key',
  'lacks_strength',
  'context_too_small',
  'below_min_quality',
  'over_budget',
] as const satisfies readonly CandidateReason[];
const BIT = Object.fromEntries(REASON_ORDER.map((reason, i) => [reason, 1 << i])) as Record<
  (typeof REASON_ORDER)[number],
  number
>;
/** The reasons a mask of BIT flags stands for, as one shared frozen array per mask (indexed by the mask). */
const REASON_LISTS: readonly (readonly CandidateReason[])[] = Array.from(
  { length: 1 << REASON_ORDER.length },
  (_, mask) => Object.freeze(REASON_ORDER.filter((reason) => mask & BIT[reason])),
);

function reasonsOf(mask: number): readonly CandidateReason[] {
  return REASON_LISTS[mask]!;
}

const whyCache = new Map<readonly CandidateReason[], string>();
const single = new Map<CandidateReason, readonly CandidateReason[]>();

function singleReason(reason: CandidateReason): readonly CandidateReason[] {
  let list = single.get(reason);
  if (!list) single.set(reason, (list = Object.freeze([reason])));
  return list;
}

export function requireTask(tasks: TaskTable, id: string, path = 'task'): TaskSpec {
  const task = tasks.get(id);
  if (!task) throw new InvalidInputError(`Unknown task "${id}"`, path);
  return task;
}

export function decide(request: DecideRequest, inputs: DecisionInputs): Decision {
  const decision = choose(request, inputs);
  const images = request.images ?? [];
  if (images.length === 0 || decision.model_id === null) return decision;
  const chosen = inputs.registry.find((s) => s.id === decision.model_id);
  if (!chosen) return decision;
  return { ...decision, images: { count: images.length, tokens: imageTokens(chosen, images) } };
}

function choose(request: DecideRequest, inputs: DecisionInputs): Decision {
  const task = requireTask(inputs.tasks, request.task);
  const settings = inputs.settings;
  const quality = inputs.quality ?? priorOnly;
  const price = inputs.price ?? worstCaseUsd;
  const tierRequested = request.tier ?? settings.quality_tier;
  const localOnly = settings.force_local || request.local_only === true || !task.may_leave_machine;
  const complexity = request.complexity ?? task.complexity;
  const inputTokens = request.input_tokens ?? task.typical_input_tokens;
  const maxOutput = request.max_output_tokens ?? task.typical_output_tokens;
  const remaining =
    settings.monthly_budget === null
      ? null
      : Math.max(0, settings.monthly_budget - inputs.spend.spent_usd - inputs.spend.reserved_usd);
  const exclude = request.exclude && request.exclude.length > 0 ? new Set(request.exclude) : null;
  const images = request.images ?? [];

  const state = registryState(inputs.registry);
  const evaluated = state.evaluated;
  for (const e of evaluated) {
    const spec = e.spec;
    const local = e.local;
    const q = quality(spec.id, task.id, spec.quality);
    const seen = images.length > 0 && spec.capabilities.vision ? imageTokens(spec, images) : 0;
    const cost = local ? 0 : price(spec, inputTokens + seen, maxOutput);
    let mask = 0;
    // Images go only to a model that can see them; local models cannot (node-llama-cpp runs text models here).
    if (images.length > 0 && !spec.capabilities.vision) mask |= BIT.no_vision;
    if (spec.retired) mask |= BIT.retired;
    if (exclude?.has(spec.id)) mask |= BIT.excluded;
    if (localOnly && !local) mask |= BIT.local_only;
    if (local) {
      if (!spec.local || !inputs.availability.localInstalled(spec.local.catalog_id)) mask |= BIT.not_downloaded;
    } else if (!inputs.availability.cloudReady(spec)) mask |= BIT.no_key;
    if (!spec.strengths.includes(task.strength)) mask |= BIT.lacks_strength;
    if (spec.context_window < inputTokens + seen + maxOutput) mask |= BIT.context_too_small;
    if (q < MIN_QUALITY) mask |= BIT.below_min_quality;
    e.quality = q;
    e.cost = cost;
    e.value = valueForMoney(q, cost);
    // One shared array per combination of reasons: 5,000 candidates do not allocate 5,000 arrays.
    e.hard = reasonsOf(mask);
    e.mask = mask;
    e.affordable = remaining === null || cost <= remaining + EPSILON;
    e.order = Number.MAX_SAFE_INTEGER;
  }
  const orders = ordersFor(state, task.id);
  // Every candidate by byBest. The order this task's last decision left is sorted again: the sort is adaptive, so
  // when nothing moved it is one linear pass, and it comes out the same from any starting order (byBest is a strict
  // total order). Every other list of the decision is a filter or a stable bucketing of it, or of another cached
  // order sorted the same way (rankForTier).
  const best = orders.best.sort(byBest);
  const route = routeLocal(best, complexity);
  const rankings: Rankings = { orders, best, route };

  const base = {
    task: task.id,
    tier_requested: tierRequested,
    local_only: localOnly,
    complexity,
    input_tokens: inputTokens,
    max_output_tokens: maxOutput,
    remaining_usd: remaining,
  };
  const anyUsable = route.length > 0 || evaluated.some((e) => e.hard.length === 0);

  const forced = request.model;
  const packModel = !forced && !settings.enabled && inputs.pack ? inputs.pack.tasks[task.id] : undefined;
  if (forced !== undefined || packModel !== undefined) {
    const wanted = (forced ?? packModel)!;
    const mode = forced !== undefined ? 'forced' : 'pack';
    const target = evaluated.find((e) => e.spec.id === wanted);
    // A writer's explicit mapping may use a model without the listed strength or below the minimum quality.
    const blockers = target ? target.hard.filter((r) => r !== 'lacks_strength' && r !== 'below_min_quality') : [];
    const wantedName = target?.spec.display_name ?? wanted;
    const what =
      mode === 'forced'
        ? `The requested model ${wantedName}`
        : `Pack "${inputs.pack!.name}" maps ${task.display_name} to ${wantedName}, which`;
    if (target && blockers.length === 0 && target.affordable) {
      const order = [target, ...route.filter((e) => e !== target)];
      return finish(base, rankings, order, target, {
        mode,
        pack: mode === 'pack' ? inputs.pack!.name : null,
        tier_used: target.local ? 'local' : tierRequested,
        reason:
          mode === 'forced'
            ? `Using ${wantedName} as requested.`
            : `Pack "${inputs.pack!.name}" maps ${task.display_name} to ${wantedName}.`,
        otherReason: 'not_in_pack',
        remaining,
      });
    }
    const problem = !target
      ? `${what} is not in the registry`
      : blockers.length > 0
        ? `${what} is unusable (${blockers.map(reasonText).join(', ')})`
        : `${what} would cost about ${usd(target.cost)}, more than the ${usd(remaining ?? 0)} left this month`;
    const fallback = mode === 'pack' ? route.filter((e) => e.affordable) : [];
    const pick = fallback[0];
    if (pick) {
      return finish(base, rankings, fallback, pick, {
        mode,
        pack: inputs.pack!.name,
        tier_used: 'local',
        reason: `${problem}; using the local model ${pick.spec.display_name} instead.`,
        otherReason: 'not_in_pack',
        remaining,
      });
    }
    const code = target && blockers.length === 0 ? 'budget_exceeded' : 'unavailable';
    return refuse(base, rankings, mode, mode === 'pack' ? inputs.pack!.name : null, code, `${problem}.`);
  }

  const steps: string[] = [];
  for (const tier of STEP_DOWN[tierRequested]) {
    const order = tier === 'local' ? route : rankForTier(tier, rankings, complexity, settings.prefer_local);
    const top = order[0];
    if (!top) continue;
    if (top.affordable) {
      const stepped = steps.length > 0 ? ` ${steps.join(' ')}` : '';
      return finish(base, rankings, order, top, {
        mode: 'orchestrator',
        pack: null,
        tier_used: tier,
        reason: `${tierReason(tier, top, task, complexity)}${stepped}`,
        otherReason: 'ranked_lower',
        remaining,
        closers: route,
      });
    }
    steps.push(
      `Stepped down from ${tier}: ${top.spec.display_name} would cost about ${usd(top.cost)} with ${usd(remaining ?? 0)} left this month.`,
    );
  }

  if (anyUsable) {
    return refuse(
      base,
      rankings,
      'orchestrator',
      null,
      'budget_exceeded',
      `Nothing affordable can do ${task.display_name}: ${usd(remaining ?? 0)} is left of this month's ${usd(settings.monthly_budget ?? 0)} budget and no free local model is installed for it.`,
    );
  }
  return refuse(
    base,
    rankings,
    'orchestrator',
    null,
    'unavailable',
    images.length > 0 ? noVisionMessage(task, best, localOnly) : unavailableMessage(task, evaluated, localOnly),
  );
}

/** What a decision ranks its candidates by; every list is in its comparator's order, built in linear time. */
interface Rankings {
  orders: TaskOrders;
  /** Every candidate by byBest. */
  best: Evaluated[];
  /** routeLocal: the installed local models that the last step down may use. */
  route: Evaluated[];
}

/** Candidates in the order the tier prefers them (usable ones only). */
function rankForTier(tier: QualityTier, rankings: Rankings, complexity: number, preferLocal: boolean): Evaluated[] {
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
const RELAXED = BIT.lacks_strength | BIT.below_min_quality;

/** Installed local models that pass everything but the strength and the minimum quality. */
function isLastStep(e: Evaluated): boolean {
  return e.local && (e.mask & ~RELAXED) === 0;
}

/**
 * Seed 002's complexity routing among local models: strength-matching ones first (only the last step down reaches
 * past them), then the size class the complexity asks for, then quality, then the static order. Among local models
 * (cost 0) byBest is quality then the static order, so this is a stable bucketing of `best` by (strength, distance).
 */
function routeLocal(best: readonly Evaluated[], complexity: number): Evaluated[] {
  const target = SIZE_INDEX[sizeForComplexity(complexity)];
  const buckets: Evaluated[][] = [[], [], [], [], [], []];
  for (const e of best) {
    if (!isLastStep(e)) continue;
    buckets[(e.hard.length > 0 ? 3 : 0) + Math.abs(e.size - target)]!.push(e);
  }
  return buckets.flat();
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

function registryState(registry: readonly ModelSpec[]): RegistryState {
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
    order: Number.MAX_SAFE_INTEGER,
    tie: ties[i]!,
    size: SIZE_INDEX[spec.local?.size_class ?? 'medium'],
  }));
  const state = { specs, evaluated, orders: new Map() };
  states.set(registry, state);
  return state;
}

function ordersFor(state: RegistryState, task: string): TaskOrders {
  let orders = state.orders.get(task);
  if (!orders) {
    if (state.orders.size >= MAX_TASK_ORDERS) state.orders.clear();
    const all = state.evaluated;
    state.orders.set(task, (orders = { best: [...all], cheapest: [...all], value: [...all] }));
  }
  return orders;
}

function byCheapest(a: Evaluated, b: Evaluated): number {
  return a.cost - b.cost || b.quality - a.quality || tieBreak(a, b);
}

function byBest(a: Evaluated, b: Evaluated): number {
  return b.quality - a.quality || a.cost - b.cost || tieBreak(a, b);
}

/**
 * Quality per dollar, with quality above the minimum squared: for analysis a point near the top is worth more than one
 * near the floor, so a barely-adequate model five times cheaper does not beat a strong one.
 */
function valueForMoney(quality: number, cost: number): number {
  const above = quality - MIN_QUALITY + 1;
  return (above * above) / Math.max(cost, 1e-9);
}

function byValueForMoney(a: Evaluated, b: Evaluated): number {
  return b.value - a.value || byBest(a, b);
}

interface FinishOptions {
  mode: Decision['mode'];
  pack: string | null;
  tier_used: TierUsed;
  reason: string;
  otherReason: CandidateReason;
  remaining: number | null;
  /** Installed local models (strength relaxed) that may close the fallback chain. */
  closers?: Evaluated[];
}

type Base = Pick<
  Decision,
  'task' | 'tier_requested' | 'local_only' | 'complexity' | 'input_tokens' | 'max_output_tokens' | 'remaining_usd'
>;

function finish(
  base: Base,
  rankings: Rankings,
  ranked: Evaluated[],
  chosen: Evaluated,
  options: FinishOptions,
): Decision {
  const chain: string[] = [];
  for (const e of ranked) {
    if (chain.length >= FALLBACK_CLOUD_LIMIT) break;
    if (e !== chosen && e.affordable && e.hard.length === 0 && !e.local) chain.push(e.spec.id);
  }
  const closingLocal =
    ranked.find((e) => e !== chosen && e.local && e.affordable) ??
    options.closers?.find((e) => e !== chosen && e.affordable);
  if (closingLocal) chain.push(closingLocal.spec.id);
  return {
    ...base,
    mode: options.mode,
    pack: options.pack,
    model_id: chosen.spec.id,
    reason: options.reason,
    tier_used: options.tier_used,
    estimate_usd: chosen.cost,
    candidates: explain(rankings.best, ranked, chosen, options.otherReason),
    fallback_chain: chain,
    refusal: null,
  };
}

function refuse(
  base: Base,
  rankings: Rankings,
  mode: Decision['mode'],
  pack: string | null,
  code: 'budget_exceeded' | 'unavailable',
  message: string,
): Decision {
  const closer = rankings.route.find((e) => e.affordable);
  return {
    ...base,
    mode,
    pack,
    model_id: null,
    reason: message,
    tier_used: null,
    estimate_usd: 0,
    candidates: explain(rankings.best, [], null, 'ranked_lower'),
    fallback_chain: closer ? [closer.spec.id] : [],
    refusal: { code, message },
  };
}

/** Every candidate (`best`, by byBest) ranked: chosen, then `ranked` in its order, then the rest. */
function explain(
  best: Evaluated[],
  ranked: Evaluated[],
  chosen: Evaluated | null,
  otherReason: CandidateReason,
): Candidate[] {
  ranked.forEach((e, i) => (e.order = i));
  if (chosen) chosen.order = -1;
  const candidates: Candidate[] = [];
  const other = singleReason(otherReason);
  const otherWhy = whyOf(other);
  const add = (e: Evaluated): void => {
    let reasons: readonly CandidateReason[];
    let why: string;
    if (e === chosen) {
      reasons = singleReason('chosen');
      why = whyOf(reasons);
    } else if (e.mask === 0 && e.affordable) {
      reasons = other;
      why = otherWhy;
    } else {
      // The hard reasons, then over_budget: one shared list and text per combination, found by the mask.
      const mask = e.affordable ? e.mask : e.mask | BIT.over_budget;
      reasons = reasonsOf(mask);
      why = WHY_BY_MASK[mask] ??= whyOf(reasons);
    }
    candidates.push({
      model_id: e.spec.id,
      display_name: e.spec.display_name,
      provider: e.spec.provider,
      local: e.local,
      quality: round(e.quality),
      estimate_usd: e.cost,
      rank: candidates.length + 1,
      status: e === chosen ? 'chosen' : e.mask === 0 && e.affordable ? 'eligible' : 'rejected',
      reasons: reasons as CandidateReason[],
      why,
    });
  };
  if (chosen) add(chosen);
  for (const e of ranked) if (e !== chosen) add(e);
  // The rest by how many hard reasons rule them out, then byBest: a stable bucketing of `best`.
  const unranked: Evaluated[][] = Array.from({ length: REASON_ORDER.length + 1 }, () => []);
  for (const e of best) if (e.order === Number.MAX_SAFE_INTEGER) unranked[e.hard.length]!.push(e);
  for (const bucket of unranked) for (const e of bucket) add(e);
  return candidates;
}

/** The text of each mask's reasons (REASON_LISTS), made on first use. */
const WHY_BY_MASK: (string | undefined)[] = [];

function whyOf(reasons: readonly CandidateReason[]): string {
  let why = whyCache.get(reasons);
  if (why === undefined)
    whyCache.set(reasons, (why = reasons.length === 1 ? reasonText(reasons[0]!) : reasons.map(reasonText).join('; ')));
  return why;
}

function tierReason(tier: TierUsed, top: Evaluated, task: TaskSpec, complexity: number): string {
  const q = `quality ${round(top.quality)}`;
  const name = top.spec.display_name;
  switch (tier) {
    case 'budget':
      return top.local
        ? `Budget: free local model ${name} (${q}) has ${STRENGTH_WORDS[task.strength]}.`
        : `Budget: no installed local model has ${STRENGTH_WORDS[task.strength]}; ${name} is the cheapest cloud model that does (${q}, about ${usd(top.cost)}).`;
    case 'balanced':
      return top.local
        ? `Balanced: ${name} (${q}) is free and good enough for complexity ${complexity}.`
        : `Balanced: ${name} gives the most quality per dollar for ${task.display_name} (${q}, about ${usd(top.cost)}).`;
    case 'premium':
      return `Premium: ${name} has the highest quality available for ${task.display_name} (${q}).`;
    case 'local':
      return `Local: ${name} is the best installed local model for ${task.display_name} (${q}).`;
  }
}

function unavailableMessage(task: TaskSpec, all: Evaluated[], localOnly: boolean): string {
  if (all.length === 0) return `No models are registered, so nothing can do ${task.display_name}.`;
  return `No available model can do ${task.display_name}${localOnly ? ' on this machine' : ''} (${reasonCounts(all)}).`;
}

/** "3 no API key, 1 context window too small": how many candidates each hard reason rules out. */
function reasonCounts(all: Evaluated[]): string {
  const counts = new Map<CandidateReason, number>();
  for (const e of all) for (const r of e.hard) counts.set(r, (counts.get(r) ?? 0) + 1);
  return [...counts].map(([r, n]) => `${n} ${reasonText(r)}`).join(', ');
}

/**
 * No model can take this run's images: which models could see them and what each needs (a key), in a writer's
 * words. Local models never can: node-llama-cpp runs Quire's GGUFs as text models, with no image projector loaded.
 */
function noVisionMessage(task: TaskSpec, best: Evaluated[], localOnly: boolean): string {
  const withoutImages = ' Remove the images to run it on the text alone.';
  if (localOnly) {
    return `${task.display_name} must stay on this machine, and no model on this machine can see images (Quire's local models read text only).${withoutImages}`;
  }
  const seeing = best.filter((e) => e.spec.capabilities.vision && !e.spec.retired);
  if (seeing.length === 0) {
    return `No model Quire knows can see images, so ${task.display_name} cannot run with them.${withoutImages}`;
  }
  const names = seeing.slice(0, 3).map((e) => e.spec.display_name);
  const keys = [
    ...new Set(
      seeing
        .filter((e) => e.hard.includes('no_key'))
        .map((e) => providerDescriptor(e.spec.provider)?.display_name ?? e.spec.provider),
    ),
  ];
  const need =
    keys.length > 0
      ? ` Add ${/^[AEIOU]/.test(keys[0]!) ? 'an' : 'a'} ${joinOr(keys)} key in Settings → AI Intelligence to use one.`
      : ` None of them can take this run now (${reasonCounts(seeing)}).`;
  return `Your images need a model that can see them, and none is ready for ${task.display_name}: ${joinAnd(names)} can see images.${need} Local models cannot see images.${withoutImages}`;
}

function joinOr(items: string[]): string {
  return items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} or ${items.at(-1)}`;
}

function joinAnd(items: string[]): string {
  return items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`;
}

const BELOW_MIN_QUALITY = `below minimum quality ${MIN_QUALITY}`;

export function reasonText(reason: CandidateReason): string {
  switch (reason) {
    case 'chosen':
      return 'chosen';
    case 'ranked_lower':
      return 'ranked lower for this tier';
    case 'retired':
      return 'retired by its provider';
    case 'excluded':
      return 'excluded for this call (e.g. its provider is failing)';
    case 'local_only':
      return 'cloud model, but this work must stay on this machine';
    case 'no_key':
      return 'no API key';
    case 'not_downloaded':
      return 'not downloaded';
    case 'lacks_strength':
      return 'lacks the strength this task needs';
    case 'context_too_small':
      return 'context window too small';
    case 'below_min_quality':
      return BELOW_MIN_QUALITY;
    case 'over_budget':
      return 'over the monthly budget';
    case 'not_in_pack':
      return 'not what the active pack maps this task to';
    case 'no_vision':
      return 'cannot see images';
  }
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}

function usd(n: number): string {
  return n >= 0.01 ? `$${n.toFixed(2)}` : `$${n.toPrecision(2)}`;
}
