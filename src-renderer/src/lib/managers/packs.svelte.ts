// Model packs: which one is active (it decides when the orchestrator is off) and the writer's own packs.
import type { QuireApi } from '../../../../src-preload/api';
import type { ErrorInfo } from '$contract';
import type { Pack, PackList, PackSave } from '$contract/packs';
import { api as defaultApi, Client } from '../api/client';
import { toErrorInfo } from '../api/error-guidance';
import { resource } from '../resource.svelte';

export class PacksManager {
  readonly #client: Client;
  readonly #list = resource(() => this.#client.call('packs:list'), null as PackList | null);
  /** Why the last activate or delete failed; the list's own load error otherwise. */
  #actionError = $state.raw<ErrorInfo | null>(null);
  #saveError = $state.raw<ErrorInfo | null>(null);
  #busy = $state(false);

  constructor(api: QuireApi = defaultApi) {
    this.#client = new Client(api);
  }

  get packs(): Pack[] {
    return this.#list.value?.packs ?? [];
  }
  get active() {
    return this.#list.value?.active ?? null;
  }
  get error() {
    return this.#actionError ?? this.#list.error;
  }
  get saveError() {
    return this.#saveError;
  }
  get busy() {
    return this.#busy;
  }

  async load(): Promise<boolean> {
    const shown = await this.#list.load();
    this.#actionError = null;
    return shown;
  }

  async activate(name: string): Promise<boolean> {
    return this.#act(
      () => this.#client.call('packs:activate', { name }),
      (error) => (this.#actionError = error),
    );
  }

  /** Creates or updates a custom pack; returns false (and keeps the message) when the host refuses it. */
  async save(pack: PackSave): Promise<boolean> {
    return this.#act(
      async () => {
        await this.#client.call('packs:save', pack);
        return this.#client.call('packs:list');
      },
      (error) => (this.#saveError = error),
    );
  }

  async remove(name: string): Promise<boolean> {
    return this.#act(
      () => this.#client.call('packs:delete', { name }),
      (error) => (this.#actionError = error),
    );
  }

  clearSaveError(): void {
    this.#saveError = null;
  }

  /** Every pack action answers with the whole list; a failure is reported where `report` puts it. */
  async #act(request: () => Promise<PackList>, report: (error: ErrorInfo | null) => void): Promise<boolean> {
    this.#busy = true;
    try {
      await this.#list.apply(request);
      report(null);
      return true;
    } catch (error) {
      report(toErrorInfo(error));
      return false;
    } finally {
      this.#busy = false;
    }
  }

  reset(): void {
    this.#list.reset();
    this.#actionError = null;
    this.#saveError = null;
    this.#busy = false;
  }
}

export const packsManager = new PacksManager();
