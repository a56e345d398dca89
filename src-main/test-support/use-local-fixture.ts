// Vitest hooks for a test file that runs real node-llama-cpp beside cloud models on the loopback fake LLM server.
import { afterAll, beforeAll } from 'vitest';
import type { Llama } from 'node-llama-cpp';
import type { LocalRuntime } from '../local/runtime';
import { startFakeLlmServer, type FakeLlmServer } from './fake-llm-server';
import { fixtureLlama, fixtureRuntime } from './local-fixture';

export interface LocalFixture {
  llama(): Llama;
  fake(): FakeLlmServer;
  /** A LocalRuntime on the file's llama, closed after the file. */
  runtime(): LocalRuntime;
}

/** One llama instance and one fake server for the file (a 2-core machine), closed with every runtime after it. */
export function useLocalFixture(): LocalFixture {
  let llama: Llama | undefined;
  let fake: FakeLlmServer | undefined;
  const runtimes: LocalRuntime[] = [];
  beforeAll(async () => {
    llama = await fixtureLlama();
    fake = await startFakeLlmServer();
  });
  afterAll(async () => {
    for (const runtime of runtimes.splice(0)) await runtime.close();
    await fake?.close();
    await llama?.dispose();
  });
  return {
    llama: () => llama!,
    fake: () => fake!,
    runtime: () => {
      const runtime = fixtureRuntime(llama!);
      runtimes.push(runtime);
      return runtime;
    },
  };
}
