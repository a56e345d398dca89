// The words of a decision: every candidate ranked with why (explain), the reason a tier gives for its pick, and
// what a refusal says when no model can do the task.
import {
  blockingReasons,
  onlyContextKeepsOut,
  type Candidate,
  type CandidateReason,
  type TaskSpec,
  type TierUsed,
} from '../../src-preload/contract';
import { STRENGTH_WORDS } from '../../src-preload/contract/constants';
import { modelPlace, providerDescriptor } from '../../src-preload/contract/provider-table';
import { BIT, MIN_QUALITY, REASON_ORDER, reasonsOf, type Evaluated } from './decide-orders';
import { modelIdParts } from '../../src-preload/contract/model-ids';
import { usdLeftText, usdText } from '../../src-preload/contract/usd-text';
import { TIER_NAMES } from '../../src-preload/contract/settings';
import { sizeForComplexity } from './tasks';
import { joinAnd, joinOr } from '../../src-preload/contract/list-text';

const whyCache = new Map<readonly CandidateReason[], string>();
const single = new Map<CandidateReason, readonly CandidateReason[]>();

function singleReason(reason: CandidateReason): readonly CandidateReason[] {
  let list = single.get(reason);
  if (!list) single.set(reason, (list = Object.freeze([reason])));
  return list;
}

