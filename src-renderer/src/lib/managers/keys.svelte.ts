// API keys per built-in provider. The renderer only ever sees whether a key is set and its last 4 characters.
import type { QuireApi } from '../../../../src-preload/api';
import type { ErrorInfo } from '$contract';
import type { KeyStatus, KeysStatus, KeyTest } from '$contract/keys';
import { providerDescriptor } from '$contract/provider-table';
import { api as defaultApi, Client } from '../api/client';
import { toErrorInfo } from '../api/error-guidance';
import { resource } from '../resource.svelte';

export interface KeyFeedback {
  kind: 'error' | 'success';
  message: string;
  next?: string;
  error?: ErrorInfo;
  /** The provider refused or could not be reached: offer to store the key untested. */
  retryWithoutTest?: boolean;
}

const SOURCE: Record<NonNullable<KeyStatus['source']>, string> = {
  env: 'from an environment variable',
  file: 'stored in a private file',
  encrypted: 'encrypted',
};

export class KeysManager {
  readonly #client: Client;
  readonly #status = resource(() => this.#client.call('keys:status'), null as KeysStatus | null);
  #busy = $state.raw<Record<string, 'saving' | 'testing' | 'removing'>>({});
  #feedback = $state.raw<Record<string, KeyFeedback>>({});

  readonly #api: QuireApi;

  constructor(api: QuireApi = defaultApi) {
    this.#api = api;
    this.#client = new Client(api);
  }

  /**
   * A provider's row as the writer reads it: whether a key is set, and, in the browser host only, the environment
   * variable it also reads (in the app a writer adds a key by pasting it; a variable set in a shell never reaches it).
   */
  describe(key: KeyStatus): { status: string; hint: string | null } {
    if (key.configured)
      return { status: `Key ••••${key.last4 ?? ''}${key.source ? ` ${SOURCE[key.source]}` : ''}`, hint: null };
    const hint =
      key.env_var && this.#api.transport === 'http'
        ? `Or set ${key.env_var} in the environment before you start the browser host.`
        : null;
    return { status: 'No key yet', hint };
  }

