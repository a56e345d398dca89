// Residency for local GGUF models: one llama instance, models loaded on first use, several kept resident within a
// memory budget, least-recently-used eviction, idle unload, one generation at a time per model.
import { stat } from 'node:fs/promises';
import { availableParallelism, totalmem } from 'node:os';
import {
  getLlama,
  GgufInsights,
  type Llama,
  type LlamaContext,
  type LlamaContextSequence,
  type LlamaModel,
} from 'node-llama-cpp';
import type { ResidentModelInfo, Settings } from '../../src-preload/contract';
import type { Logger } from '../infra/logger';
import { silentLogger } from '../infra/logger';
import { LocalModelError } from '../errors';
import { planContext, type ContextPlan } from './context-size';
import { checkGgufFile } from './gguf-check';
import { joinLine, leaveLine, type LineTicket } from './model-line';
import { chooseThreads, memoryBudgetBytes, realScheduler, type Scheduler } from './machine';
import {
  choiceKey,
  measureThreads,
  pickThreads,
  threadCandidates,
  type ThreadChoices,
  type ThreadTiming,
} from './threads';

/**
 * Tokens a resident model's context evaluates per batch. llama.cpp computes a token's values slightly differently
 * depending on the batches it is evaluated in, so a chat turn that keeps the previous turn's context answers exactly as
 * a fresh context only when it evaluates its new tokens in the same batches a fresh context would: batches that start
 * at multiples of this size (local-chat.ts keeps whole batches only). On the CPU, 64 rather than node-llama-cpp's 512,
 * so that a shared instruction is kept in 64-token steps: prompt reading costs about the same there, measured once when
 * this was chosen (best of several reads of a 500-token prompt: 244 ms at 64, 229 ms at 512, tiny fixture), not in the
 * bench. With a GPU (Metal), node-llama-cpp's 512: its kernels want large batches for reading long passages, and that
 * could not be measured on this machine.
 */
function evaluationBatch(llama: Pick<Llama, 'gpu'>): number {
  return llama.gpu === false ? 64 : 512;
}

/** A resident model's one context: one sequence, evaluated in batches of evaluationBatch. */
function openContext(model: LlamaModel, contextSize: number, threads: number): Promise<LlamaContext> {
  return model.createContext({ contextSize, threads, sequences: 1, batchSize: evaluationBatch(model.llama) });
}

/** What the contract shows of a resident model, plus its file (main-side only). */
export type ResidentInfo = ResidentModelInfo & { path: string };

export interface ResidentModel {
  readonly id: string;
  readonly path: string;
  readonly llama: Llama;
  readonly model: LlamaModel;
  readonly context: LlamaContext;
  readonly sequence: LlamaContextSequence;
}

interface Entry extends ResidentModel {
  bytes: number;
  loadedAt: number;
  lastUsed: number;
  /** Monotonic use order: LRU must not depend on two uses landing in different milliseconds. */
  useOrder: number;
  busy: number;
  /** Serialises generations on the one context sequence. */
  queue: Promise<void>;
  /** Who is waiting for `queue`, in order (index 0 runs), so waiting calls can be told their place. */
  line: LineTicket[];
  idleTimer: unknown;
  /** The thread count its context was made with (settings may change it later). */
  threads: number;
  /** The default measured for this model on this machine (threads.ts), used while the setting is null. */
  measuredThreads: number | undefined;
}

export interface LocalRuntimeOptions {
  settings: () => Settings['local'];
  totalMemoryBytes?: number;
  cpuCount?: number;
  now?: () => number;
  scheduler?: Scheduler;
  /** Creates the one llama instance; tests and benchmarks may share theirs. */
  createLlama?: (threads: number) => Promise<Llama>;
  logger?: Logger;
  /** Where measured default thread counts are cached; none: the default is chooseThreads' rule, unmeasured. */
  threadChoices?: ThreadChoices;
  /** Tokens per second at each thread count (threads.ts measureThreads; tests inject timings). */
  measureThreads?: (model: LlamaModel, candidates: number[]) => Promise<ThreadTiming[]>;
}

/** Memory a model needs resident, and the context it will be opened with (context-size.ts). */
export type MemoryEstimate = ContextPlan;

