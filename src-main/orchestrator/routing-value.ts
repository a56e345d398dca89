// What routing was worth this month: the month's calls whose model Quire chose (tokens per task, as the ledger recorded
// them) priced as they were, on "always the premium pick" and on "always the cheapest capable cloud model". The
// writer's own picks are not routing's doing: they are reported beside the comparison, never in it. Nor are calls
// whose usage never came: counted at their hold with no tokens, they would make routing look dearer than it was.
import type { ModelSpec, RoutingValue, RoutingValueTask } from '../../src-preload/contract';
import type { ChosenBy } from './chosen-by';
import { decide, MIN_QUALITY, type DecisionInputs } from './decide';
import { roundUsd } from './estimate';
import { expectedUsd } from './pricing';
import { HELD_AHEAD_ID } from '../../src-preload/contract/model-ids';

/** One task's work this month by who chose its models, from the ledger. */
export interface TaskWork {
  task: string;
  /** 'unknown': calls recorded before Quire noted who chose the model (migration 025). */
  chosen_by: ChosenBy | 'unknown';
  calls: number;
  input_tokens: number;
  output_tokens: number;
  /** What it cost (settled, plus held reservations). */
  spend_usd: number;
  /**
   * Of those calls, the ones whose usage was never reported (in flight, left by a crash, or kept at their hold when a
   * stream was cut), and what they count: their tokens are not in input/output_tokens, so they cannot be priced.
   */
  unpriced_calls: number;
  unpriced_usd: number;
}

/** Every model counts as reachable: the comparison is with what the market offers, not with this writer's keys. */
const EVERYTHING = { cloudReady: () => true, localInstalled: () => true };

export function routingValue(
  month: string,
  monthWork: readonly TaskWork[],
  inputs: DecisionInputs,
  price: (spec: ModelSpec, input: number, output: number) => number = expectedUsd,
): RoutingValue {
  const byId = new Map(inputs.registry.map((m) => [m.id, m]));
  const premiumInputs: DecisionInputs = {
    ...inputs,
    availability: EVERYTHING,
    settings: { ...inputs.settings, enabled: true, monthly_budget: null, force_local: false, prefer_local: false },
    pack: null,
  };
  const tasks: RoutingValueTask[] = [];
  // Who chose a call recorded before that was noted cannot be known: rather than credit routing with what may have
  // been the writer's pick (or the writer with Quire's), those calls are left out and counted apart.
  // What a Quire process held ahead for calls when the Mac stopped is money, not a call whose model anyone chose.
  const heldAhead = monthWork.filter((w) => w.task === HELD_AHEAD_ID);
  const work = monthWork.filter((w) => w.task !== HELD_AHEAD_ID);
  const apart = (who: TaskWork['chosen_by']) => {
    const rows = work.filter((w) => w.chosen_by === who);
    return {
      calls: rows.reduce((sum, w) => sum + w.calls, 0),
      spend_usd: roundUsd(rows.reduce((sum, w) => sum + w.spend_usd, 0)),
    };
  };
  const unpriced = { calls: 0, spend_usd: 0 };
  for (const all of work) {
    if (all.chosen_by !== 'quire') continue;
    unpriced.calls += all.unpriced_calls;
    unpriced.spend_usd += all.unpriced_usd;
    // The calls whose tokens are known, at what they cost: the same work the other lines price.
    const w = { ...all, calls: all.calls - all.unpriced_calls, spend_usd: all.spend_usd - all.unpriced_usd };
    if (w.calls === 0) continue;
    const spec = inputs.tasks.get(w.task);
    if (!spec) {
      // A task no longer in the table: nothing to compare it with, so it counts as it was on every line.
      tasks.push({
        ...row(w),
        premium_usd: w.spend_usd,
        premium_model: null,
        cheapest_usd: w.spend_usd,
        cheapest_model: null,
      });
      continue;
    }
    // Per call on average: the context check is per call, the price is linear in tokens.
    const perCallIn = Math.ceil(w.input_tokens / w.calls);
    const perCallOut = Math.ceil(w.output_tokens / w.calls);
    const premium = decide(
      { task: w.task, tier: 'premium', input_tokens: perCallIn, max_output_tokens: perCallOut },
      premiumInputs,
    );
    const premiumSpec = premium.model_id ? byId.get(premium.model_id) : undefined;
    const cheapest = cheapestCapable(
      inputs.registry,
      spec.strength,
      perCallIn + perCallOut,
      spec.may_leave_machine,
      price,
    );
    tasks.push({
      ...row(w),
      premium_usd: roundUsd(
        premiumSpec && premiumSpec.provider !== 'local' ? price(premiumSpec, w.input_tokens, w.output_tokens) : 0,
      ),
      premium_model: premiumSpec?.display_name ?? null,
      cheapest_usd: roundUsd(cheapest ? price(cheapest, w.input_tokens, w.output_tokens) : 0),
      cheapest_model: cheapest?.display_name ?? null,
    });
  }
  const sum = (pick: (t: RoutingValueTask) => number) => roundUsd(tasks.reduce((s, t) => s + pick(t), 0));
  return {
    month,
    calls: tasks.reduce((s, t) => s + t.calls, 0),
    actual_usd: sum((t) => t.actual_usd),
    premium_usd: sum((t) => t.premium_usd),
    cheapest_usd: sum((t) => t.cheapest_usd),
    by_task: tasks,
    writer_picks: apart('writer'),
    unrecorded: apart('unknown'),
    not_compared: { calls: unpriced.calls, spend_usd: roundUsd(unpriced.spend_usd) },
    held_ahead_usd: roundUsd(heldAhead.reduce((sum, w) => sum + w.spend_usd, 0)),
  };
}

function row(w: TaskWork) {
  return { task: w.task, calls: w.calls, actual_usd: roundUsd(w.spend_usd) };
}

/**
 * The cheapest model that could do the task at all: the strength, the context, the minimum quality, not retired.
 * Work that must stay on this machine has only local models, which are free.
 */
function cheapestCapable(
  registry: readonly ModelSpec[],
  strength: string,
  tokens: number,
  mayLeave: boolean,
  price: (spec: ModelSpec, input: number, output: number) => number,
): ModelSpec | undefined {
  let best: { spec: ModelSpec; cost: number } | undefined;
  for (const spec of registry) {
    if (spec.retired || spec.provider === 'local' || !mayLeave) continue;
    if (!spec.strengths.includes(strength as ModelSpec['strengths'][number])) continue;
    if (spec.context_window < tokens || spec.quality < MIN_QUALITY) continue;
    const cost = price(spec, 1_000_000, 1_000_000);
    if (!best || cost < best.cost) best = { spec, cost };
  }
  return best?.spec;
}
