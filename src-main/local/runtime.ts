// Residency for local GGUF models: one llama instance, models loaded on first use, several kept resident within a
// memory budget, least-recently-used eviction, idle unload, one generation at a time per model.
import { stat } from 'node:fs/promises';
import { availableParallelism, totalmem } from 'node:os';
import { GgufInsights, type Llama, type LlamaModel } from 'node-llama-cpp';
import type { Logger } from '../infra/logger';
import { silentLogger } from '../infra/logger';
import { LocalModelError, type LocalModelFailure } from '../errors';
import { planContext } from './context-size';
import { checkGgufFile } from './gguf-check';
import { joinLine, leaveLine } from './model-line';
import { chooseThreads, MEMORY_SETTING, memoryBudgetBytes, realScheduler, type Scheduler } from './machine';
import { openContext, type ResidentEntry as Entry, type ResidentInfo, type ResidentModel } from './resident-model';
import { defaultCreateLlama, type LocalRuntimeOptions, type MemoryEstimate } from './runtime-options';
import { ModelThreads } from './threads';

export type { ResidentInfo, ResidentModel } from './resident-model';
export type { LocalRuntimeOptions, MemoryEstimate } from './runtime-options';

/**
 * A model that could not be loaded, in two parts: what happened (`what`) and the step that fixes it (`step`); the
 * message is both. The local adapter says several models' `what` and one step when it tried smaller ones too.
 */
export class LocalLoadError extends LocalModelError {
  constructor(
    reason: LocalModelFailure,
    readonly what: string,
    readonly step: string,
    cause?: unknown,
  ) {
    super(reason, `${what} ${step}`, { cause, advised: true });
  }
}

/** Quire's local engine (llama.cpp) did not start: the same for every model, so no smaller one is tried. */
export class EngineStartError extends LocalLoadError {}

/** A model being loaded, and how many callers wait for it: each gets it already counted busy (see acquire). */
interface Loading {
  promise: Promise<Entry>;
  claims: number;
}

export class LocalRuntime {
  private llamaPromise: Promise<Llama> | undefined;
  private readonly entries = new Map<string, Entry>();
  private readonly loading = new Map<string, Loading>();
  /** The end of the line of loads: one at a time, so each makes room against what is really resident. */
  private loadTurn: Promise<void> = Promise.resolve();
  private readonly now: () => number;
  private readonly scheduler: Scheduler;
  private readonly logger: Logger;
  private readonly totalMemory: number;
  private readonly cpus: number;
  private readonly modelThreads: ModelThreads;
  private closed = false;
  private useCounter = 0;

  constructor(private readonly options: LocalRuntimeOptions) {
    this.now = options.now ?? Date.now;
    this.scheduler = options.scheduler ?? realScheduler;
    this.logger = options.logger ?? silentLogger;
    this.totalMemory = options.totalMemoryBytes ?? totalmem();
    this.cpus = options.cpuCount ?? availableParallelism();
    this.modelThreads = new ModelThreads({
      settings: options.settings,
      cpus: this.cpus,
      now: this.now,
      logger: this.logger,
      threadChoices: options.threadChoices,
      measureThreads: options.measureThreads,
    });
  }

  threads(): number {
    return chooseThreads(this.options.settings().threads, this.cpus);
  }

  budgetBytes(): number {
    return memoryBudgetBytes(this.options.settings().memory_budget_mb, this.totalMemory);
  }

  residentBytes(): number {
    let sum = 0;
    for (const entry of this.entries.values()) sum += entry.bytes;
    return sum;
  }

  llama(): Promise<Llama> {
    // The instance's ceiling is the machine, not today's setting: each context asks for its own thread count, so a
    // changed setting applies without a new instance.
    this.llamaPromise ??= (this.options.createLlama ?? defaultCreateLlama)(this.cpus).catch((cause: unknown) => {
      this.llamaPromise = undefined;
      // The binding's own words ("dlopen(…): image not found") are for the log.
      this.logger.warn(`The local engine could not start: ${(cause as Error)?.message ?? String(cause)}`);
      throw new EngineStartError(
        'load_failed',
        "Quire's local engine could not start on this Mac.",
        'Quit and reopen Quire; if it keeps happening, use a cloud model for now.',
        cause,
      );
    });
    return this.llamaPromise;
  }

  /**
   * Memory a model needs resident (weights + its context) and the context it gets: its trained context, or the
   * largest that the memory budget holds (GgufInsights on the GGUF header).
   */
  async estimate(path: string, label?: string): Promise<MemoryEstimate> {
    const summary = await checkGgufFile(path, label);
    return this.estimateFromInfo(summary.info, summary.context_length);
  }

  async estimateFromInfo(
    info: Parameters<typeof GgufInsights.from>[0],
    trainContext: number | undefined,
  ): Promise<MemoryEstimate> {
    const insights = await GgufInsights.from(info, await this.llama());
    return planContext(insights, trainContext ?? insights.trainContextSize, this.budgetBytes());
  }