function defaultCreateLlama(threads: number): Promise<Llama> {
  // Metal on Apple Silicon; CPU elsewhere (no GPU probing or source builds on a writer's machine).
  return getLlama({
    gpu: process.platform === 'darwin' ? 'auto' : false,
    build: 'never',
    maxThreads: threads,
    logLevel: 'error' as never,
  });
}

export class LocalRuntime {
  private llamaPromise: Promise<Llama> | undefined;
  private readonly entries = new Map<string, Entry>();
  private readonly loading = new Map<string, Promise<Entry>>();
  private readonly now: () => number;
  private readonly scheduler: Scheduler;
  private readonly logger: Logger;
  private readonly totalMemory: number;
  private readonly cpus: number;
  private closed = false;
  private useCounter = 0;

  constructor(private readonly options: LocalRuntimeOptions) {
    this.now = options.now ?? Date.now;
    this.scheduler = options.scheduler ?? realScheduler;
    this.logger = options.logger ?? silentLogger;
    this.totalMemory = options.totalMemoryBytes ?? totalmem();
    this.cpus = options.cpuCount ?? availableParallelism();
  }

  threads(): number {
    return chooseThreads(this.options.settings().threads, this.cpus);
  }

  /** A resident model's thread count: the setting, else the default measured for it, else the machine's rule. */
  private threadsFor(entry: Pick<Entry, 'measuredThreads'>): number {
    const setting = this.options.settings().threads;
    if (setting === null && entry.measuredThreads !== undefined) return Math.min(entry.measuredThreads, this.cpus);
    return chooseThreads(setting, this.cpus);
  }

