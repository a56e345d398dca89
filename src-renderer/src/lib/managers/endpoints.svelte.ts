// Custom endpoints (Ollama, LM Studio, vLLM, gateways): saved only once Quire has reached them, so a typo in the
// address never leaves a broken endpoint behind.
import type { QuireApi } from '../../../../src-preload/api';
import type { ErrorInfo } from '$contract';
import type { EndpointInput, EndpointListedModel, EndpointModelsInput, ProviderEntry } from '$contract/providers';
import { api as defaultApi, Client } from '../api/client';
import { toErrorInfo } from '../api/error-guidance';
import { action, resource } from '../resource.svelte';

export interface EndpointFailure {
  message: string;
  next: string;
  /**
   * "Save anyway" is offered: the server could not be reached (it may not be running yet). Never after it refused the
   * key, a definite answer that every run on it would get too.
   */
  saveAnyway: boolean;
  /** The endpoint as entered, so "Save anyway" can store it without a reachable server. */
  input: EndpointInput;
  error?: ErrorInfo;
}

export class EndpointsManager {
  readonly #client: Client;
  readonly #providers = resource(
    async () => (await this.#client.call('providers:list')).providers,
    [] as ProviderEntry[],
  );
  #saving = $state(false);
  #failure = $state.raw<EndpointFailure | null>(null);
  readonly #delete = action({ clearError: 'on-success' });
  #listed = $state.raw<EndpointListedModel[] | null>(null);
  readonly #listing = action();

  constructor(api: QuireApi = defaultApi) {
    this.#client = new Client(api);
  }

  readonly error = $derived(this.#providers.error);
  readonly saving = $derived(this.#saving);
  readonly failure = $derived(this.#failure);
  readonly deleteError = $derived(this.#delete.error);

  /** The models the server listed on the last "Fetch models"; null before one. */
  readonly listed = $derived(this.#listed);
  readonly listing = $derived(this.#listing.busy);
  readonly listError = $derived(this.#listing.error);

  /** Asks the server (typed in, or saved by id) which models it serves, for the writer to pick from. */
  async fetchModels(input: EndpointModelsInput): Promise<boolean> {
    const listed = await this.#listing.run(async () => {
      this.#listed = (await this.#client.call('providers:endpoint_models', input)).models;
    });
    if (!listed) this.#listed = null;
    // The server answers now: "Nothing answers at …" from the last Test and add is no longer true.
    else if (this.#failure?.saveAnyway) this.#failure = null;
    return listed;
  }

  readonly custom = $derived(this.#providers.value.filter((provider) => provider.type === 'custom'));

  load(): Promise<boolean> {
    return this.#providers.load();
  }

  /**
   * Connects to the endpoint as typed (a free call), then saves it; `test` false saves without connecting ("Save
   * anyway"). A failed test saves nothing — a new endpoint is not added, an edited one keeps its address and its key —
   * and the reason is kept for the form.
   */
  async save(input: EndpointInput, test = true): Promise<boolean> {
    this.#saving = true;
    this.#failure = null;
    try {
      if (test) {
        const { id, kind, base_url, api_key } = input;
        const result = await this.#client.call('providers:test', {
          id,
          kind,
          base_url,
          ...(api_key === undefined ? {} : { api_key }),
        });
        if (!result.ok) {
          this.#failure =
            result.reason === 'refused'
              ? {
                  message: result.message,
                  next: 'Nothing was saved. Check the key the server expects (Ollama takes any, such as “ollama”; LM Studio “lm-studio”), then try again.',
                  saveAnyway: false,
                  input,
                }
              : {
                  // The server's message names the address and its step; this says what became of the endpoint.
                  message: result.message,
                  next: 'Nothing was saved, and what you typed is kept: try again once the server answers, or save it anyway to use later.',
                  saveAnyway: true,
                  input,
                };
          return false;
        }
      }
      await this.#client.call('providers:save', input);
      await this.load();
      return true;
    } catch (error) {
      const info = toErrorInfo(error);
      this.#failure = { message: info.message, next: '', saveAnyway: false, input, error: info };
      return false;
    } finally {
      this.#saving = false;
    }
  }

  async remove(id: string): Promise<void> {
    if (await this.#delete.run(() => this.#client.call('providers:delete', { id }))) await this.load();
  }

  clearFailure(): void {
    this.#failure = null;
  }

  reset(): void {
    this.#providers.reset();
    this.#saving = false;
    this.#failure = null;
    this.#delete.reset();
    this.#listed = null;
    this.#listing.reset();
  }
}

export const endpointsManager = new EndpointsManager();
