// Local models: tokens/s through Quire's adapter ÷ raw node-llama-cpp on the same generated tens-of-MB model, warm
// switch between two resident models, cold load, and download throughput ÷ curl on the same loopback file.
import { execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { getLlama, LlamaChatSession } from 'node-llama-cpp';
import { DEFAULT_SETTINGS, type ModelSpec } from '../src-preload/contract';
import { EventBus } from '../src-main/app/event-bus';
import { silentLogger } from '../src-main/app/logger';
import { tinyLlamaFixture } from '../src-main/local/fixtures/tiny-llama';
import { LocalModels } from '../src-main/local/local-provider';
import { LocalStack } from '../src-main/local/local-stack';
import { chooseThreads } from '../src-main/local/machine';
import { LocalRuntime } from '../src-main/local/runtime';
import { openDatabase } from '../src-main/store/database';
import { percentile, timeEach } from './stats';

const BENCH_MODEL = { seed: 7, embd: 512, layers: 4, ff: 1408, heads: 8 };
const TOKENS = 96;
const ROUNDS = 9;

function spec(id: string): ModelSpec {
  return {
    id,
    display_name: id,
    provider: 'local',
    quality: 5,
    strengths: [],
    speed: 'fast',
    context_window: 2048,
    pricing: { input_usd_per_mtok: 0, output_usd_per_mtok: 0 },
    capabilities: { json_output: true, vision: false, streaming: true },
    local: { catalog_id: id, size_class: 'small' },
  };
}

export async function benchLocal(): Promise<void> {
  const threads = chooseThreads(null);
  const settings = () => ({ ...DEFAULT_SETTINGS.local, threads });
  const fileA = tinyLlamaFixture(BENCH_MODEL);
  const fileB = tinyLlamaFixture({ ...BENCH_MODEL, seed: 8 });
  console.log(
    `model: ${(statSync(fileA).size / 1e6).toFixed(1)} MB F32 llama (n_embd 512, 4 layers); threads ${threads} of ${availableParallelism()} cores`,
  );
  const llama = await getLlama({ gpu: false, build: 'never', maxThreads: threads, logLevel: 'error' as never });
  const runtime = new LocalRuntime({ settings, createLlama: () => Promise.resolve(llama) });
  const files: Record<string, string> = { a: fileA, b: fileB };
  const provider = new LocalModels({
    runtime,
    library: { installedFile: (id) => (files[id] ? { path: files[id]!, bytes: 1 } : undefined) },
    registry: () => [spec('a'), spec('b')],
  });
  const messages = [{ role: 'user' as const, content: 'Write the opening line of a mystery novel.' }];
  try {
    // Raw node-llama-cpp, the same context size and threads the runtime uses.
    const rawModel = await llama.loadModel({ modelPath: fileA });
    const rawContext = await rawModel.createContext({ contextSize: 2048, threads, sequences: 1 });
    const rawSequence = rawContext.getSequence();
    const raw = async () => {
      await rawSequence.clearHistory();
      const session = new LlamaChatSession({ contextSequence: rawSequence, autoDisposeSequence: false });
      const start = performance.now();
      const result = await session.promptWithMeta(messages[0]!.content, { maxTokens: TOKENS });
      const ms = performance.now() - start;
      session.dispose({ disposeSequence: false });
      void result;
      return (TOKENS / ms) * 1000;
    };
    const adapter = provider.languageModel(spec('a'));
    const viaAdapter = async () => {
      const start = performance.now();
      const result = await adapter.generate({ messages, maxOutputTokens: TOKENS });
      const ms = performance.now() - start;
      return ((result.usage.outputTokens ?? 0) / ms) * 1000;
    };
    await raw();
    await viaAdapter();
    const rawRates: number[] = [];
    const adapterRates: number[] = [];
    // ABBA order so neither side always runs right after the other.
    for (let i = 0; i < ROUNDS; i++) {
      if (i % 2 === 0) {
        rawRates.push(await raw());
        adapterRates.push(await viaAdapter());
      } else {
        adapterRates.push(await viaAdapter());
        rawRates.push(await raw());
      }
    }
    const rawP50 = percentile(rawRates, 50);
    const adapterP50 = percentile(adapterRates, 50);
    // On a shared 2-core machine other processes steal whole time slices from llama.cpp's threads; the best round
    // is the least disturbed measurement of each side, so it is reported next to the median.
    const rawBest = Math.max(...rawRates);
    const adapterBest = Math.max(...adapterRates);
    console.log(
      `raw node-llama-cpp: p50 ${rawP50.toFixed(1)} tok/s, best ${rawBest.toFixed(1)} (${TOKENS} tokens × ${ROUNDS}, interleaved)`,
    );
    console.log(`Quire local adapter: p50 ${adapterP50.toFixed(1)} tok/s, best ${adapterBest.toFixed(1)}`);
    console.log(
      `ratio adapter/raw: p50 ${(adapterP50 / rawP50).toFixed(3)}, best ${(adapterBest / rawBest).toFixed(3)} (target ≥ 0.97)`,
    );
    await rawContext.dispose();
    await rawModel.dispose();

    // Warm switch: both resident; a 1-token answer from the other model vs from the same one.
    const b = provider.languageModel(spec('b'));
    await b.generate({ messages, maxOutputTokens: 1 });
    const one = { messages, maxOutputTokens: 1 };
    const switching = await timeEach(10, (i) => (i % 2 === 0 ? adapter : b).generate(one));
    const same = await timeEach(10, () => adapter.generate(one));
    console.log(
      `warm switch (1-token answer alternating two resident models): p50 ${percentile(switching, 50).toFixed(1)} ms; same model: p50 ${percentile(same, 50).toFixed(1)} ms; resident: ${runtime.resident().length}`,
    );

    // Cold load: unload, then load again through the runtime (header check + estimate + load + context) vs raw.
    const cold = await timeEach(ROUNDS, async () => {
      await runtime.unload('a');
      await runtime.load('a', fileA);
    });
    const rawCold = await timeEach(ROUNDS, async () => {
      const model = await llama.loadModel({ modelPath: fileA });
      const context = await model.createContext({ contextSize: 2048, threads, sequences: 1 });
      await context.dispose();
      await model.dispose();
    });
    console.log(
      `cold load: runtime p50 ${percentile(cold, 50).toFixed(1)} ms; raw loadModel+createContext p50 ${percentile(rawCold, 50).toFixed(1)} ms`,
    );
  } finally {
    await runtime.close();
    await llama.dispose();
  }
  await benchDownload(fileA);
}

async function benchDownload(file: string): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'quire-bench-dl-'));
  const serverProcess = spawn(process.execPath, ['--import', 'tsx', 'bench/file-server-process.ts', file], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const server = {
    url: await new Promise<string>((resolve) =>
      serverProcess.stdout.once('data', (data: Buffer) => resolve(data.toString().trim())),
    ),
  };
  const size = statSync(file).size;
  const db = openDatabase(join(dir, 'quire.sqlite'));
  const events = new EventBus();
  const stack = new LocalStack({
    db,
    events,
    logger: silentLogger,
    now: () => new Date(),
    settings: () => DEFAULT_SETTINGS.local,
    modelsDir: () => join(dir, 'models'),
    registry: { all: () => [], upsertCustomModels() {}, removeCustomModels() {} },
  });
  try {
    // Async: the loopback server runs in this process and must keep serving while curl downloads.
    const curl = await timeEach(3, () =>
      promisify(execFile)('curl', ['-s', '-o', join(dir, 'curl.out'), `${server.url}/model.gguf`]),
    );
    const quire: number[] = [];
    const transferOnly: number[] = [];
    for (let i = 0; i < 3; i++) {
      const start = performance.now();
      let lastByte = 0;
      const done = new Promise<void>((resolve, reject) => {
        const off = events.subscribe((event) => {
          if (event.name === 'download:progress' && event.payload.received === size) lastByte = performance.now();
          if (event.name === 'download:done') {
            off();
            resolve();
          }
          if (event.name === 'download:failed') {
            off();
            reject(new Error(event.payload.message));
          }
        });
      });
      const info = await stack.downloads.start({ url: `${server.url}/model.gguf`, name: `bench-${i}` });
      await done;
      quire.push(performance.now() - start);
      transferOnly.push(lastByte - start);
      await stack.library.delete(info.id);
    }
    const mbps = (ms: number) => (size / 1e6 / (ms / 1000)).toFixed(0);
    const c = percentile(curl, 50);
    const q = percentile(quire, 50);
    const t = percentile(transferOnly, 50);
    console.log(`download ${(size / 1e6).toFixed(1)} MB over loopback: curl p50 ${c.toFixed(0)} ms (${mbps(c)} MB/s)`);
    console.log(
      `Quire transfer (to last byte) p50 ${t.toFixed(0)} ms (${mbps(t)} MB/s): ratio throughput ${(c / t).toFixed(2)} of curl`,
    );
    console.log(
      `Quire end to end (transfer + SHA-256 + GGUF check + rename + register) p50 ${q.toFixed(0)} ms (${mbps(q)} MB/s): ratio ${(c / q).toFixed(2)} of curl`,
    );
  } finally {
    await stack.close();
    db.close();
    serverProcess.kill();
    rmSync(dir, { recursive: true, force: true });
  }
}
