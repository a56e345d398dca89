// The orchestrator's channels: the registry with availability, one decision with its reasons, a recommendation per
// tier, and a monthly cost estimate. Task names come from resources/tasks.json and are checked by the service.
import { z } from 'zod';
import { channel, noInput } from './define';
import type { FitVerdict } from './models';
import type { ModelSpec, Provider, Strength } from './registry';
import { imageSizeSchema, MAX_IMAGES } from './images';
import { qualityTierSchema, type QualityTier } from './settings';
import { REASONING_EFFORTS } from './tasks';

const taskName = z.string().min(1).max(100);
const tokens = z.number().int().min(0).max(10_000_000);

/** One writing task (resources/tasks.json). */
export interface TaskSpec {
  id: string;
  display_name: string;
  description: string;
  strength: Strength;
  /** Seed 002's 1–10 scale: 1–4 small local, 5–7 medium local, 8–10 cloud. */
  complexity: number;
  typical_input_tokens: number;
  typical_output_tokens: number;
  /** Eligible for a tournament. */
  critical: boolean;
  /** False: the task's text stays on this machine unless the writer says otherwise. */
  may_leave_machine: boolean;
}

/** A tier after budget step-down may be `local`: only free local models remain. */
export type TierUsed = QualityTier | 'local';

/** Why a candidate was or was not chosen. */
export const CANDIDATE_REASONS = [
  'chosen',
  'ranked_lower',
  'retired',
  'excluded',
  'local_only',
  'no_key',
  'not_downloaded',
  'unusable',
  'lacks_strength',
  'context_too_small',
  'below_min_quality',
  'over_budget',
  'not_in_pack',
  'no_vision',
] as const;
export type CandidateReason = (typeof CANDIDATE_REASONS)[number];

/**
 * What only ranks a model lower, never keeps it out on its own: the decision's last step down takes an installed local
 * model without them, and a writer's own pick (a forced model, a pack's mapping) any model.
 */
export const RANKS_LOWER: ReadonlySet<CandidateReason> = new Set(['lacks_strength', 'below_min_quality']);

/**
 * What keeps a model out: every reason of a cloud model's; of an installed local model's, those that do not only rank
 * it lower ({@link RANKS_LOWER}; all of them when nothing else is there).
 */
export function blockingReasons(reasons: readonly CandidateReason[], local: boolean): readonly CandidateReason[] {
  if (!local) return reasons;
  const blocking = reasons.filter((reason) => !RANKS_LOWER.has(reason));
  return blocking.length > 0 ? blocking : reasons;
}

/** Kept out by its context alone: a shorter passage (or answer) would let it run. */
export function onlyContextKeepsOut(reasons: readonly CandidateReason[], local: boolean): boolean {
  return keptOutOnlyBy('context_too_small', reasons, local);
}

/** Kept out by the budget left alone: more budget would let it run. */
export function onlyBudgetKeepsOut(reasons: readonly CandidateReason[], local: boolean): boolean {
  return keptOutOnlyBy('over_budget', reasons, local);
}

function keptOutOnlyBy(reason: CandidateReason, reasons: readonly CandidateReason[], local: boolean): boolean {
  const blocking = blockingReasons(reasons, local);
  return blocking.length === 1 && blocking[0] === reason;
}

export interface Candidate {
  model_id: string;
  display_name: string;
  provider: Provider;
  local: boolean;
  /** The quality estimate for this task (registry prior moved by feedback). */
  quality: number;
  /** Worst-case USD for this call (input tokens + max output tokens). */
  estimate_usd: number;
  /** 1 = chosen; eligible candidates first in tier order, then the rejected ones. */
  rank: number;
  status: 'chosen' | 'eligible' | 'rejected';
  reasons: CandidateReason[];
  /** One sentence a writer can read. */
  why: string;
}

export interface Refusal {
  code: 'budget_exceeded' | 'unavailable';
  message: string;
  /** The message ends with the step that fixes it (as ErrorInfo.advised): no general next step is added. */
  advised?: true;
  /**
   * The message's last sentence when models are kept out by their context alone ("A shorter passage … may fit in …"):
   * replaced, with `instruction_too_long`, where they cannot hold even the task's own instruction.
   */
  shorter?: string;
  /**
   * The models kept out by their context alone cannot hold even the task's own instruction: no shorter passage or
   * answer would let them run, only a model with a larger context.
   */
  instruction_too_long?: true;
  /**
   * The text and its answer are too long for the model the writer named (or their pack does), or for every model that
   * could do the task: a shorter one may run (ErrorInfo.too_long). Not with `instruction_too_long`.
   */
  too_long?: true;
}

