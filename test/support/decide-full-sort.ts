// The test oracle for decide.ts: seed 000's selection exactly as it was before decisions became linear in the
// registry's size, ranking by full sorts of every candidate list. decide-linear.test.ts compares the two on seeded
// random registries; nothing else imports this.
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
import { usdLeftText, usdText } from '../../src-preload/contract/usd-text';
import { TIER_NAMES } from '../../src-preload/contract/settings';
import { providerDescriptor } from '../../src-preload/contract/provider-table';
import { InvalidInputError } from '../../src-main/errors/invalid-input-error';
import {
  blockedText,
  DIFFICULTY_WORDS,
  goneModel,
  goneStep,
  NO_AFFORDABLE_STEP,
  overBudgetSteps,
  passedOverText,
  steppedDownText,
  unavailableMessage,
} from '../../src-main/orchestrator/decide-text';
import { imageTokens } from '../../src-main/orchestrator/image-tokens';
import { answerWithin } from '../../src-main/orchestrator/thinking';
import { worstCaseUsd } from '../../src-main/orchestrator/pricing';
import { priorOnly, type QualityLookup } from '../../src-main/orchestrator/quality';
import type { AvailabilitySource, SpendSnapshot } from '../../src-main/orchestrator/sources';
import { sizeForComplexity, type TaskTable } from '../../src-main/orchestrator/tasks';

/** Seed 000: the budget tier's minimum quality; no tier picks a model estimated below it for the task. */
const MIN_QUALITY = 6;
/** prefer_local: a local model within this many points of the best candidate wins. */
const PREFER_LOCAL_MARGIN = 1;
/** Alternatives listed before the local model that closes the fallback chain. */
const FALLBACK_CLOUD_LIMIT = 3;
const EPSILON = 1e-12;

const STEP_DOWN: Record<QualityTier, TierUsed[]> = {
  premium: ['premium', 'balanced', 'budget', 'local'],
  balanced: ['balanced', 'budget', 'local'],
  budget: ['budget', 'local'],
};

interface DecisionInputs {
  registry: readonly ModelSpec[];
  tasks: TaskTable;
  settings: Settings['orchestrator'];
  availability: AvailabilitySource;
  spend: SpendSnapshot;
  quality?: QualityLookup;
  /** The active pack's mapping, used when the orchestrator is disabled. */
  pack?: { name: string; display_name?: string; tasks: Readonly<Record<string, string>> } | null;
  /** Worst-case USD of a call; defaults to pricing.worstCaseUsd. */
  price?: (spec: ModelSpec, inputTokens: number, maxOutputTokens: number) => number;
}

interface Evaluated {
  spec: ModelSpec;
  local: boolean;
  quality: number;
  cost: number;
  /** Hard reasons it cannot be used at all (empty = usable); shared between candidates, never mutated. */
  hard: readonly CandidateReason[];
  affordable: boolean;
  /** The tokens its context must hold for this call. */
  need: number;
  /** Position in the final ranking (explain); unranked ones sort after. */
  order: number;
  /** Position in the registry's (legacy, id) order: the last tie-break, one integer comparison. */
  tie: number;
  /** SIZE_INDEX of its local size class (medium when it has none). */
  size: number;
}

const SIZE_INDEX = { small: 0, medium: 1, large: 2 } as const;

