// What LocalRuntime is built from (local-stack.ts fills it in), and the llama instance it makes when none is given.
import { getLlama, type Llama, type LlamaModel } from 'node-llama-cpp';
import type { Settings } from '../../src-preload/contract';
import type { Logger } from '../infra/logger';
import type { ContextPlan } from './context-size';
import type { Scheduler } from './machine';
import { withoutDebuggerBacktrace } from './no-backtrace';
import type { ThreadChoices, ThreadTiming } from './threads';

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
  /** A model's name as the writer knows it, for what the runtime says about it (default: its id). */
  nameOf?: (id: string) => string;
  /** What is resident changed: a model loaded or unloaded, or it started or ended work (resident() says how). */
  onChange?: () => void;
}

/** Memory a model needs resident, and the context it will be opened with (context-size.ts). */
export type MemoryEstimate = ContextPlan;

export function defaultCreateLlama(threads: number): Promise<Llama> {
  // Metal on Apple Silicon; CPU elsewhere (no GPU probing or source builds on a writer's machine).
  withoutDebuggerBacktrace();
  return getLlama({
    gpu: process.platform === 'darwin' ? 'auto' : false,
    build: 'never',
    maxThreads: threads,
    logLevel: 'error' as never,
  });
}
