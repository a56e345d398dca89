// What the Settings screen shows beside the stored values: what "default" means on this machine (app:machine) and
// how often the exact-match cache has answered (runs:stats). Neither is a setting, so neither lives in SettingsManager.
import type { ErrorInfo } from '../../../../src-preload/contract';
import type { MachineInfo } from '../../../../src-preload/contract/app';
import { call } from '../api/client';
import { toErrorInfo } from '../api/error-guidance';

export interface CacheStats {
  hits: number;
  /** 0–1, of cacheable runs made with the cache on. */
  hitRate: number;
}

export class SettingsContextManager {
  #machine = $state<MachineInfo | null>(null);
  #cache = $state<CacheStats | null>(null);
  #error = $state<ErrorInfo | null>(null);

  get machine() {
    return this.#machine;
  }
  get cache() {
    return this.#cache;
  }
  get error() {
    return this.#error;
  }

  async load(): Promise<void> {
    try {
      const [machine, stats] = await Promise.all([call('app:machine'), call('runs:stats')]);
      this.#machine = machine;
      this.#cache = { hits: stats.cache_hits, hitRate: stats.cache_hit_rate };
      this.#error = null;
    } catch (error) {
      this.#error = toErrorInfo(error);
    }
  }

  reset(): void {
    this.#machine = null;
    this.#cache = null;
    this.#error = null;
  }
}

export const settingsContextManager = new SettingsContextManager();
