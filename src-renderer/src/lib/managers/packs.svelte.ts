// Model packs: which one is active (it decides when the orchestrator is off) and the writer's own packs.
import type { ErrorInfo } from '../../../../src-preload/contract';
import type { Pack, PackList, PackSave } from '../../../../src-preload/contract/packs';
import { call } from '../api/client';
import { toErrorInfo } from '../api/error-guidance';

export class PacksManager {
  #list = $state<PackList | null>(null);
  #error = $state<ErrorInfo | null>(null);
  #saveError = $state<ErrorInfo | null>(null);
  #busy = $state(false);

  get packs(): Pack[] {
    return this.#list?.packs ?? [];
  }
  get active() {
    return this.#list?.active ?? null;
  }
  get error() {
    return this.#error;
  }
  get saveError() {
    return this.#saveError;
  }
  get busy() {
    return this.#busy;
  }

  async load(): Promise<void> {
    try {
      this.#list = await call('packs:list');
      this.#error = null;
    } catch (error) {
      this.#error = toErrorInfo(error);
    }
  }

  async activate(name: string): Promise<boolean> {
    return this.#run(async () => {
      this.#list = await call('packs:activate', { name });
    });
  }

  /** Creates or updates a custom pack; returns false (and keeps the message) when the host refuses it. */
  async save(pack: PackSave): Promise<boolean> {
    this.#busy = true;
    try {
      await call('packs:save', pack);
      this.#list = await call('packs:list');
      this.#saveError = null;
      return true;
    } catch (error) {
      this.#saveError = toErrorInfo(error);
      return false;
    } finally {
      this.#busy = false;
    }
  }

  async remove(name: string): Promise<boolean> {
    return this.#run(async () => {
      this.#list = await call('packs:delete', { name });
    });
  }

  clearSaveError(): void {
    this.#saveError = null;
  }

  async #run(action: () => Promise<void>): Promise<boolean> {
    this.#busy = true;
    try {
      await action();
      this.#error = null;
      return true;
    } catch (error) {
      this.#error = toErrorInfo(error);
      return false;
    } finally {
      this.#busy = false;
    }
  }

  reset(): void {
    this.#list = null;
    this.#error = null;
    this.#saveError = null;
    this.#busy = false;
  }
}

export const packsManager = new PacksManager();
