// How a refused GGUF reads (audit): the plain reason first, in a writer's words, the technical detail short after it,
// and the next step; never "missing llama.context_length" for a key that is there but 0, nor a header reader's step.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { writeMutatedGguf, type GgufMutation } from '../../test/fixtures/gguf-writer';
import { tinyLlamaFixture } from '../../test/fixtures/tiny-llama';
import { useTempDir } from '../../test/support/temp-dir';
import { bytesText } from '../../src-preload/contract/bytes-text';
import { checkGgufFile, checkGgufHeaderFile } from './gguf-check';

const tempDir = useTempDir();
let source: Buffer;
beforeAll(() => {
  source = readFileSync(tinyLlamaFixture({ seed: 3 }));
});

const NEXT = 'Get it again from where you found it.';

async function refusal(mutation: GgufMutation): Promise<string> {
  const file = writeMutatedGguf(source, join(tempDir(), 'story.gguf'), mutation);
  return checkGgufHeaderFile(file, 'story.gguf').then(
    () => 'accepted',
    (error: Error) => error.message,
  );
}

describe('a refused model file says why in plain words', () => {
  it.each<[string, GgufMutation, string]>([
    [
      'a context length of 0',
      { set: { 'llama.context_length': { type: 'u32', value: 0 } } },
      `story.gguf isn't a model Quire can run: its header is incomplete (llama.context_length is 0). ${NEXT}`,
    ],
    [
      'no attention heads',
      { set: { 'llama.attention.head_count': { type: 'u32', value: 0 } } },
      `story.gguf isn't a model Quire can run: its header is incomplete (llama.attention.head_count is 0). ${NEXT}`,
    ],
    [
      'an unknown architecture',
      { set: { 'general.architecture': { type: 'string', value: 'frobnicator' } } },
      `story.gguf isn't a model Quire can run: the model type "frobnicator" is not one Quire can run. Choose another model.`,
    ],
    [
      'a newer GGUF version',
      { version: 4 },
      "story.gguf isn't a model Quire can run: it is in a newer GGUF format than this Quire reads (GGUF version 4; " +
        'Quire reads versions 2 and 3). Get the model as GGUF version 3, or look for a newer Quire.',
    ],
    [
      'the first GGUF version',
      { version: 1 },
      "story.gguf isn't a model Quire can run: it is in the first GGUF format, which llama.cpp no longer reads (GGUF " +
        'version 1). Get the model again as GGUF version 3.',
    ],
    [
      'a version no GGUF has',
      { version: 0x7fff_ffff },
      `story.gguf isn't a model Quire can run: the file is damaged (it says GGUF version 2147483647). ${NEXT}`,
    ],
    [
      'overlapping tensors',
      { tensors: (t) => void (t[1]!.offset = t[0]!.offset) },
      `story.gguf isn't a model Quire can run: the file is damaged (the tensors token_embd.weight and output_norm.weight overlap). ${NEXT}`,
    ],
  ])('%s', async (_name, mutation, message) => {
    expect(await refusal(mutation)).toBe(message);
  });

  it('a file that ends inside its header is called incomplete', async () => {
    const file = join(tempDir(), 'story.gguf');
    writeFileSync(file, source.subarray(0, 200));
    await expect(checkGgufHeaderFile(file, 'story.gguf')).rejects.toThrow(
      `story.gguf isn't a model Quire can run: the file is incomplete (it ends inside its header). ${NEXT}`,
    );
  });

  it('a file cut short in its weights says how much of it is there, in sizes a writer reads', async () => {
    const file = join(tempDir(), 'story.gguf');
    writeFileSync(file, source.subarray(0, 300_000));
    await expect(checkGgufFile(file, 'story.gguf')).rejects.toThrow(
      `story.gguf isn't a model Quire can run: the file is incomplete (it is ${bytesText(300_000)} of the ` +
        `${bytesText(source.length)} it should be). ${NEXT}`,
    );
  });
});
