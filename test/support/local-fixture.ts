// What the local-model tests and the local benchmark share: node-llama-cpp on the CPU, a LocalRuntime and LocalModels
// serving generated GGUF fixture files, a small local ModelSpec, and a LocalStack on a data folder.
import { getLlama, type Llama } from 'node-llama-cpp';
import { DEFAULT_SETTINGS, type ModelSpec } from '../../src-preload/contract';
import type { EventBus } from '../../src-main/infra/event-bus';
import { silentLogger } from '../../src-main/infra/logger';
import { LocalModels } from '../../src-main/local/local-provider';
import { LocalStack, type LocalStackOptions } from '../../src-main/local/local-stack';
import { LocalRuntime } from '../../src-main/local/runtime';
import type { Db } from '../../src-main/store/database';
import { model } from './decision-fixtures';

/** The one llama instance a test file (or the benchmark) shares: CPU only, never built from source. */
export function fixtureLlama(maxThreads = 2): Promise<Llama> {
  return getLlama({ gpu: false, build: 'never', maxThreads, logLevel: 'error' as never });
}

/** A LocalRuntime on `llama` with the default local settings and `threads`. */
export function fixtureRuntime(llama: Llama, threads = 2): LocalRuntime {
  return new LocalRuntime({
    settings: () => ({ ...DEFAULT_SETTINGS.local, threads }),
    createLlama: () => Promise.resolve(llama),
  });
}

/** LocalModels whose installed files are `files` (catalog id -> path, or path and size). */
export function fixtureModels(
  runtime: LocalRuntime,
  files: Record<string, string | { path: string; bytes: number }>,
  registry: ModelSpec[],
): LocalModels {
  return new LocalModels({
    runtime,
    library: {
      installedFile: (id) => {
        const file = files[id];
        return typeof file === 'string' ? { path: file, bytes: 1 } : file;
      },
    },
    registry: () => registry,
  });
}

/** A small local model with a 2048-token context, run from the installed file `catalogId`. */
export function fixtureSpec(id: string, catalogId = id): ModelSpec {
  return model(id, {
    provider: 'local',
    quality: 5,
    strengths: [],
    context_window: 2048,
    local: { catalog_id: catalogId, size_class: 'small' },
  });
}

/** A LocalStack with default settings, a silent logger and a registry that keeps nothing; `overrides` win. */
export function fixtureStack(
  db: Db,
  events: EventBus,
  modelsDir: string,
  overrides: Partial<LocalStackOptions> = {},
): LocalStack {
  return new LocalStack({
    db,
    events,
    logger: silentLogger,
    now: () => new Date(),
    settings: () => DEFAULT_SETTINGS.local,
    modelsDir: () => modelsDir,
    registry: { all: () => [], upsertCustomModels() {}, removeCustomModels() {} },
    ...overrides,
  });
}