export interface Decision {
  task: string;
  /** orchestrator: tier rules; pack: orchestrator disabled, the active pack's mapping; forced: the request named a model. */
  mode: 'orchestrator' | 'pack' | 'forced';
  /** Pack mode: the active pack's display name, as the writer knows it (null otherwise). */
  pack: string | null;
  /** Pack mode: the pack's own model cannot run this, so this model stands in for it (the reason says why). */
  stand_in?: boolean;
  /** null when refused. */
  model_id: string | null;
  reason: string;
  tier_requested: QualityTier;
  /** After budget step-down; null when refused. */
  tier_used: TierUsed | null;
  local_only: boolean;
  complexity: number;
  input_tokens: number;
  max_output_tokens: number;
  /** Images sent with the input, and what the chosen model counts them as (tokens, by its provider's rule). */
  images?: { count: number; tokens: number };
  /** Worst-case USD of the chosen call (0 when refused or local). */
  estimate_usd: number;
  /** What is left of the monthly budget before this call; null = no budget set. */
  remaining_usd: number | null;
  candidates: Candidate[];
  /** Models to try in order if the chosen one fails; ends with a local model when one is available. */
  fallback_chain: string[];
  refusal: Refusal | null;
}

export const decideInputSchema = z.strictObject({
  task: taskName,
  input_tokens: tokens.optional(),
  complexity: z.number().int().min(1).max(10).optional(),
  local_only: z.boolean().optional(),
  tier: qualityTierSchema.optional(),
  /** Force this model (still checked for availability, privacy and budget). */
  model: z.string().min(1).max(200).optional(),
  max_output_tokens: z.number().int().min(1).max(1_000_000).optional(),
  /**
   * Each model may write up to its own output limit (a caller's conversation that set no limit, bounded as its
   * provider bounds it): its worst case is priced at that, and the decision's max_output_tokens is the chosen one's.
   * A model still needs room in its context for `max_output_tokens` (else the task's typical answer).
   */
  own_output_limit: z.boolean().optional(),
  /**
   * A library task's run, whose answer a local model named in `model` may shorten to what its context leaves (down to
   * a floor, saying so in the answer: src-main/orchestrator/local-answer.ts) rather than be refused for it.
   */
  shorten_local_answer: z.boolean().optional(),
  /**
   * How hard a reasoning model is asked to think: its worst case counts that room beside the answer's
   * (src-main/orchestrator/thinking.ts). Not given: the task's own; null: none (a caller's own messages, whose
   * allowance goes as it is).
   */
  reasoning_effort: z.enum(REASONING_EFFORTS).nullable().optional(),
  /** Models not to use now, e.g. open circuit breakers or ones that just failed. */
  exclude: z.array(z.string().min(1).max(200)).max(200).optional(),
  /** Images sent with the input, by size: only models that can see images are considered, each priced by its rule. */
  images: z.array(imageSizeSchema).max(MAX_IMAGES).optional(),
});
export type DecideRequest = z.infer<typeof decideInputSchema>;

/** The prices Quire charges a model with, and where they come from. */
export interface EffectivePricing {
  input_usd_per_mtok: number;
  output_usd_per_mtok: number;
  cached_input_usd_per_mtok?: number;
  cache_write_usd_per_mtok?: number;
  /** genai-prices: @pydantic/genai-prices knows the model; registry: Quire's own entry (or a writer's endpoint). */
  source: 'genai-prices' | 'registry';
  /** The source in a writer's words, e.g. "@pydantic/genai-prices 0.1.8". */
  source_detail: string;
  /** The provider's pricing page the price was read from; null when none is recorded. */
  source_url: string | null;
  /** When the source was published or last checked (YYYY-MM-DD); null when unknown (a writer's own price). */
  checked_at: string | null;
}

export interface CapabilityModel extends ModelSpec {
  available: boolean;
  /** unusable: an installed local model that has not passed its test load (failed, or still running). */
  unavailable_reason: 'no_key' | 'not_downloaded' | 'unusable' | null;
  effective_pricing: EffectivePricing;
}

export interface Capabilities {
  models: CapabilityModel[];
  tasks: TaskSpec[];
}

export interface Recommendation {
  model_id: string | null;
  tier_used: TierUsed | null;
  estimate_usd: number;
  reason: string;
  /** No model because the monthly budget left cannot pay for one (not because none could do the task). */
  over_budget: boolean;
}

export interface Recommendations {
  task: string;
  recommendations: Record<QualityTier, Recommendation>;
}

const tokenCount = z.number().int().min(0, 'A token count must be zero or more').max(10_000_000);

