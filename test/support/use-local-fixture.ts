// Vitest hooks for a test file that runs real node-llama-cpp beside cloud models on the loopback fake LLM server.
import { afterAll, beforeAll } from 'vitest';
import type { Llama, LlamaModel } from 'node-llama-cpp';
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

/** Loads a GGUF's vocabulary alone (no weights, no context) for `use`, on one llama for the file, and disposes it. */
export type WithVocabulary = (path: string, use: (model: LlamaModel) => Promise<void> | void) => Promise<void>;

/** One llama for the file's vocabulary-only loads (a 2-core machine), disposed after it. */
export function useVocabOnly(): WithVocabulary {
  let llama: Llama | undefined;
  beforeAll(async () => {
    llama = await fixtureLlama();
  });
  afterAll(async () => {
    await llama?.dispose();
  });
  return async (path, use) => {
    const model = await llama!.loadModel({ modelPath: path, vocabOnly: true });
    try {
      await use(model);
    } finally {
      await model.dispose();
    }
  };
}
