// The value of routing for one month: what the month's runs cost as routed, beside "always the premium pick" and
// "always the cheapest capable model" (spend:routing_value), with the sentence the Spend screen shows.
import type { QuireApi } from '../../../../src-preload/api';
import type { RoutingValue } from '$contract/spend';
import { api as defaultApi, Client } from '../api/client';
import { formatPercent, formatUsd } from '../format';
import { Resource } from '../resource.svelte';

/** A month's routing value is one host-answered value (value, error, load(month), reset()) plus its sentence. */
export class RoutingValueManager extends Resource<RoutingValue | null, [string]> {
  constructor(api: QuireApi = defaultApi) {
    const client = new Client(api);
    super((month: string) => client.call('spend:routing_value', { month }), null, { clearOnError: true });
  }

  /** One line a writer reads; null before there are runs to compare. */
  readonly summary = $derived.by((): string | null => {
    const v = this.value;
    if (!v || v.calls === 0) return null;
    // Calls, not runs: a repair or a fallback is a call of its own, and each is priced as it was made.
    const runs = `${v.calls} model ${v.calls === 1 ? 'call' : 'calls'}`;
    // Whole micro-dollars, as the ledger counts: a difference below one is no difference.
    const saved = Math.round((v.premium_usd - v.actual_usd) * 1e6) / 1e6;
    const premium = `always using the premium pick (${formatUsd(v.premium_usd)})`;
    const versusPremium =
      saved > 0
        ? `${formatUsd(saved)} less (${formatPercent(saved / v.premium_usd)}) than ${premium}`
        : saved < 0
          ? `${formatUsd(-saved)} more than ${premium}`
          : `the same as ${premium}`;
    return `Routing: your ${runs} cost ${formatUsd(v.actual_usd)}, ${versusPremium}; always the cheapest capable model would have cost ${formatUsd(v.cheapest_usd)}.`;
  });
}

export const routingValueManager = new RoutingValueManager();
