// The value of routing for one month: what Quire's own picks cost, beside "always the premium pick" and "always the
// cheapest capable model" (spend:routing_value), with the sentence the Spend screen shows. The writer's own choices of
// model are said apart: routing never made them, so they are neither its saving nor its cost.
import type { QuireApi } from '../../../../src-preload/api';
import type { RoutingValue, RoutingValueApart } from '$contract/spend';
import { api as defaultApi, Client } from '../api/client';
import { formatPercent, formatUsd, inMonth } from '../format';
import { roundUsd } from '$contract/usd-text';
import { Resource } from '../resource.svelte';

/** Calls, not runs: a repair or a fallback is a call of its own, and each is priced as it was made. */
const callsText = (calls: number) => `${calls} model ${calls === 1 ? 'call' : 'calls'}`;
const apartText = (apart: RoutingValueApart) => `${callsText(apart.calls)}, ${formatUsd(apart.spend_usd)}`;

/** A month's routing value is one host-answered value (value, error, load(month), reset()) plus its sentence. */
export class RoutingValueManager extends Resource<RoutingValue | null, [string]> {
  constructor(api: QuireApi = defaultApi) {
    const client = new Client(api);
    super((month: string) => client.call('spend:routing_value', { month }), null, { clearOnError: true });
  }

  /** Whether there are picks of Quire's to compare (and so a chart of them). */
  readonly compared = $derived((this.value?.calls ?? 0) > 0);

  /**
   * What the chart is, for a screen reader: the month it shows named ("in October 2026"), "this month" only when
   * `current` (the month Quire counts now).
   */
  chartLabel(current: boolean): string {
    const when = this.value ? inMonth(this.value.month, current) : 'this month';
    return `The calls on Quire's own picks ${when} priced three ways, in US dollars`;
  }

  /** One line a writer reads; null before there are calls. */
  readonly summary = $derived.by((): string | null => {
    const v = this.value;
    if (!v) return null;
    const apart = [
      v.writer_picks.calls > 0 ? `Your own choices of model (${apartText(v.writer_picks)})` : null,
      v.unrecorded.calls > 0 ? `calls from before Quire noted who chose the model (${apartText(v.unrecorded)})` : null,
      v.held_ahead_usd > 0
        ? `what was held ahead for calls when your Mac stopped (${formatUsd(v.held_ahead_usd)})`
        : null,
    ].filter((part) => part !== null);
    const joined = apart.join(' and ');
    const notCounted = joined ? `${joined[0]!.toUpperCase()}${joined.slice(1)} are not counted.` : '';
    // Quire's own, but with no tokens to price on the other lines: counted at their holds, they would skew the line.
    const unpriced =
      v.not_compared.calls > 0
        ? `Quire's picks whose use the provider never reported (${callsText(v.not_compared.calls)}, ${formatUsd(v.not_compared.spend_usd)} held for them: cut off, still running or left by a crash) are not compared: there are no tokens to price.`
        : '';
    const after = [notCounted, unpriced].filter(Boolean).join(' ');
    if (v.calls === 0) {
      if (!after) return null;
      const none =
        v.not_compared.calls > 0
          ? 'No call on a model Quire picked has its use reported yet, so there is nothing to compare.'
          : 'No call is known to be on a model Quire picked, so there is nothing to compare.';
      return `${none} ${after}`;
    }
    // Whole micro-dollars, as the ledger counts: a difference below one is no difference.
    const saved = roundUsd(v.premium_usd - v.actual_usd);
    const premium = `always the premium pick (${formatUsd(v.premium_usd)})`;
    const versusPremium =
      saved > 0
        ? `${formatUsd(saved)} less (${formatPercent(saved / v.premium_usd)}) than ${premium}`
        : saved < 0
          ? `${formatUsd(-saved)} more than ${premium}`
          : `the same as ${premium}`;
    const line = `Quire's own picks (${callsText(v.calls)}) cost ${formatUsd(v.actual_usd)}, ${versusPremium}; always the cheapest capable model would have cost ${formatUsd(v.cheapest_usd)}.`;
    return after ? `${line} ${after}` : line;
  });
}

export const routingValueManager = new RoutingValueManager();