/** The hard reasons in the order a candidate lists them, then over_budget; one bit each. */
const REASON_ORDER = [
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

function maskOf(reasons: readonly CandidateReason[]): number {
  let mask = 0;
  for (const reason of reasons) mask |= BIT[reason as keyof typeof BIT] ?? 0;
  return mask;
}

const whyCache = new Map<readonly CandidateReason[], string>();
const single = new Map<CandidateReason, readonly CandidateReason[]>();

function singleReason(reason: CandidateReason): readonly CandidateReason[] {
  let list = single.get(reason);
  if (!list) single.set(reason, (list = Object.freeze([reason])));
  return list;
}

function requireTask(tasks: TaskTable, id: string, path = 'task'): TaskSpec {
  const task = tasks.get(id);
  if (!task) throw new InvalidInputError(`Unknown task "${id}"`, path);
  return task;
}

export function decideByFullSort(request: DecideRequest, inputs: DecisionInputs): Decision {
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

  const ties = tieRanks(inputs.registry);
  const evaluated: Evaluated[] = [];
  for (let index = 0; index < inputs.registry.length; index++) {
    const spec = inputs.registry[index]!;
    const local = spec.provider === 'local';
    const q = quality(spec.id, task.id, spec.quality);
    const seen = images.length > 0 && spec.capabilities.vision ? imageTokens(spec, images) : 0;
    const answer = answerWithin(spec, maxOutput);
    const cost = local ? 0 : price(spec, inputTokens + seen, answer);
    let mask = 0;
    // Images go only to a model that can see them; local models cannot (node-llama-cpp runs text models here).
    if (images.length > 0 && !spec.capabilities.vision) mask |= BIT.no_vision;
    if (spec.retired) mask |= BIT.retired;
    if (exclude?.has(spec.id)) mask |= BIT.excluded;
    if (localOnly && !local) mask |= BIT.local_only;
    if (local) {
      const catalogId = spec.local?.catalog_id;
      if (catalogId === undefined || !inputs.availability.localInstalled(catalogId))
        mask |=
          catalogId !== undefined && inputs.availability.localUnusable?.(catalogId) ? BIT.unusable : BIT.not_downloaded;
    } else if (!inputs.availability.cloudReady(spec)) mask |= BIT.no_key;
    if (!spec.strengths.includes(task.strength)) mask |= BIT.lacks_strength;
    if (spec.context_window < inputTokens + seen + answer) mask |= BIT.context_too_small;
    if (q < MIN_QUALITY) mask |= BIT.below_min_quality;
    // One shared array per combination of reasons: 5,000 candidates do not allocate 5,000 arrays.
    const hard = reasonsOf(mask);
    evaluated.push({
      spec,
      local,
      quality: q,
      cost,
      hard,
      affordable: remaining === null || cost <= remaining + EPSILON,
      need: inputTokens + seen + answer,
      order: Number.MAX_SAFE_INTEGER,
      tie: ties[index]!,
      size: SIZE_INDEX[spec.local?.size_class ?? 'medium'],
    });
  }

  const base = {
    task: task.id,
    tier_requested: tierRequested,
    local_only: localOnly,
    complexity,
    input_tokens: inputTokens,
    max_output_tokens: maxOutput,
    remaining_usd: remaining,
  };
  const usable = evaluated.filter((e) => e.hard.length === 0);
  // The last step down: any installed local model that passes everything but the strength, rather than nothing.
  const localLast = evaluated.filter(
    (e) => e.local && e.hard.every((r) => r === 'lacks_strength' || r === 'below_min_quality'),
  );

  /** The tier rules within the budget: the first tier down whose best model is affordable, and those passed over. */
  const stepDown = () => {
    const steps: string[] = [];
    for (const tier of STEP_DOWN[tierRequested]) {
      const ranked =
        tier === 'local'
          ? routeLocal(localLast, complexity)
          : rankForTier(tier, usable, complexity, settings.prefer_local);
      const top = ranked[0];
      if (!top) continue;
      if (top.affordable) return { pick: { tier, ranked, top }, steps };
      steps.push(passedOverText(tier, top.spec.display_name, top.cost));
    }
    return { pick: null, steps };
  };

  const forced = request.model;
  const packModel = !forced && !settings.enabled && inputs.pack ? inputs.pack.tasks[task.id] : undefined;
  if (forced !== undefined || packModel !== undefined) {
    const wanted = (forced ?? packModel)!;
    const mode = forced !== undefined ? 'forced' : 'pack';
    const target = evaluated.find((e) => e.spec.id === wanted);
    // A writer's explicit mapping may use a model without the listed strength or below the minimum quality.
    const blockers = target ? target.hard.filter((r) => r !== 'lacks_strength' && r !== 'below_min_quality') : [];
    const packName = inputs.pack?.display_name ?? inputs.pack?.name ?? '';
    const wantedName = target?.spec.display_name ?? goneModel(wanted).name;
    const what =
      mode === 'forced'
        ? `The model you picked, ${wantedName},`
        : `Your pack “${packName}” maps ${task.display_name} to ${wantedName}, which`;
    if (target && blockers.length === 0 && target.affordable) {
      const ranked = [
        target,
        ...routeLocal(
          localLast.filter((e) => e !== target),
          complexity,
        ),
      ];
      return finish(base, evaluated, ranked, target, {
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
    const blocked = target && blockers.length > 0 ? blockedText(target, blockers) : null;
    const problem = !target
      ? `${what} ${goneModel(wanted).gone}`
      : blocked
        ? `${what} cannot run${blocked.now ? ' right now' : ''}: ${blocked.why}`
        : `${what} would cost about ${usdText(target.cost)}, more than the ${usdLeftText(remaining ?? 0)} left this month`;
    const fallback =
      mode === 'pack'
        ? routeLocal(
            localLast.filter((e) => e.affordable),
            complexity,
          )
        : [];
    const pick = fallback[0];
    if (pick) {
      return finish(base, evaluated, fallback, pick, {
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
    const unforcedPack = !settings.enabled && inputs.pack ? inputs.pack.tasks[task.id] : undefined;
    const auto =
      code === 'budget_exceeded' && (mode === 'pack' || unforcedPack === undefined) ? stepDown().pick?.top : undefined;
    const step = !target
      ? goneStep(mode)
      : blocked
        ? blocked.steps
        : overBudgetSteps(
            mode,
            auto && !auto.local ? { name: auto.spec.display_name, cost: auto.cost } : null,
            routeLocal(localLast, complexity)[0]?.spec.display_name ?? null,
          );
    const refused = refuse(
      base,
      evaluated,
      mode,
      mode === 'pack' ? packName : null,
      code,
      step ? `${problem}. ${step}` : `${problem}.`,
      complexity,
      localLast,
      step !== '',
    );
    return blockers.length > 0 && blockers.every((reason) => reason === 'context_too_small')
      ? { ...refused, refusal: { ...refused.refusal!, too_long: true } }
      : refused;
  }

  const { pick, steps } = stepDown();
  if (pick) {
    const { tier, ranked, top } = pick;
    return finish(base, evaluated, ranked, top, {
      mode: 'orchestrator',
      pack: null,
      tier_used: tier,
      reason: `${tierReason(tier, top, task, complexity)}${steppedDownText(steps, remaining)}`,
      otherReason: 'ranked_lower',
      remaining,
      closers: routeLocal(localLast, complexity),
    });
  }

  const anyUsable = usable.length > 0 || localLast.length > 0;
  if (anyUsable) {
    return refuse(
      base,
      evaluated,
      'orchestrator',
      null,
      'budget_exceeded',
      `Nothing affordable can do ${task.display_name}: ${usdLeftText(remaining ?? 0)} is left of this month's ${usdText(settings.monthly_budget ?? 0)} budget and no free local model is installed for it. ${NO_AFFORDABLE_STEP}`,
      complexity,
      localLast,
      true,
    );
  }
  const why =
    images.length > 0
      ? { message: noVisionMessage(task, evaluated, localOnly) }
      : unavailableMessage(task, evaluated, localOnly, { input: inputTokens, answer: maxOutput });
  const refused = refuse(base, evaluated, 'orchestrator', null, 'unavailable', why.message, complexity, localLast);
  return why.shorter ? { ...refused, refusal: { ...refused.refusal!, shorter: why.shorter, too_long: true } } : refused;
}

/** Candidates in the order the tier prefers them (usable ones only). */
function rankForTier(tier: QualityTier, usable: Evaluated[], complexity: number, preferLocal: boolean): Evaluated[] {
  const locals = routeLocal(
    usable.filter((e) => e.local),
    complexity,
  );
  const clouds = usable.filter((e) => !e.local);
  let ranked: Evaluated[];
  switch (tier) {
    case 'budget':
      ranked = [...locals, ...clouds.sort(byCheapest)];
      break;
    case 'balanced': {
      // Simple work (1–4) stays local; medium work (5–7) stays local while a free model is within a point of the
      // best-value cloud model; complex work (8–10) goes to the cloud (seed 002's routing, seed 000's balanced tier).
      const byValue = clouds.sort(byValueForMoney);
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
      ranked = [...usable].sort(byBest);
      break;
  }
  const top = ranked[0];
  if (preferLocal && top && !top.local) {
    const bestLocal = [...locals].sort(byBest)[0];
    if (bestLocal && bestLocal.quality >= top.quality - PREFER_LOCAL_MARGIN) {
      ranked = [bestLocal, ...ranked.filter((e) => e !== bestLocal)];
    }
  }
  return ranked;
}

/** Seed 002's complexity routing among local models: the size class the complexity asks for, then quality. */
function routeLocal(locals: Evaluated[], complexity: number): Evaluated[] {
  const target = SIZE_INDEX[sizeForComplexity(complexity)];
  const distance = (e: Evaluated) => Math.abs(e.size - target);
  return [...locals].sort((a, b) => {
    // Strength-matching models first: only the last step down reaches past them.
    const strength = Number(a.hard.length > 0) - Number(b.hard.length > 0);
    return strength || distance(a) - distance(b) || b.quality - a.quality || tieBreak(a, b);
  });
}

function tieBreak(a: Evaluated, b: Evaluated): number {
  return a.tie - b.tie;
}

/** Current models before legacy ones, then by id. */
function staticOrder(a: ModelSpec, b: ModelSpec): number {
  return Number(a.legacy ?? false) - Number(b.legacy ?? false) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/**
 * Each model's position in staticOrder, sorted once per registry rather than compared as strings inside every
 * decision's sorts (the registry changes rarely; decisions run on every call). The cache checks the specs are the
 * same objects, so a registry array reused with other contents is ranked again.
 */
const tieCache = new WeakMap<readonly ModelSpec[], { specs: ModelSpec[]; ranks: Int32Array }>();

function tieRanks(registry: readonly ModelSpec[]): Int32Array {
  const cached = tieCache.get(registry);
  if (cached && cached.specs.length === registry.length && cached.specs.every((spec, i) => spec === registry[i])) {
    return cached.ranks;
  }
  const specs = [...registry];
  const ranks = new Int32Array(specs.length);
  specs
    .map((_, i) => i)
    .sort((a, b) => staticOrder(specs[a]!, specs[b]!) || a - b)
    .forEach((index, rank) => (ranks[index] = rank));
  tieCache.set(registry, { specs, ranks });
  return ranks;
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
function valueForMoney(e: Evaluated): number {
  const above = e.quality - MIN_QUALITY + 1;
  return (above * above) / Math.max(e.cost, 1e-9);
}

function byValueForMoney(a: Evaluated, b: Evaluated): number {
  return valueForMoney(b) - valueForMoney(a) || byBest(a, b);
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
  all: Evaluated[],
  ranked: Evaluated[],
  chosen: Evaluated,
  options: FinishOptions,
): Decision {
  const rest = ranked.filter((e) => e !== chosen && e.affordable && e.hard.length === 0);
  const chain: string[] = [];
  for (const e of rest) {
    if (chain.length >= FALLBACK_CLOUD_LIMIT) break;
    if (!e.local) chain.push(e.spec.id);
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
    candidates: explain(all, ranked, chosen, options.otherReason),
    fallback_chain: chain,
    refusal: null,
    ...(options.standIn ? { stand_in: true } : {}),
  };
}

function refuse(
  base: Base,
  all: Evaluated[],
  mode: Decision['mode'],
  pack: string | null,
  code: 'budget_exceeded' | 'unavailable',
  message: string,
  complexity: number,
  localLast: Evaluated[],
  advised = false,
): Decision {
  const ranked = routeLocal(
    localLast.filter((e) => e.affordable),
    complexity,
  );
  return {
    ...base,
    mode,
    pack,
    model_id: null,
    reason: message,
    tier_used: null,
    estimate_usd: 0,
    candidates: explain(all, [], null, 'ranked_lower'),
    fallback_chain: ranked.slice(0, 1).map((e) => e.spec.id),
    refusal: { code, message, ...(advised ? { advised: true as const } : {}) },
  };
}

function explain(
  all: Evaluated[],
  ranked: Evaluated[],
  chosen: Evaluated | null,
  otherReason: CandidateReason,
): Candidate[] {
  ranked.forEach((e, i) => (e.order = i));
  if (chosen) chosen.order = -1;
  // The ranked ones keep their order (chosen first); only the rest need sorting among themselves.
  const unranked = all.filter((e) => e.order === Number.MAX_SAFE_INTEGER);
  unranked.sort((a, b) => a.hard.length - b.hard.length || byBest(a, b));
  const sorted = [...(chosen ? [chosen] : []), ...ranked.filter((e) => e !== chosen), ...unranked];
  return sorted.map((e, i) => {
    const reasons =
      e === chosen
        ? singleReason('chosen')
        : e.hard.length > 0
          ? e.affordable
            ? e.hard
            : reasonsOf(maskOf(e.hard) | BIT.over_budget)
          : !e.affordable
            ? singleReason('over_budget')
            : singleReason(otherReason);
    let why = whyCache.get(reasons);
    if (why === undefined)
      whyCache.set(
        reasons,
        (why = reasons.length === 1 ? reasonText(reasons[0]!) : reasons.map(reasonText).join('; ')),
      );
    return {
      model_id: e.spec.id,
      display_name: e.spec.display_name,
      provider: e.spec.provider,
      local: e.local,
      quality: round(e.quality),
      estimate_usd: e.cost,
      rank: i + 1,
      status: e === chosen ? 'chosen' : e.hard.length === 0 && e.affordable ? 'eligible' : 'rejected',
      reasons: reasons as CandidateReason[],
      why,
    };
  });
}

function tierReason(tier: TierUsed, top: Evaluated, task: TaskSpec, complexity: number): string {
  const q = `rated ${round(top.quality)} out of 10`;
  const name = top.spec.display_name;
  switch (tier) {
    case 'budget':
      return top.local
        ? `${TIER_NAMES.budget}: free local model ${name} (${q}) has ${STRENGTH_WORDS[task.strength]}.`
        : `${TIER_NAMES.budget}: no installed local model has ${STRENGTH_WORDS[task.strength]}; ${name} is the cheapest cloud model that does (${q}, about ${usdText(top.cost)}).`;
    case 'balanced':
      return top.local
        ? `${TIER_NAMES.balanced}: ${name} (${q}) is free and good enough for ${task.display_name}, ${DIFFICULTY_WORDS[sizeForComplexity(complexity)]}.`
        : `${TIER_NAMES.balanced}: ${name} gives the most quality per dollar for ${task.display_name} (${q}, about ${usdText(top.cost)}).`;
    case 'premium':
      return `${TIER_NAMES.premium}: ${name} has the highest quality available for ${task.display_name} (${q}).`;
    case 'local':
      return `Local: ${name} is the best local model for ${task.display_name} (${q}).`;
  }
}

/** "3 no API key, 1 context window too small": how many candidates each hard reason rules out. */
function reasonCounts(all: Evaluated[]): string {
  const counts = new Map<CandidateReason, number>();
  for (const e of all) for (const r of e.hard) counts.set(r, (counts.get(r) ?? 0) + 1);
  const text = [...counts]
    .map(([r, n]) =>
      n === 1
        ? `${n} ${reasonText(r)}`
        : r === 'lacks_strength'
          ? `${n} lack the strength this task needs`
          : r === 'local_only'
            ? `${n} cloud models, but this work must stay on this machine`
            : `${n} ${reasonText(r)}`,
    )
    .join(', ');
  const reasons = [...counts.values()].reduce((sum, n) => sum + n, 0);
  return reasons > all.length ? `${text}; some for more than one reason` : text;
}

/**
 * No model can take this run's images: which models could see them and what each needs (a key), in a writer's
 * words. Local models never can: node-llama-cpp runs Quire's GGUFs as text models, with no image projector loaded.
 */
function noVisionMessage(task: TaskSpec, all: Evaluated[], localOnly: boolean): string {
  const withoutImages = ' Remove the images to run it on the text alone.';
  if (localOnly) {
    return `${task.display_name} must stay on this machine, and no model on this machine can see images (Quire's local models read text only).${withoutImages}`;
  }
  const seeing = all.filter((e) => e.spec.capabilities.vision && !e.spec.retired).sort(byBest);
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

const BELOW_MIN_QUALITY = `rated below ${MIN_QUALITY} out of 10 (Quire's least)`;

function reasonText(reason: CandidateReason): string {
  switch (reason) {
    case 'chosen':
      return 'chosen';
    case 'ranked_lower':
      return 'ranked lower for this tier';
    case 'retired':
      return 'retired by its provider';
    case 'excluded':
      return 'its provider is paused after repeated errors';
    case 'local_only':
      return 'cloud model, but this work must stay on this machine';
    case 'no_key':
      return 'no API key';
    case 'not_downloaded':
      return 'not downloaded';
    case 'unusable':
      return 'has not passed its test load';
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
