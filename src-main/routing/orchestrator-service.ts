// Gathers what a decision needs — settings, registry, availability, this month's spend, feedback, the active pack —
// and calls the pure decide. Every other part of the app asks this service which model to use.
import {
  QUALITY_TIERS,
  type Capabilities,
  type DecideRequest,
  type Decision,
  type Estimate,
  type KeyImpact,
  type ModelSpec,
  type QualityTier,
  type Recommendations,
  type RoutingValue,
  type SetupPlans,
} from '../../src-preload/contract';
import { removedModelName, unknownTaskName } from '../../src-preload/contract/model-ids';
import type { ReasoningEffort } from '../../src-preload/contract/tasks';
import type { RunTokens } from '../../src-preload/contract/orchestrator';
import { decide, requireTask, type DecisionInputs } from '../orchestrator/decide';
import { estimateMonthly, runUsdOf } from '../orchestrator/estimate';
import { keyDependents } from '../orchestrator/key-impact';
import { routingValue, type TaskWork } from '../orchestrator/routing-value';
import { effectivePricing, worstCaseUsd } from '../orchestrator/pricing';
import { localUnavailable, type AvailabilitySource, type SpendSource } from '../orchestrator/sources';
import type { TaskTable } from '../orchestrator/tasks';
import type { SettingsService } from '../settings/settings-service';
import type { FeedbackService } from './feedback-service';
import type { PacksService } from './packs-service';
import { noDownloads, setupPlans, type SetupSource } from './setup-plans';
import type { RegistryService } from './registry-service';

export interface OrchestratorDeps {
  registry: RegistryService;
  tasks: TaskTable;
  settings: SettingsService;
  availability: AvailabilitySource;
  spend: SpendSource;
  feedback: FeedbackService;
  packs: PacksService;
  now: () => Date;
  /**
   * Each library task's reasoning effort (its definition's): what a plan of a typical run (estimates, setup plans,
   * recommendations) counts a reasoning model's thinking at. A run's own decision says its effort itself.
   */
  efforts?: ReadonlyMap<string, ReasoningEffort>;
}

export class OrchestratorService {
  /** Worst-case prices per (model, tokens) for the current hour: genai-prices lookups are the slow part of a decision. */
  private priceCache = new Map<ModelSpec, Map<number, number>>();
  private priceHour = '';
  /**
   * The price function of this hour and registry, the same object from one decision to the next: decide keeps a
   * task's costs for as long as its price function and token counts stay the same.
   */
  private price: ((spec: ModelSpec, input: number, output: number) => number) | null = null;

  private readonly deps: OrchestratorDeps;
  private setupSource: SetupSource = noDownloads;

  constructor(deps: OrchestratorDeps) {
    this.deps = { ...deps };
    deps.registry.onChange(() => {
      this.priceCache.clear();
      this.price = null;
    });
  }

  get tasks(): TaskTable {
    return this.deps.tasks;
  }

  /** A task's name as the writer reads it ("Continuity check"); its id only for a task the table does not have. */
  taskName(task: string): string {
    return this.deps.tasks.get(task)?.display_name ?? unknownTaskName(task);
  }

  /** A model's name as the writer reads it; one gone from the registry by what it was (runs outlive models). */
  modelName(id: string, knownAs?: string | null): string {
    return this.deps.registry.get(id)?.display_name ?? removedModelName(id, knownAs);
  }

  /** The composition root plugs in the key store and the local library once they exist (they need this service). */
  useAvailability(availability: AvailabilitySource): void {
    this.deps.availability = availability;
  }

  /** The composition root plugs in the ledger once it exists (it needs this service). */
  useSpend(spend: SpendSource): void {
    this.deps.spend = spend;
  }

  /** The composition root plugs in the local catalog (names, sizes, fit) once the local stack exists. */
  useSetupSource(source: SetupSource): void {
    this.setupSource = source;
  }

