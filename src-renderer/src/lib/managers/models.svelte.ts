// Local models: the curated catalog with fit verdicts, downloads in flight (progress pushed by download:* events),
// the installed library, and which models are resident in memory.
import type { QuireApi } from '../../../../src-preload/api';
import type { ErrorInfo } from '$contract';
import type {
  CatalogItem,
  DownloadInfo,
  DownloadInput,
  DownloadProgress,
  FitReport,
  ImportProgress,
  InstalledModel,
  ResidentModelInfo,
} from '$contract/models';
import { api as defaultApi, Client } from '../api/client';
import { toErrorInfo } from '../api/error-guidance';
import { retryLabel } from '../download-retry';
import { resource } from '../resource.svelte';

export interface DownloadFailure {
  id: string;
  name: string;
  /** Why, as the host names it (checksum_mismatch, stalled, already_installed…): it decides the retry offered. */
  reason: string;
  message: string;
  retryable: boolean;
}

/**
 * Where one download stands, as a catalog card and the first-run welcome show it: not started, bytes arriving, every
 * byte in and the file being checked and test-loaded, paused, failed (with why and the retry that may help; null
 * when getting it again would change nothing), or installed (`message`: it was already, as the same file).
 */
export type DownloadState =
  | { kind: 'none' }
  | { kind: 'downloading'; received: number; total: number | null; bytes_per_s: number | null; eta_s: number | null }
  | { kind: 'checking' | 'paused'; received: number; total: number | null }
  | { kind: 'failed'; message: string; retry: 'Resume' | 'Download again' | null }
  | { kind: 'installed'; message: string | null };

/** Where an import by path stands: its copy (`total` unknown until the host's first word), check or test load. */
export interface ImportState {
  stage: ImportProgress['stage'];
  copied: number;
  total: number | null;
}

export class ModelsManager {
  readonly #client: Client;
  // Four lists, each fetched and ordered on its own: actions and events refresh only the ones they change.
  readonly #catalog = resource(() => this.#client.call('models:catalog'), [] as CatalogItem[]);
  readonly #installed = resource(() => this.#client.call('models:installed'), [] as InstalledModel[]);
  readonly #resident = resource(() => this.#client.call('models:resident'), [] as ResidentModelInfo[]);
  readonly #downloads = resource(() => this.#client.call('models:downloads'), [] as DownloadInfo[]);
  readonly #lists = [this.#catalog, this.#installed, this.#resident, this.#downloads];
  #progress = $state.raw<Record<string, DownloadProgress>>({});
  #failures = $state.raw<DownloadFailure[]>([]);
  /** The last action's error (download, import, load…), shown where the action was taken. */
  #actionError = $state.raw<{ scope: string; error: ErrorInfo } | null>(null);
  /** Ids with an action in flight (loading a model into memory takes seconds). */
  #busy = $state.raw<Record<string, string>>({});
  #notice = $state<string | null>(null);
  /** Imports by path in flight, by the scope they were started from, with the id the host knows each by. */
  #imports = $state.raw<Record<string, ImportState & { import_id: string }>>({});
  /** How many downloads have ended since this manager was made, and the count at each id's last end (#started). */
  #endings = 0;
  readonly #endedAt: Record<string, number> = {};

  constructor(
    api: QuireApi = defaultApi,
    private readonly newImportId: () => string = () => crypto.randomUUID(),
  ) {
    this.#client = new Client(api);
  }

