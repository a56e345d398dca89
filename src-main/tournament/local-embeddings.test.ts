// Claims embedded with the resident local model (real node-llama-cpp on the generated GGUF, whose vocabulary is a
// token a character): a claim longer than the embedding context is still embedded, whole.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Llama } from 'node-llama-cpp';
import { tinyLlamaFixture } from '../../test/fixtures/tiny-llama';
import { fixtureLlama, fixtureRuntime } from '../../test/support/local-fixture';
import { residentEmbeddings } from './local-embeddings';
import { lexicalSimilarity } from './similarity';

let llama: Llama;
beforeAll(async () => {
  llama = await fixtureLlama();
});
afterAll(() => llama.dispose());

describe('claim embeddings on the resident local model', () => {
  it('embeds a claim past the 512-token context in pieces, so its end counts and the others are not dropped', async () => {
    const runtime = fixtureRuntime(llama);
    const path = tinyLlamaFixture();
    await runtime.load('tiny', path);
    // ~1,100 characters: about as many of this vocabulary's tokens, past 512 and under the old 1,500-character cut.
    const opening = 'Mara keeps the lighthouse key on a cord around her neck in every chapter. '.repeat(12);
    const longA = `${opening}In chapter twelve she gives it to the ferryman.`;
    const longB = `${opening}Yet the harbour master opens the lamp room door with it at dawn.`;
    const short = 'The ferry leaves at noon.';
    const similarity = await residentEmbeddings(runtime)([longA, longB, short]);
    expect(similarity).toBeDefined();
    // Each pair is read through the embeddings: never below the lexical score, and the long claims' different endings
    // keep them apart (cut to their first 512 tokens, they would be the same text).
    for (const [a, b] of [
      [longA, longB],
      [longA, short],
    ] as const) {
      expect(similarity!(a, b)).toBeGreaterThanOrEqual(lexicalSimilarity(a, b));
    }
    expect(similarity!(longA, longB)).toBeLessThan(1);
    expect(similarity!(longA, longA)).toBeCloseTo(1, 5);
    await runtime.close();
  });
});
