// The value of routing for one month: what the month's runs cost as routed, beside "always the premium pick" and
// "always the cheapest capable model" (spend:routing_value), with the sentence the Spend screen shows.
import type { QuireApi } from '../../../../src-preload/api';
import type { RoutingValue } from '$contract/spend';
import { api as defaultApi, Client } from '../api/client';
import { formatPercent, formatUsd } from '../format';
import { resource } from '../resource.svelte';

export class RoutingValueManager {
  readonly #client: Client;
  readonly #value = resource(
    (month: string) => this.#client.call('spend:routing_value', { month }),
    null as RoutingValue | null,
    { clearOnError: true },
  );

  constructor(api: QuireApi = defaultApi) {
    this.#client = new Client(api);
  }

  get value() {
    return this.#value.value;
  }
  get error() {
    return this.#value.error;
  }

  load(month: string): Promise<boolean> {
    return this.#value.load(month);
  }

  /** One line a writer reads; null before there are runs to compare. */
  readonly summary = $derived.by((): string | null => {
    const v = this.#value.value;
    if (!v || v.calls === 0) return null;
    const runs = `${v.calls} ${v.calls === 1 ? 'run' : 'runs'}`;
    const saved = v.premium_usd - v.actual_usd;
    const versusPremium =
      saved > 0
        ? `${formatUsd(saved)} less (${formatPercent(saved / v.premium_usd)}) than always using the premium pick (${formatUsd(v.premium_usd)})`
        : `no less than always using the premium pick (${formatUsd(v.premium_usd)})`;
    return `Routing: your ${runs} cost ${formatUsd(v.actual_usd)}, ${versusPremium}; always the cheapest capable model would have cost ${formatUsd(v.cheapest_usd)}.`;
  });

  reset(): void {
    this.#value.reset();
  }
}

export const routingValueManager = new RoutingValueManager();
