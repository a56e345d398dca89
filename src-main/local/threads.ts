// The default thread count, measured rather than assumed: the first time a model loads with threads left to the
// machine, a short greedy generation runs at 1 thread and at more, and the fewest threads within a tenth of the fastest
// rate are kept. The choice is cached per machine and model file in a small JSON file. ModelThreads applies it: a
// resident model's context runs at the writer's setting, else that measured default, else the machine's rule.
import { readFileSync, writeFileSync, mkdirSync, renameSync } from 'node:fs';
import { cpus as cpuList } from 'node:os';
import { basename, dirname } from 'node:path';
import type { LlamaModel } from 'node-llama-cpp';
import type { Settings } from '../../src-preload/contract';
import type { Logger } from '../infra/logger';
import { chooseThreads } from './machine';

export interface ThreadTiming {
  threads: number;
  tokensPerSecond: number;
}

export interface ThreadChoice {
  threads: number;
  timings: ThreadTiming[];
  /** ISO time of the measurement. */
  measuredAt: string;
}

/** Within this fraction of the fastest rate, fewer threads win: they leave cores to the app and the writer. */
export const THREADS_TOLERANCE = 0.1;

/** The fewest threads whose rate is within THREADS_TOLERANCE of the fastest. */
export function pickThreads(timings: readonly ThreadTiming[]): number {
  const usable = timings.filter((t) => Number.isFinite(t.tokensPerSecond) && t.tokensPerSecond > 0);
  if (usable.length === 0) throw new Error('No thread count produced a token');
  const best = Math.max(...usable.map((t) => t.tokensPerSecond));
  return Math.min(...usable.filter((t) => t.tokensPerSecond >= best * (1 - THREADS_TOLERANCE)).map((t) => t.threads));
}

/** What to try on a machine with `cpus` cores: 1, doubling, and all cores, at most 8. */
export function threadCandidates(cpus: number): number[] {
  const top = Math.max(1, Math.min(cpus, 8));
  const out = new Set<number>([1]);
  for (let t = 2; t < top; t *= 2) out.add(t);
  out.add(top);
  return [...out];
}

/** One machine and one model file: the same file on another machine is measured again. */
export function choiceKey(path: string, bytes: number, cpus: number, cpuModel = cpuList()[0]?.model ?? 'cpu'): string {
  return `${cpus}x ${cpuModel} | ${basename(path)} | ${bytes}`;
}

/** The cached choices, one JSON file; a missing or unreadable file is an empty cache. */
export class ThreadChoices {
  constructor(private readonly file: () => string) {}

  get(key: string): ThreadChoice | undefined {
    return this.read()[key];
  }

  latest(): ThreadChoice | undefined {
    return Object.values(this.read()).sort((a, b) => b.measuredAt.localeCompare(a.measuredAt))[0];
  }

  set(key: string, choice: ThreadChoice): void {
    const all = { ...this.read(), [key]: choice };
    const file = this.file();
    mkdirSync(dirname(file), { recursive: true });
    const temp = `${file}.${process.pid}.tmp`;
    writeFileSync(temp, JSON.stringify(all, null, 2));
    renameSync(temp, file);
  }

  private read(): Record<string, ThreadChoice> {
    try {
      const parsed: unknown = JSON.parse(readFileSync(this.file(), 'utf8'));
      return parsed && typeof parsed === 'object' ? (parsed as Record<string, ThreadChoice>) : {};
    } catch {
      return {};
    }
  }
}

/**
 * Tokens per second of a short greedy generation on `model` at each thread count, in a small context of its own.
 * Each count runs twice, interleaved, and keeps its better rate, so a burst of other work does not decide alone.
 */
export async function measureThreads(
  model: LlamaModel,
  candidates: readonly number[],
  tokens = 24,
): Promise<ThreadTiming[]> {
  const best = new Map<number, number>();
  const prompt = model.tokenize('Chapter one. The door was blue, and the hall was quiet.');
  for (let round = 0; round < 2; round++) {
    for (const threads of candidates) {
      const context = await model.createContext({ contextSize: 256, threads, sequences: 1 });
      try {
        const sequence = context.getSequence();
        let count = 0;
        let start = 0;
        for await (const token of sequence.evaluate(prompt, { temperature: 0 })) {
          void token;
          // Timed from the first generated token: the prompt's evaluation is not generation speed.
          if (count === 0) start = performance.now();
          if (++count > tokens) break;
        }
        const rate = count > 1 ? ((count - 1) * 1000) / (performance.now() - start) : 0;
        best.set(threads, Math.max(best.get(threads) ?? 0, rate));
      } finally {
        await context.dispose();
      }
    }
  }
  return candidates.map((threads) => ({ threads, tokensPerSecond: best.get(threads) ?? 0 }));
}

/** What ModelThreads reads: the local settings, this machine's cores, and where measured defaults come from. */
export interface ModelThreadsOptions {
  settings: () => Settings['local'];
  cpus: number;
  now: () => number;
  logger: Logger;
  /** Where measured default thread counts are cached; none: the default is chooseThreads' rule, unmeasured. */
  threadChoices?: ThreadChoices | undefined;
  /** Tokens per second at each thread count (measureThreads; tests inject timings). */
  measureThreads?: ((model: LlamaModel, candidates: number[]) => Promise<ThreadTiming[]>) | undefined;
}

/** The thread counts the local runtime opens a resident model's context with. */
export class ModelThreads {
  constructor(private readonly o: ModelThreadsOptions) {}

  /** A resident model's thread count: the setting, else the default measured for it, else the machine's rule. */
  threadsFor(entry: { readonly measuredThreads: number | undefined }): number {
    const setting = this.o.settings().threads;
    if (setting === null && entry.measuredThreads !== undefined) return Math.min(entry.measuredThreads, this.o.cpus);
    return chooseThreads(setting, this.o.cpus);
  }

  /**
   * The default thread count for this model on this machine: cached, or measured now (a few seconds, once) when the
   * setting is null. A failed measurement falls back to the machine's rule rather than failing the load.
   */
  async measuredDefault(model: LlamaModel, path: string, bytes: number): Promise<number | undefined> {
    const choices = this.o.threadChoices;
    if (!choices || this.o.settings().threads !== null) return undefined;
    const key = choiceKey(path, bytes, this.o.cpus);
    const cached = choices.get(key);
    if (cached) return cached.threads;
    try {
      const timings = await (this.o.measureThreads ?? measureThreads)(model, threadCandidates(this.o.cpus));
      const threads = pickThreads(timings);
      choices.set(key, { threads, timings, measuredAt: new Date(this.o.now()).toISOString() });
      const rates = timings.map((t) => `${t.threads}: ${t.tokensPerSecond.toFixed(1)} tok/s`).join(', ');
      this.o.logger.info(`Measured threads for ${path}: ${rates}; default ${threads}`);
      return threads;
    } catch (cause) {
      this.o.logger.warn(`Could not measure threads for ${path}: ${(cause as Error).message}`);
      return undefined;
    }
  }
}
