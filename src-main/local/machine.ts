// What this machine can give the local runtime: threads for generation and the default memory budget.
import { availableParallelism, totalmem } from 'node:os';

export const MB = 1024 * 1024;

/**
 * Threads for generation. node-llama-cpp's CPU default is at least 4, which on a 2-core machine ran ~400× slower
 * than 1–2 threads (measured on the build machine), and 2 threads ran 8.5× slower than 1 there while the app and
 * other work shared the cores: never use more threads than cores, and by default leave one core for the app.
 */
export function chooseThreads(setting: number | null, cpus: number = availableParallelism()): number {
  if (setting !== null) return Math.max(1, Math.min(setting, cpus));
  return Math.max(1, Math.min(cpus - 1, 8));
}

/** The default budget for resident models: 60 % of the machine's memory (the OS and the app keep the rest). */
export function defaultMemoryBudgetBytes(totalBytes: number = totalmem()): number {
  return Math.floor(totalBytes * 0.6);
}

/** Where a writer sets the memory local models may use, for the step a message gives ("Raise …", "raise …"). */
export const MEMORY_SETTING = '“Memory for local models” in Settings → Local models';

export function memoryBudgetBytes(settingMb: number | null, totalBytes: number = totalmem()): number {
  return settingMb !== null ? settingMb * MB : defaultMemoryBudgetBytes(totalBytes);
}

/** Timers the runtime uses for idle unloads; tests pass a manual one. */
export interface Scheduler {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const realScheduler: Scheduler = {
  setTimeout: (fn, ms) => {
    const handle = setTimeout(fn, ms);
    handle.unref();
    return handle;
  },
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};
