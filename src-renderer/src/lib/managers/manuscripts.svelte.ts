// Whole manuscripts in the Workbench: open a .md/.txt file or a folder of chapter files by its path (kept in SQLite
// with numbered chapters and paragraphs), the ones opened before, and the one being worked on.
import type { QuireApi } from '../../../../src-preload/api';
import type { ErrorInfo } from '$contract';
import type { Manuscript, ManuscriptSummary } from '$contract/manuscripts';
import { api as defaultApi, Client } from '../api/client';
import { toErrorInfo } from '../api/error-guidance';
import { resource } from '../resource.svelte';

export class ManuscriptsManager {
  readonly #client: Client;
  readonly #list = resource(() => this.#client.call('manuscripts:list'), [] as ManuscriptSummary[]);
  #busy = $state(false);
  #error = $state.raw<ErrorInfo | null>(null);
  #current = $state.raw<Manuscript | null>(null);

  constructor(api: QuireApi = defaultApi) {
    this.#client = new Client(api);
  }

  readonly list = $derived(this.#list.value);
  readonly listError = $derived(this.#list.error);
  readonly busy = $derived(this.#busy);
  /** Why the last open or fetch failed, in the writer's words; null after a success. */
  readonly error = $derived(this.#error);
  /** The manuscript being worked on. */
  readonly current = $derived(this.#current);

  load(): Promise<boolean> {
    return this.#list.load();
  }

  /** Opens a file or a folder from disk; null when it was refused (see `error`; nothing was stored). */
  open(path: string): Promise<Manuscript | null> {
    return this.#fetch(() => this.#client.call('manuscripts:open', { path: path.trim() }), true);
  }

  /** A manuscript opened before, whole. */
  use(id: string): Promise<Manuscript | null> {
    return this.#fetch(() => this.#client.call('manuscripts:get', { id }), false);
  }

  async #fetch(call: () => Promise<Manuscript>, reload: boolean): Promise<Manuscript | null> {
    this.#busy = true;
    try {
      const manuscript = await call();
      this.#current = manuscript;
      this.#error = null;
      if (reload) void this.#list.load();
      return manuscript;
    } catch (error) {
      this.#error = toErrorInfo(error);
      return null;
    } finally {
      this.#busy = false;
    }
  }

  /** The passage on screen is no longer the manuscript (the writer typed or opened something else). */
  leave(): void {
    this.#current = null;
  }

  reset(): void {
    this.#list.reset();
    this.#busy = false;
    this.#error = null;
    this.#current = null;
  }
}

export const manuscriptsManager = new ManuscriptsManager();