  readonly catalog = $derived(this.#catalog.value);
  readonly installed = $derived(this.#installed.value);
  readonly resident = $derived(this.#resident.value);
  readonly downloads = $derived(this.#downloads.value);
  readonly progress = $derived(this.#progress);
  readonly failures = $derived(this.#failures);
  /**
   * Failures nothing else on the screen shows: a catalog model's is on its card and one still in the downloads list on
   * its row, so this leaves a download that went from the list (a file already installed, added by URL).
   */
  readonly loneFailures = $derived(
    this.#failures.filter(
      ({ id }) =>
        !this.#catalog.value.some((item) => item.id === id) && !this.#downloads.value.some((item) => item.id === id),
    ),
  );
  /** Every list has arrived at least once. */
  readonly loaded = $derived(this.#lists.every((list) => list.loaded));
  readonly error = $derived(this.#lists.find((list) => list.error)?.error ?? null);
  readonly busy = $derived(this.#busy);
  readonly notice = $derived(this.#notice);

  readonly residentBytes = $derived(this.#resident.value.reduce((sum, model) => sum + model.bytes, 0));
  /** The memory budget the fit checks use (the same for every entry). */
  readonly budgetBytes = $derived(this.#catalog.value[0]?.fit.budget_bytes ?? null);

  /** Where the download of the catalog model `id` stands (a catalog download has the catalog id as its own). */
  downloadState(id: string): DownloadState {
    // A failure said by event is newer than the lists, which are asked again after it.
    const failure = this.#failures.find((item) => item.id === id);
    if (failure?.reason === 'already_installed') return { kind: 'installed', message: failure.message };
    if (failure)
      return { kind: 'failed', message: failure.message, retry: retryLabel({ status: 'failed', error: failure }) };
    const item = this.#downloads.value.find((download) => download.id === id);
    if (!item) {
      const entry = this.#catalog.value.find((candidate) => candidate.id === id);
      if (entry?.installed) return { kind: 'installed', message: null };
      // Known by the host (not only by the event above), so it still shows after a reload of the window.
      if (entry?.installed_as)
        return { kind: 'installed', message: `${entry.installed_as} is already installed (same file).` };
      return { kind: 'none' };
    }
    if (item.status === 'failed')
      return { kind: 'failed', message: item.error?.message ?? 'The download stopped.', retry: retryLabel(item) };
    const live = this.#progress[id];
    const received = live?.received ?? item.received;
    const total = live?.total ?? item.total;
    if (item.status === 'paused') return { kind: 'paused', received, total };
    if (item.status === 'verifying' || (total !== null && received >= total))
      return { kind: 'checking', received, total };
    return { kind: 'downloading', received, total, bytes_per_s: live?.bytes_per_s ?? null, eta_s: live?.eta_s ?? null };
  }

  errorFor(scope: string): ErrorInfo | null {
    return this.#actionError?.scope === scope ? this.#actionError.error : null;
  }

  async load(): Promise<void> {
    await Promise.all(this.#lists.map((list) => list.load()));
  }

  /** Only the downloads (the first-run welcome shows one under way, and needs no other list). */
  loadDownloads(): Promise<boolean> {
    return this.#downloads.load();
  }

  async download(input: DownloadInput, scope: string): Promise<boolean> {
    const started = await this.#act(scope, scope, async () => {
      const since = this.#endings;
      const info = await this.#client.call('models:download', input);
      this.#started(info, since);
      await this.#catalog.loadOrThrow();
    });
    if (started || !('id' in input) || this.errorFor(scope)?.code !== 'conflict') return started;
    // Refused for what is there: the host may have learned that the file is installed under another name; its card
    // then says so, and the same words again above the catalog would only repeat it.
    await this.#catalog.loadOrThrow().catch(() => false);
    if (this.downloadState(input.id).kind === 'installed' && this.#actionError?.scope === scope)
      this.#actionError = null;
    return false;
  }

  async fit(url: string, scope: string): Promise<FitReport | null> {
    let report: FitReport | null = null;
    await this.#act(scope, scope, async () => {
      report = await this.#client.call('models:fit', { url });
    });
    return report;
  }

  async pause(id: string): Promise<void> {
    await this.#act(`download:${id}`, id, async () => this.#replace(await this.#client.call('models:pause', { id })));
  }

  async resume(id: string): Promise<void> {
    await this.#act(`download:${id}`, id, async () => {
      const since = this.#endings;
      this.#started(await this.#client.call('models:resume', { id }), since);
    });
  }

  async cancel(id: string): Promise<void> {
    await this.#act(`download:${id}`, id, async () => {
      await this.#downloads.apply(() => this.#client.call('models:cancel', { id }));
      this.#dropProgress(id);
      this.dismissFailure(id);
      await this.#catalog.loadOrThrow();
    });
  }

  async remove(id: string): Promise<void> {
    await this.#act(`installed:${id}`, id, async () => {
      await this.#installed.apply(() => this.#client.call('models:delete', { id }));
      await this.#resident.loadOrThrow();
      await this.#catalog.loadOrThrow();
    });
  }

  async importFile(path: string, name: string | undefined, scope: string): Promise<boolean> {
    const import_id = this.newImportId();
    this.#imports = { ...this.#imports, [scope]: { import_id, stage: 'copying', copied: 0, total: null } };
    try {
      return await this.#act(scope, scope, async () => {
        const model = await this.#client.call('models:import', { path, ...(name ? { name } : {}), import_id });
        // The catalog too: the file may be a catalog model's, whose card then says it is installed.
        await Promise.all([this.#installed.loadOrThrow(), this.#catalog.loadOrThrow()]);
        this.#notice = importedText(model);
      });
    } finally {
      const { [scope]: _done, ...rest } = this.#imports;
      this.#imports = rest;
    }
  }

  /** The import by path started from `scope`, while it runs; null otherwise. */
  importState(scope: string): ImportState | null {
    const state = this.#imports[scope];
    return state ? { stage: state.stage, copied: state.copied, total: state.total } : null;
  }

  /** Stops the import started from `scope`: it then ends as stopped, with nothing kept (its error says so). */
  async stopImport(scope: string): Promise<void> {
    const state = this.#imports[scope];
    if (!state) return;
    await this.#client.call('models:import_stop', { import_id: state.import_id }).catch((error: unknown) => {
      this.#actionError = { scope, error: toErrorInfo(error) };
    });
  }

  /** A model added outside this manager (uploaded, or chosen with the file picker): listed, and said so. */
  async added(model: InstalledModel): Promise<void> {
    this.#notice = importedText(model);
    await Promise.all([this.#installed.load(), this.#catalog.load()]);
  }

  async loadModel(id: string): Promise<void> {
    await this.#act(`installed:${id}`, id, async () => {
      await this.#client.call('models:load', { id });
      await Promise.all([this.#resident.loadOrThrow(), this.#installed.loadOrThrow()]);
    });
  }

  async unloadModel(id: string): Promise<void> {
    await this.#act(`installed:${id}`, id, async () => {
      await this.#resident.apply(() => this.#client.call('models:unload', { id }));
      await this.#installed.loadOrThrow();
    });
  }

  /** Opens the models folder in Finder (the file manager in the browser host) and says where it is. */
  async reveal(): Promise<void> {
    await this.#act('reveal', 'reveal', async () => {
      const { path } = await this.#client.call('app:reveal', { target: 'models_folder' });
      this.#notice = `Your models are in ${path}`;
    });
  }

  dismissFailure(id: string): void {
    this.#failures = this.#failures.filter((failure) => failure.id !== id);
  }

  clearNotice(): void {
    this.#notice = null;
  }

  listen(): () => void {
    // The welcome and the Workbench may follow the downloads at once: one subscription, or a finished download would
    // ask for every list once per screen.
    if (this.#listeners++ === 0) this.#unsubscribe = this.#subscribe();
    let stopped = false;
    return () => {
      if (stopped) return;
      stopped = true;
      if (--this.#listeners === 0) this.#unsubscribe?.();
    };
  }

  #listeners = 0;
  #unsubscribe: (() => void) | null = null;

  #subscribe(): () => void {
    return this.#client.subscribe({
      'download:progress': (progress) => {
        this.#progress = { ...this.#progress, [progress.id]: progress };
        // Going again (resumed here or in another window): an earlier failure is over.
        if (this.#failures.some((failure) => failure.id === progress.id)) this.dismissFailure(progress.id);
        this.#downloads.update((list) =>
          list.map((item) =>
            item.id === progress.id
              ? {
                  ...item,
                  status: item.status === 'failed' ? 'downloading' : item.status,
                  received: progress.received,
                  total: progress.total,
                }
              : item,
          ),
        );
        // One fetch at a time: ticks come faster than answers, and each new load would drop the one before.
        const known = this.#downloads.value.some((item) => item.id === progress.id);
        if (!known && !this.#downloads.loading) void this.#downloads.load();
      },
      // A snapshot newer than any answer to models:resident asked before it: pushed as the change happens.
      'resident:changed': (list) => this.#resident.set(list),
      'import:progress': ({ import_id, stage, copied, total }) => {
        const scope = Object.keys(this.#imports).find((key) => this.#imports[key]?.import_id === import_id);
        if (scope) this.#imports = { ...this.#imports, [scope]: { import_id, stage, copied, total } };
      },
      'download:done': ({ id, name }) => {
        this.#ended(id);
        this.#dropProgress(id);
        this.#notice = `${name} finished downloading and is installed.`;
        void this.load();
      },
      'download:failed': ({ id, name, reason, message, retryable }) => {
        this.#ended(id);
        this.#dropProgress(id);
        this.#failures = [
          ...this.#failures.filter((failure) => failure.id !== id),
          { id, name, reason, message, retryable },
        ];
        // The catalog's entry carries the download too: asked again, it no longer says "downloading".
        void this.#downloads.load();
        void this.#catalog.load();
      },
    });
  }

  /**
   * A download (re)started: listed as under way, its last failure over. Unless it already ended while the reply was
   * on its way (a file already installed ends at once): its end was said by event, and the lists asked again then.
   */
  #started(info: DownloadInfo, since: number): void {
    if ((this.#endedAt[info.id] ?? 0) > since) return;
    this.#downloads.update((list) =>
      list.some((item) => item.id === info.id)
        ? list.map((item) => (item.id === info.id ? info : item))
        : [...list, info],
    );
    this.dismissFailure(info.id);
  }

  /** A download ended (done or failed): numbered, so a reply about its start that lands later is known as older. */
  #ended(id: string): void {
    this.#endedAt[id] = ++this.#endings;
  }

  #replace(info: DownloadInfo): void {
    this.#downloads.update((list) => list.map((item) => (item.id === info.id ? info : item)));
  }

  #dropProgress(id: string): void {
    const { [id]: _gone, ...rest } = this.#progress;
    this.#progress = rest;
  }

  async #act(scope: string, key: string, action: () => Promise<void>): Promise<boolean> {
    this.#busy = { ...this.#busy, [key]: scope };
    try {
      await action();
      if (this.#actionError?.scope === scope) this.#actionError = null;
      return true;
    } catch (error) {
      this.#actionError = { scope, error: toErrorInfo(error) };
      return false;
    } finally {
      const { [key]: _done, ...rest } = this.#busy;
      this.#busy = rest;
    }
  }

  reset(): void {
    for (const list of this.#lists) list.reset();
    this.#progress = {};
    this.#failures = [];
    this.#actionError = null;
    this.#busy = {};
    this.#notice = null;
    this.#imports = {};
  }
}

export const modelsManager = new ModelsManager();

/** What an import came to: ready, or kept in the list with why Quire will not load it (its test load failed). */
function importedText(model: InstalledModel): string {
  return model.unusable
    ? `${model.name} was added, but Quire can't use it: ${model.unusable.replace(/\.?$/, '.')} Delete it from the list below.`
    : `${model.name} was imported and is ready to use.`;
}
