// What the orchestrator knows and would do: models with availability, tasks, a monthly estimate per tier for this
// writer's usage, and what each tier would pick for every task (and why).
import type { QuireApi } from '../../../../src-preload/api';
import type { QualityTier } from '$contract';
import type {
  Capabilities,
  Estimate,
  PlannedPick,
  Recommendations,
  RunTokens,
  SetupPlans,
} from '$contract/orchestrator';
import { BUILTIN_PROVIDER_IDS, modelPlace, nameEndpoints, providerLabel } from '$contract/provider-table';
import { modelIdParts } from '$contract/model-ids';
import { api as defaultApi, Client } from '../api/client';
import { keyImpactText } from '../key-impact';
import { removedModelName, unknownTaskName } from '../removed-model';
import { resource } from '../resource.svelte';
import { TIERS } from '../tiers';
import { lastMonthRuns, recentTokens, recentUsage, runsPages, SAMPLE_USAGE } from '../usage';

export interface UsageProfile {
  /** Runs per month by task. */
  usage: Record<string, number>;
  /** What a run of a task used on average in those runs; a task without is priced at its typical passage. */
  tokens: RunTokens;
  /** recent: from this writer's last 30 days of runs; sample: seed 000's typical month (no runs yet). */
  source: 'recent' | 'sample';
}

interface Outlook {
  capabilities: Capabilities | null;
  profile: UsageProfile | null;
  estimates: Partial<Record<QualityTier, Estimate>>;
  recommendations: Recommendations[];
  /** What each tier would use and need before it is set up, priced as if it were. */
  plans: SetupPlans | null;
  /** The models that were ready when the plans were made ({@link readyModels}). */
  plansFor: string | null;
}

const NOTHING_YET: Outlook = {
  capabilities: null,
  profile: null,
  estimates: {},
  recommendations: [],
  plans: null,
  plansFor: null,
};

/** The models ready to run, as one string: plans made for another set are out of date. */
function readyModels(capabilities: Capabilities): string {
  return capabilities.models
    .filter((model) => model.available)
    .map((model) => model.id)
    .join('\n');
}

/** What a fetch brings: everything, the models and tasks only, or everything but the usage profile. */
type Scope = 'all' | 'capabilities' | 'refresh';

export class OrchestratorManager {
  readonly #client: Client;
  readonly #now: () => number;
  // One value so that answers for different scopes are ordered against each other too.
  readonly #outlook = resource((scope: Scope) => this.#fetch(scope), NOTHING_YET);

  constructor(api: QuireApi = defaultApi, now: () => number = Date.now) {
    this.#client = new Client(api);
    this.#now = now;
  }

