// Seed 000's selection, pure: given the registry, the task, the settings, what is available, what is spent and what
// feedback taught us, pick one model and say why — or refuse and say why. The orders it ranks candidates by are
// decide-orders.ts's; the words of its reasons and refusals are decide-text.ts's.
import type {
  CandidateReason,
  DecideRequest,
  Decision,
  ModelSpec,
  QualityTier,
  Settings,
  TaskSpec,
  TierUsed,
} from '../../src-preload/contract';
import { RANKS_LOWER } from '../../src-preload/contract/orchestrator';
import { InvalidInputError } from '../errors/invalid-input-error';
import {
  BIT,
  MIN_QUALITY,
  byBest,
  ordersFor,
  rankForTier,
  reasonsOf,
  registryState,
  routeLocal,
  valueForMoney,
  type Evaluated,
  type Rankings,
} from './decide-orders';
import { leastLocalAnswer } from './local-answer';
import {
  blockedText,
  explain,
  goneModel,
  goneStep,
  NO_AFFORDABLE_STEP,
  noVisionMessage,
  overBudgetSteps,
  passedOverText,
  steppedDownText,
  tierReason,
  unavailableMessage,
} from './decide-text';
import { usdLeftText, usdText } from '../../src-preload/contract/usd-text';
import { imageTokens } from './image-tokens';
import { worstCaseUsd } from './pricing';
import { answerWithin, outputAllowance, ownOutputLimit } from './thinking';
import type { ReasoningEffort } from '../../src-preload/contract/tasks';
import { priorOnly, type QualityLookup } from './quality';
import { localUnavailable, type AvailabilitySource, type SpendSnapshot } from './sources';
import type { TaskTable } from './tasks';

export { MIN_QUALITY, PREFER_LOCAL_MARGIN } from './decide-orders';
export { reasonText } from './decide-text';

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
  /** The active pack (its display name is how the writer knows it; `name` is its id). */
  pack?: { name: string; display_name?: string; tasks: Readonly<Record<string, string>> } | null;
  /** Worst-case USD of a call; defaults to pricing.worstCaseUsd. */
  price?: (spec: ModelSpec, inputTokens: number, maxOutputTokens: number) => number;
  /**
   * Each library task's reasoning effort (its definition's): the room to think a reasoning candidate is priced with
   * when the request does not say (thinking.ts). Without it, none.
   */
  efforts?: ReadonlyMap<string, ReasoningEffort>;
  /**
   * Set when `price` answers the same for the same arguments for as long as the same function is passed (the
   * orchestrator service's price function, replaced every hour and when the registry changes): decide then keeps a
   * task's costs from one decision to the next with the same token counts, rather than pricing every model again.
   * Not for a function that reads the clock (worstCaseUsd without `at`).
   */
  pricesStable?: boolean;
}

export function requireTask(tasks: TaskTable, id: string, path = 'task'): TaskSpec {
  const task = tasks.get(id);
  if (!task) throw new InvalidInputError(`Unknown task "${id}"`, path);
  return task;
}

/** The effort a decision prices thinking at: the request's (null: none), else the task's own where known. */
export function effortOf(
  request: Pick<DecideRequest, 'task' | 'reasoning_effort'>,
  inputs: Pick<DecisionInputs, 'efforts'>,
): ReasoningEffort | null {
  return request.reasoning_effort === undefined
    ? (inputs.efforts?.get(request.task) ?? null)
    : request.reasoning_effort;
}

