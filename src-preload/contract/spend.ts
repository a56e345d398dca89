// Spend against the monthly budget: this month at a glance, a month in detail, and a month's ledger as CSV.
import { z } from 'zod';
import { channel, noInput } from './define';

export interface SpendCurrent {
  /** YYYY-MM in the writer's time zone. */
  month: string;
  spend_usd: number;
  /** Held for calls in flight (worst case), released when they settle. */
  reserved_usd: number;
  /** null = no monthly budget. */
  budget_usd: number | null;
  /** budget − spend − reserved, never below 0; null = no monthly budget. */
  remaining_usd: number | null;
}

export interface SpendDay {
  /** YYYY-MM-DD in the writer's time zone. */
  day: string;
  /** Settled charges plus reservations still counted (open or left by a crash). */
  spend_usd: number;
  /** The part of spend_usd held for calls in flight (a crash's leftovers count as spent). */
  reserved_usd: number;
  calls: number;
}

export interface SpendGroup {
  /** A model id (by_model), a task name (by_task) or a provider's id (by_provider). */
  key: string;
  provider: string;
  /** As SpendDay's. */
  spend_usd: number;
  reserved_usd: number;
  calls: number;
  input_tokens: number;
  output_tokens: number;
}

export interface SpendMonth {
  month: string;
  /** The budget the month had (this month: the one set now); null = none, or not known (see budget_recorded). */
  budget_usd: number | null;
  /** False for a month from before Quire kept each month's budget: it is not measured against one. */
  budget_recorded: boolean;
  /** Everything counted this month: settled + reserved + crash-left. */
  total_usd: number;
  /** Settled to the provider's reported usage. */
  settled_usd: number;
  /** Held for calls in flight (worst case). */
  reserved_usd: number;
  /** Reservations a crash left open: still counted, at their worst case. */
  orphaned_usd: number;
  /**
   * Calls a provider charged more for than Quire held (its own token count was higher), by model, most first; the
   * extra is in settled_usd already.
   */
  overruns: { model_id: string; calls: number; overrun_usd: number }[];
  daily: SpendDay[];
  by_model: SpendGroup[];
  by_task: SpendGroup[];
  /** Each provider's share, as its invoice would total it ("quire": what was held ahead when the Mac stopped). */
  by_provider: SpendGroup[];
}

/** One task's month of Quire's own picks priced three ways. */
export interface RoutingValueTask {
  task: string;
  calls: number;
  /** What it cost, on the models Quire chose. */
  actual_usd: number;
  /** On the model the premium tier picks when every model is reachable. */
  premium_usd: number;
  premium_model: string | null;
  /** On the cheapest cloud model that can do the task at all (free when the work must stay on this machine). */
  cheapest_usd: number;
  cheapest_model: string | null;
}

/** Calls left out of the routing comparison: how many, and what they cost (settled, plus held reservations). */
export interface RoutingValueApart {
  calls: number;
  spend_usd: number;
}

/**
 * The value of routing: the month's calls whose model Quire chose (automatic selection, a tier, the budget's
 * step-down, a fallback, a pack's stand-in, a tournament it seated, a judge), priced as they were, on "always premium"
 * and on "always cheapest". `calls`, `actual_usd`, `premium_usd`, `cheapest_usd` and `by_task` are those calls only.
 */
export interface RoutingValue {
  month: string;
  calls: number;
  actual_usd: number;
  premium_usd: number;
  cheapest_usd: number;
  by_task: RoutingValueTask[];
  /**
   * Calls whose model the writer chose (picked in the Workbench, their pack with automatic selection off, an app naming
   * a model through the gateway, tournament members they named): not routing's doing, so not compared.
   */
  writer_picks: RoutingValueApart;
  /** Calls recorded before Quire noted who chose the model: not known either way, so not compared. */
  unrecorded: RoutingValueApart;
  /**
   * Quire's own picks whose usage was never reported (in flight, left by a crash, or cut off before the provider said
   * what it used): counted at what was held for them, with no tokens to price on the other lines, so not compared.
   */
  not_compared: RoutingValueApart;
  /** What a Quire process held ahead for calls when the Mac stopped, counted as spent: no call, so not compared. */
  held_ahead_usd: number;
}

const monthSchema = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'month must be YYYY-MM');

export const spendChannels = {
  'spend:current': channel<SpendCurrent>()(noInput),
  'spend:month': channel<SpendMonth>()(z.strictObject({ month: monthSchema })),
  /** Every ledger row of a month as CSV (UTF-8, header row first). */
  'spend:export': channel<{ filename: string; csv: string }>()(z.strictObject({ month: monthSchema })),
  'spend:routing_value': channel<RoutingValue>()(z.strictObject({ month: monthSchema })),
};
