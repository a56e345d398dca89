// Real node-llama-cpp on generated fixtures: one llama instance shared by the file (2-core machine), 1–2 threads.
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Llama } from 'node-llama-cpp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Settings } from '../../src-preload/contract';
import { DEFAULT_SETTINGS } from '../../src-preload/contract';
import { LocalModelError } from '../errors';
import { silentLogger } from '../infra/logger';
import { fixtureLlama, fixtureSpec as spec } from '../../test/support/local-fixture';
import { ManualClock } from '../../test/support/manual-clock';
import { useTempDir } from '../../test/support/temp-dir';
import { tinyLlamaFixture } from '../../test/fixtures/tiny-llama';
import { LOCAL_FALLBACK_WARNING } from '../providers/local-models';
import { LocalModels } from './local-provider';
import { LocalRuntime, type ResidentModel } from './runtime';

let llama: Llama;
beforeAll(async () => {
  llama = await fixtureLlama();
});
afterAll(async () => {
  await llama.dispose();
});

function localSettings(patch: Partial<Settings['local']> = {}): () => Settings['local'] {
  return () => ({ ...DEFAULT_SETTINGS.local, threads: 2, ...patch });
}

const small = () => tinyLlamaFixture({ seed: 1 });
const other = () => tinyLlamaFixture({ seed: 2 });
const bigger = () => tinyLlamaFixture({ seed: 3, embd: 128 });

/** What Tiny Llama's call answers when it fails on `runtime`, with the smaller Tinier Llama installed to fall back to. */
async function tinyThenTinier(runtime: LocalRuntime): Promise<LocalModelError> {
  const registry = [
    { ...spec('tiny', 'tiny-a'), display_name: 'Tiny Llama' },
    { ...spec('tinier', 'tiny-b'), display_name: 'Tinier Llama' },
  ];
  const models = new LocalModels({
    runtime,
    library: {
      installedFile: (id) =>
        id === 'tiny-a' ? { path: small(), bytes: 2000 } : id === 'tiny-b' ? { path: other(), bytes: 1000 } : undefined,
    },
    registry: () => registry,
  });
  return (await models
    .languageModel(registry[0]!)
    .generate({ messages: [{ role: 'user', content: 'hi' }], maxOutputTokens: 1 })
    .catch((e: unknown) => e)) as LocalModelError;
}

