// The service side of "what would each tier need": which keys are missing and which local models would fit this
// machine (the candidates), the pure plan per tier, and the plan's items in a writer's words.
import {
  BUILTIN_PROVIDER_IDS,
  QUALITY_TIERS,
  providerDisplayName,
  type FitVerdict,
  type ModelSpec,
  type PlannedPick,
  type QualityTier,
  type SetupNeed,
  type SetupPlans,
  type TierPlan,
} from '../../src-preload/contract';
import { bytesText } from '../../src-preload/contract/bytes-text';
import type { RunTokens } from '../../src-preload/contract/orchestrator';
import type { DecisionInputs } from '../orchestrator/decide';
import { planSetup, type SetupItem, type SetupPlan } from '../orchestrator/setup-plan';
import type { AvailabilitySource } from '../orchestrator/sources';

/** A local model a writer could download: the catalog's name, size and this machine's fit badge. */
export interface DownloadOption {
  catalog_id: string;
  display_name: string;
  size_bytes: number;
  fit: FitVerdict;
}

/** Where the plan learns what could be downloaded (the local stack's catalog; none for the CLI). */
export interface SetupSource {
  downloads(): DownloadOption[];
}

export const noDownloads: SetupSource = { downloads: () => [] };

export function setupPlans(
  usage: Readonly<Record<string, number>>,
  inputs: DecisionInputs,
  source: SetupSource,
  tokens: RunTokens = {},
): SetupPlans {
  const downloads = new Map(source.downloads().map((d) => [d.catalog_id, d]));
  // A plan makes hundreds of decisions; ask the key store and the library once per model, not once per decision.
  inputs = { ...inputs, availability: memoized(inputs.availability) };
  const candidates = setupCandidates(inputs.registry, inputs, downloads);
  const describe = (plan: SetupPlan): TierPlan => {
    const needs = plan.items.map((item) => needFor(item, downloads));
    const picks: Record<string, PlannedPick> = {};
    for (const [task, pick] of Object.entries(plan.tasks)) {
      picks[task] = { ...pick, need: pick.needs ? needFor(pick.needs, downloads) : null };
      delete (picks[task] as Partial<typeof pick>).needs;
    }
    return { tier: plan.tier, ready: needs.length === 0, needs, total_usd: plan.total_usd, picks };
  };
  const tiers = {} as Record<QualityTier, TierPlan>;
  for (const tier of QUALITY_TIERS)
    tiers[tier] = describe(planSetup(tier, usage, inputs, candidates, undefined, tokens));
  const privateInputs: DecisionInputs = { ...inputs, settings: { ...inputs.settings, force_local: true } };
  const privatePlan = describe(
    planSetup(
      'budget',
      usage,
      privateInputs,
      candidates.filter((c) => c.kind === 'download'),
      undefined,
      tokens,
    ),
  );
  return { tiers, private: privatePlan };
}

function memoized(real: AvailabilitySource): AvailabilitySource {
  const cloud = new Map<ModelSpec, boolean>();
  const local = new Map<string, boolean>();
  return {
    cloudReady: (spec) => {
      let ready = cloud.get(spec);
      if (ready === undefined) cloud.set(spec, (ready = real.cloudReady(spec)));
      return ready;
    },
    localInstalled: (id) => {
      let installed = local.get(id);
      if (installed === undefined) local.set(id, (installed = real.localInstalled(id)));
      return installed;
    },
  };
}

/** Built-in providers with no usable key, and local models that are not installed but would fit (or fit tightly). */
function setupCandidates(
  registry: readonly ModelSpec[],
  inputs: DecisionInputs,
  downloads: ReadonlyMap<string, DownloadOption>,
): SetupItem[] {
  const items: SetupItem[] = [];
  for (const provider of BUILTIN_PROVIDER_IDS) {
    const models = registry.filter((m) => m.provider === provider && !m.retired);
    if (models.length > 0 && !models.some((m) => inputs.availability.cloudReady(m))) {
      items.push({ kind: 'key', provider });
    }
  }
  // Smaller downloads first: the plan keeps the first of equally useful items.
  const locals = [...registry].sort(
    (a, b) => sizeOf(a, downloads) - sizeOf(b, downloads) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
  );
  for (const spec of locals) {
    if (spec.provider !== 'local' || !spec.local || spec.retired) continue;
    const option = downloads.get(spec.local.catalog_id);
    if (!option || option.fit === 'wont_fit' || inputs.availability.localInstalled(spec.local.catalog_id)) continue;
    items.push({ kind: 'download', catalog_id: spec.local.catalog_id });
  }
  return items;
}

function sizeOf(spec: ModelSpec, downloads: ReadonlyMap<string, DownloadOption>): number {
  return (spec.local && downloads.get(spec.local.catalog_id)?.size_bytes) || Number.MAX_SAFE_INTEGER;
}

const FIT_WORDS: Record<FitVerdict, string> = { fits: 'fits', tight: 'a tight fit', wont_fit: "won't fit" };

function needFor(item: SetupItem, downloads: ReadonlyMap<string, DownloadOption>): SetupNeed {
  if (item.kind === 'key') {
    const name = providerDisplayName(item.provider);
    return { kind: 'key', provider: item.provider, provider_name: name, label: `Add ${article(name)} ${name} key` };
  }
  const option = downloads.get(item.catalog_id)!;
  return {
    kind: 'download',
    catalog_id: option.catalog_id,
    display_name: option.display_name,
    size_bytes: option.size_bytes,
    fit: option.fit,
    label: `Download ${option.display_name} — ${bytesText(option.size_bytes)}, ${FIT_WORDS[option.fit]}`,
  };
}

function article(name: string): string {
  return /^[AEIOU]/i.test(name) ? 'an' : 'a';
}