  readonly capabilities = $derived(this.#outlook.value.capabilities);
  readonly tasks = $derived(this.capabilities?.tasks ?? []);
  readonly models = $derived(this.capabilities?.models ?? []);
  readonly estimates = $derived(this.#outlook.value.estimates);
  readonly recommendations = $derived(this.#outlook.value.recommendations);
  readonly plans = $derived(this.#outlook.value.plans);
  readonly profile = $derived(this.#outlook.value.profile);
  readonly error = $derived(this.#outlook.error);
  readonly loading = $derived(this.#outlook.loading);

  readonly availableCount = $derived(this.capabilities?.models.filter((model) => model.available).length ?? 0);

  /** `knownAs`: the name a model removed since was known by (a run's `model_name`). */
  modelName(id: string | null, knownAs?: string | null): string {
    if (!id) return 'None available';
    if (!this.capabilities) return knownAs ?? id;
    return this.capabilities.models.find((model) => model.id === id)?.display_name ?? removedModelName(id, knownAs);
  }

  /**
   * What a tier would use for a task: the real pick when one can run now, else the pick once the tier's plan is set
   * up (with what it needs); null when nothing in the registry could ever do the task, or the budget left refuses it.
   */
  pickFor(task: string, tier: QualityTier): PlannedPick | null {
    const real = this.recommendations.find((row) => row.task === task)?.recommendations[tier];
    if (real?.model_id) {
      return {
        model_id: real.model_id,
        estimate_usd: real.estimate_usd,
        ready: true,
        need: null,
        reason: real.reason,
        over_budget: false,
      };
    }
    const planned = this.plans?.tiers[tier].picks[task];
    // A plan's pick that is ready today, where the real decision has none, is one the budget left cannot pay for: the
    // plan prices it as if the budget were open. The real refusal says why.
    return planned?.model_id && !planned.ready ? planned : null;
  }

  /**
   * The name a per-task cell shows for a tier: its pick's model, else why there is none — the budget left refuses it,
   * or no model could do the task ("None available" says only that).
   */
  pickName(task: string, tier: QualityTier): string {
    const pick = this.pickFor(task, tier);
    if (pick) return this.modelName(pick.model_id);
    const real = this.recommendations.find((row) => row.task === task)?.recommendations[tier];
    // The plan's own pick is stopped by the budget too: what it would set up (another key) would be refused.
    const planned = this.plans?.tiers[tier].picks[task];
    return real?.over_budget || planned?.over_budget ? 'Not within your budget' : this.modelName(null);
  }

  /** Why a per-task cell shows what it does: its pick's reason, else why the budget or the registry leaves none. */
  whyFor(task: string, tier: QualityTier): string {
    const pick = this.pickFor(task, tier);
    if (pick) return pick.reason;
    const planned = this.plans?.tiers[tier].picks[task];
    const real = this.recommendations.find((row) => row.task === task)?.recommendations[tier];
    return (real?.over_budget ? real.reason : planned?.over_budget ? planned.reason : real?.reason) ?? '';
  }

  /**
   * Where a model runs, in words ("OpenRouter", "your endpoint “atlas”", "on this Mac"): from the registry, else from
   * the provider a decision or a tournament recorded for it (`seen`); '' when neither knows.
   */
  placeOf(id: string, seen?: { provider: string; local: boolean }): string {
    const spec = this.capabilities?.models.find((model) => model.id === id);
    if (spec) return modelPlace(spec);
    if (!seen) return '';
    if (
      seen.local ||
      seen.provider.startsWith('endpoint:') ||
      (BUILTIN_PROVIDER_IDS as readonly string[]).includes(seen.provider)
    )
      return providerLabel(seen.local ? 'local' : seen.provider);
    // A removed endpoint's model, recorded by its API's format ("openai-compatible"): its id names the endpoint.
    const parts = modelIdParts(id);
    return parts.kind === 'endpoint' ? providerLabel(`endpoint:${parts.endpoint}`) : '';
  }

  taskName(id: string): string {
    return this.capabilities?.tasks.find((task) => task.id === id)?.display_name ?? unknownTaskName(id);
  }

  /**
   * What removing a provider's key (or an endpoint, "endpoint:<id>") would change, in words, for the writer's tier
   * first (orchestrator:key_impact).
   * Null when it could not be worked out: the removal dialog then says it in general terms, and Remove still works.
   */
  async withoutKey(
    provider: string,
    tier: QualityTier,
    providerName: string,
    noun: 'key' | 'endpoint' = 'key',
  ): Promise<string | null> {
    try {
      // The tier cards' month: under a budget, the runs it steps down onto this key's models are that month's.
      const month = this.profile ? priced(this.profile) : {};
      const impact = await this.#client.call('orchestrator:key_impact', { provider, ...month });
      const names = { model: (id: string) => this.modelName(id), task: (id: string) => this.taskName(id) };
      return keyImpactText(impact, tier, names, providerName, noun);
    } catch {
      return null;
    }
  }

  /** A built-in provider's models (not an endpoint's): what a pack would lose with its key. */
  modelIdsOf(provider: string): string[] {
    return (this.capabilities?.models ?? [])
      .filter((spec) => spec.provider === provider && spec.endpoint_id === undefined)
      .map((spec) => spec.id);
  }

  /**
   * What the monthly estimates are built from, in a writer's words: whose runs, and at what length each is priced (the
   * per-task table beside them says what a run costs at most; these are what runs like the writer's cost).
   */
  get basis(): string {
    const profile = this.profile;
    if (!profile) return '';
    const parts = Object.entries(profile.usage).map(([task, runs]) => `${runs} × ${this.taskName(task)}`);
    const runs = Object.values(profile.usage).reduce((sum, n) => sum + n, 0);
    if (profile.source === 'sample')
      return `You have no runs yet, so estimates use a sample month (${parts.join(', ') || 'no matching tasks'}), each run on a passage of its task’s typical length.`;
    const unmeasured = Object.keys(profile.usage).filter((task) => !profile.tokens[task]);
    const typical = unmeasured.length
      ? ` (a typical passage for ${unmeasured.map((task) => this.taskName(task)).join(', ')}, whose token counts are not known)`
      : '';
    return `Based on your last 30 days: ${runs} ${runs === 1 ? 'run' : 'runs'} (${parts.join(', ')}), each priced at what your own runs of its task used${typical}, not at the most a run may cost.`;
  }

  /**
   * Loads everything the AI Intelligence panel shows. Estimates use the writer's runs per task over the last 30 days;
   * with none yet, the seed's sample month is used and labelled as such.
   */
  load(): Promise<boolean> {
    return this.#outlook.load('all');
  }

  /** Models and tasks only (the Workbench, Models and Spend screens need no estimates). */
  loadCapabilities(): Promise<boolean> {
    return this.#outlook.load('capabilities');
  }

  /**
   * Makes sure the plans are those of the models ready now, loading everything once more when they are missing or were
   * made before a key or a download changed what is ready (the Workbench names the plan's pick when nothing can run).
   */
  ensurePlans(): Promise<boolean> {
    const capabilities = this.capabilities;
    // After a failed load its error is on screen, with Try again: not asked again on its own.
    if (!capabilities || this.loading || this.error || this.#outlook.value.plansFor === readyModels(capabilities))
      return Promise.resolve(false);
    return this.load();
  }

  /** Re-asks after something that changes choices (tier, budget, keys, downloads, packs). */
  async refresh(): Promise<boolean> {
    // Before load() has worked out the usage profile there is nothing to refresh (load will fetch it all).
    if (!this.capabilities || !this.profile) return false;
    return this.#outlook.load('refresh');
  }

  async #fetch(scope: Scope): Promise<Outlook> {
    const [capabilities, recent] = await Promise.all([
      this.#client.call('orchestrator:capabilities'),
      scope === 'all' ? lastMonthRuns(runsPages(this.#client), this.#now()) : null,
    ]);
    // What the screens say of a call that went to a writer's endpoint names it as it is called now.
    nameEndpoints(endpointNames(capabilities.models));
    // Read when the answer comes, not when it was asked for: another scope's answer may have landed meanwhile.
    if (scope === 'capabilities') return { ...this.#outlook.value, capabilities };
    const profile = recent
      ? pickProfile(
          capabilities,
          recentUsage(recent, this.#now()),
          recentTokens(recent, this.#now(), capabilities.models),
        )
      : (this.#outlook.value.profile ?? pickProfile(capabilities, {}));
    const [estimates, recommendations, plans] = await Promise.all([
      Promise.all(TIERS.map((tier) => this.#client.call('orchestrator:estimate', { tier, ...priced(profile) }))),
      Promise.all(capabilities.tasks.map((task) => this.#client.call('orchestrator:recommend', { task: task.id }))),
      this.#client.call('orchestrator:plan', priced(profile)),
    ]);
    return {
      capabilities,
      profile,
      estimates: Object.fromEntries(estimates.map((estimate) => [estimate.tier, estimate])),
      recommendations,
      plans,
      plansFor: readyModels(capabilities),
    };
  }

  reset(): void {
    this.#outlook.reset();
  }
}

export function pickProfile(
  capabilities: Capabilities,
  recent: Record<string, number>,
  tokens: RunTokens = {},
): UsageProfile {
  const known = (task: string) => capabilities.tasks.some((spec) => spec.id === task);
  const usage = Object.fromEntries(Object.entries(recent).filter(([task, runs]) => known(task) && runs > 0));
  if (Object.keys(usage).length > 0) {
    const used = Object.fromEntries(Object.entries(tokens).filter(([task]) => task in usage));
    return { usage, tokens: used, source: 'recent' };
  }
  const sample = Object.fromEntries(Object.entries(SAMPLE_USAGE).filter(([task]) => known(task)));
  return { usage: sample, tokens: {}, source: 'sample' };
}

/** The usage an estimate or a plan is asked for, with the writer's own tokens when there are any. */
export function priced(profile: UsageProfile): { usage: Record<string, number>; tokens?: RunTokens } {
  return Object.keys(profile.tokens).length > 0
    ? { usage: profile.usage, tokens: profile.tokens }
    : { usage: profile.usage };
}

export const orchestratorManager = new OrchestratorManager();

/** Each writer's endpoint's id and name, from the models it serves. */
function endpointNames(models: Capabilities['models']): [string, string][] {
  return models.flatMap((m) =>
    m.endpoint_id && m.endpoint_name ? [[m.endpoint_id, m.endpoint_name] as [string, string]] : [],
  );
}