/** Every candidate (`best`, by byBest) ranked: chosen, then `ranked` in its order, then the rest. */
export function explain(
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

/** How demanding a task is, in words: the 1–10 complexity is the router's scale, never shown to a writer. */
export const DIFFICULTY_WORDS: Record<ReturnType<typeof sizeForComplexity>, string> = {
  small: 'a simple task',
  medium: 'a task of medium difficulty',
  large: 'a demanding task',
};

export function tierReason(tier: TierUsed, top: Evaluated, task: TaskSpec, complexity: number): string {
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

/** What the writer has not set up: a key or a download (or a cloud model, when the work must stay on this machine). */
const SET_UP_REASONS: ReadonlySet<CandidateReason> = new Set(['no_key', 'not_downloaded', 'local_only']);

/** Only the models and their hard reasons are read (the test oracle, test/support/decide-full-sort.ts, shares these words). */
type WithReasons = Pick<Evaluated, 'hard' | 'spec' | 'need'>;
type Sized = Pick<Evaluated, 'spec' | 'need'>;

/**
 * The tokens a call needs of a context, beside what the models its length keeps out read at once (of several, the one
 * that reads the most): "this needs about 7,012 tokens with its answer; it reads 4,096 at once".
 */
function roomText(models: readonly Sized[]): string {
  const most = models.reduce((a, b) => (b.spec.context_window > a.spec.context_window ? b : a));
  const context = most.spec.context_window;
  const reads =
    models.length === 1
      ? 'it reads'
      : models.every((m) => m.spec.context_window === context)
        ? 'they read'
        : `the largest, ${most.spec.display_name}, reads`;
  return `this needs about ${count(most.need)} tokens with its answer; ${reads} ${count(context)} at once`;
}

const count = (tokens: number) => tokens.toLocaleString('en-US');

/** How many models of one kind the refusal names before "and N more". */
const NAMED = 4;

/**
 * Why no model can do the task, and (`shorter`) the message's last sentence when models are kept out by their context
 * alone ("A shorter passage … may fit in …"): the one a caller that can count the instruction replaces where no passage
 * would fit (runs/run-decision.ts).
 */
export function unavailableMessage(
  task: TaskSpec,
  all: readonly WithReasons[],
  localOnly: boolean,
  size: { input: number; answer: number },
): { message: string; shorter?: string } {
  if (all.length === 0) return { message: `No models are registered, so nothing can do ${task.display_name}.` };
  // Nothing set up at all (no key for any cloud model, no local model downloaded): that is the whole story, not a
  // count of every way the registry's models are out.
  const setUp = all.filter((e) => !e.hard.some((r) => SET_UP_REASONS.has(r)));
  if (setUp.length === 0)
    return {
      message: localOnly
        ? `No local model is downloaded yet, so nothing on this machine can do ${task.display_name}.`
        : `No model is set up yet, so nothing can do ${task.display_name} (no cloud model has an API key, and no local model is downloaded).`,
    };
  // Some are set up: what keeps each of those out is the story (the rest only wait for a key or a download), by name,
  // grouped by why: "Without an ear for prose: DeepSeek V3 and DeepSeek R1."
  const groups = new Map<string, string[]>();
  const onlyContext: WithReasons[] = [];
  /** Whether one of those holds the request itself, so a shorter answer alone could make it fit. */
  let holdsRequest = false;
  for (const e of setUp) {
    const local = e.spec.provider === 'local';
    // An installed local model's strength and quality only rank it lower: not named when something else keeps it out.
    const reasons = blockingReasons(e.hard, local);
    if (onlyContextKeepsOut(e.hard, local)) {
      onlyContext.push(e);
      holdsRequest ||= size.input < e.spec.context_window;
    }
    const why = reasons.map((r) =>
      r === 'lacks_strength' ? `without ${STRENGTH_WORDS[task.strength]}` : reasonText(r),
    );
    const key = why.join(', ');
    groups.set(key, [...(groups.get(key) ?? []), e.spec.display_name]);
  }
  const said = [...groups].map(([why, names]) => `${why.charAt(0).toUpperCase()}${why.slice(1)}: ${named(names)}.`);
  const message = `None of the models you have set up can do ${task.display_name}${localOnly ? ' on this machine' : ''}. ${said.join(' ')}`;
  if (onlyContext.length === 0) return { message };
  // A model kept out by its context alone runs the task on less: a shorter passage, or (when it holds the request
  // itself) a shorter answer.
  const less = holdsRequest
    ? `A shorter passage, or a shorter answer than the ${size.answer.toLocaleString('en-US')} tokens now allowed,`
    : 'A shorter passage';
  const names = named(onlyContext.map((e) => e.spec.display_name));
  const shorter = `${less} may fit in ${names} (${roomText(onlyContext)}).`;
  return { message: `${message} ${shorter}`, shorter };
}

/** The first few names, then how many more: "m0, m1, m2 and 3 more". */
function named(names: readonly string[]): string {
  return joinAnd(names.length > NAMED ? [...names.slice(0, NAMED - 1), `${names.length - NAMED + 1} more`] : names);
}

/** The reasons whose words change for several models: "2 cloud models, but …", not "2 cloud model". */
const PLURAL: Partial<Record<CandidateReason, string>> = {
  lacks_strength: 'lack the strength this task needs',
  local_only: 'cloud models, but this work must stay on this machine',
};

/** "3 no API key, 1 context window too small": how many candidates each hard reason rules out. */
function reasonCounts(all: readonly WithReasons[]): string {
  const counts = new Map<CandidateReason, number>();
  for (const e of all) for (const r of e.hard) counts.set(r, (counts.get(r) ?? 0) + 1);
  const text = [...counts].map(([r, n]) => `${n} ${n === 1 ? reasonText(r) : (PLURAL[r] ?? reasonText(r))}`).join(', ');
  // The counts add up to more than the models when one is out for several reasons: said, so nothing looks miscounted.
  const reasons = [...counts.values()].reduce((sum, n) => sum + n, 0);
  return reasons > all.length ? `${text}; some for more than one reason` : text;
}

/**
 * No model can take this run's images: which models could see them and what each needs (a key), in a writer's
 * words. Local models never can: node-llama-cpp runs Quire's GGUFs as text models, with no image projector loaded.
 */
export function noVisionMessage(task: TaskSpec, best: Evaluated[], localOnly: boolean): string {
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

/** A tier as the writer sees it named (Settings' tier cards). */
const TIER_LABEL: Record<TierUsed, string> = { ...TIER_NAMES, local: 'local models' };

/** A tier the budget stepped down past: "Balanced (DeepSeek V3.2, about $0.00039)". */
export function passedOverText(tier: TierUsed, model: string, cost: number): string {
  return `${TIER_LABEL[tier]} (${model}, about ${usdText(cost)})`;
}

/**
 * One sentence for every tier passed over (empty when none was): " To stay within the $0.00029 left this month, Quire
 * passed over Best (Claude Opus 4.8, about $0.09) and Balanced (DeepSeek V3.2, about $0.00039)."
 */
export function steppedDownText(passedOver: string[], remaining: number | null): string {
  if (passedOver.length === 0) return '';
  return ` To stay within the ${usdLeftText(remaining ?? 0)} left this month, Quire passed over ${joinAnd(passedOver)}.`;
}

const BELOW_MIN_QUALITY = `rated below ${MIN_QUALITY} out of 10 (Quire's least)`;

/** "an OpenAI key", "a Qwen (Alibaba DashScope) key". */
function aKey(provider: string): string {
  return `${/^[AEIOU]/.test(provider) ? 'an' : 'a'} ${provider} key`;
}

/** Why a model the writer named cannot run for one of its reasons, and the step that fixes that reason. */
function blockedBy(reason: CandidateReason, target: Sized): { why: string; step: string } {
  const spec = target.spec;
  switch (reason) {
    case 'no_key': {
      if (spec.endpoint_id)
        return {
          why: `your endpoint “${spec.endpoint_id}” is no longer set up in Quire`,
          step: 'Add it again in Settings → AI Intelligence → Custom endpoints, or pick another model.',
        };
      const provider = providerDescriptor(spec.provider)?.display_name;
      return provider
        ? { why: `Quire has no ${provider} key`, step: `Add ${aKey(provider)} in Settings → AI Intelligence.` }
        : { why: `Quire cannot call ${spec.provider}`, step: 'Pick another model.' };
    }
    case 'excluded':
      // Left out for this call because its provider's breaker is open (run-decision.ts): tried again after the
      // breaker's cool-down (30 s).
      return {
        why: `Quire paused ${modelPlace(spec)} after repeated errors`,
        step: 'It tries it again within a minute: run this again then, or pick another model.',
      };
    case 'retired':
      return { why: 'it was retired by its provider', step: 'Pick another model.' };
    case 'local_only':
      return { why: 'it is a cloud model, and this work must stay on this Mac', step: 'Pick a local model.' };
    case 'not_downloaded':
      return { why: 'it is not downloaded', step: 'Download it on the Models screen, or pick another model.' };
    case 'unusable':
      return {
        why: 'it has not passed its test load, so Quire does not load it',
        step: 'The Models screen says why (or that its test load is still running); or pick another model.',
      };
    case 'context_too_small':
      return {
        why: `this passage and its answer are too long for it (${roomText([target])})`,
        step: 'Shorten the passage or the answer, or pick a model that reads more at once.',
      };
    case 'no_vision':
      return { why: 'it cannot see images', step: 'Remove the images, or pick a model that can see them.' };
    default:
      return { why: reasonText(reason), step: 'Pick another model.' };
  }
}

/**
 * What keeps a model the writer picked (or their pack names) from running, said as reasons (`why`, joined for the
 * sentence "… cannot run: <why>") and the steps that fix them (`steps`, each once). `now`: only a paused provider
 * keeps it out, so it cannot run right now rather than at all.
 */
export function blockedText(
  target: Sized,
  blockers: readonly CandidateReason[],
): { why: string; steps: string; now: boolean } {
  const each = blockers.map((reason) => blockedBy(reason, target));
  return {
    why: each.map((b) => b.why).join('; '),
    steps: [...new Set(each.map((b) => b.step))].join(' '),
    now: blockers.length > 0 && blockers.every((reason) => reason === 'excluded'),
  };
}

/** The steps when nothing that could do the task fits the budget left and no local model that could is installed. */
export const NO_AFFORDABLE_STEP =
  'Raise the monthly budget in Settings, or download a local model on the Models screen.';

/**
 * The steps that let a task run whose model (the writer's pick, `forced`, or their pack's) costs more than the budget
 * has left: letting Quire choose when the cloud model it would choose fits (`auto`: its name and cost), an installed
 * local model that can do it (`local`), a larger budget; a local model to download only when none is installed that
 * could and Quire's choice does not fit either.
 */
export function overBudgetSteps(
  mode: 'forced' | 'pack',
  auto: { name: string; cost: number } | null,
  local: string | null,
): string {
  const budget = 'raise the monthly budget in Settings';
  if (!auto && !local) return NO_AFFORDABLE_STEP;
  const rest = local ? `pick ${local}, which runs on this Mac for free, or ${budget}.` : `${budget}.`;
  if (!auto) return rest.charAt(0).toUpperCase() + rest.slice(1);
  const choose =
    mode === 'forced'
      ? `Let Quire choose: it would use ${auto.name}`
      : 'Turn on “Choose models automatically” in Settings → AI Intelligence: Quire would use ' + auto.name;
  return `${choose}, about ${usdText(auto.cost)}. Or ${rest}`;
}

/** The step for a model the writer named that is gone from the registry. */
export function goneStep(mode: 'forced' | 'pack'): string {
  return mode === 'forced'
    ? 'Pick another model.'
    : 'Change what your pack maps it to in Settings → AI Intelligence → Model packs, or pick a model yourself.';
}

export function reasonText(reason: CandidateReason): string {
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

/**
 * A model a pack or the writer named that is no longer in the registry, as the writer knew it: an imported local
 * model by its file's name, an endpoint's model with its endpoint. Only its id is left to go by.
 */
export function goneModel(id: string): { name: string; gone: string } {
  const parts = modelIdParts(id);
  switch (parts.kind) {
    case 'local':
      return { name: `the local model “${parts.name}”`, gone: 'is no longer on this Mac' };
    case 'endpoint':
      return { name: `“${parts.model}” from your endpoint “${parts.endpoint}”`, gone: 'is no longer set up in Quire' };
    default:
      return { name: `“${parts.id}”`, gone: 'is not a model Quire knows' };
  }
}