  /** The context a model has (resident) or will be opened with (not yet loaded). */
  async contextSize(id: string, path: string): Promise<number> {
    const entry = this.entries.get(id);
    if (entry && entry.path === path) return entry.context.contextSize;
    return (await this.estimate(path)).context_size;
  }

  resident(): ResidentInfo[] {
    return [...this.entries.values()].sort((a, b) => b.useOrder - a.useOrder).map(residentInfo);
  }

  /** Whether a task runs on the model, waits for it, or is loading it: its file must stay where it is. */
  inUse(id: string): boolean {
    return (this.entries.get(id)?.busy ?? 0) > 0 || this.loading.has(id);
  }

  isResident(id: string): boolean {
    return this.entries.has(id);
  }

  /** Loads a model (if it is not resident) without using it. */
  async load(id: string, path: string): Promise<ResidentInfo> {
    const entry = await this.acquire(id, path);
    this.touch(entry);
    this.release(entry);
    return residentInfo(entry);
  }

  /**
   * Runs `fn` with the model resident and exclusively on its context sequence. Loading happens on first use; other
   * resident models are evicted least-recently-used first when the budget needs room. `onQueue` hears the call's
   * place in line (1 = next) while it waits for the model.
   */
  async use<T>(
    id: string,
    path: string,
    fn: (model: ResidentModel) => Promise<T>,
    onQueue?: (position: number) => void,
  ): Promise<T> {
    const entry = await this.acquire(id, path);
    const previous = entry.queue;
    let done!: () => void;
    entry.queue = new Promise<void>((resolve) => (done = resolve));
    const ticket = joinLine(entry.line, onQueue);
    try {
      await previous;
      entry.lastUsed = this.now();
      entry.useOrder = ++this.useCounter;
      return await fn(entry);
    } finally {
      entry.lastUsed = this.now();
      leaveLine(entry.line, ticket);
      done();
      this.release(entry);
    }
  }

  /**
   * Applies changed local settings to what is resident, so a writer never has to reload by hand: a model whose
   * context was made with another thread count gets a new context (at once when idle, else right after the work in
   * flight, before the next); a smaller memory budget unloads idle models, least recently used first.
   */
  async applySettings(): Promise<void> {
    await Promise.all(
      [...this.entries.values()]
        .filter((entry) => entry.threads !== this.modelThreads.threadsFor(entry))
        .map((entry) => this.onQueue(entry, () => this.recreateContext(entry))),
    );
    await this.fitBudget();
  }

  /**
   * Unloads idle models, least recently used first, while more is resident than the budget allows. A model running a
   * task is left to finish; its release calls this again, so a smaller budget applies as soon as it is idle.
   */
  private async fitBudget(): Promise<void> {
    const budget = this.budgetBytes();
    while (this.residentBytes() > budget) {
      const victim = [...this.entries.values()]
        .filter((entry) => entry.busy === 0)
        .sort((a, b) => a.useOrder - b.useOrder)[0];
      if (!victim) break;
      this.logger.info(`Unloading ${victim.id}: the memory budget is now ${mb(budget)} MB`);
      await this.unload(victim.id);
    }
  }

  /** The thread count a resident model's context uses (undefined when it is not resident). */
  contextThreads(id: string): number | undefined {
    return this.entries.get(id)?.threads;
  }

  private async onQueue(entry: Entry, fn: () => Promise<void>): Promise<void> {
    this.claim(entry);
    const previous = entry.queue;
    let done!: () => void;
    entry.queue = new Promise<void>((resolve) => (done = resolve));
    try {
      await previous;
      if (this.entries.get(entry.id) === entry) await fn();
    } finally {
      done();
      this.release(entry);
    }
  }

  private async recreateContext(entry: Entry): Promise<void> {
    const threads = this.modelThreads.threadsFor(entry);
    if (entry.threads === threads) return;
    const mutable = entry as { -readonly [K in keyof Entry]: Entry[K] };
    const contextSize = entry.context.contextSize;
    await entry.context.dispose().catch(() => undefined);
    try {
      mutable.context = await openContext(entry.model, contextSize, threads);
      mutable.sequence = mutable.context.getSequence();
      mutable.threads = threads;
      this.logger.info(`Local model ${entry.id} now uses ${threads} thread${threads === 1 ? '' : 's'}`);
    } catch (cause) {
      // Without a context the model cannot run: unload it, and the next use loads it afresh with the new settings.
      this.logger.warn(`Local model ${entry.id} could not take the new settings: ${(cause as Error).message}`);
      this.entries.delete(entry.id);
      this.changed();
      await entry.model.dispose().catch(() => undefined);
    }
  }

