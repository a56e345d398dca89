// What a tier would use before anything is set up: the decision made "as if" a few more things were available (a
// provider's key added, a local model downloaded), chosen greedily so a writer is asked for as little as possible.
import type { ModelSpec, QualityTier } from '../../src-preload/contract';
import type { RunTokens } from '../../src-preload/contract/orchestrator';
import { decide, requireTask, type DecisionInputs } from './decide';
import { roundUsd, typicalCallUsd } from './estimate';
import { expectedUsd } from './pricing';
import type { AvailabilitySource } from './sources';

/** One thing a writer could set up: a built-in provider's key, or a local model's download. */
export type SetupItem = { kind: 'key'; provider: string } | { kind: 'download'; catalog_id: string };

/** At most this many things are asked for in one plan: a first run should be one or two steps. */
export const MAX_SETUP_ITEMS = 3;
/** A further item must raise the usage-weighted mean quality by at least this much to be worth asking for. */
export const MIN_QUALITY_GAIN = 0.25;

export interface PlannedTask {
  /** The model the tier would use once the plan is set up; null only when nothing could ever do the task. */
  model_id: string | null;
  /** Worst-case USD of one run on that model. */
  estimate_usd: number;
  /** True when the model can be used today, with nothing set up. */
  ready: boolean;
  /** What the model needs (absent when ready). */
  needs: SetupItem | null;
  reason: string;
  /**
   * The monthly budget left would refuse every model the plan could set up for it: no pick (model_id null), and the
   * reason says why and what to do.
   */
  over_budget: boolean;
}

export interface SetupPlan {
  tier: QualityTier;
  /** What to set up, most useful first. */
  items: SetupItem[];
  /** Monthly cost of the usage as if the plan were set up (the writer's own or typical tokens, like estimateMonthly). */
  total_usd: number;
  tasks: Record<string, PlannedTask>;
}

export function itemKey(item: SetupItem): string {
  return item.kind === 'key' ? `key:${item.provider}` : `download:${item.catalog_id}`;
}

/** What an item makes available for a model, if anything. */
export function itemFor(spec: ModelSpec): SetupItem | null {
  if (spec.provider === 'local') return spec.local ? { kind: 'download', catalog_id: spec.local.catalog_id } : null;
  return { kind: 'key', provider: spec.provider };
}

/** The real availability plus the given items. */
export function asIfAvailable(real: AvailabilitySource, items: readonly SetupItem[]): AvailabilitySource {
  const keys = new Set(items.flatMap((i) => (i.kind === 'key' ? [i.provider] : [])));
  const downloads = new Set(items.flatMap((i) => (i.kind === 'download' ? [i.catalog_id] : [])));
  return {
    cloudReady: (spec) => real.cloudReady(spec) || keys.has(spec.provider),
    localInstalled: (id) => real.localInstalled(id) || downloads.has(id),
  };
}

/**
 * The tier's plan for this usage: starting from what is available, repeatedly add the candidate item that raises the
 * usage-weighted quality of the tier's picks the most (a task nothing can do counts as quality 0), until no item
 * helps enough. Every task in the table then gets its pick under that plan, or under every candidate at once.
 */