  /**
   * The default thread count for this model on this machine: cached, or measured now (a few seconds, once) when the
   * setting is null. A failed measurement falls back to the machine's rule rather than failing the load.
   */
  private async measuredDefault(model: LlamaModel, path: string, bytes: number): Promise<number | undefined> {
    const choices = this.options.threadChoices;
    if (!choices || this.options.settings().threads !== null) return undefined;
    const key = choiceKey(path, bytes, this.cpus);
    const cached = choices.get(key);
    if (cached) return cached.threads;
    try {
      const timings = await (this.options.measureThreads ?? measureThreads)(model, threadCandidates(this.cpus));
      const threads = pickThreads(timings);
      choices.set(key, { threads, timings, measuredAt: new Date(this.now()).toISOString() });
      const rates = timings.map((t) => `${t.threads}: ${t.tokensPerSecond.toFixed(1)} tok/s`).join(', ');
      this.logger.info(`Measured threads for ${path}: ${rates}; default ${threads}`);
      return threads;
    } catch (cause) {
      this.logger.warn(`Could not measure threads for ${path}: ${(cause as Error).message}`);
      return undefined;
    }
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
      throw new LocalModelError(
        'load_failed',
        `The local model runtime could not start: ${(cause as Error).message}`,
        cause,
      );
    });
    return this.llamaPromise;
  }

  /**
   * Memory a model needs resident (weights + its context) and the context it gets: its trained context, or the
   * largest that the memory budget holds (GgufInsights on the GGUF header).
   */
  async estimate(path: string): Promise<MemoryEstimate> {
    const summary = await checkGgufFile(path);
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
    return [...this.entries.values()]
      .sort((a, b) => b.useOrder - a.useOrder)
      .map((entry) => ({
        id: entry.id,
        path: entry.path,
        bytes: entry.bytes,
        context_size: entry.context.contextSize,
        loaded_at: new Date(entry.loadedAt).toISOString(),
        last_used_at: new Date(entry.lastUsed).toISOString(),
        busy: entry.busy > 0,
      }));
  }

  isResident(id: string): boolean {
    return this.entries.has(id);
  }

  /** Loads a model (if it is not resident) without using it. */
  async load(id: string, path: string): Promise<ResidentInfo> {
    const entry = await this.acquire(id, path);
    this.touch(entry);
    return this.resident().find((info) => info.id === id)!;
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
    entry.busy++;
    this.cancelIdle(entry);
    const previous = entry.queue;
    let release!: () => void;
    entry.queue = new Promise<void>((resolve) => (release = resolve));
    const ticket = joinLine(entry.line, onQueue);
    try {
      await previous;
      entry.lastUsed = this.now();
      entry.useOrder = ++this.useCounter;
      return await fn(entry);
    } finally {
      entry.busy--;
      entry.lastUsed = this.now();
      leaveLine(entry.line, ticket);
      release();
      this.scheduleIdle(entry);
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
        .filter((entry) => entry.threads !== this.threadsFor(entry))
        .map((entry) => this.onQueue(entry, () => this.recreateContext(entry))),
    );
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
    entry.busy++;
    this.cancelIdle(entry);
    const previous = entry.queue;
    let release!: () => void;
    entry.queue = new Promise<void>((resolve) => (release = resolve));
    try {
      await previous;
      if (this.entries.get(entry.id) === entry) await fn();
    } finally {
      entry.busy--;
      release();
      this.scheduleIdle(entry);
    }
  }

  private async recreateContext(entry: Entry): Promise<void> {
    const threads = this.threadsFor(entry);
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
      await entry.model.dispose().catch(() => undefined);
    }
  }

  async unload(id: string): Promise<boolean> {
    const entry = this.entries.get(id);
    if (!entry) return false;
    this.entries.delete(id);
    this.cancelIdle(entry);
    await entry.queue.catch(() => undefined);
    await entry.context.dispose().catch(() => undefined);
    await entry.model.dispose().catch(() => undefined);
    this.logger.info(`Unloaded local model ${id}`);
    return true;
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.allSettled([...this.loading.values()]);
    for (const id of [...this.entries.keys()]) await this.unload(id);
    const llama = this.llamaPromise;
    this.llamaPromise = undefined;
    // A llama instance passed in by the caller (tests, benchmarks) is the caller's to dispose.
    if (llama && !this.options.createLlama) await (await llama.catch(() => undefined))?.dispose();
  }

  private acquire(id: string, path: string): Promise<Entry> {
    if (this.closed) return Promise.reject(new LocalModelError('load_failed', 'The local runtime is shut down'));
    const existing = this.entries.get(id);
    if (existing && existing.path === path) return Promise.resolve(existing);
    const pending = this.loading.get(id);
    if (pending) return pending;
    const promise = (async () => {
      if (existing) await this.unload(id);
      return this.loadEntry(id, path);
    })().finally(() => this.loading.delete(id));
    this.loading.set(id, promise);
    return promise;
  }

  private async loadEntry(id: string, path: string): Promise<Entry> {
    const llama = await this.llama();
    const estimate = await this.estimate(path);
    const budget = this.budgetBytes();
    if (estimate.bytes > budget)
      throw new LocalModelError(
        'out_of_memory',
        `Local model ${id} needs about ${mb(estimate.bytes)} MB with a ${estimate.context_size}-token context but ` +
          `the memory budget is ${mb(budget)} MB`,
      );
    await this.makeRoom(estimate.bytes, budget, id);
    let model: LlamaModel | undefined;
    try {
      model = await llama.loadModel({ modelPath: path });
      const measuredThreads = await this.measuredDefault(model, path, (await stat(path)).size);
      const threads = this.threadsFor({ measuredThreads });
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
        busy: 0,
        queue: Promise.resolve(),
        line: [],
        idleTimer: undefined,
        threads,
        measuredThreads,
      };
      this.entries.set(id, entry);
      this.scheduleIdle(entry);
      this.logger.info(`Loaded local model ${id} (~${mb(estimate.bytes)} MB)`);
      return entry;
    } catch (cause) {
      await model?.dispose().catch(() => undefined);
      const message = (cause as Error).message ?? String(cause);
      const oom = /memory|alloc|oom/i.test(message);
      throw new LocalModelError(
        oom ? 'out_of_memory' : 'load_failed',
        `Local model ${id} could not be loaded: ${message.slice(0, 300)}`,
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
        throw new LocalModelError(
          'out_of_memory',
          `Local model ${forId} needs about ${mb(bytes)} MB; the models in use leave ${mb(budget - this.residentBytes())} MB of the ${mb(budget)} MB budget`,
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
    if (minutes <= 0 || entry.busy > 0) return;
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

function mb(bytes: number): number {
  return Math.round(bytes / (1024 * 1024));
}