  async unload(id: string): Promise<boolean> {
    const entry = this.entries.get(id);
    if (!entry) return false;
    this.entries.delete(id);
    this.cancelIdle(entry);
    this.changed();
    // Out of `entries`, nobody new gets the model; whoever already holds it (running, queued, or handed it a moment
    // ago and not yet started) finishes on it before its context goes.
    if (entry.busy > 0) await new Promise<void>((resolve) => entry.waitingUnloads.push(resolve));
    await entry.context.dispose().catch(() => undefined);
    await entry.model.dispose().catch(() => undefined);
    this.logger.info(`Unloaded local model ${id}`);
    return true;
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.allSettled([...this.loading.values()].map((loading) => loading.promise));
    for (const id of [...this.entries.keys()]) await this.unload(id);
    const llama = this.llamaPromise;
    this.llamaPromise = undefined;
    // A llama instance passed in by the caller (tests, benchmarks) is the caller's to dispose.
    if (llama && !this.options.createLlama) await (await llama.catch(() => undefined))?.dispose();
  }

  /**
   * The model, resident and already counted busy for the caller, who must `release` it. Counted before it is handed
   * back, not by the caller once it resumes: in between, an unload (another model's load making room, a delete, a
   * settings change) would see the model idle and dispose it under the caller's task.
   */
  private acquire(id: string, path: string): Promise<Entry> {
    if (this.closed) return Promise.reject(new LocalModelError('load_failed', 'The local runtime is shut down'));
    const existing = this.entries.get(id);
    if (existing && existing.path === path) return Promise.resolve(this.claim(existing));
    const pending = this.loading.get(id);
    if (pending) {
      pending.claims++;
      return pending.promise;
    }
    const loading = { claims: 1 } as Loading; // its promise is set just below, before anyone else can see it
    loading.promise = (async () => {
      if (existing) await this.unload(id);
      return this.oneLoadAtATime(() => this.loadEntry(id, path, loading));
    })().finally(() => {
      if (this.loading.get(id) === loading) this.loading.delete(id);
    });
    this.loading.set(id, loading);
    return loading.promise;
  }

  private claim(entry: Entry): Entry {
    entry.busy++;
    this.cancelIdle(entry);
    if (entry.busy === 1 && this.entries.get(entry.id) === entry) this.changed();
    return entry;
  }

  /** Tells the owner what is resident changed; a listener's failure is not the runtime's. */
  private changed(): void {
    try {
      this.options.onChange?.();
    } catch (error) {
      this.logger.warn(`A residency listener failed: ${(error as Error).message}`);
    }
  }

  /** Gives back what `acquire` (or `onQueue`) counted; the last holder out lets a waiting unload go on. */
  private release(entry: Entry): void {
    entry.busy--;
    if (entry.busy > 0) return;
    for (const unload of entry.waitingUnloads.splice(0)) unload();
    if (this.entries.get(entry.id) === entry) this.changed();
    this.scheduleIdle(entry);
    if (this.entries.get(entry.id) === entry && this.residentBytes() > this.budgetBytes())
      this.fitBudget().catch((error: unknown) => {
        this.logger.warn(`Local models could not be fitted to the memory budget: ${(error as Error).message}`);
      });
  }

  /**
   * Runs loads one after another. Each load makes room against the models resident when it starts; two at once would
   * both count on the same free memory and together exceed the budget.
   */
  private async oneLoadAtATime<T>(load: () => Promise<T>): Promise<T> {
    const previous = this.loadTurn;
    let done!: () => void;
    this.loadTurn = new Promise<void>((resolve) => (done = resolve));
    try {
      await previous;
      return await load();
    } finally {
      done();
    }
  }

  /** The model as the writer knows it (its display name), in what the runtime says. */
  private nameOf(id: string): string {
    return this.options.nameOf?.(id) ?? id;
  }

  /** A model whose file is gone: said as such, not as a system error with its path. */
  private missing(id: string, cause: unknown): LocalModelError | null {
    const error = cause as (NodeJS.ErrnoException & { cause?: NodeJS.ErrnoException }) | undefined;
    if (error?.code !== 'ENOENT' && error?.cause?.code !== 'ENOENT') return null;
    return new LocalLoadError(
      'not_installed',
      `${this.nameOf(id)}'s file is not in the models folder any more.`,
      'Download or add it again in Models, or choose another model.',
      cause,
    );
  }