export const estimateInputSchema = z.strictObject({
  tier: qualityTierSchema,
  /** Runs per month by task. */
  usage: z.record(taskName, z.number().finite().min(0, 'Runs per month must be zero or more').max(10_000_000)),
  /**
   * What a run of a task used on average in this writer's own runs (tokens in and out); a task without is priced at
   * its typical passage, which is longer than most a writer sends. `output` is absent where no run's output was the
   * answer alone (every run was on a model that thinks first): its typical answer then.
   */
  tokens: z.record(taskName, z.strictObject({ input: tokenCount, output: tokenCount.optional() })).optional(),
});

/** A run's tokens by task, as the writer's own runs used them (estimateInputSchema.tokens). */
export type RunTokens = Readonly<Record<string, { input: number; output?: number }>>;

export interface Estimate {
  tier: QualityTier;
  total_usd: number;
  by_task: Record<string, number>;
  by_model: Record<string, number>;
  /** The model each task would use (null when none is available). */
  picks: Record<string, string | null>;
  /** With a monthly budget set: the same month with every run held to the budget left, as runs are. */
  within_budget?: BudgetedMonth;
}

/**
 * A month of the estimate's runs decided one after another against a monthly budget: the tier's dearest picks step
 * down to cheaper tiers as the budget runs low, and a task nothing affordable can do stops.
 */
export interface BudgetedMonth {
  budget_usd: number;
  /** What the month costs within the budget (never more than it). */
  total_usd: number;
  /** Runs a month by the tier that picked their model, 'local' when stepped down to a free local model (fractions). */
  runs: Partial<Record<TierUsed, number>>;
  /** Runs a month that nothing affordable could do once the budget ran low. */
  stopped: number;
}

/** One thing to set up before a tier can run as planned, in a writer's words ("Add a DeepSeek key"). */
export type SetupNeed =
  | { kind: 'key'; provider: string; provider_name: string; label: string }
  | {
      kind: 'download';
      catalog_id: string;
      display_name: string;
      size_bytes: number;
      fit: FitVerdict;
      label: string;
    };

/** A task's pick under a plan: usable today (ready) or once its need is set up. */
export interface PlannedPick {
  /** null only when no model in the registry could ever do the task. */
  model_id: string | null;
  estimate_usd: number;
  ready: boolean;
  need: SetupNeed | null;
  reason: string;
  /**
   * The monthly budget left would refuse every model the plan could set up for the task: no pick (model_id null), and
   * the reason says why and what to do.
   */
  over_budget: boolean;
}

export interface TierPlan {
  tier: QualityTier;
  /** True when nothing needs setting up. */
  ready: boolean;
  /** What to set up, most useful first. */
  needs: SetupNeed[];
  /** The month's cost as if the plan were set up. */
  total_usd: number;
  picks: Record<string, PlannedPick>;
}

/** The three tiers' plans, and "free and private" (budget, nothing leaves this machine). */
export interface SetupPlans {
  tiers: Record<QualityTier, TierPlan>;
  private: TierPlan;
}

export const planInputSchema = z.strictObject({
  usage: estimateInputSchema.shape.usage,
  tokens: estimateInputSchema.shape.tokens,
});

/** A task a tier runs on a provider's model today, and the model it would run on without that provider's key. */
export interface KeyDependent {
  task: string;
  model_id: string;
  /** null: no other model could do it (a step down: its runs wait for next month once the budget runs low). */
  moves_to: string | null;
  /** The tier's own pick is another model: only its runs the monthly budget steps down land on this one. */
  step_down: boolean;
}

/**
 * What each tier's picks lose with a built-in provider's key, or a custom endpoint ("endpoint:<id>")
 * (orchestrator:key_impact): the tiers' own picks budget aside, and with a budget and a month of usage, the runs the
 * budget steps down onto it.
 */
export interface KeyImpact {
  provider: string;
  /** The monthly budget the step-downs were worked out under; null when none was. */
  budget_usd: number | null;
  tiers: Record<QualityTier, KeyDependent[]>;
}

export const keyImpactInputSchema = z.strictObject({
  provider: z.string().min(1).max(120),
  /** The month the tier cards price (their usage and tokens): with a budget, the step-downs are that month's. */
  usage: estimateInputSchema.shape.usage.optional(),
  tokens: estimateInputSchema.shape.tokens,
});

export const orchestratorChannels = {
  'orchestrator:capabilities': channel<Capabilities>()(noInput),
  'orchestrator:decide': channel<Decision>()(decideInputSchema),
  'orchestrator:recommend': channel<Recommendations>()(z.strictObject({ task: taskName })),
  'orchestrator:estimate': channel<Estimate>()(estimateInputSchema),
  'orchestrator:plan': channel<SetupPlans>()(planInputSchema),
  'orchestrator:key_impact': channel<KeyImpact>()(keyImpactInputSchema),
};
