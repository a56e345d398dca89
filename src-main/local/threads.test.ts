import { join } from 'node:path';
import type { Llama } from 'node-llama-cpp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS, type Settings } from '../../src-preload/contract';
import { tinyLlamaFixture } from '../../test/fixtures/tiny-llama';
import { fixtureLlama } from '../../test/support/local-fixture';
import { useTempDir } from '../../test/support/temp-dir';
import { LocalRuntime } from './runtime';
import { measureThreads, pickThreads, threadCandidates, ThreadChoices, type ThreadTiming } from './threads';

const rates = (...pairs: [number, number][]): ThreadTiming[] =>
  pairs.map(([threads, tokensPerSecond]) => ({ threads, tokensPerSecond }));

describe('the default thread count is measured', () => {
  it('keeps the fewest threads within a tenth of the fastest rate', () => {
    // This machine under load: 2 threads ran 8.5x slower than 1.
    expect(pickThreads(rates([1, 42], [2, 4.9]))).toBe(1);
    expect(pickThreads(rates([1, 10], [2, 19]))).toBe(2);
    expect(pickThreads(rates([1, 10], [2, 10.5], [4, 10.8]))).toBe(1);
    expect(pickThreads(rates([1, 10], [2, 18], [4, 19], [8, 12]))).toBe(2);
    expect(pickThreads(rates([1, 0], [2, Number.NaN], [4, 3]))).toBe(4);
    expect(() => pickThreads(rates([1, 0], [2, 0]))).toThrow(/No thread count/);
  });

  it('tries 1 thread, doubling counts and every core, at most 8', () => {
    expect(threadCandidates(1)).toEqual([1]);
    expect(threadCandidates(2)).toEqual([1, 2]);
    expect(threadCandidates(6)).toEqual([1, 2, 4, 6]);
    expect(threadCandidates(16)).toEqual([1, 2, 4, 8]);
  });
});

describe('LocalRuntime measures the default once per model and machine', () => {
  const tempDir = useTempDir();
  let llama: Llama;
  beforeAll(async () => {
    llama = await fixtureLlama(2);
  });
  afterAll(async () => {
    await llama.dispose();
  });

  it('uses the measured count, caches it, and a set thread count still wins', async () => {
    const dir = tempDir();
    const file = tinyLlamaFixture({ seed: 1 });
    const choices = new ThreadChoices(() => join(dir, 'threads.json'));
    let local: Settings['local'] = { ...DEFAULT_SETTINGS.local, threads: null };
    const measured: number[][] = [];
    const runtime = (timings: ThreadTiming[]) =>
      new LocalRuntime({
        settings: () => local,
        cpuCount: 2,
        createLlama: () => Promise.resolve(llama),
        threadChoices: choices,
        measureThreads: (_model, candidates) => {
          measured.push(candidates);
          return Promise.resolve(timings);
        },
      });

    const first = runtime(rates([1, 5], [2, 20]));
    await first.use('tiny', file, () => Promise.resolve());
    expect(first.contextThreads('tiny')).toBe(2);
    expect(measured).toEqual([[1, 2]]);
    expect(choices.latest()).toMatchObject({ threads: 2, timings: rates([1, 5], [2, 20]) });
    await first.close();

    // Another start on the same machine: the cached choice, no second measurement.
    const second = runtime(rates([1, 20], [2, 5]));
    await second.use('tiny', file, () => Promise.resolve());
    expect(second.contextThreads('tiny')).toBe(2);
    expect(measured).toHaveLength(1);

    local = { ...local, threads: 1 };
    await second.applySettings();
    expect(second.contextThreads('tiny')).toBe(1);
    await second.close();
  });

  it('measures tokens per second of a real generation at each count', async () => {
    const runtime = new LocalRuntime({
      settings: () => ({ ...DEFAULT_SETTINGS.local, threads: 1 }),
      cpuCount: 2,
      createLlama: () => Promise.resolve(llama),
    });
    const timings = await runtime.use('tiny', tinyLlamaFixture({ seed: 1 }), (m) => measureThreads(m.model, [1, 2], 4));
    expect(timings.map((t) => t.threads)).toEqual([1, 2]);
    for (const t of timings) expect(t.tokensPerSecond).toBeGreaterThan(0);
    await runtime.close();
  });
});
