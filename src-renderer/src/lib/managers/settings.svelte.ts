import type { ErrorInfo, Settings, SettingsPatch } from '../../../../src-preload/contract';
import { api, ApiError, call } from '../api/client';

/** The writer's settings as the renderer sees them; every change goes through `settings:set`. */
export class SettingsManager {
  #settings = $state<Settings | null>(null);
  #loadError = $state<ErrorInfo | null>(null);
  #fieldErrors = $state<Record<string, string>>({});
  #saving = $state(false);

  get settings() {
    return this.#settings;
  }
  get loadError() {
    return this.#loadError;
  }
  get fieldErrors() {
    return this.#fieldErrors;
  }
  get saving() {
    return this.#saving;
  }

  async load(): Promise<void> {
    try {
      this.#settings = await call('settings:get');
      this.#loadError = null;
    } catch (error) {
      this.#loadError =
        error instanceof ApiError ? error.info : { code: 'internal', message: String(error), retryable: true };
    }
  }

  /** Subscribes to changes made elsewhere (another window, the CLI through the host); returns the unsubscribe. */
  listen(): () => void {
    return api.on('settings:changed', (settings) => {
      this.#settings = settings;
    });
  }

  /**
   * Saves a partial change. On a refusal the field's message is kept under `field` and the shown settings stay as
   * stored, so the screen never claims a value that was not saved.
   */
  async update(patch: SettingsPatch, field: string): Promise<boolean> {
    this.#saving = true;
    try {
      this.#settings = await call('settings:set', patch);
      this.clearError(field);
      return true;
    } catch (error) {
      const message = error instanceof ApiError ? error.info.message : String(error);
      this.#fieldErrors = { ...this.#fieldErrors, [field]: message.replace(/^[\w.]+: /, '') };
      return false;
    } finally {
      this.#saving = false;
    }
  }

  clearError(field: string): void {
    if (!(field in this.#fieldErrors)) return;
    const { [field]: _removed, ...rest } = this.#fieldErrors;
    this.#fieldErrors = rest;
  }

  reset(): void {
    this.#settings = null;
    this.#loadError = null;
    this.#fieldErrors = {};
    this.#saving = false;
  }
}

export const settingsManager = new SettingsManager();
