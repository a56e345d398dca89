// The local-model services wired together once (runtime, library, downloads, fit, adapter) for the composition root.
import { join } from 'node:path';
import type { CatalogEntry, CatalogItem, ModelSpec, ResidentModelInfo, Settings } from '../../src-preload/contract';
import type { EventBus } from '../infra/event-bus';
import type { Logger } from '../infra/logger';
import { ConflictError, LocalModelError, NotFoundError } from '../errors';
import type { Db } from '../store/database';
import { LocalModelsRepo } from '../store/repos/local-models-repo';
import { downloadUrl, loadCatalog } from './catalog';
import { DownloadService } from './downloads';
import { FitService } from './fit';
import type { CustomModelSink } from '../orchestrator/registry';
import { ModelImports } from './imports';
import { ModelLibrary } from './library';
import { LocalModels, type InstalledLookup } from './local-provider';
import { LocalTokenizer } from './local-tokenizer';
import { ModelProbe, type ProbeLauncher } from './probe';
import { LocalRuntime, type LocalRuntimeOptions, type ResidentInfo } from './runtime';
import { ThreadChoices } from './threads';

const THREAD_CHOICES_FILE = '.thread-measurements.json';

export interface LocalStackOptions {
  db: Db;
  events: EventBus;
  logger: Logger;
  now: () => Date;
  settings: () => Settings['local'];
  modelsDir: () => string;
  env?: NodeJS.ProcessEnv;
  registry: CustomModelSink & { all(): ModelSpec[] };
  freeSpace?: (dir: string) => Promise<number>;
  stallMs?: number;
  runtime?: Partial<LocalRuntimeOptions>;
  /** Starts the probe child that test-loads unverified models out of process (probe.ts); none: no probing. */
  probe?: ProbeLauncher;
  probeTimeoutMs?: number;
  /** Where installed, verified GGUF files are; default: the library's records in SQLite. */
  installed?: InstalledLookup;
}

export class LocalStack {
  readonly runtime: LocalRuntime;
  /** Default thread counts measured per model on this machine, cached beside the models. */
  readonly threadChoices: ThreadChoices;
  readonly library: ModelLibrary;
  /** Imports by path in flight, with progress and Stop. */
  readonly imports: ModelImports;
  readonly downloads: DownloadService;
  /** The start-up test loads of installed models that have no verdict (ModelLibrary.probeUntested): how many. */
  readonly startupProbes: Promise<number>;
  readonly fit: FitService;
  readonly provider: LocalModels;
  /** Counts a local model's prompt with its own vocabulary and template (the TokenCounter's local tokenizer). */
  readonly tokenizer: LocalTokenizer;
  private readonly catalogEntries: CatalogEntry[];
  private readonly installed: InstalledLookup;
  /** Catalog id -> the context the runtime opens for it (context-size.ts), for the registry's context_window. */
  private readonly contexts = new Map<string, number>();
  private closed = false;

  constructor(options: LocalStackOptions) {
    const catalog = loadCatalog(options.env);
    const repo = new LocalModelsRepo(options.db, options.now);
    this.threadChoices =
      options.runtime?.threadChoices ?? new ThreadChoices(() => join(options.modelsDir(), THREAD_CHOICES_FILE));
    this.runtime = new LocalRuntime({
      settings: options.settings,
      logger: options.logger,
      threadChoices: this.threadChoices,
      nameOf: (id) => options.registry.all().find((spec) => spec.local?.catalog_id === id)?.display_name ?? id,
      // A Models screen left open through a long session follows loads, work and idle unloads as they happen.
      onChange: () => options.events.emit('resident:changed', this.resident()),
      ...options.runtime,
    });
    // Threads and memory take effect at once: resident models get new contexts or are unloaded, no manual reload.
    let applied = { threads: this.runtime.threads(), budget: this.runtime.budgetBytes() };
    options.events.subscribe((event) => {
      if (event.name !== 'settings:changed') return;
      const now = { threads: this.runtime.threads(), budget: this.runtime.budgetBytes() };
      if (now.threads === applied.threads && now.budget === applied.budget) return;
      applied = now;
      this.runtime.applySettings().catch((error: unknown) => {
        options.logger.warn(`Local settings could not be applied: ${(error as Error).message}`);
      });
    });
    this.library = new ModelLibrary({
      repo,
      modelsDir: options.modelsDir,
      catalog: () => catalog,
      runtime: this.runtime,
      registry: options.registry,
      now: options.now,
      ...(options.probe ? { probe: new ModelProbe(options.probe, options.probeTimeoutMs) } : {}),
      onRemoved: (file) => this.tokenizer.forget(file),
      ...(options.freeSpace ? { freeSpace: options.freeSpace } : {}),
    });
    this.imports = new ModelImports(this.library, options.events);
    this.downloads = new DownloadService({
      repo,
      library: this.library,
      events: options.events,
      logger: options.logger,
      ...(options.freeSpace ? { freeSpace: options.freeSpace } : {}),
      ...(options.stallMs !== undefined ? { stallMs: options.stallMs } : {}),
    });
    this.downloads.recoverInterrupted();
    this.library.removeLeftovers();
    this.startupProbes = this.library.probeUntested().catch((error: unknown) => {
      options.logger.warn(`Installed models could not be test-loaded: ${(error as Error).message}`);
      return 0;
    });
    this.fit = new FitService(this.library, this.runtime, undefined, options.logger);
    this.installed = options.installed ?? this.library;
    this.provider = new LocalModels({
      runtime: this.runtime,
      library: this.installed,
      registry: () => options.registry.all(),
    });
    this.tokenizer = new LocalTokenizer({
      llama: () => this.runtime.llama(),
      fileOf: (catalogId) => this.library.installedFile(catalogId)?.path,
    });
    this.catalogEntries = catalog;
  }

