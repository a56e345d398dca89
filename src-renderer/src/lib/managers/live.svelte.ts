// App-wide live state fed by pushed events: this month's spend, budget alerts raised, work in progress. The sidebar
// shows it on every screen; the Spend, Models and Workbench screens read the details.
import type { ErrorInfo } from '../../../../src-preload/contract';
import type { SpendCurrent } from '../../../../src-preload/contract/spend';
import type { ProviderHealth } from '../../../../src-preload/contract/providers';
import type { DownloadProgress } from '../../../../src-preload/contract/models';
import { call } from '../api/client';
import { toErrorInfo } from '../api/error-guidance';
import { subscribe } from '../api/events';

export class LiveManager {
  #spend = $state<SpendCurrent | null>(null);
  #error = $state<ErrorInfo | null>(null);
  #alert = $state<{ month: string; threshold: 50 | 80 | 100; spent_usd: number; budget_usd: number } | null>(null);
  #health = $state<ProviderHealth[]>([]);
  #downloads = $state<Record<string, DownloadProgress>>({});
  #runsInFlight = $state<string[]>([]);

  get spend() {
    return this.#spend;
  }
  get error() {
    return this.#error;
  }
  /** The latest budget alert, until dismissed. */
  get alert() {
    return this.#alert;
  }
  get health() {
    return this.#health;
  }
  get downloads() {
    return this.#downloads;
  }
  get runsInFlight() {
    return this.#runsInFlight;
  }

  readonly downloadCount = $derived(Object.keys(this.#downloads).length);
  readonly openBreakers = $derived(this.#health.filter((provider) => provider.state !== 'closed'));

  /** A paused or cancelled download sends no further events. */
  forgetDownload(id: string): void {
    const { [id]: _gone, ...rest } = this.#downloads;
    this.#downloads = rest;
  }

  dismissAlert(): void {
    this.#alert = null;
  }

  async refreshSpend(): Promise<void> {
    try {
      this.#spend = await call('spend:current');
      this.#error = null;
    } catch (error) {
      this.#error = toErrorInfo(error);
    }
  }

  async refreshHealth(): Promise<void> {
    try {
      this.#health = (await call('providers:health')).providers;
    } catch {
      // Health is advisory; the screens that act on providers report their own errors.
    }
  }

  /** Closes a paused provider's breaker so the next call tries it again. */
  async resetProvider(provider: string): Promise<void> {
    try {
      this.#health = (await call('providers:reset', { provider })).providers;
    } catch (error) {
      this.#error = toErrorInfo(error);
    }
  }

  listen(): () => void {
    void this.refreshSpend();
    void this.refreshHealth();
    const dropDownload = (id: string) => this.forgetDownload(id);
    const dropRun = (id: string) => (this.#runsInFlight = this.#runsInFlight.filter((run) => run !== id));
    return subscribe({
      // A new budget changes what remains.
      'settings:changed': () => void this.refreshSpend(),
      'spend:updated': ({ month, spent_usd, reserved_usd, budget_usd }) => {
        this.#spend = {
          month,
          spend_usd: spent_usd,
          reserved_usd,
          budget_usd,
          remaining_usd: budget_usd === null ? null : Math.max(0, budget_usd - spent_usd - reserved_usd),
        };
      },
      'spend:alert': (alert) => (this.#alert = alert),
      'providers:health': ({ providers }) => (this.#health = providers),
      'download:progress': (progress) => (this.#downloads = { ...this.#downloads, [progress.id]: progress }),
      'download:done': ({ id }) => dropDownload(id),
      'download:failed': ({ id }) => dropDownload(id),
      'run:started': ({ run_id }) => (this.#runsInFlight = [...this.#runsInFlight, run_id]),
      'run:completed': ({ run_id }) => dropRun(run_id),
      'run:failed': ({ run_id }) => dropRun(run_id),
    });
  }

  reset(): void {
    this.#spend = null;
    this.#error = null;
    this.#alert = null;
    this.#health = [];
    this.#downloads = {};
    this.#runsInFlight = [];
  }
}

export const liveManager = new LiveManager();