  readonly status = $derived(this.#status.value);
  readonly error = $derived(this.#status.error);
  readonly busy = $derived(this.#busy);
  readonly feedback = $derived(this.#feedback);

  load(): Promise<boolean> {
    return this.#status.load();
  }

  /**
   * Stores the key and tests it at once. A key the provider refuses is taken out again when none was set before, so
   * a bad key changes nothing; `skipTest` keeps it untested (e.g. while offline).
   */
  async save(provider: string, apiKey: string, allowWeakStorage: boolean, skipTest = false): Promise<boolean> {
    const hadKey = this.#status.value?.keys.find((key) => key.provider === provider)?.configured ?? false;
    this.#setBusy(provider, 'saving');
    try {
      await this.#client.call('keys:set', {
        provider,
        api_key: apiKey,
        ...(allowWeakStorage ? { allow_weak_storage: true } : {}),
      });
      const name = providerName(provider);
      if (skipTest) {
        await this.load();
        this.#setFeedback(provider, {
          kind: 'success',
          message: `Key saved without a test: Quire has not checked it with ${name}. If ${name} refuses it, runs on ${name} fail until you replace it; press Test once you are online.`,
        });
        return true;
      }
      const result = await this.#client.call('keys:test', { provider });
      if (!result.ok && !hadKey) await this.#client.call('keys:delete', { provider });
      await this.load();
      this.#setFeedback(
        provider,
        result.ok ? { kind: 'success', message: `Key saved. ${result.message}` } : this.#failed(name, hadKey, result),
      );
      return result.ok;
    } catch (error) {
      const info = toErrorInfo(error);
      this.#setFeedback(provider, { kind: 'error', message: info.message, error: info });
      return false;
    } finally {
      this.#setBusy(provider, null);
    }
  }

  /**
   * A saved key's test failed. A refusal (HTTP 401/403) is definite: the key is not kept untested, and a replacement
   * already stored is said to break runs. No answer may be the writer's connection: they may keep the key untested.
   */
  #failed(name: string, hadKey: boolean, result: KeyTest): KeyFeedback {
    const refused = result.reason === 'refused';
    // Main's words for a refusal name the provider and the status ("OpenAI refused the API key (HTTP 401)."): said as
    // they are, not after "OpenAI refused it —".
    const refusal = /[.!?]$/.test(result.message) ? result.message : `${result.message}.`;
    if (hadKey)
      return {
        kind: 'error',
        message: refused
          ? `The new key replaced the old one, but ${refusal} Runs on ${name} fail until you paste a key it accepts.`
          : `The new key was saved, but the test failed — ${result.message}`,
        next: refused
          ? 'Check that you copied the whole key from the provider’s dashboard, then paste it again.'
          : 'Press Test again in a minute; runs on this provider may fail until it passes.',
        retryWithoutTest: false,
      };
    return {
      kind: 'error',
      message: refused
        ? `The key was not saved: ${refusal}`
        : result.reason === 'unreachable'
          ? `The key was not saved: Quire could not reach ${name} to test it — ${result.message}`
          : `The key was not saved: the test failed — ${result.message}`,
      next: refused
        ? 'Check that you copied the whole key from the provider’s dashboard, then paste it again.'
        : 'Check that you copied the whole key and try again. Offline? Use “Save without testing”: runs fail until the key works.',
      retryWithoutTest: !refused,
    };
  }

  async test(provider: string): Promise<void> {
    this.#setBusy(provider, 'testing');
    try {
      await this.#test(provider);
    } finally {
      this.#setBusy(provider, null);
    }
  }

  async remove(provider: string): Promise<void> {
    this.#setBusy(provider, 'removing');
    try {
      await this.#client.call('keys:delete', { provider });
      await this.load();
      this.#setFeedback(provider, { kind: 'success', message: 'Key removed.' });
    } catch (error) {
      const info = toErrorInfo(error);
      this.#setFeedback(provider, { kind: 'error', message: info.message, error: info });
    } finally {
      this.#setBusy(provider, null);
    }
  }

  clearFeedback(provider: string): void {
    const { [provider]: _gone, ...rest } = this.#feedback;
    this.#feedback = rest;
  }

  async #test(provider: string): Promise<void> {
    try {
      const result = await this.#client.call('keys:test', { provider });
      this.#setFeedback(
        provider,
        result.ok
          ? { kind: 'success', message: result.message }
          : {
              kind: 'error',
              message: result.message,
              next:
                result.reason === 'unreachable'
                  ? 'The key was not the problem: check the address (for an endpoint, that its server is running) and your connection, then test again.'
                  : result.reason === 'refused'
                    ? 'Check that you copied the whole key from the provider’s dashboard, then save it again.'
                    : 'Try again in a minute; if it keeps failing, check the provider’s status page.',
            },
      );
    } catch (error) {
      const info = toErrorInfo(error);
      this.#setFeedback(provider, { kind: 'error', message: info.message, error: info });
    }
  }

  #setBusy(provider: string, state: 'saving' | 'testing' | 'removing' | null): void {
    const { [provider]: _old, ...rest } = this.#busy;
    this.#busy = state ? { ...rest, [provider]: state } : rest;
  }

  #setFeedback(provider: string, feedback: KeyFeedback): void {
    this.#feedback = { ...this.#feedback, [provider]: feedback };
  }

  reset(): void {
    this.#status.reset();
    this.#busy = {};
    this.#feedback = {};
  }
}

/** The provider as the keys screen names it ("OpenAI"); an endpoint or unknown id as "the provider". */
function providerName(provider: string): string {
  return providerDescriptor(provider)?.display_name ?? 'the provider';
}

export const keysManager = new KeysManager();