  private async loadEntry(id: string, path: string, loading: Loading): Promise<Entry> {
    const llama = await this.llama();
    const estimate = await this.estimate(path, this.nameOf(id)).catch((cause: unknown) => {
      throw this.missing(id, cause) ?? cause;
    });
    const budget = this.budgetBytes();
    if (estimate.bytes > budget)
      throw new LocalLoadError(
        'out_of_memory',
        `${this.nameOf(id)} needs about ${mb(estimate.bytes)} MB, more than the ${mb(budget)} MB Quire may use for local models.`,
        `Raise ${MEMORY_SETTING}, or pick a smaller model.`,
      );
    await this.makeRoom(estimate.bytes, budget, id);
    let model: LlamaModel | undefined;
    try {
      model = await llama.loadModel({ modelPath: path });
      const measuredThreads = await this.modelThreads.measuredDefault(model, path, (await stat(path)).size);
      const threads = this.modelThreads.threadsFor({ measuredThreads });
      const context = await openContext(model, estimate.context_size, threads);
      const at = this.now();
      const entry: Entry = {
        id,
        path,
        llama,
        model,
        context,
        sequence: context.getSequence(),
        bytes: estimate.bytes,
        loadedAt: at,
        lastUsed: at,
        useOrder: ++this.useCounter,
        // Held by everyone who waited for this load from the moment it is resident (see acquire); later callers
        // find it in `entries` and are counted there.
        busy: loading.claims,
        waitingUnloads: [],
        queue: Promise.resolve(),
        line: [],
        idleTimer: undefined,
        threads,
        measuredThreads,
      };
      this.entries.set(id, entry);
      this.changed();
      // From here callers find it in `entries`; one that still joined the load would be handed it uncounted.
      if (this.loading.get(id) === loading) this.loading.delete(id);
      this.scheduleIdle(entry);
      this.logger.info(`Loaded local model ${id} (~${mb(estimate.bytes)} MB)`);
      return entry;
    } catch (cause) {
      await model?.dispose().catch(() => undefined);
      const gone = this.missing(id, cause);
      if (gone) throw gone;
      // llama.cpp's own words ("llama_model_load: … missing tensor …") are for the log; the writer is told what
      // happened and what to do.
      const message = (cause as Error).message ?? String(cause);
      this.logger.warn(`Local model ${id} could not be loaded: ${message}`);
      const name = this.nameOf(id);
      if (/memory|alloc|oom/i.test(message))
        throw new LocalLoadError(
          'out_of_memory',
          `${name} could not be loaded: there is not enough free memory for it right now.`,
          'Close other apps or pick a smaller model.',
          cause,
        );
      throw new LocalLoadError(
        'load_failed',
        `${name} could not be opened by Quire's local engine: its file may be damaged or made for another program.`,
        'Pick another model, or remove this one and download it again in Models.',
        cause,
      );
    }
  }

  /** Evicts idle resident models, least recently used first, until `bytes` fits in the budget. */
  private async makeRoom(bytes: number, budget: number, forId: string): Promise<void> {
    while (this.residentBytes() + bytes > budget) {
      const victim = [...this.entries.values()]
        .filter((entry) => entry.busy === 0 && entry.id !== forId)
        .sort((a, b) => a.useOrder - b.useOrder)[0];
      if (!victim)
        throw new LocalLoadError(
          'out_of_memory',
          `${this.nameOf(forId)} needs about ${mb(bytes)} MB, but the local models busy with other work leave ` +
            `${mb(Math.max(0, budget - this.residentBytes()))} MB of the ${mb(budget)} MB Quire may use for local models.`,
          `Try again when that work is done, or raise ${MEMORY_SETTING}.`,
        );
      this.logger.info(`Evicting ${victim.id} (least recently used) to make room for ${forId}`);
      await this.unload(victim.id);
    }
  }

  private touch(entry: Entry): void {
    entry.lastUsed = this.now();
    entry.useOrder = ++this.useCounter;
    this.scheduleIdle(entry);
  }

  private scheduleIdle(entry: Entry): void {
    this.cancelIdle(entry);
    const minutes = this.options.settings().idle_unload_minutes;
    if (minutes <= 0 || entry.busy > 0 || this.entries.get(entry.id) !== entry) return;
    const ttl = minutes * 60_000;
    entry.idleTimer = this.scheduler.setTimeout(() => {
      entry.idleTimer = undefined;
      if (this.entries.get(entry.id) !== entry || entry.busy > 0) return;
      if (this.now() - entry.lastUsed >= ttl) void this.unload(entry.id);
      else this.scheduleIdle(entry);
    }, ttl);
  }

  private cancelIdle(entry: Entry): void {
    if (entry.idleTimer !== undefined) this.scheduler.clearTimeout(entry.idleTimer);
    entry.idleTimer = undefined;
  }
}

function residentInfo(entry: Entry): ResidentInfo {
  return {
    id: entry.id,
    path: entry.path,
    bytes: entry.bytes,
    context_size: entry.context.contextSize,
    loaded_at: new Date(entry.loadedAt).toISOString(),
    last_used_at: new Date(entry.lastUsed).toISOString(),
    busy: entry.busy > 0,
  };
}

function mb(bytes: number): number {
  return Math.round(bytes / (1024 * 1024));
}
