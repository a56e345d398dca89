// Local models: the curated catalog with fit verdicts, downloads in flight (progress pushed by download:* events),
// the installed library, and which models are resident in memory.
import type { ErrorInfo } from '../../../../src-preload/contract';
import type {
  CatalogItem,
  DownloadInfo,
  DownloadInput,
  DownloadProgress,
  FitReport,
  InstalledModel,
  ResidentModelInfo,
} from '../../../../src-preload/contract/models';
import { call } from '../api/client';
import { toErrorInfo } from '../api/error-guidance';
import { subscribe } from '../api/events';

export interface DownloadFailure {
  id: string;
  name: string;
  message: string;
  retryable: boolean;
}

export class ModelsManager {
  #catalog = $state<CatalogItem[]>([]);
  #installed = $state<InstalledModel[]>([]);
  #resident = $state<ResidentModelInfo[]>([]);
  #downloads = $state<DownloadInfo[]>([]);
  #progress = $state<Record<string, DownloadProgress>>({});
  #failures = $state<DownloadFailure[]>([]);
  #loaded = $state(false);
  #error = $state<ErrorInfo | null>(null);
  /** The last action's error (download, import, load…), shown where the action was taken. */
  #actionError = $state<{ scope: string; error: ErrorInfo } | null>(null);
  /** Ids with an action in flight (loading a model into memory takes seconds). */
  #busy = $state<Record<string, string>>({});
  #notice = $state<string | null>(null);

  get catalog() {
    return this.#catalog;
  }
  get installed() {
    return this.#installed;
  }
  get resident() {
    return this.#resident;
  }
  get downloads() {
    return this.#downloads;
  }
  get progress() {
    return this.#progress;
  }
  get failures() {
    return this.#failures;
  }
  get loaded() {
    return this.#loaded;
  }
  get error() {
    return this.#error;
  }
  get busy() {
    return this.#busy;
  }
  get notice() {
    return this.#notice;
  }

  readonly residentBytes = $derived(this.#resident.reduce((sum, model) => sum + model.bytes, 0));
  /** The memory budget the fit checks use (the same for every entry). */
  readonly budgetBytes = $derived(this.#catalog[0]?.fit.budget_bytes ?? null);

  errorFor(scope: string): ErrorInfo | null {
    return this.#actionError?.scope === scope ? this.#actionError.error : null;
  }

  async load(): Promise<void> {
    try {
      const [catalog, installed, resident, downloads] = await Promise.all([
        call('models:catalog'),
        call('models:installed'),
        call('models:resident'),
        call('models:downloads'),
      ]);
      this.#catalog = catalog;
      this.#installed = installed;
      this.#resident = resident;
      this.#downloads = downloads;
      this.#loaded = true;
      this.#error = null;
    } catch (error) {
      this.#error = toErrorInfo(error);
    }
  }

  async download(input: DownloadInput, scope: string): Promise<boolean> {
    return this.#act(scope, scope, async () => {
      const info = await call('models:download', input);
      this.#downloads = [...this.#downloads.filter((item) => item.id !== info.id), info];
      this.#failures = this.#failures.filter((failure) => failure.id !== info.id);
      this.#catalog = await call('models:catalog');
    });
  }

  async fit(url: string, scope: string): Promise<FitReport | null> {
    let report: FitReport | null = null;
    await this.#act(scope, scope, async () => {
      report = await call('models:fit', { url });
    });
    return report;
  }

  async pause(id: string): Promise<void> {
    await this.#act(`download:${id}`, id, async () => this.#replace(await call('models:pause', { id })));
  }

  async resume(id: string): Promise<void> {
    await this.#act(`download:${id}`, id, async () => this.#replace(await call('models:resume', { id })));
  }

  async cancel(id: string): Promise<void> {
    await this.#act(`download:${id}`, id, async () => {
      this.#downloads = await call('models:cancel', { id });
      this.#dropProgress(id);
      this.#catalog = await call('models:catalog');
    });
  }

  async remove(id: string): Promise<void> {
    await this.#act(`installed:${id}`, id, async () => {
      this.#installed = await call('models:delete', { id });
      this.#resident = await call('models:resident');
      this.#catalog = await call('models:catalog');
    });
  }

  async importFile(path: string, name: string | undefined, scope: string): Promise<boolean> {
    return this.#act(scope, scope, async () => {
      const model = await call('models:import', { path, ...(name ? { name } : {}) });
      this.#installed = await call('models:installed');
      this.#notice = `${model.name} was imported and is ready to use.`;
    });
  }

  async loadModel(id: string): Promise<void> {
    await this.#act(`installed:${id}`, id, async () => {
      await call('models:load', { id });
      await this.#refreshResidency();
    });
  }

  async unloadModel(id: string): Promise<void> {
    await this.#act(`installed:${id}`, id, async () => {
      this.#resident = await call('models:unload', { id });
      this.#installed = await call('models:installed');
    });
  }

  /** Opens the models folder in Finder (the file manager in the browser host) and says where it is. */
  async reveal(): Promise<void> {
    await this.#act('reveal', 'reveal', async () => {
      const { path } = await call('app:reveal', { target: 'models_folder' });
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
    return subscribe({
      'download:progress': (progress) => {
        this.#progress = { ...this.#progress, [progress.id]: progress };
        this.#downloads = this.#downloads.map((item) =>
          item.id === progress.id ? { ...item, received: progress.received, total: progress.total } : item,
        );
        if (!this.#downloads.some((item) => item.id === progress.id)) void this.#refreshDownloads();
      },
      'download:done': ({ id, name }) => {
        this.#dropProgress(id);
        this.#notice = `${name} finished downloading and is installed.`;
        void this.load();
      },
      'download:failed': ({ id, name, message, retryable }) => {
        this.#dropProgress(id);
        this.#failures = [...this.#failures.filter((failure) => failure.id !== id), { id, name, message, retryable }];
        void this.#refreshDownloads();
      },
    });
  }

  async #refreshDownloads(): Promise<void> {
    try {
      this.#downloads = await call('models:downloads');
    } catch (error) {
      this.#error = toErrorInfo(error);
    }
  }

  async #refreshResidency(): Promise<void> {
    const [resident, installed] = await Promise.all([call('models:resident'), call('models:installed')]);
    this.#resident = resident;
    this.#installed = installed;
  }

  #replace(info: DownloadInfo): void {
    this.#downloads = this.#downloads.map((item) => (item.id === info.id ? info : item));
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
    this.#catalog = [];
    this.#installed = [];
    this.#resident = [];
    this.#downloads = [];
    this.#progress = {};
    this.#failures = [];
    this.#loaded = false;
    this.#error = null;
    this.#actionError = null;
    this.#busy = {};
    this.#notice = null;
  }
}

export const modelsManager = new ModelsManager();
