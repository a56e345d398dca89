// A LocalStack on a temporary data folder with its pushed events recorded, for the download and library tests; each
// harness (and the file server it is given) is closed after the test.
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import type { ModelSpec, PushedEvent } from '../../src-preload/contract';
import { EventBus } from '../../src-main/infra/event-bus';
import { PARTIAL_DIR } from '../../src-main/local/library';
import type { LocalStack, LocalStackOptions } from '../../src-main/local/local-stack';
import { openDatabase, type Db } from '../../src-main/store/database';
import { startFileServer, type FileServer } from './file-server';
import { fixtureStack } from './local-fixture';

export interface Harness {
  stack: LocalStack;
  db: Db;
  /** The bus the stack emits on: a test may act on an event as it is emitted. */
  bus: EventBus;
  events: PushedEvent[];
  registry: Map<string, ModelSpec[]>;
  modelsDir: string;
  dataDir: string;
  waitFor: (name: string, id: string) => Promise<PushedEvent>;
}

export interface HarnessOptions {
  dataDir?: string;
  catalog?: object;
  freeSpace?: number;
  stallMs?: number;
  stack?: Partial<LocalStackOptions>;
}

export function useDownloadHarness(tempDir: () => string) {
  const open: { stack: LocalStack; db: Db; server?: FileServer }[] = [];
  afterEach(async () => {
    for (const entry of open.splice(0)) {
      await entry.stack.close();
      entry.db.close();
      await entry.server?.close();
    }
  });
  function harness(options: HarnessOptions = {}): Harness {
    const dataDir = options.dataDir ?? tempDir();
    const modelsDir = join(dataDir, 'models');
    const env: NodeJS.ProcessEnv = {};
    if (options.catalog) {
      const file = join(dataDir, 'catalog.json');
      writeFileSync(file, JSON.stringify(options.catalog));
      env.QUIRE_CATALOG = file;
    }
    const db = openDatabase(join(dataDir, 'quire.sqlite'));
    const bus = new EventBus();
    const events: PushedEvent[] = [];
    const waiters: { name: string; id: string; resolve: (e: PushedEvent) => void }[] = [];
    bus.subscribe((event) => {
      events.push(event);
      for (const w of [...waiters])
        if (w.name === event.name && (event.payload as { id?: string }).id === w.id) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve(event);
        }
    });
    const registry = new Map<string, ModelSpec[]>();
    const stack = fixtureStack(db, bus, modelsDir, {
      env,
      registry: {
        all: () => [...registry.values()].flat(),
        upsertCustomModels: (source, specs) => registry.set(source, specs),
        removeCustomModels: (source) => registry.delete(source),
      },
      ...(options.freeSpace !== undefined ? { freeSpace: () => Promise.resolve(options.freeSpace!) } : {}),
      stallMs: options.stallMs ?? 5000,
      ...options.stack,
    });
    open.push({ stack, db });
    return {
      stack,
      db,
      bus,
      events,
      registry,
      modelsDir,
      dataDir,
      waitFor: (name, id) =>
        new Promise((resolve) => {
          const seen = events.find((e) => e.name === name && (e.payload as { id?: string }).id === id);
          if (seen) resolve(seen);
          else waiters.push({ name, id, resolve });
        }),
    };
  }

  async function server(): Promise<FileServer> {
    const s = await startFileServer();
    open.at(-1)!.server = s;
    return s;
  }

  return { harness, server, open };
}

export function catalogFor(url: string, sha256: string | null) {
  return {
    version: 1,
    models: [
      {
        id: 'tiny-chat',
        display_name: 'Tiny chat',
        registry_model_id: 'tiny',
        url,
        quantization: 'F32',
        size_bytes: 1,
        sha256,
        sha256_source: sha256 ? 'verified' : 'unverified_use_hf_lfs_oid',
        memory_estimate_mb: 8,
        context_length: 2048,
      },
    ],
  };
}

export function partialFiles(h: Harness): string[] {
  const dir = join(h.modelsDir, PARTIAL_DIR);
  return existsSync(dir) ? readdirSync(dir) : [];
}