  /** What each tier would use and need before anything is set up, and its month as if it were. */
  plan(usage: Record<string, number>, tokens: RunTokens = {}): SetupPlans {
    return setupPlans(usage, this.inputs(), this.setupSource, tokens);
  }

  /** Quire's own picks this month priced as they were, on always-premium and always-cheapest (spend:routing_value). */
  routingValue(month: string, work: readonly TaskWork[]): RoutingValue {
    return routingValue(month, work, this.inputs());
  }

  decide(request: DecideRequest): Decision {
    return decide(request, this.inputs());
  }

  recommend(task: string): Recommendations {
    requireTask(this.deps.tasks, task);
    const inputs = this.inputs();
    const orchestrated: DecisionInputs = { ...inputs, settings: { ...inputs.settings, enabled: true } };
    const recommendations = {} as Recommendations['recommendations'];
    for (const tier of QUALITY_TIERS) {
      const d = decide({ task, tier }, orchestrated);
      recommendations[tier] = {
        model_id: d.model_id,
        tier_used: d.tier_used,
        estimate_usd: d.estimate_usd,
        reason: d.reason,
        over_budget: d.refusal?.code === 'budget_exceeded',
      };
    }
    return { task, recommendations };
  }

  /**
   * Per tier, the tasks a built-in provider's key (or an endpoint, "endpoint:<id>") carries and where each goes
   * without it, before it is removed; with the tier cards' month, also the runs the budget steps down onto it.
   */
  keyImpact(provider: string, usage?: Record<string, number>, tokens: RunTokens = {}): KeyImpact {
    const inputs = this.inputs();
    for (const task of Object.keys(usage ?? {})) requireTask(inputs.tasks, task, `usage.${task}`);
    return keyDependents(provider, inputs, usage ? { usage, runUsd: runUsdOf(inputs, undefined, tokens) } : undefined);
  }

  estimate(tier: QualityTier, usage: Record<string, number>, tokens: RunTokens = {}): Estimate {
    return estimateMonthly(tier, usage, this.inputs(), undefined, tokens);
  }

  capabilities(): Capabilities {
    const { availability, registry, tasks } = this.deps;
    return {
      models: registry.all().map((spec) => {
        const unavailable =
          spec.provider === 'local'
            ? localUnavailable(availability, spec.local?.catalog_id)
            : availability.cloudReady(spec)
              ? null
              : 'no_key';
        return {
          ...spec,
          available: unavailable === null,
          unavailable_reason: unavailable,
          effective_pricing: effectivePricing(spec, { at: this.deps.now() }),
        };
      }),
      tasks: [...tasks.values()],
    };
  }

  private inputs(): DecisionInputs {
    const now = this.deps.now();
    const settings = this.deps.settings.get().orchestrator;
    return {
      registry: this.deps.registry.all(),
      tasks: this.deps.tasks,
      settings,
      availability: this.deps.availability,
      spend: this.deps.spend.snapshot(now),
      quality: this.deps.feedback.quality(),
      pack: settings.enabled ? null : this.deps.packs.active(),
      price: this.pricer(now),
      pricesStable: true,
      ...(this.deps.efforts ? { efforts: this.deps.efforts } : {}),
    };
  }

  private pricer(now: Date): (spec: ModelSpec, input: number, output: number) => number {
    const hour = now.toISOString().slice(0, 13);
    if (hour !== this.priceHour) {
      this.priceCache.clear();
      this.priceHour = hour;
      this.price = null;
    }
    return (this.price ??= (spec, input, output) => {
      let bySize = this.priceCache.get(spec);
      if (!bySize) this.priceCache.set(spec, (bySize = new Map()));
      // Both counts are below 2^26 (schema limits), so one number keys the pair.
      const key = input * 2 ** 26 + output;
      let cost = bySize.get(key);
      if (cost === undefined) {
        cost = worstCaseUsd(spec, input, output, { at: now });
        if (bySize.size > 1000) bySize.clear();
        bySize.set(key, cost);
      }
      return cost;
    });
  }
}
