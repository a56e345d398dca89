// App-wide live state fed by pushed events: this month's spend, budget alerts raised, work in progress. The sidebar
// shows it on every screen; the Spend, Models and Workbench screens read the details.
import type { QuireApi } from '../../../../src-preload/api';
import type { ErrorInfo, EventPayload } from '$contract';
import type { SpendCurrent } from '$contract/spend';
import type { ProviderHealth } from '$contract/providers';
import type { DownloadProgress } from '$contract/models';
import { api as defaultApi, Client } from '../api/client';
import { toErrorInfo } from '../api/error-guidance';
import { resource } from '../resource.svelte';

export class LiveManager {
  readonly #client: Client;
  readonly #spend = resource(() => this.#client.call('spend:current'), null as SpendCurrent | null);
  // Health is advisory: a failed refresh keeps the last answer, and the screens that act on providers report their own
  // errors.
  readonly #health = resource(
    async () => (await this.#client.call('providers:health')).providers,
    [] as ProviderHealth[],
  );
  #resetError = $state.raw<ErrorInfo | null>(null);
  #alert = $state.raw<EventPayload<'spend:alert'> | null>(null);
  #downloads = $state.raw<Record<string, DownloadProgress>>({});
  #runsInFlight = $state.raw<string[]>([]);

  constructor(api: QuireApi = defaultApi) {
    this.#client = new Client(api);
  }

  readonly spend = $derived(this.#spend.value);
  /** Why this month's spend, or the last provider reset, could not be had. */
  readonly error = $derived(this.#resetError ?? this.#spend.error);
  /** The latest budget alert, until dismissed. */
  readonly alert = $derived(this.#alert);
  readonly health = $derived(this.#health.value);
  readonly runsInFlight = $derived(this.#runsInFlight);

  readonly downloadCount = $derived(Object.keys(this.#downloads).length);
  readonly openBreakers = $derived(this.#health.value.filter((provider) => provider.state !== 'closed'));

  /** A paused or cancelled download sends no further events. */
  forgetDownload(id: string): void {
    const { [id]: _gone, ...rest } = this.#downloads;
    this.#downloads = rest;
  }

  dismissAlert(): void {
    this.#alert = null;
  }

  async refreshSpend(): Promise<boolean> {
    const shown = await this.#spend.load();
    if (shown) this.#resetError = null;
    return shown;
  }

  refreshHealth(): Promise<boolean> {
    return this.#health.load();
  }

  /** Closes a paused provider's breaker so the next call tries it again. */
  async resetProvider(provider: string): Promise<void> {
    try {
      await this.#health.apply(async () => (await this.#client.call('providers:reset', { provider })).providers);
    } catch (error) {
      this.#resetError = toErrorInfo(error);
    }
  }

  listen(): () => void {
    void this.refreshSpend();
    void this.refreshHealth();
    const dropRun = (id: string) => (this.#runsInFlight = this.#runsInFlight.filter((run) => run !== id));
    return this.#client.subscribe({
      // A new budget changes what remains.
      'settings:changed': () => void this.refreshSpend(),
      'spend:updated': ({ month, spent_usd, reserved_usd, budget_usd }) =>
        this.#spend.set({
          month,
          spend_usd: spent_usd,
          reserved_usd,
          budget_usd,
          remaining_usd: budget_usd === null ? null : Math.max(0, budget_usd - spent_usd - reserved_usd),
        }),
      'spend:alert': (alert) => (this.#alert = alert),
      'providers:health': ({ providers }) => this.#health.set(providers),
      'download:progress': (progress) => (this.#downloads = { ...this.#downloads, [progress.id]: progress }),
      'download:done': ({ id }) => this.forgetDownload(id),
      'download:failed': ({ id }) => this.forgetDownload(id),
      'run:started': ({ run_id }) => (this.#runsInFlight = [...this.#runsInFlight, run_id]),
      'run:completed': ({ run_id }) => dropRun(run_id),
      'run:failed': ({ run_id }) => dropRun(run_id),
    });
  }

  reset(): void {
    this.#spend.reset();
    this.#health.reset();
    this.#resetError = null;
    this.#alert = null;
    this.#downloads = {};
    this.#runsInFlight = [];
  }
}

export const liveManager = new LiveManager();
