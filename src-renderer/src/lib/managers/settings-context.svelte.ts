// What the Settings screen shows beside the stored values: what "default" means on this machine (app:machine) and
// how often the exact-match cache has answered (runs:stats). Neither is a setting, so neither lives in SettingsManager.
import type { QuireApi } from '../../../../src-preload/api';
import type { MachineInfo } from '$contract/app';
import { api as defaultApi, Client } from '../api/client';
import { resource } from '../resource.svelte';

export interface CacheStats {
  hits: number;
  /** 0–1, of cacheable runs made with the cache on. */
  hitRate: number;
}

export class SettingsContextManager {
  readonly #client: Client;
  readonly #context = resource(async (): Promise<{ machine: MachineInfo; cache: CacheStats }> => {
    const [machine, stats] = await Promise.all([this.#client.call('app:machine'), this.#client.call('runs:stats')]);
    return { machine, cache: { hits: stats.cache_hits, hitRate: stats.cache_hit_rate } };
  }, null);

  constructor(api: QuireApi = defaultApi) {
    this.#client = new Client(api);
  }

  readonly machine = $derived(this.#context.value?.machine ?? null);
  readonly cache = $derived(this.#context.value?.cache ?? null);
  readonly error = $derived(this.#context.error);

  load(): Promise<boolean> {
    return this.#context.load();
  }

  reset(): void {
    this.#context.reset();
  }
}

export const settingsContextManager = new SettingsContextManager();
