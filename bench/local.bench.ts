// Local models: tokens/s through Quire's adapter ÷ raw node-llama-cpp on the same generated tens-of-MB model, the
// first token of a chat turn that shares its instruction with the previous turn (context kept) ÷ a fresh context, the
// measured default thread count, warm switch between two resident models, cold load; and (`downloads`) download
// throughput ÷ curl on the same loopback file.
import { execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { LlamaChatSession, resolveChatWrapper, TokenMeter, type Llama } from 'node-llama-cpp';
import { EventBus } from '../src-main/infra/event-bus';
import { tinyLlamaFixture } from '../test/fixtures/tiny-llama';
import type { LocalModels } from '../src-main/local/local-provider';
import { chatOnce } from '../src-main/local/local-chat';
import { chooseThreads } from '../src-main/local/machine';
import { measureThreads, pickThreads, threadCandidates } from '../src-main/local/threads';
import type { LocalRuntime } from '../src-main/local/runtime';
import { openDatabase } from '../src-main/store/database';
import {
  fixtureLlama,
  fixtureModels,
  fixtureRuntime,
  fixtureSpec as spec,
  fixtureStack,
} from '../test/support/local-fixture';
import { percentile } from './stats';

const BENCH_MODEL = { seed: 7, embd: 512, layers: 4, ff: 1408, heads: 8 };
const TOKENS = 96;
const ROUNDS = 11;

/** Median of per-round ratios: each round pairs one adapter run with the raw run of the same round. */
function ratioLine(adapter: Turn[], raw: Turn[]): string {
  const ratios = adapter.map((turn, i) => turn.rate / raw[i]!.rate);
  return `median of per-round ratios ${percentile(ratios, 50).toFixed(3)} (range ${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)})`;
}

interface Turn {
  rate: number;
  tokens: number;
  text: string;
}

const PROMPT = 'Write the opening line of a mystery novel.';
// Identical on both sides: prompt, greedy sampling, token budget, context size and threads (read back from the
// runtime's resident context), and output tokens counted by the sequence's token meter.
const REQUEST = { messages: [{ role: 'user' as const, content: PROMPT }], maxOutputTokens: TOKENS, temperature: 0 };

function providerFor(runtime: LocalRuntime, files: Record<string, string>): LocalModels {
  return fixtureModels(
    runtime,
    files,
    Object.keys(files).map((id) => spec(id)),
  );
}

/** Tokens/s through the adapter (generate and stream) vs raw node-llama-cpp, `threads` on both sides. */
async function throughput(llama: Llama, threads: number, file: string): Promise<void> {
  const runtime = fixtureRuntime(llama, threads);
  const adapter = providerFor(runtime, { a: file }).languageModel(spec('a'));
  try {
    const viaAdapter = async (): Promise<Turn> => {
      const start = performance.now();
      const result = await adapter.generate(REQUEST);
      const ms = performance.now() - start;
      const tokens = result.usage.outputTokens ?? 0;
      return { rate: (tokens / ms) * 1000, tokens, text: result.text };
    };
    const viaStream = async (): Promise<Turn> => {
      const start = performance.now();
      let text = '';
      let tokens = 0;
      for await (const part of adapter.stream(REQUEST)) {
        if (part.type === 'text-delta') text += part.text;
        else if (part.type === 'finish') tokens = part.usage.outputTokens ?? 0;
      }
      const ms = performance.now() - start;
      return { rate: (tokens / ms) * 1000, tokens, text };
    };
    await viaAdapter(); // loads the model into the runtime
    const resident = runtime.resident().find((info) => info.id === 'a')!;

    // Raw node-llama-cpp done well: one model, one context, the chat wrapper resolved once; each turn is a fresh
    // conversation (clear the sequence, new session), like the adapter's.
    const rawModel = await llama.loadModel({ modelPath: file });
    const rawContext = await rawModel.createContext({ contextSize: resident.context_size, threads, sequences: 1 });
    const rawSequence = rawContext.getSequence();
    const chatWrapper = resolveChatWrapper(rawModel);
    const raw = async (): Promise<Turn> => {
      const start = performance.now();
      await rawSequence.clearHistory();
      const session = new LlamaChatSession({ contextSequence: rawSequence, chatWrapper, autoDisposeSequence: false });
      const before = rawSequence.tokenMeter.getState();
      const result = await session.promptWithMeta(PROMPT, { maxTokens: TOKENS, temperature: 0 });
      const tokens = TokenMeter.diff(rawSequence.tokenMeter, before).usedOutputTokens;
      session.dispose({ disposeSequence: false });
      const ms = performance.now() - start;
      return { rate: (tokens / ms) * 1000, tokens, text: result.responseText };
    };
    const sides = { raw, generate: viaAdapter, stream: viaStream };
    const names = Object.keys(sides) as (keyof typeof sides)[];
    for (let i = 0; i < 2; i++) for (const name of names) await sides[name](); // warm-up
    const turns: Record<keyof typeof sides, Turn[]> = { raw: [], generate: [], stream: [] };
    // Rotate the order every round so no side always runs first or right after another.
    for (let round = 0; round < ROUNDS; round++)
      for (let k = 0; k < names.length; k++) {
        const name = names[(round + k) % names.length]!;
        turns[name].push(await sides[name]());
      }
    await rawContext.dispose();
    await rawModel.dispose();

    const first = turns.raw[0]!;
    const same = names.every((n) => turns[n].every((t) => t.text === first.text && t.tokens === first.tokens));
    const line = (side: keyof typeof sides) => {
      const r = turns[side].map((t) => t.rate);
      return `p50 ${percentile(r, 50).toFixed(1)} tok/s (min ${Math.min(...r).toFixed(1)}, max ${Math.max(...r).toFixed(1)})`;
    };
    console.log(
      `### ${threads} thread${threads === 1 ? '' : 's'} both sides, context ${resident.context_size}, greedy, fresh conversation per turn, ${first.tokens} output tokens (token meter), ${ROUNDS} rotated rounds after warm-up; same text and token count on every turn: ${same}`,
    );
    console.log(`raw node-llama-cpp:           ${line('raw')}`);
    console.log(`Quire local adapter generate: ${line('generate')}`);
    console.log(`Quire local adapter stream:   ${line('stream')}`);
    console.log(`ratio adapter/raw (generate): ${ratioLine(turns.generate, turns.raw)}; target ≥ 0.97`);
    console.log(`ratio adapter/raw (stream):   ${ratioLine(turns.stream, turns.raw)}`);
  } finally {
    await runtime.close();
  }
}

export async function benchLocal(): Promise<void> {
  const threads = chooseThreads(null);
  const fileA = tinyLlamaFixture(BENCH_MODEL);
  const fileB = tinyLlamaFixture({ ...BENCH_MODEL, seed: 8 });
  console.log(
    `model: ${(statSync(fileA).size / 1e6).toFixed(1)} MB F32 llama (n_embd 512, 4 layers); runtime's thread choice ${threads} of ${availableParallelism()} cores`,
  );
  const llama = await fixtureLlama(threads);
  const runtime = fixtureRuntime(llama, threads);
  const provider = providerFor(runtime, { a: fileA, b: fileB });
  try {
    // The runtime's own thread choice, then one thread: on a shared 2-core machine two threads stall at every
    // barrier when another process takes a core, so the one-thread figure is the load-robust one.
    for (const count of [...new Set([threads, 1])]) await throughput(llama, count, fileA);

    const adapter = provider.languageModel(spec('a'));
    await adapter.generate(REQUEST);
    await firstTokenWithKeptContext(runtime, fileA);
    const timings = await runtime.use('a', fileA, (m) =>
      measureThreads(m.model, threadCandidates(availableParallelism())),
    );
    console.log(
      `threads measured on this model: ${timings.map((t) => `${t.threads}: ${t.tokensPerSecond.toFixed(1)} tok/s`).join(', ')}; ` +
        `default chosen ${pickThreads(timings)} (the fixed rule would take ${threads})`,
    );
    const contextSize = runtime.resident().find((info) => info.id === 'a')!.context_size;

    // Warm switch: both resident; a 1-token answer from the other model vs from the same one (each includes the
    // prompt's prefill, so the difference is the cost of switching).
    const b = provider.languageModel(spec('b'));
    const one = { ...REQUEST, maxOutputTokens: 1 };
    await b.generate(one);
    const switching: number[] = [];
    const same: number[] = [];
    for (let i = 0; i < 10; i++) {
      // Every round ends on model a, so b then a are both switches; then a twice more without a switch.
      for (const model of [b, adapter]) {
        const start = performance.now();
        await model.generate(one);
        switching.push(performance.now() - start);
      }
      for (let k = 0; k < 2; k++) {
        const start = performance.now();
        await adapter.generate(one);
        same.push(performance.now() - start);
      }
    }
    const sw = percentile(switching, 50);
    const sm = percentile(same, 50);
    console.log(
      `warm switch (1-token answer alternating two resident models): p50 ${sw.toFixed(1)} ms; same model: p50 ${sm.toFixed(1)} ms; switch cost ${(sw - sm).toFixed(1)} ms; resident: ${runtime.resident().length}`,
    );

    // Cold load, interleaved: through the runtime (header check + estimate + load + context) vs raw.
    const cold: number[] = [];
    const rawCold: number[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      await runtime.unload('a');
      let start = performance.now();
      await runtime.load('a', fileA);
      cold.push(performance.now() - start);
      start = performance.now();
      const model = await llama.loadModel({ modelPath: fileA });
      const context = await model.createContext({ contextSize, threads, sequences: 1 });
      rawCold.push(performance.now() - start);
      await context.dispose();
      await model.dispose();
    }
    const c = percentile(cold, 50);
    const rc = percentile(rawCold, 50);
    console.log(
      `cold load: runtime p50 ${c.toFixed(1)} ms; raw loadModel+createContext p50 ${rc.toFixed(1)} ms; ratio ${(c / rc).toFixed(2)}`,
    );
  } finally {
    await runtime.close();
    await llama.dispose();
  }
}

/**
 * A chat turn whose instruction and template prefix the previous turn shared: time to its first token with the
 * context kept (Quire's chat path) vs after clearing the sequence (what every turn cost before), interleaved, greedy,
 * with the answers compared and the prompt tokens each read (a kept turn keeps whole evaluation batches only, so that
 * it answers exactly as a fresh one: local-chat.ts).
 */
async function firstTokenWithKeptContext(runtime: LocalRuntime, file: string): Promise<void> {
  const instruction =
    'You are a continuity editor for a novel. Compare the two chapters and list every contradiction in names, ' +
    'dates, places, objects and the order of events, quoting both passages for each one. '.repeat(4);
  const turn = (user: string) => ({
    messages: [
      { role: 'system' as const, content: instruction },
      { role: 'user' as const, content: user },
    ],
    maxOutputTokens: 8,
    temperature: 0,
  });
  const firstToken = (fresh: boolean, user: string) =>
    runtime.use('a', file, async (m) => {
      if (fresh) await m.sequence.clearHistory();
      const before = m.sequence.tokenMeter.getState();
      const start = performance.now();
      let first = Number.NaN;
      const result = await chatOnce(m, turn(user), {
        onText: () => void (Number.isNaN(first) && (first = performance.now() - start)),
      });
      const read = TokenMeter.diff(m.sequence.tokenMeter, before).usedInputTokens;
      return { first, text: result.text, read, prompt: result.usage.inputTokens ?? 0 };
    });
  const kept: number[] = [];
  const fresh: number[] = [];
  const keptRead: number[] = [];
  const prompts: number[] = [];
  let same = 0;
  for (let i = 0; i < ROUNDS; i++) {
    const user = `Chapter ${i + 2} says the door is ${i % 2 ? 'red' : 'green'}.`;
    await firstToken(false, `Chapter ${i + 1} says the door is blue.`);
    const k = await firstToken(false, user);
    const f = await firstToken(true, user);
    kept.push(k.first);
    fresh.push(f.first);
    keptRead.push(k.read);
    prompts.push(f.prompt);
    if (k.text === f.text) same++;
  }
  const k = percentile(kept, 50);
  const f = percentile(fresh, 50);
  console.log(
    `first token, instruction shared with the previous turn: context kept p50 ${k.toFixed(1)} ms; fresh context p50 ` +
      `${f.toFixed(1)} ms; ratio ${(k / f).toFixed(2)}; identical answers in ${same} of ${ROUNDS} rounds; kept turns ` +
      `read p50 ${percentile(keptRead, 50)} of ${percentile(prompts, 50)} prompt tokens`,
  );
}

async function flush(file: string): Promise<void> {
  const handle = await open(file, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Download throughput ÷ curl on the same loopback file (the bench model's GGUF), run on its own: `downloads`. */
export async function benchDownloads(): Promise<void> {
  const file = tinyLlamaFixture(BENCH_MODEL);
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
  const stack = fixtureStack(db, events, join(dir, 'models'));
  try {
    const curlOnce = async () => {
      const start = performance.now();
      await promisify(execFile)('curl', ['-s', '-o', join(dir, 'curl.out'), `${server.url}/model.gguf`]);
      return performance.now() - start;
    };
    const curl: number[] = [];
    const quire: number[] = [];
    const transferOnly: number[] = [];
    // Interleaved, one curl then one Quire download per round, so load on the machine hits both alike.
    for (let i = 0; i < 7; i++) {
      curl.push(await curlOnce());
      // Outside both timings: curl leaves its file unwritten in the page cache, and on ext4 (data=ordered) the first
      // fsync Quire makes next, its SQLite commit, waits for those bytes to reach the disk: ~50 ms of curl's writing
      // was counted as Quire's (measured: the time before Quire's first byte fell from ~75 to ~30 ms once flushed).
      await flush(join(dir, 'curl.out'));
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