describe('LocalRuntime + LocalModels on the generated fixture', () => {
  const clock = new ManualClock();
  let runtime: LocalRuntime;
  let models: LocalModels;
  const files = new Map<string, string>();
  const registry = [spec('tiny', 'tiny-a'), spec('tiny-b', 'tiny-b')];

  beforeAll(() => {
    files.set('tiny-a', small());
    files.set('tiny-b', other());
    runtime = new LocalRuntime({
      settings: localSettings(),
      createLlama: () => Promise.resolve(llama),
      now: clock.now,
      scheduler: clock,
    });
    models = new LocalModels({
      runtime,
      library: {
        installedFile: (id) => (files.has(id) ? { path: files.get(id)!, bytes: 1 } : undefined),
      },
      registry: () => registry,
    });
  });
  afterAll(() => runtime.close());

  it('loads lazily, chats through the ChatML wrapper and counts real tokens', async () => {
    expect(runtime.resident()).toEqual([]);
    const model = models.languageModel(registry[0]!);
    const result = await model.generate({
      messages: [
        { role: 'system', content: 'You are terse.' },
        { role: 'user', content: 'Say hello' },
      ],
      maxOutputTokens: 8,
    });
    expect(result.finishReason).toBe('length');
    expect(result.usage.outputTokens).toBe(8);
    expect(result.usage.inputTokens).toBeGreaterThan(5);
    expect(result.text.length).toBeGreaterThan(0);
    expect(runtime.resident().map((r) => r.id)).toEqual(['tiny-a']);
  });

  it('streams text deltas that add up to the answer, then one finish part', async () => {
    const model = models.languageModel(registry[0]!);
    const parts = [];
    for await (const part of model.stream({ messages: [{ role: 'user', content: 'Tell me' }], maxOutputTokens: 6 }))
      parts.push(part);
    const finish = parts.at(-1);
    expect(finish?.type).toBe('finish');
    expect(parts.filter((p) => p.type === 'text-delta').length).toBeGreaterThan(0);
    const again = await model.generate({ messages: [{ role: 'user', content: 'Tell me' }], maxOutputTokens: 6 });
    const streamed = parts.map((p) => (p.type === 'text-delta' ? p.text : '')).join('');
    expect(streamed).toBe(again.text);
  });

  it('constrains output to a JSON schema', async () => {
    const model = models.languageModel(registry[0]!);
    const result = await model.generate({
      messages: [{ role: 'user', content: 'Rate the mood' }],
      maxOutputTokens: 40,
      jsonSchema: {
        name: 'mood',
        schema: {
          type: 'object',
          properties: { mood: { enum: ['calm', 'tense'] }, ok: { type: 'boolean' } },
          required: ['mood', 'ok'],
        },
      },
    });
    expect(result.json).toMatchObject({ mood: expect.stringMatching(/^(calm|tense)$/), ok: expect.any(Boolean) });
    expect(JSON.parse(result.text)).toEqual(result.json);
  });

  it('cancels through an AbortSignal and the model stays usable', async () => {
    const model = models.languageModel(registry[0]!);
    const controller = new AbortController();
    let chunks = 0;
    const stream = model.stream(
      { messages: [{ role: 'user', content: 'Go on' }], maxOutputTokens: 500 },
      controller.signal,
    );
    // Stopped at its first text: random weights make text that node-llama-cpp may hold back for many tokens (a
    // possible stop string), so a later chunk can be tens of seconds away on a loaded machine.
    const consume = (async () => {
      for await (const part of stream) {
        if (part.type === 'text-delta' && ++chunks === 1) controller.abort();
      }
    })();
    await expect(consume).rejects.toMatchObject({ code: 'cancelled' });
    expect(chunks).toBeLessThan(50);
    const after = await model.generate({ messages: [{ role: 'user', content: 'Again' }], maxOutputTokens: 3 });
    expect(after.usage.outputTokens).toBe(3);
  });

  it('keeps two models resident and switches between them without reloading', async () => {
    const a = models.languageModel(registry[0]!);
    const b = models.languageModel(registry[1]!);
    await b.generate({ messages: [{ role: 'user', content: 'Hi' }], maxOutputTokens: 2 });
    const loadedA = runtime.resident().find((r) => r.id === 'tiny-a')!.loaded_at;
    clock.advance(1000);
    await a.generate({ messages: [{ role: 'user', content: 'Hi' }], maxOutputTokens: 2 });
    expect(runtime.resident().map((r) => r.id)).toEqual(['tiny-a', 'tiny-b']);
    expect(runtime.resident().find((r) => r.id === 'tiny-a')!.loaded_at).toBe(loadedA);
  });

  it('unloads a model after the idle TTL on the injected clock', async () => {
    expect(runtime.isResident('tiny-b')).toBe(true);
    clock.advance(14 * 60_000);
    expect(runtime.isResident('tiny-b')).toBe(true);
    clock.advance(60_000 + 1);
    await new Promise((resolve) => setImmediate(resolve));
    await expect.poll(() => runtime.resident().length).toBe(0);
  });
});

