// The local-model services wired together once (runtime, library, downloads, fit, adapter) for the composition root.
import type { CatalogEntry, CatalogItem, ModelSpec, ResidentModelInfo, Settings } from '../../src-preload/contract';
import type { EventBus } from '../app/event-bus';
import type { Logger } from '../app/logger';
import { NotFoundError } from '../errors';
import type { Db } from '../store/database';
import { LocalModelsRepo } from '../store/repos/local-models-repo';
import { downloadUrl, loadCatalog } from './catalog';
import { DownloadService } from './downloads';
import { FitService } from './fit';
import { ModelLibrary, type CustomModelSink } from './library';
import { LocalModels } from './local-provider';
import { LocalRuntime, type LocalRuntimeOptions, type ResidentInfo } from './runtime';

export interface LocalStackOptions {
  db: Db;
  events: EventBus;
  logger: Logger;
  now: () => Date;
  settings: () => Settings['local'];
  modelsDir: () => string;
  env?: NodeJS.ProcessEnv;
  registry: CustomModelSink & { all(): ModelSpec[] };
  fetch?: typeof fetch;
  freeSpace?: (dir: string) => Promise<number>;
  stallMs?: number;
  runtime?: Partial<LocalRuntimeOptions>;
}

export class LocalStack {
  readonly runtime: LocalRuntime;
  readonly library: ModelLibrary;
  readonly downloads: DownloadService;
  readonly fit: FitService;
  readonly provider: LocalModels;
  private readonly catalogEntries: CatalogEntry[];

  constructor(options: LocalStackOptions) {
    const catalog = loadCatalog(options.env);
    const repo = new LocalModelsRepo(options.db, options.now);
    this.runtime = new LocalRuntime({ settings: options.settings, logger: options.logger, ...options.runtime });
    this.library = new ModelLibrary({
      repo,
      modelsDir: options.modelsDir,
      catalog: () => catalog,
      runtime: this.runtime,
      registry: options.registry,
      now: options.now,
    });
    this.downloads = new DownloadService({
      repo,
      library: this.library,
      events: options.events,
      logger: options.logger,
      ...(options.fetch ? { fetch: options.fetch } : {}),
      ...(options.freeSpace ? { freeSpace: options.freeSpace } : {}),
      ...(options.stallMs !== undefined ? { stallMs: options.stallMs } : {}),
    });
    this.downloads.recoverInterrupted();
    this.fit = new FitService(this.library, this.runtime);
    this.provider = new LocalModels({
      runtime: this.runtime,
      library: this.library,
      registry: () => options.registry.all(),
    });
    this.catalogEntries = catalog;
  }

  catalog(): CatalogItem[] {
    const downloads = new Map(this.downloads.list().map((d) => [d.id, d]));
    return this.catalogEntries.map((entry) => ({
      ...entry,
      download_url: downloadUrl(entry),
      installed: this.library.installedFile(entry.id) !== undefined,
      download: downloads.get(entry.id) ?? null,
      fit: this.fit.fromCatalog(entry),
    }));
  }

  async load(id: string): Promise<ResidentModelInfo> {
    const file = this.library.installedFile(id);
    if (!file) throw new NotFoundError('Installed model', id);
    const info = await this.runtime.load(id, file.path);
    return residentInfo(info);
  }

  resident(): ResidentModelInfo[] {
    return this.runtime.resident().map(residentInfo);
  }

  async close(): Promise<void> {
    await this.downloads.close();
    await this.runtime.close();
  }
}

/** The contract's view: the file path stays in main. */
function residentInfo({ path: _path, ...info }: ResidentInfo): ResidentModelInfo {
  return info;
}