export function planSetup(
  tier: QualityTier,
  usage: Readonly<Record<string, number>>,
  inputs: DecisionInputs,
  candidates: readonly SetupItem[],
  price: (spec: ModelSpec, input: number, output: number) => number = expectedUsd,
  tokens: RunTokens = {},
): SetupPlan {
  for (const task of Object.keys(usage)) requireTask(inputs.tasks, task, `usage.${task}`);
  const plan: DecisionInputs = { ...inputs, settings: { ...inputs.settings, enabled: true, monthly_budget: null } };
  const byId = new Map(inputs.registry.map((m) => [m.id, m]));
  const weights = Object.entries(usage).filter(([, runs]) => runs > 0);
  const totalRuns = weights.reduce((sum, [, runs]) => sum + runs, 0);
  const pickOf = (task: string, availability: AvailabilitySource) => {
    const d = decide({ task, tier }, { ...plan, availability });
    return d.model_id ? { decision: d, spec: byId.get(d.model_id)! } : { decision: d, spec: null };
  };
  const score = (items: SetupItem[]) => {
    if (totalRuns === 0) return 0;
    const availability = asIfAvailable(inputs.availability, items);
    let sum = 0;
    for (const [task, runs] of weights) {
      const { decision } = pickOf(task, availability);
      const chosen = decision.candidates.find((c) => c.status === 'chosen');
      sum += runs * (chosen ? chosen.quality : 0);
    }
    return sum / totalRuns;
  };
  const covered = (items: SetupItem[]) => {
    const availability = asIfAvailable(inputs.availability, items);
    return weights.reduce((sum, [task, runs]) => sum + (pickOf(task, availability).spec ? runs : 0), 0);
  };

  // The budget tier is about spending nothing: free downloads first, a key only for tasks still left uncovered.
  const phases: (readonly SetupItem[])[] =
    tier === 'budget' ? [candidates.filter((c) => c.kind === 'download'), candidates] : [candidates];
  const chosen: SetupItem[] = [];
  let current = score(chosen);
  // A tier that can already run every task of the month asks for nothing more: this is a setup, not an upsell. A
  // cloud tier running on local models alone (no key at all) is not yet what it promises: it still names the key that
  // lifts it most ("Best" said "Ready to use now" on a small local model); the lowest cost tier asks for nothing.
  const cloudSetUp = inputs.registry.some((m) => m.provider !== 'local' && inputs.availability.cloudReady(m));
  const alreadyCovered = covered(chosen) === totalRuns && (tier === 'budget' || cloudSetUp);
  for (const [phase, pool] of phases.entries()) {
    if (alreadyCovered || (phase > 0 && covered(chosen) === totalRuns)) break;
    const remaining = pool.filter((item) => !chosen.includes(item));
    while (chosen.length < MAX_SETUP_ITEMS && remaining.length > 0) {
      let best: { index: number; value: number } | null = null;
      remaining.forEach((item, index) => {
        const value = score([...chosen, item]);
        if (!best || value > best.value + 1e-9) best = { index, value };
      });
      const found = best as { index: number; value: number } | null;
      if (!found || found.value - current < MIN_QUALITY_GAIN) break;
      chosen.push(remaining.splice(found.index, 1)[0]!);
      current = found.value;
    }
  }

  const planned = asIfAvailable(inputs.availability, chosen);
  const everything = asIfAvailable(inputs.availability, candidates);
  // A task's pick is the one its runs would get once set up: decided against the budget left, as runs are (a pick
  // priced as if the budget were open would be refused at every run). The plan's items and month stay the open ones.
  const held: DecisionInputs = { ...inputs, settings: { ...inputs.settings, enabled: true } };
  const heldPick = (task: string, availability: AvailabilitySource) => {
    const d = decide({ task, tier }, { ...held, availability });
    return d.model_id ? { decision: d, spec: byId.get(d.model_id)! } : { decision: d, spec: null };
  };
  const pick = inputs.settings.monthly_budget === null ? pickOf : heldPick;
  const tasks: Record<string, PlannedTask> = {};
  /** The open plan's picks: what its month is priced at. */
  const openPicks = new Map<string, ModelSpec | null>();
  for (const task of inputs.tasks.keys()) {
    if (pick !== pickOf) openPicks.set(task, pickOf(task, planned).spec ?? pickOf(task, everything).spec);
    let { decision, spec } = pick(task, planned);
    if (!spec) ({ decision, spec } = pick(task, everything));
    const overBudget = decision.refusal?.code === 'budget_exceeded';
    const ready = spec !== null && isReady(spec, inputs.availability);
    tasks[task] = {
      model_id: spec?.id ?? null,
      estimate_usd: decision.estimate_usd,
      ready,
      needs: spec && !ready ? itemFor(spec) : null,
      reason: overBudget ? decision.refusal!.message : decision.reason,
      over_budget: overBudget,
    };
  }
  let total = 0;
  for (const [task, runs] of weights) {
    const id = tasks[task]?.model_id;
    const spec = openPicks.has(task) ? openPicks.get(task) : id ? byId.get(id) : undefined;
    const t = inputs.tasks.get(task)!;
    if (spec && spec.provider !== 'local') total += typicalCallUsd(spec, t, inputs, price, tokens[task]) * runs;
  }
  return { tier, items: chosen, total_usd: roundUsd(total), tasks };
}

function isReady(spec: ModelSpec, availability: AvailabilitySource): boolean {
  return spec.provider === 'local'
    ? spec.local !== undefined && availability.localInstalled(spec.local.catalog_id)
    : availability.cloudReady(spec);
}
