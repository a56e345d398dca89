// A model the local runtime keeps loaded: its one context and sequence, opened in the evaluation batches that let a
// chat turn keep the previous turn's context exactly, and what the runtime keeps of it to share, evict and unload it.
import type { Llama, LlamaContext, LlamaContextSequence, LlamaModel } from 'node-llama-cpp';
import type { ResidentModelInfo } from '../../src-preload/contract';
import type { LineTicket } from './model-line';

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
export function evaluationBatch(llama: Pick<Llama, 'gpu'>): number {
  return llama.gpu === false ? 64 : 512;
}

/** A resident model's one context: one sequence, evaluated in batches of evaluationBatch. */
export function openContext(model: LlamaModel, contextSize: number, threads: number): Promise<LlamaContext> {
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

/** What LocalRuntime keeps of a resident model to share it, evict it and unload it when idle. */
export interface ResidentEntry extends ResidentModel {
  bytes: number;
  loadedAt: number;
  lastUsed: number;
  /** Monotonic use order: LRU must not depend on two uses landing in different milliseconds. */
  useOrder: number;
  /** Tasks holding the model: running, queued, or just handed it and not yet started (counted by the hand-over). */
  busy: number;
  /** Unloads waiting for `busy` to reach 0 before they dispose the model. */
  waitingUnloads: (() => void)[];
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