  catalog(): CatalogItem[] {
    const downloads = new Map(this.downloads.list().map((d) => [d.id, d]));
    return this.catalogEntries.map((entry) => {
      const installed = this.installed.installedFile(entry.id) !== undefined;
      return {
        ...entry,
        download_url: downloadUrl(entry),
        installed,
        installed_as: installed ? null : (this.downloads.sameFileAs(entry)?.name ?? null),
        download: downloads.get(entry.id) ?? null,
        fit: this.fit.fromCatalog(entry),
      };
    });
  }

  /** The real context of an installed local model, once measured (refreshContextWindows); else undefined. */
  contextWindowOf(spec: ModelSpec): number | undefined {
    return spec.provider === 'local' && spec.local ? this.contexts.get(spec.local.catalog_id) : undefined;
  }

  /**
   * Measures the context each installed local model in `specs` will be opened with (GGUF header + memory budget);
   * true when any changed. Models not installed are forgotten.
   */
  async refreshContextWindows(specs: readonly ModelSpec[]): Promise<boolean> {
    if (this.closed) return false;
    let changed = false;
    const seen = new Set<string>();
    for (const spec of specs) {
      if (spec.provider !== 'local' || !spec.local || this.closed) continue;
      const id = spec.local.catalog_id;
      const size = await this.provider.contextWindow(spec).catch(() => undefined);
      if (size === undefined) continue;
      seen.add(id);
      if (this.contexts.get(id) !== size) changed = true;
      this.contexts.set(id, size);
    }
    for (const id of [...this.contexts.keys()])
      if (!seen.has(id)) {
        this.contexts.delete(id);
        changed = true;
      }
    return changed;
  }

  /**
   * The writer's Unload: refused at once while a task runs on the model (the runtime would hold the unload until the
   * task ended, and the screen would say only "Working…" meanwhile), as a delete is.
   */
  async unload(id: string): Promise<ResidentModelInfo[]> {
    if (this.runtime.inUse(id))
      throw new ConflictError(
        `${this.library.get(id)?.name ?? id} is running a task. Stop it, or wait for it to finish, then unload it.`,
        true,
      );
    await this.runtime.unload(id);
    return this.resident();
  }

  async load(id: string): Promise<ResidentModelInfo> {
    const file = this.installed.installedFile(id);
    if (!file) {
      // Listed, but its test load failed: it is never loaded, and the writer is told why rather than "not installed".
      const record = this.library.get(id);
      const unusable = record ? this.library.unusableReason(record) : null;
      if (record && unusable)
        throw new LocalModelError(
          'invalid_file',
          `Quire can't use ${record.name}: ${unusable.replace(/\.?$/, '.')} Delete it on the Models screen.`,
          { advised: true },
        );
      throw new NotFoundError('Installed model', id);
    }
    const info = await this.runtime.load(id, file.path);
    return residentInfo(info);
  }

  resident(): ResidentModelInfo[] {
    return this.runtime.resident().map(residentInfo);
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.imports.close();
    await this.downloads.close();
    await this.tokenizer.close();
    await this.runtime.close();
  }
}

/** The contract's view: the file path stays in main. */
function residentInfo({ path: _path, ...info }: ResidentInfo): ResidentModelInfo {
  return info;
}
