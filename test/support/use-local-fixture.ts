// Vitest hooks for a test file that runs real node-llama-cpp beside cloud models on the loopback fake LLM server.
import { afterAll, beforeAll } from 'vitest';
import type { Llama } from 'node-llama-cpp';
import { startFakeLlmServer, type FakeLlmServer } from './fake-llm-server';
import { fixtureLlama } from './local-fixture';

export interface LocalFixture {
  llama(): Llama;
  fake(): FakeLlmServer;
}

/** One llama instance and one fake server for the file (a 2-core machine), closed after it. */
export function useLocalFixture(): LocalFixture {
  let llama: Llama | undefined;
  let fake: FakeLlmServer | undefined;
  beforeAll(async () => {
    llama = await fixtureLlama();
    fake = await startFakeLlmServer();
  });
  afterAll(async () => {
    await fake?.close();
    await llama?.dispose();
  });
  return { llama: () => llama!, fake: () => fake! };
}
