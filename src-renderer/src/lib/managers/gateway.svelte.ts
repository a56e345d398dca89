// "Let other apps use Quire": the gateway's switch, port and allowed web pages, the apps' access tokens (a new token
// is held here only until the writer has copied it and closed it: Quire cannot show it again), and spend by app.
import type { QuireApi } from '../../../../src-preload/api';
import type { GatewayState, SpendByApp } from '$contract/gateway';
import { api as defaultApi, Client } from '../api/client';
import { toErrorInfo } from '../api/error-guidance';
import { action, resource } from '../resource.svelte';

export interface NewToken {
  id: string;
  name: string;
  token: string;
}

export interface TokenRequest {
  name: string;
  monthly_cap_usd: number | null;
  local_only: boolean;
}

/** Puts text on the clipboard (in the app: navigator.clipboard). */
export type CopyText = (text: string) => Promise<void>;

export class GatewayManager {
  readonly #client: Client;
  readonly #copy: CopyText;
  readonly #state = resource(() => this.#client.call('gateway:get'), null as GatewayState | null);
  readonly #byApp = resource(
    (month: string) => this.#client.call('spend:by_app', { month }),
    null as SpendByApp | null,
    { clearOnError: true },
  );
  /** A change to the switch, port, origins or tokens. */
  readonly #change = action();
  #revealed = $state.raw<NewToken | null>(null);
  #copied = $state(false);

  constructor(api: QuireApi = defaultApi, copy: CopyText = (text) => navigator.clipboard.writeText(text)) {
    this.#client = new Client(api);
    this.#copy = copy;
  }

  readonly state = $derived(this.#state.value);
  readonly error = $derived(this.#state.error);
  readonly busy = $derived(this.#change.busy);
  /** Why the last change (switch, port, origins, create, revoke) failed. */
  readonly actionError = $derived(this.#change.error);
  /** The token just created, until the writer closes it. */
  readonly revealed = $derived(this.#revealed);
  readonly copied = $derived(this.#copied);
  readonly byApp = $derived(this.#byApp.value);

  load(): Promise<boolean> {
    return this.#state.load();
  }

  loadByApp(month: string): Promise<boolean> {
    return this.#byApp.load(month);
  }

  setEnabled(enabled: boolean): Promise<boolean> {
    return this.#set(() => this.#client.call('gateway:set', { enabled }));
  }

  setPort(port: number): Promise<boolean> {
    return this.#set(() => this.#client.call('gateway:set', { port }));
  }

  /**
   * One origin per line (blank lines ignored). A refused line's message names the line itself and what is wrong with
   * it: its place in the list ("origins.1: ") means nothing on the screen.
   */
  async setOrigins(text: string): Promise<boolean> {
    const origins = text
      .split(/\r?\n/)
      .map((line) => line.trim())
      .filter((line) => line.length > 0);
    const saved = await this.#set(() => this.#client.call('gateway:set', { origins }));
    const error = this.#change.error;
    const prefix = error?.path && /^origins\.\d+$/.test(error.path) ? `${error.path}: ` : undefined;
    if (error && prefix && error.message.startsWith(prefix)) {
      this.#change.report({ ...error, message: error.message.slice(prefix.length) });
    }
    return saved;
  }

  async createToken(request: TokenRequest): Promise<boolean> {
    this.#copied = false;
    return this.#set(async () => {
      const created = await this.#client.call('gateway:token_create', request);
      this.#revealed = { ...created, name: request.name.trim() };
      return this.#client.call('gateway:get');
    });
  }

  async copyToken(): Promise<boolean> {
    if (!this.#revealed) return false;
    try {
      await this.#copy(this.#revealed.token);
      this.#copied = true;
      return true;
    } catch (error) {
      this.#change.report({ ...toErrorInfo(error), message: 'Quire could not copy the token; select it and copy it.' });
      return false;
    }
  }

  /** Forgets the new token: from here on only its name and hash exist. */
  closeToken(): void {
    this.#revealed = null;
    this.#copied = false;
  }

  /** An app's cap (null: only the budget) and local-only switch, changed in place: the app keeps its token. */
  updateLimits(id: string, limits: { monthly_cap_usd: number | null; local_only: boolean }): Promise<boolean> {
    return this.#set(async () => {
      await this.#client.call('gateway:token_update', { id, ...limits });
      return this.#client.call('gateway:get');
    });
  }

  async revoke(id: string): Promise<boolean> {
    if (this.#revealed?.id === id) this.closeToken();
    return this.#set(async () => {
      await this.#client.call('gateway:token_revoke', { id });
      return this.#client.call('gateway:get');
    });
  }

  /** Every change answers with the whole new state. */
  #set(request: () => Promise<GatewayState>): Promise<boolean> {
    return this.#change.run(() => this.#state.apply(request));
  }

  reset(): void {
    this.#state.reset();
    this.#byApp.reset();
    this.#change.reset();
    this.#revealed = null;
    this.#copied = false;
  }
}

export const gatewayManager = new GatewayManager();
