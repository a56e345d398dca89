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

  /**
   * The manuscript on screen opened again from its file or folder, with the words the writer saved there since: a new
   * manuscript on screen; the copy opened before, and its runs, stay as they are. Null with none on screen, while
   * another open or fetch is under way, or when it was refused (see `error`: moved since, say).
   */
  openNewVersion(): Promise<Manuscript | null> {
    const current = this.#current;
    if (!current || this.#busy) return Promise.resolve(null);
    return this.open(current.source_path);
  }

  /**
   * Looks again at the file or folder of the manuscript on screen (the writer may have saved it in another editor
   * since): a change shows on `current`. A look that fails says nothing: the manuscript on screen is not in doubt.
   */
  async recheck(): Promise<void> {
    const shown = this.#current;
    if (!shown) return;
    try {
      const { on_disk } = await this.#client.call('manuscripts:check', { id: shown.id });
      // Replaced whole, and only when it changed: the text on screen is not handed around again for nothing.
      if (this.#current === shown && on_disk !== shown.on_disk) this.#current = { ...shown, on_disk };
    } catch {
      // Removed meanwhile, or the host is gone: the next fetch says so.
    }
  }

  /** A manuscript opened another way (dropped, or picked and uploaded) is the one on screen; the list gains it. */
  opened(manuscript: Manuscript): Promise<boolean> {
    this.#current = manuscript;
    this.#error = null;
    return this.#list.load();
  }

  /**
   * The manuscript whose text the window kept over a reload, on screen again in the library's eyes (marked, looked at
   * on disk), its text not put anywhere. One the library no longer has says nothing: the passage is still there.
   */
  async recall(id: string): Promise<void> {
    if (this.#current) return;
    try {
      const manuscript = await this.#client.call('manuscripts:get', { id });
      this.#current ??= manuscript;
    } catch {
      // Removed meanwhile: the passage on screen is the writer's either way.
    }
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

  /**
   * Quire forgets a manuscript it kept: its text, chapters and paragraphs (the file on this computer is not touched;
   * past runs on it stay in the history). The passage on screen stays as it is. False when refused (see `error`).
   */
  async remove(id: string): Promise<boolean> {
    this.#busy = true;
    let removed = false;
    try {
      await this.#client.call('manuscripts:delete', { id });
      if (this.#current?.id === id) this.#current = null;
      this.#error = null;
      removed = true;
    } catch (error) {
      this.#error = toErrorInfo(error);
    } finally {
      this.#busy = false;
    }
    // Removed, or refused because it was already gone: the list shows what Quire keeps now.
    await this.#list.load();
    return removed;
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