describe('memory budget and fallback', () => {
  const tempDir = useTempDir();

  it('evicts the least recently used model when a new one needs room', async () => {
    const probe = new LocalRuntime({ settings: localSettings(), createLlama: () => Promise.resolve(llama) });
    const one = (await probe.estimate(small())).bytes;
    // 60 % of this "machine" holds two fixtures but not three.
    const runtime = new LocalRuntime({
      settings: localSettings(),
      totalMemoryBytes: Math.floor((one * 2.5) / 0.6),
      createLlama: () => Promise.resolve(llama),
    });
    try {
      await runtime.load('a', small());
      await runtime.load('b', other());
      await runtime.use('a', small(), async () => undefined); // a is now the most recently used
      await runtime.load('c', tinyLlamaFixture({ seed: 4 }));
      expect(
        runtime
          .resident()
          .map((r) => r.id)
          .sort(),
      ).toEqual(['a', 'c']);
      expect(runtime.residentBytes()).toBeLessThanOrEqual(runtime.budgetBytes());
    } finally {
      await runtime.close();
    }
  });

  it('refuses a model larger than the whole budget with out_of_memory', async () => {
    const runtime = new LocalRuntime({
      settings: localSettings(),
      totalMemoryBytes: 1024 * 1024,
      createLlama: () => Promise.resolve(llama),
    });
    await expect(runtime.load('a', small())).rejects.toMatchObject({
      code: 'local_model_error',
      reason: 'out_of_memory',
    });
    await runtime.close();
  });

  it("names the model as the writer knows it in what it refuses, never by its id or the file's path", async () => {
    const names: Record<string, string> = { 'story-model-q4': 'My Story Model' };
    const tight = new LocalRuntime({
      settings: localSettings(),
      totalMemoryBytes: 1024 * 1024,
      createLlama: () => Promise.resolve(llama),
      nameOf: (id) => names[id] ?? id,
    });
    const tooBig = (await tight.load('story-model-q4', small()).catch((e: unknown) => e)) as Error;
    expect(tooBig.message).toMatch(/^My Story Model needs about \d+ MB/);
    await tight.close();
    const runtime = new LocalRuntime({
      settings: localSettings(),
      createLlama: () => Promise.resolve(llama),
      nameOf: (id) => names[id] ?? id,
    });
    const missing = join(tempDir(), 'gone', 'story-model-q4.gguf');
    const gone = (await runtime.load('story-model-q4', missing).catch((e: unknown) => e)) as Error;
    expect(gone.message).toMatch(/^My Story Model/);
    expect(gone.message).not.toMatch(/story-model-q4|ENOENT|\/gone\//);
    await runtime.close();
  });

  it("says in a writer's words that llama.cpp could not open a model, and keeps llama.cpp's own words for the log", async () => {
    const raw = "llama_model_load: error loading model: missing tensor 'blk.0.attn_q.weight'";
    const failing = (message: string) =>
      Object.create(llama, { loadModel: { value: () => Promise.reject(new Error(message)) } }) as typeof llama;
    const logged: string[] = [];
    const logger = { ...silentLogger, warn: (line: string) => void logged.push(line) };
    for (const [message, reason, words] of [
      [
        raw,
        'load_failed',
        /^My Story Model could not be opened by Quire's local engine: its file may be damaged or made for another program\. Pick another model, or remove this one and download it again in Models\.$/,
      ],
      [
        'ggml_backend_alloc failed: out of memory',
        'out_of_memory',
        /^My Story Model could not be loaded: there is not enough free memory for it right now\. Close other apps or pick a smaller model\.$/,
      ],
    ] as const) {
      const runtime = new LocalRuntime({
        settings: localSettings(),
        createLlama: () => Promise.resolve(failing(message)),
        nameOf: () => 'My Story Model',
        logger,
      });
      const error = (await runtime.load('story-model-q4', small()).catch((e: unknown) => e)) as LocalModelError;
      expect(error).toMatchObject({ reason });
      expect(error.message).toMatch(words);
      await runtime.close();
    }
    expect(logged.join('\n')).toContain(raw);
  });

  it("says in a writer's words that the local engine could not start, with the step, and logs the system's words", async () => {
    const raw = 'Failed to load a binding: dlopen(libggml-metal.dylib): image not found';
    const logged: string[] = [];
    const runtime = new LocalRuntime({
      settings: localSettings(),
      createLlama: () => Promise.reject(new Error(raw)),
      nameOf: () => 'Tiny Llama',
      logger: { ...silentLogger, warn: (line: string) => void logged.push(line) },
    });
    const error = await tinyThenTinier(runtime);
    expect(error).toBeInstanceOf(LocalModelError);
    // The engine is the same for every model: no smaller one is tried, and nothing is joined.
    expect(error.toInfo()).toEqual({
      code: 'local_model_error',
      message:
        "Quire's local engine could not start on this Mac. Quit and reopen Quire; if it keeps happening, use a cloud model for now.",
      retryable: false,
      advised: true,
    });
    expect(logged.join('\n')).toContain(raw);
    await runtime.close();
  });

  it('a model over the memory budget says how much it needs, what Quire may use, and where to raise it', async () => {
    const runtime = new LocalRuntime({
      settings: localSettings({ memory_budget_mb: 1 }),
      createLlama: () => Promise.resolve(llama),
      nameOf: () => 'Tiny Llama',
    });
    const registry = [{ ...spec('tiny', 'tiny-a'), display_name: 'Tiny Llama' }];
    const models = new LocalModels({
      runtime,
      library: { installedFile: (id) => (id === 'tiny-a' ? { path: small(), bytes: 1 } : undefined) },
      registry: () => registry,
    });
    const error = (await models
      .languageModel(registry[0]!)
      .generate({ messages: [{ role: 'user', content: 'hi' }], maxOutputTokens: 1 })
      .catch((e: unknown) => e)) as LocalModelError;
    // Through the adapter's fallback it is still out of memory (retryable), and its words are the runtime's own.
    expect(error).toMatchObject({ reason: 'out_of_memory', retryable: true, advised: true });
    expect(error.message).toMatch(
      /^Tiny Llama needs about \d+ MB, more than the 1 MB Quire may use for local models\. Raise “Memory for local models” in Settings → Local models, or pick a smaller model\.$/,
    );
    await runtime.close();
  });

  it('when the smaller models fail too, says what happened to each and the step once, keeping the first reason', async () => {
    const runtime = new LocalRuntime({
      settings: localSettings({ memory_budget_mb: 1 }),
      createLlama: () => Promise.resolve(llama),
      nameOf: (id) => (id === 'tiny-a' ? 'Tiny Llama' : 'Tinier Llama'),
    });
    const error = await tinyThenTinier(runtime);
    expect(error).toMatchObject({ reason: 'out_of_memory', advised: true });
    expect(error.message).toMatch(
      /^Tiny Llama needs about \d+ MB, more than the 1 MB Quire may use for local models\. Quire also tried the smaller Tinier Llama: Tinier Llama needs about \d+ MB, more than the 1 MB Quire may use for local models\. Raise “Memory for local models” in Settings → Local models, or pick a smaller model\.$/,
    );
    expect(error.message).not.toMatch(/;|No installed local model/);
    await runtime.close();
  });

  it('refuses corrupt, truncated and key-less GGUFs with a clear error before llama.cpp sees them', async () => {
    const dir = tempDir();
    const runtime = new LocalRuntime({ settings: localSettings(), createLlama: () => Promise.resolve(llama) });
    const truncated = join(dir, 'truncated.gguf');
    const bytes = readFileSync(small());
    writeFileSync(truncated, bytes.subarray(0, Math.floor(bytes.length * 0.7)));
    const garbage = join(dir, 'garbage.gguf');
    writeFileSync(garbage, Buffer.from('not a gguf at all, just words'));
    const noFf = tinyLlamaFixture({ seed: 1, omitKeys: ['llama.feed_forward_length'] });
    const noHeads = tinyLlamaFixture({ seed: 1, omitKeys: ['llama.attention.head_count'] });
    for (const [file, pattern] of [
      [truncated, /the file is incomplete/],
      [garbage, /it is not a GGUF model file/],
      [noFf, /llama\.feed_forward_length/],
      [noHeads, /llama\.attention\.head_count/],
    ] as const) {
      const error = await runtime.load(file, file).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(LocalModelError);
      expect((error as LocalModelError).reason).toBe('invalid_file');
      expect((error as Error).message).toMatch(pattern);
    }
    expect(runtime.resident()).toEqual([]);
    // The process is alive and the runtime still works.
    await runtime.load('ok', small());
    await runtime.close();
  });

  it('falls back to a smaller model when the chosen one would not fit in memory', async () => {
    // A model's context shrinks to fit the budget before it is refused, so "would not fit" means: not even with the
    // smallest context Quire opens (probed with a 1 MB budget, which returns the need at that context).
    const probe = new LocalRuntime({
      settings: localSettings({ memory_budget_mb: 1 }),
      createLlama: () => Promise.resolve(llama),
    });
    const tinyFile = tinyLlamaFixture({ seed: 1, contextLength: 512 });
    const bigNeed = (await probe.estimate(bigger())).bytes;
    const smallNeed = (await probe.estimate(tinyFile)).bytes;
    expect(bigNeed).toBeGreaterThan(smallNeed);
    const runtime = new LocalRuntime({
      settings: localSettings(),
      totalMemoryBytes: Math.floor((smallNeed + bigNeed) / 2 / 0.6),
      createLlama: () => Promise.resolve(llama),
    });
    const registry = [spec('big', 'big'), spec('tiny', 'tiny')];
    const models = new LocalModels({
      runtime,
      library: {
        installedFile: (id) =>
          id === 'big' ? { path: bigger(), bytes: 2000 } : id === 'tiny' ? { path: tinyFile, bytes: 1000 } : undefined,
      },
      registry: () => registry,
    });
    const result = await models
      .languageModel(registry[0]!)
      .generate({ messages: [{ role: 'user', content: 'Hi' }], maxOutputTokens: 2 });
    expect(result.warnings[0]).toMatch(
      /^local_fallback:big->tiny: big needs about \d+ MB, more than the \d+ MB Quire may use for local models\. Quire answered with the smaller tiny instead\.$/,
    );
    await runtime.close();
  });

  it('falls back to a smaller installed model when the chosen one cannot load, and says so', async () => {
    const dir = tempDir();
    const broken = join(dir, 'big.gguf');
    copyFileSync(bigger(), broken);
    writeFileSync(broken, readFileSync(broken).subarray(0, 4096)); // truncated after install
    const runtime = new LocalRuntime({ settings: localSettings(), createLlama: () => Promise.resolve(llama) });
    const registry = [spec('big', 'big'), spec('tiny', 'tiny')];
    const models = new LocalModels({
      runtime,
      library: {
        installedFile: (id) =>
          id === 'big'
            ? { path: broken, bytes: 10_000_000 }
            : id === 'tiny'
              ? { path: small(), bytes: 1000 }
              : undefined,
      },
      registry: () => registry,
    });
    const result = await models
      .languageModel(registry[0]!)
      .generate({ messages: [{ role: 'user', content: 'Hi' }], maxOutputTokens: 2 });
    expect(result.warnings[0]).toMatch(new RegExp(`^${LOCAL_FALLBACK_WARNING}big->tiny`));
    expect(runtime.resident().map((r) => r.id)).toEqual(['tiny']);
    await expect(
      models
        .languageModel(spec('absent', 'absent'))
        .generate({ messages: [{ role: 'user', content: 'x' }], maxOutputTokens: 1 }),
    ).rejects.toMatchObject({ reason: 'not_installed' });
    await runtime.close();
  });

  it('threads and memory changes apply to resident models at once, without a manual reload', async () => {
    let local: Settings['local'] = { ...DEFAULT_SETTINGS.local, threads: 1 };
    const runtime = new LocalRuntime({
      settings: () => local,
      cpuCount: 2,
      createLlama: () => Promise.resolve(llama),
    });
    await runtime.load('a', small());
    await runtime.load('b', other());
    expect(runtime.contextThreads('a')).toBe(1);
    local = { ...local, threads: 2 };
    await runtime.applySettings();
    expect(runtime.contextThreads('a')).toBe(2);
    expect(runtime.contextThreads('b')).toBe(2);
    // Still usable on its new context.
    const models = new LocalModels({
      runtime,
      library: { installedFile: (id) => (id === 'tiny' ? { path: small(), bytes: 1 } : undefined) },
      registry: () => [spec('tiny', 'tiny')],
    });
    await runtime.unload('a');
    const answer = await models
      .languageModel(spec('tiny', 'tiny'))
      .generate({ messages: [{ role: 'user', content: 'Hi' }], maxOutputTokens: 2 });
    expect(answer.usage.outputTokens).toBeGreaterThan(0);
    // A budget smaller than what is resident unloads idle models (here: all of them, none is busy).
    expect(runtime.resident().length).toBeGreaterThan(0);
    local = { ...local, memory_budget_mb: 0 };
    await runtime.applySettings();
    expect(runtime.resident()).toEqual([]);
    await runtime.close();
  });
});

describe('settings changed while a task runs', () => {
  /** A task on model "a" that has started and waits for `finish`; its answer is `answer()` read at its end. */
  async function heldTask<T>(runtime: LocalRuntime, answer: () => T) {
    let finish!: () => void;
    const gate = new Promise<void>((resolve) => (finish = resolve));
    let started!: () => void;
    const running = new Promise<void>((resolve) => (started = resolve));
    const task = runtime.use('a', small(), async () => {
      started();
      await gate;
      return answer();
    });
    await running;
    return { task, finish };
  }

  it('a smaller memory budget unloads the model the task ran on when the task ends, not 15 idle minutes later', async () => {
    let local: Settings['local'] = { ...DEFAULT_SETTINGS.local, threads: 1 };
    const runtime = new LocalRuntime({ settings: () => local, cpuCount: 2, createLlama: () => Promise.resolve(llama) });
    try {
      const { task, finish } = await heldTask(runtime, () => 'answer');
      local = { ...local, memory_budget_mb: 1 };
      await runtime.applySettings();
      // Never pulled from under the task.
      expect(runtime.resident().map((model) => model.id)).toEqual(['a']);
      finish();
      await expect(task).resolves.toBe('answer');
      expect(runtime.resident()).toEqual([]);
      expect(runtime.residentBytes()).toBeLessThanOrEqual(runtime.budgetBytes());
    } finally {
      await runtime.close();
    }
  });

  it('a new thread count is taken by the model the task ran on when the task ends', async () => {
    let local: Settings['local'] = { ...DEFAULT_SETTINGS.local, threads: 1 };
    const runtime = new LocalRuntime({ settings: () => local, cpuCount: 2, createLlama: () => Promise.resolve(llama) });
    try {
      const { task, finish } = await heldTask(runtime, () => runtime.contextThreads('a'));
      local = { ...local, threads: 2 };
      const applied = runtime.applySettings();
      finish();
      // The task ran to its end on the context it started with.
      await expect(task).resolves.toBe(1);
      await applied;
      expect(runtime.contextThreads('a')).toBe(2);
    } finally {
      await runtime.close();
    }
  });
});

describe('loads and unloads that overlap', () => {
  /** Settings whose memory budget holds one fixture model but not two. */
  async function oneModelBudget(): Promise<() => Settings['local']> {
    const probe = new LocalRuntime({ settings: localSettings(), createLlama: () => Promise.resolve(llama) });
    const one = (await probe.estimate(small())).bytes;
    await probe.close();
    return localSettings({ memory_budget_mb: Math.ceil((one * 1.5) / (1024 * 1024)) });
  }

  /** Real work on the model's context: fails on a disposed one. */
  async function firstToken(model: ResidentModel): Promise<number> {
    for await (const token of model.sequence.evaluate(model.model.tokenize('Once upon'))) return token;
    throw new Error('The model generated nothing');
  }

  it('keeps the memory budget when two models start loading at the same time', async () => {
    const runtime = new LocalRuntime({ settings: await oneModelBudget(), createLlama: () => Promise.resolve(llama) });
    try {
      const results = await Promise.allSettled([runtime.load('a', small()), runtime.load('b', other())]);
      expect(runtime.residentBytes()).toBeLessThanOrEqual(runtime.budgetBytes());
      expect(runtime.resident()).toHaveLength(1);
      // The second either evicted the first (idle by then) or was refused for memory: never both resident.
      for (const result of results)
        if (result.status === 'rejected') expect(result.reason).toMatchObject({ reason: 'out_of_memory' });
    } finally {
      await runtime.close();
    }
  });

  it("never evicts a model a task was handed, loaded for it a moment ago, to make room for another model's load", async () => {
    const runtime = new LocalRuntime({ settings: await oneModelBudget(), createLlama: () => Promise.resolve(llama) });
    try {
      // The task holds the model until the other load has been decided (the order of the two is then fixed: the
      // other load waits for this one, and is decided while the task still holds the model).
      let decided!: () => void;
      const otherDecided = new Promise<void>((resolve) => (decided = resolve));
      const task = runtime.use('a', small(), async (model) => {
        await otherDecided;
        return firstToken(model);
      });
      const load = await runtime.load('b', other()).then(
        () => 'loaded',
        (error: unknown) => error,
      );
      decided();
      expect(load).toMatchObject({ reason: 'out_of_memory' });
      expect(await task).toEqual(expect.any(Number));
      expect(runtime.resident().map((r) => r.id)).toEqual(['a']);
    } finally {
      await runtime.close();
    }
  });

  it('lets a task handed the model finish on it before an unload that lands at once disposes it', async () => {
    const runtime = new LocalRuntime({ settings: localSettings(), createLlama: () => Promise.resolve(llama) });
    try {
      await runtime.load('a', small());
      const using = runtime.use('a', small(), async (model) => ({
        disposedAtStart: model.context.disposed,
        token: await firstToken(model),
      }));
      // Issued before the task has taken its first step (a delete, or the writer's unload).
      const unloading = runtime.unload('a');
      const [result, unloaded] = await Promise.all([using, unloading]);
      expect(result).toEqual({ disposedAtStart: false, token: expect.any(Number) });
      expect(unloaded).toBe(true);
      expect(runtime.isResident('a')).toBe(false);
    } finally {
      await runtime.close();
    }
  });
});
