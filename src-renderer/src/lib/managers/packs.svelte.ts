// Model packs: which one is active (it decides when the orchestrator is off) and the writer's own packs.
import type { QuireApi } from '../../../../src-preload/api';
import type { Pack, PackList, PackSave } from '$contract/packs';
import { api as defaultApi, Client } from '../api/client';
import { action, resource } from '../resource.svelte';
import { joinAnd } from '$contract/list-text';

export class PacksManager {
  readonly #client: Client;
  readonly #list = resource(() => this.#client.call('packs:list'), null as PackList | null);
  /** Activate and delete; their failure is shown in place of the list's own load error. */
  readonly #change = action({ clearError: 'on-success' });
  readonly #save = action({ clearError: 'on-success' });

  constructor(api: QuireApi = defaultApi) {
    this.#client = new Client(api);
  }

  readonly packs = $derived<Pack[]>(this.#list.value?.packs ?? []);
  readonly active = $derived(this.#list.value?.active ?? null);
  readonly error = $derived(this.#change.error ?? this.#list.error);
  readonly saveError = $derived(this.#save.error);
  readonly busy = $derived(this.#change.busy || this.#save.busy);

  async load(): Promise<boolean> {
    const shown = await this.#list.load();
    this.#change.report(null);
    return shown;
  }

  async activate(name: string): Promise<boolean> {
    return this.#change.run(() => this.#apply(() => this.#client.call('packs:activate', { name })));
  }

  /** Creates or updates a custom pack; returns false (and keeps the message) when the host refuses it. */
  async save(pack: PackSave): Promise<boolean> {
    return this.#save.run(() =>
      this.#apply(async () => {
        await this.#client.call('packs:save', pack);
        return this.#client.call('packs:list');
      }),
    );
  }

  async remove(name: string): Promise<boolean> {
    return this.#change.run(() => this.#apply(() => this.#client.call('packs:delete', { name })));
  }

  clearSaveError(): void {
    this.#save.report(null);
  }

  /** Every pack action answers with the whole list. Done even when a later answer is the one shown. */
  async #apply(request: () => Promise<PackList>): Promise<void> {
    await this.#list.apply(request);
  }

  reset(): void {
    this.#list.reset();
    this.#change.reset();
    this.#save.reset();
  }

  /**
   * Which packs map a task to any of these models (about to be deleted, or a key's about to be removed), in a sentence
   * for the confirmation; null when none does. A pack whose model is gone runs that task on another model until the
   * writer edits it. A built-in pack is not the writer's: it is said only while it is the one in use.
   */
  usedBy(modelIds: readonly string[]): string | null {
    const users = this.packs.filter(
      (pack) =>
        (!pack.builtin || pack.name === this.active) && Object.values(pack.tasks).some((id) => modelIds.includes(id)),
    );
    if (users.length === 0) return null;
    const tasks = users.reduce(
      (n, pack) => n + Object.values(pack.tasks).filter((id) => modelIds.includes(id)).length,
      0,
    );
    const names = users.map((pack) => `“${pack.display_name}”`);
    const named = joinAnd(names);
    const one = users.length === 1;
    const it = tasks === 1 ? 'it' : 'them';
    // A built-in pack cannot be edited: another pack (a copy of it, edited) is the way out.
    const until = users.some((pack) => pack.builtin)
      ? one
        ? 'choose another pack'
        : 'edit your pack or choose another'
      : `edit ${one ? 'the pack' : 'them'}`;
    return (
      `Your model pack${one ? '' : 's'} ${named} ${one ? 'uses' : 'use'} it for ${tasks} task${tasks === 1 ? '' : 's'}; ` +
      `until you ${until}, Quire runs ${it} on a local model if one is installed, and otherwise cannot run ${it}.`
    );
  }
}

export const packsManager = new PacksManager();
