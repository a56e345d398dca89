// The writer's settings as the renderer sees them; every change goes through `settings:set`.
import type { QuireApi } from '../../../../src-preload/api';
import type { Settings, SettingsPatch } from '$contract';
import { api as defaultApi, Client } from '../api/client';
import { toErrorInfo } from '../api/error-guidance';
import { resource } from '../resource.svelte';

export class SettingsManager {
  readonly #client: Client;
  readonly #settings = resource(() => this.#client.call('settings:get'), null as Settings | null);
  #fieldErrors = $state.raw<Record<string, string>>({});

  constructor(api: QuireApi = defaultApi) {
    this.#client = new Client(api);
  }

  readonly settings = $derived(this.#settings.value);
  readonly loadError = $derived(this.#settings.error);
  readonly fieldErrors = $derived(this.#fieldErrors);

  load(): Promise<boolean> {
    return this.#settings.load();
  }

  /** Subscribes to changes made elsewhere (another window, the CLI through the host); returns the unsubscribe. */
  listen(): () => void {
    return this.#client.subscribe({ 'settings:changed': (settings) => this.#settings.set(settings) });
  }

  /**
   * Saves a partial change. On a refusal the field's message is kept under `field` and the shown settings stay as
   * stored, so the screen never claims a value that was not saved.
   */
  async update(patch: SettingsPatch, field: string): Promise<boolean> {
    try {
      await this.#settings.apply(() => this.#client.call('settings:set', patch));
      this.clearError(field);
      return true;
    } catch (error) {
      this.#fieldErrors = { ...this.#fieldErrors, [field]: toErrorInfo(error).message.replace(/^[\w.]+: /, '') };
      return false;
    }
  }

  clearError(field: string): void {
    if (!(field in this.#fieldErrors)) return;
    const { [field]: _removed, ...rest } = this.#fieldErrors;
    this.#fieldErrors = rest;
  }

  reset(): void {
    this.#settings.reset();
    this.#fieldErrors = {};
  }
}

export const settingsManager = new SettingsManager();