export function decide(request: DecideRequest, inputs: DecisionInputs): Decision {
  const decision = choose(request, inputs);
  const images = request.images ?? [];
  if ((images.length === 0 && !request.own_output_limit) || decision.model_id === null) return decision;
  const chosen = inputs.registry.find((s) => s.id === decision.model_id);
  if (!chosen) return decision;
  const seen = imageTokens(chosen, images);
  return {
    ...decision,
    ...(images.length > 0 ? { images: { count: images.length, tokens: seen } } : {}),
    // What the chosen model is sent: its own limit, as it was priced.
    ...(request.own_output_limit ? { max_output_tokens: ownOutputLimit(chosen, decision.input_tokens + seen) } : {}),
  };
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
  const ownLimit = request.own_output_limit === true;
  const shortenLocal = request.shorten_local_answer === true;
  const effort = effortOf(request, inputs);
  const remaining =
    settings.monthly_budget === null
      ? null
      : Math.max(0, settings.monthly_budget - inputs.spend.spent_usd - inputs.spend.reserved_usd);
  const exclude = request.exclude && request.exclude.length > 0 ? new Set(request.exclude) : null;
  const images = request.images ?? [];

  const state = registryState(inputs.registry);
  const evaluated = state.evaluated;
  const orders = ordersFor(state, task.id);
  const priced = orders.priced;
  const costs = orders.costs;
  const keep = inputs.pricesStable === true && images.length === 0;
  const samePrices =
    keep &&
    priced !== null &&
    priced.price === price &&
    priced.input === inputTokens &&
    priced.output === (ownLimit ? null : maxOutput) &&
    priced.effort === effort;
  orders.priced = null;
  for (let i = 0; i < evaluated.length; i++) {
    const e = evaluated[i]!;
    const spec = e.spec;
    const local = e.local;
    const q = quality(spec.id, task.id, spec.quality);
    const seen = images.length > 0 && spec.capabilities.vision ? imageTokens(spec, images) : 0;
    // A reasoning model's worst case counts its room to think besides the answer (its context is checked on the answer:
    // that room shrinks to what the context leaves); without a caller's limit, everything the model may write.
    const output = ownLimit ? ownOutputLimit(spec, inputTokens + seen) : outputAllowance(spec, maxOutput, effort);
    const cost = local ? 0 : samePrices ? costs[i]! : (costs[i] = price(spec, inputTokens + seen, output));
    let mask = 0;
    // Images go only to a model that can see them; local models cannot (node-llama-cpp runs text models here).
    if (images.length > 0 && !spec.capabilities.vision) mask |= BIT.no_vision;
    if (spec.retired) mask |= BIT.retired;
    if (exclude?.has(spec.id)) mask |= BIT.excluded;
    if (localOnly && !local) mask |= BIT.local_only;
    if (local) {
      const unavailable = localUnavailable(inputs.availability, spec.local?.catalog_id);
      if (unavailable) mask |= BIT[unavailable];
    } else if (!inputs.availability.cloudReady(spec)) mask |= BIT.no_key;
    if (!spec.strengths.includes(task.strength)) mask |= BIT.lacks_strength;
    // A local model the writer picked has its answer shortened to what its context leaves, down to a floor
    // (local-answer.ts), rather than refused; Quire's own choice prefers a model that holds the whole answer.
    const answer = answerWithin(
      spec,
      local && shortenLocal && spec.id === request.model ? leastLocalAnswer(maxOutput) : maxOutput,
    );
    e.need = inputTokens + seen + answer;
    if (spec.context_window < e.need) mask |= BIT.context_too_small;
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
  if (keep) orders.priced = { price, input: inputTokens, output: ownLimit ? null : maxOutput, effort };
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
  const packModel = forced ? undefined : packModelUnforced(request, inputs);
  if (forced !== undefined || packModel !== undefined) {
    const wanted = (forced ?? packModel)!;
    const mode = forced !== undefined ? 'forced' : 'pack';
    const target = evaluated.find((e) => e.spec.id === wanted);
    // A writer's explicit mapping may use a model without the listed strength or below the minimum quality.
    const blockers = target ? target.hard.filter((r) => !RANKS_LOWER.has(r)) : [];
    const packName = inputs.pack?.display_name ?? inputs.pack?.name ?? '';
    const wantedName = target?.spec.display_name ?? goneModel(wanted).name;
    const what =
      mode === 'forced'
        ? `The model you picked, ${wantedName},`
        : `Your pack “${packName}” maps ${task.display_name} to ${wantedName}, which`;
    if (target && blockers.length === 0 && target.affordable) {
      const order = [target, ...route.filter((e) => e !== target)];
      return finish(base, rankings, order, target, {
        mode,
        pack: mode === 'pack' ? packName : null,
        tier_used: target.local ? 'local' : tierRequested,
        reason:
          mode === 'forced'
            ? `Using ${wantedName} as requested.`
            : `Your pack “${packName}” maps ${task.display_name} to ${wantedName}.`,
        otherReason: 'not_in_pack',
        remaining,
      });
    }
    // What keeps it out, in the writer's words, and (for a refusal) the step that fixes it.
    const blocked = target && blockers.length > 0 ? blockedText(target, blockers) : null;
    const problem = !target
      ? `${what} ${goneModel(wanted).gone}`
      : blocked
        ? `${what} cannot run${blocked.now ? ' right now' : ''}: ${blocked.why}`
        : `${what} would cost about ${usdText(target.cost)}, more than the ${usdLeftText(remaining ?? 0)} left this month`;
    const fallback = mode === 'pack' ? route.filter((e) => e.affordable) : [];
    const pick = fallback[0];
    if (pick) {
      return finish(base, rankings, fallback, pick, {
        mode,
        pack: packName,
        tier_used: 'local',
        reason: `${problem}; using the local model ${pick.spec.display_name} instead.`,
        otherReason: 'not_in_pack',
        remaining,
        standIn: true,
      });
    }
    const code = target && blockers.length === 0 ? 'budget_exceeded' : 'unavailable';
    // Over the budget left: what Quire would choose instead (a pick of the writer's by the tier rules, unless their
    // pack maps the task; a pack's once automatic choice is on) when that fits, and an installed local model.
    const auto =
      code === 'budget_exceeded' && (mode === 'pack' || packModelUnforced(request, inputs) === undefined)
        ? withinBudget(tierRequested, rankings, complexity, settings.prefer_local).pick?.top
        : undefined;
    const step = !target
      ? goneStep(mode)
      : blocked
        ? blocked.steps
        : overBudgetSteps(
            mode,
            auto && !auto.local ? { name: auto.spec.display_name, cost: auto.cost } : null,
            route[0]?.spec.display_name ?? null,
          );
    // With its step said, the refusal is advised: no general next step is added to it.
    const refused = step
      ? refuse(base, rankings, mode, mode === 'pack' ? packName : null, code, `${problem}. ${step}`, true)
      : refuse(base, rankings, mode, mode === 'pack' ? packName : null, code, `${problem}.`);
    return blockers.length > 0 && blockers.every((reason) => reason === 'context_too_small')
      ? { ...refused, refusal: { ...refused.refusal!, too_long: true } }
      : refused;
  }

  const { pick, passedOver } = withinBudget(tierRequested, rankings, complexity, settings.prefer_local);
  if (pick) {
    const { tier, order, top } = pick;
    return finish(base, rankings, order, top, {
      mode: 'orchestrator',
      pack: null,
      tier_used: tier,
      reason: `${tierReason(tier, top, task, complexity)}${steppedDownText(passedOver, remaining)}`,
      otherReason: 'ranked_lower',
      remaining,
      closers: route,
    });
  }

  if (anyUsable) {
    return refuse(
      base,
      rankings,
      'orchestrator',
      null,
      'budget_exceeded',
      `Nothing affordable can do ${task.display_name}: ${usdLeftText(remaining ?? 0)} is left of this month's ${usdText(settings.monthly_budget ?? 0)} budget and no free local model is installed for it. ${NO_AFFORDABLE_STEP}`,
      true,
    );
  }
  const why =
    images.length > 0
      ? { message: noVisionMessage(task, best, localOnly) }
      : unavailableMessage(task, evaluated, localOnly, { input: inputTokens, answer: maxOutput });
  const refused = refuse(base, rankings, 'orchestrator', null, 'unavailable', why.message);
  return why.shorter ? { ...refused, refusal: { ...refused.refusal!, shorter: why.shorter, too_long: true } } : refused;
}

/** The model the active pack maps the task to when the request names none and automatic choice is off. */
function packModelUnforced(request: DecideRequest, inputs: DecisionInputs): string | undefined {
  return !inputs.settings.enabled && inputs.pack ? inputs.pack.tasks[request.task] : undefined;
}

/**
 * What the tier rules choose within the budget left: from the writer's tier down, the first whose best model is
 * affordable (null when none is), with the tiers passed over on the way, said.
 */
function withinBudget(
  tierRequested: QualityTier,
  rankings: Rankings,
  complexity: number,
  preferLocal: boolean,
): { pick: { tier: TierUsed; order: Evaluated[]; top: Evaluated } | null; passedOver: string[] } {
  const passedOver: string[] = [];
  for (const tier of STEP_DOWN[tierRequested]) {
    const order = tier === 'local' ? rankings.route : rankForTier(tier, rankings, complexity, preferLocal);
    const top = order[0];
    if (!top) continue;
    if (top.affordable) return { pick: { tier, order, top }, passedOver };
    passedOver.push(passedOverText(tier, top.spec.display_name, top.cost));
  }
  return { pick: null, passedOver };
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
  /** The pack's own model could not run it: the chosen one stands in. */
  standIn?: boolean;
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
    ...(options.standIn ? { stand_in: true } : {}),
  };
}

function refuse(
  base: Base,
  rankings: Rankings,
  mode: Decision['mode'],
  pack: string | null,
  code: 'budget_exceeded' | 'unavailable',
  message: string,
  advised = false,
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
    refusal: { code, message, ...(advised ? { advised: true as const } : {}) },
  };
}
