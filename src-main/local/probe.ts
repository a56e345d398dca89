// The probe: a model that is not a SHA-256-verified catalog file is first loaded in a short-lived child process (load,
// one token) before Quire ever loads it in-process, because llama.cpp answers some malformed files with GGML_ASSERT,
// which aborts the whole process. An abort, a failure or a timeout in the child marks the model unusable with the
// reason; the app keeps running. The child is started through a ProbeLauncher: a Node child process in the browser
// host, Electron's utilityProcess in the app (src-main/electron/probe-launcher.ts).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ProbeVerdict } from '../store/repos/local-models-repo';

/** A started probe child: how it ended (exit code or signal) and what it wrote to stderr. */
export interface ProbeChild {
  readonly exited: Promise<{ code: number | null; signal: string | null; stderr: string }>;
  /** Resolves when the child starts writing a prompt with the model's chat template (it said {@link TEMPLATE_MARKER}). */
  readonly rendering?: Promise<void>;
  kill(): void;
}

/** What probe-child writes to stderr as it starts rendering the model's chat template. */
export const TEMPLATE_MARKER = 'quire-probe: rendering the chat template';

/**
 * The child's stderr as the launchers keep it (the first 64 KiB), and when it said {@link TEMPLATE_MARKER}: one
 * reader for both launchers (a Node child process, Electron's utilityProcess).
 */
export function readProbeStderr(stream: NodeJS.ReadableStream | null | undefined): {
  text: () => string;
  rendering: Promise<void>;
} {
  let stderr = '';
  let said!: () => void;
  const rendering = new Promise<void>((resolve) => (said = resolve));
  stream?.on('data', (chunk: Buffer) => {
    if (stderr.length < 64 * 1024) stderr += chunk.toString();
    if (stderr.includes(TEMPLATE_MARKER)) said();
  });
  return { text: () => stderr, rendering };
}

/** Starts the probe entry point (probe-child) on one model file. */
export interface ProbeLauncher {
  start(modelPath: string): ProbeChild;
}

export type { ProbeVerdict };

/** Exit code of probe-child when loading or the first token failed with an ordinary (catchable) error. */
export const PROBE_FAILED_EXIT = 3;
/** Longest a probe may take: a multi-GB model loads from a slow disk in well under this. */
export const DEFAULT_PROBE_TIMEOUT_MS = 180_000;
/**
 * Longest a chat template may take to write the test prompts once the model is loaded: a real template takes
 * milliseconds; one that loops for minutes would freeze Quire on every prompt it writes.
 */
export const DEFAULT_TEMPLATE_TIMEOUT_MS = 20_000;

/** A terminal colour code (ESC [ … m), which node-llama-cpp's logger writes around its words. */
const ANSI_COLOUR = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, 'g');

/** The child's words as a person reads them: no terminal colours, no logger's tag, no "error loading model" twice. */
function plainLine(line: string): string {
  return line
    .replace(ANSI_COLOUR, '')
    .replace(/^\[node-llama-cpp\]\s*/, '')
    .replace(/^llama_model_load:\s*/, '')
    .replace(/^(error loading model:\s*)+/, '')
    .trim();
}

function lastLines(stderr: string): string {
  const lines = stderr
    .split('\n')
    .map(plainLine)
    .filter((line) => line !== '' && !line.startsWith(TEMPLATE_MARKER));
  const assert = lines.find((line) => /GGML_ASSERT|error|failed/i.test(line));
  return (assert ?? lines.at(-1) ?? '').slice(0, 300);
}

export class ModelProbe {
  constructor(
    private readonly launcher: ProbeLauncher,
    private readonly timeoutMs = DEFAULT_PROBE_TIMEOUT_MS,
    private readonly templateTimeoutMs = DEFAULT_TEMPLATE_TIMEOUT_MS,
  ) {}

  /**
   * Loads `path` in a child and generates one token there; never throws. Null when `signal` stopped it (a cancel, a
   * quit): the child is ended, and there is no verdict.
   */
  async probe(path: string, signal?: AbortSignal): Promise<ProbeVerdict | null> {
    if (signal?.aborted) return null;
    let child: ProbeChild;
    try {
      child = this.launcher.start(path);
    } catch (error) {
      return { usable: false, reason: `Quire could not start a test load: ${(error as Error).message}` };
    }
    let timer: ReturnType<typeof setTimeout> | undefined;
    let templateTimer: ReturnType<typeof setTimeout> | undefined;
    let onAbort: (() => void) | undefined;
    const ended = new Promise<'timeout' | 'stopped' | 'template'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), this.timeoutMs);
      void child.rendering?.then(() => (templateTimer = setTimeout(() => resolve('template'), this.templateTimeoutMs)));
      onAbort = () => resolve('stopped');
      signal?.addEventListener('abort', onAbort, { once: true });
    });
    const outcome = await Promise.race([child.exited, ended]).finally(() => {
      clearTimeout(timer);
      clearTimeout(templateTimer);
      if (onAbort) signal?.removeEventListener('abort', onAbort);
    });
    if (outcome === 'stopped') {
      child.kill();
      return null;
    }
    if (outcome === 'template') {
      child.kill();
      return {
        usable: false,
        reason:
          `Its chat template (how it lays out a conversation) did not finish writing a short prompt within ` +
          `${Math.round(this.templateTimeoutMs / 1000)} s, so it would freeze Quire on every prompt. Get the model from another source`,
      };
    }
    if (outcome === 'timeout') {
      child.kill();
      return {
        usable: false,
        reason: `A test load did not finish within ${Math.round(this.timeoutMs / 1000)} s; the file may be damaged`,
      };
    }
    if (outcome.code === 0) return { usable: true };
    const detail = lastLines(outcome.stderr);
    if (outcome.code === PROBE_FAILED_EXIT)
      return { usable: false, reason: `llama.cpp could not load this file${detail ? `: ${detail}` : ''}` };
    const how = outcome.signal ? `(${outcome.signal})` : `(exit code ${outcome.code})`;
    return {
      usable: false,
      reason: `llama.cpp crashed on this file during a test load ${how}${detail ? `: ${detail}` : ''}`,
    };
  }
}

/** Where verdicts are kept: the probe_verdicts table (LocalModelsRepo). */
export interface VerdictStore {
  probeVerdict(sha256: string): ProbeVerdict | undefined;
  setProbeVerdict(sha256: string, verdict: ProbeVerdict): void;
}

/** The file an earlier Quire kept verdicts in, beside the models. */
export const LEGACY_VERDICTS_FILE = '.quire-probes.json';

/**
 * Verdicts by file SHA-256, in SQLite beside the models' records (migration 016): a model's verdict follows its bytes
 * and cannot be lost apart from its record (kept in the models folder, it was lost when the writer picked another
 * folder, and a model whose test load had crashed was loaded in-process). A verdict an earlier Quire wrote to the
 * models folder is still honoured.
 */
export class ProbeVerdicts {
  constructor(
    private readonly store: VerdictStore,
    private readonly modelsDir: () => string,
  ) {}

  get(sha256: string): ProbeVerdict | undefined {
    return this.store.probeVerdict(sha256) ?? this.legacy()[sha256];
  }

  set(sha256: string, verdict: ProbeVerdict): void {
    this.store.setProbeVerdict(sha256, verdict);
  }

  private legacy(): Record<string, ProbeVerdict> {
    const file = join(this.modelsDir(), LEGACY_VERDICTS_FILE);
    if (!existsSync(file)) return {};
    try {
      return JSON.parse(readFileSync(file, 'utf8')) as Record<string, ProbeVerdict>;
    } catch {
      return {};
    }
  }
}
