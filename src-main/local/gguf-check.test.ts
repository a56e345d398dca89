// Crafted GGUF headers (issue 14): each reproduced a llama.cpp abort, a freeze or a hang while passing the old import
// check. Every one must be refused before node-llama-cpp sees the file, quickly, with a message naming the problem.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS } from '../../src-preload/contract';
import { DownloadError, LocalModelError } from '../errors';
import {
  rawArray,
  rawString,
  writeMutatedGguf,
  type GgufMutation,
  type GgufValue,
} from '../../test/fixtures/gguf-writer';
import { tinyLlamaFixture } from '../../test/fixtures/tiny-llama';
import { startFileServer } from '../../test/support/file-server';
import { useTempDir } from '../../test/support/temp-dir';
import { checkGgufFile, checkGgufHeaderFile } from './gguf-check';
import { FitService } from './fit';
import type { ModelLibrary } from './library';
import { LocalRuntime } from './runtime';

const tempDir = useTempDir();
let source: Buffer;
beforeAll(() => {
  source = readFileSync(tinyLlamaFixture({ seed: 3 }));
});

const u32 = (value: number): GgufValue => ({ type: 'u32', value });
const f32 = (value: number): GgufValue => ({ type: 'f32', value });
const T_STRING = 8;

/** A SentencePiece vocabulary whose byte tokens from 0x80 up are renamed: an "é" in the text has no token to fall to. */
function vocabularyWithoutHighBytes(): string[] {
  const tokens = ['<unk>', '<s>', '</s>', '<|im_start|>', '<|im_end|>'];
  for (let b = 0; b < 256; b++) tokens.push(`<${b < 128 ? 0 : 1}x${b.toString(16).toUpperCase().padStart(2, '0')}>`);
  tokens.push('▁');
  for (let c = 33; c < 127; c++) tokens.push(String.fromCharCode(c));
  return tokens;
}
const NO_HIGH_BYTES = { type: 'string[]', value: vocabularyWithoutHighBytes() } as const;

const CASES: [string, GgufMutation, RegExp][] = [
  [
    // Each within the per-array bound; together they would keep node-llama-cpp's own reading busy for many seconds.
    'three byte arrays of 3,000,000 entries',
    {
      set: Object.fromEntries(
        [0, 1, 2].map((i) => [
          `quire.pad${i}`,
          { type: 'raw', bytes: rawArray(0, 3_000_000n, Buffer.alloc(3_000_000)) },
        ]),
      ),
    },
    /arrays hold more than 8000000 entries in all \(at quire\.pad2\)/,
  ],
  [
    // llama.cpp throws std::out_of_range at the first "é" and the process aborts (a test load of English passes).
    'a SentencePiece vocabulary without the byte tokens 0x80 and up',
    { set: { 'tokenizer.ggml.tokens': NO_HIGH_BYTES } },
    /vocabulary is incomplete.*token for 128 of the 243 bytes/,
  ],
  [
    'a byte-level BPE vocabulary without its byte characters',
    { set: { 'tokenizer.ggml.model': { type: 'string', value: 'gpt2' }, 'tokenizer.ggml.tokens': NO_HIGH_BYTES } },
    /vocabulary is incomplete.*token for \d+ of the 243 bytes/,
  ],
  ['an rms epsilon of -1', { set: { 'llama.attention.layer_norm_rms_epsilon': f32(-1) } }, /layer_norm_rms_epsilon/],
  ['an rms epsilon of NaN', { set: { 'llama.attention.layer_norm_rms_epsilon': f32(NaN) } }, /NaN/],
  ['zero key/value heads', { set: { 'llama.attention.head_count_kv': u32(0) } }, /head_count_kv is 0/],
  ['heads not a multiple of key/value heads', { set: { 'llama.attention.head_count_kv': u32(3) } }, /not a multiple/],
  ['1000 blocks (above LLAMA_MAX_LAYERS)', { set: { 'llama.block_count': u32(1000) } }, /block_count is 1000.*512/],
  ['0xFFFFFFFF blocks', { set: { 'llama.block_count': u32(0xffffffff) } }, /block_count is 4294967295/],
  ['zero blocks', { set: { 'llama.block_count': u32(0) } }, /llama\.block_count is 0/],
  [
    'a context length written as text',
    { set: { 'llama.context_length': { type: 'string', value: 'lots' } } },
    /llama\.context_length is text, not a number/,
  ],
  ['three blocks declared, two present', { set: { 'llama.block_count': u32(3) } }, /tensors for 2 layers/],
  [
    'a vocabulary claiming 2^60 tokens',
    { set: { 'tokenizer.ggml.tokens': { type: 'raw', bytes: rawArray(T_STRING, 2n ** 60n) } } },
    /length is 1152921504606846976/,
  ],
  ['an array of arrays', { set: { 'general.tags': { type: 'raw', bytes: rawArray(9, 1n) } } }, /array of arrays/],
  [
    'a string claiming 4 GB',
    { set: { 'general.name': { type: 'raw', bytes: rawString(2n ** 32n) } } },
    /general\.name claims 4294967296 bytes/,
  ],
  [
    'a string longer than the file',
    { set: { 'general.name': { type: 'raw', bytes: rawString(1000n, Buffer.from('short')) } } },
    /ends inside its header|claims/,
  ],
  ['2^40 metadata keys', { kvCount: 2n ** 40n }, /metadata key count is 1099511627776/],
  ['2^40 tensors', { tensorCount: 2n ** 40n }, /tensor count is 1099511627776/],
  ['more tensors declared than present', { tensorCount: 1000n }, /ends inside its header|incomplete|claims/],
  [
    'an unknown value type',
    { set: { 'general.odd': { type: 'raw', bytes: Buffer.from([99, 0, 0, 0]) } } },
    /unknown value type 99/,
  ],
  ['an unknown tensor type', { tensors: (t) => void (t[0]!.type = 4) }, /unknown type 4/],
  ['a five-dimensional tensor', { tensors: (t) => void t[0]!.dims.push(1n, 1n, 1n) }, /5 dimensions/],
  ['a tensor dimension of zero', { tensors: (t) => void (t[1]!.dims[0] = 0n) }, /dimension of 0/],
  ['overlapping tensors', { tensors: (t) => void (t[1]!.offset = t[0]!.offset) }, /overlap/],
  ['a misaligned tensor', { tensors: (t) => void (t[1]!.offset += 4n) }, /not aligned/],
  [
    'an embedding wider than declared',
    { set: { 'llama.embedding_length': u32(128) } },
    /token_embd\.weight is 64 wide/,
  ],
  [
    'an end-of-sequence token outside the vocabulary',
    { set: { 'tokenizer.ggml.eos_token_id': u32(100_000) } },
    /eos_token_id is 100000/,
  ],
  [
    'a token-type list shorter than the vocabulary',
    { set: { 'tokenizer.ggml.token_type': { type: 'i32[]', value: [1, 2] } } },
    /token_type has 2 entries/,
  ],
  ['a truncated tensor section', { truncateDataAt: 1000 }, /incomplete/],
  ['GGUF version 1', { version: 1 }, /version 1/],
  ['a context length of 2^31', { set: { 'llama.context_length': u32(2 ** 31) } }, /context_length is 2147483648/],
  ['more experts used than exist', { set: { 'llama.expert_used_count': u32(2) } }, /expert_used_count/],
];

describe('crafted GGUF headers are refused before llama.cpp sees them', () => {
  it('accepts the unmodified fixture (the mutations below are the only difference)', async () => {
    const file = writeMutatedGguf(source, join(tempDir(), 'same.gguf'), {});
    const summary = await checkGgufFile(file, 'same.gguf');
    expect(summary.architecture).toBe('llama');
    expect(summary.expected_bytes).toBe(readFileSync(file).length);
  });

  it("the header-only check (downloads) reads the same summary as the full one, less node-llama-cpp's info", async () => {
    const file = writeMutatedGguf(source, join(tempDir(), 'same.gguf'), {});
    const { info, ...full } = await checkGgufFile(file, 'same.gguf');
    expect(info).toBeDefined();
    expect(await checkGgufHeaderFile(file, 'same.gguf')).toEqual(full);
  });

  // The download path checks with the header alone: it must refuse everything the full check refuses.
  for (const [check, suffix] of [
    [checkGgufFile, ''],
    [checkGgufHeaderFile, ' (header-only check, as downloads use)'],
  ] as const)
    for (const [name, mutation, pattern] of CASES)
      it(`refuses ${name} with a clear message in under a second${suffix}`, async () => {
        const file = writeMutatedGguf(source, join(tempDir(), 'crafted.gguf'), mutation);
        const started = performance.now();
        const error = await check(file, 'crafted.gguf').catch((e: unknown) => e);
        expect(performance.now() - started).toBeLessThan(1000);
        expect(error).toBeInstanceOf(LocalModelError);
        expect((error as LocalModelError).reason).toBe('invalid_file');
        expect((error as Error).message).toMatch(
          /^crafted\.gguf isn't a model Quire can run: .+\. (Get it again from where you found it|Get the model .+|Choose .+)\.$/,
        );
        expect((error as Error).message).toMatch(pattern);
      });

  it('models:fit gives up on a server that answers and then sends next to nothing, and says so', async () => {
    const server = await startFileServer();
    // 200 and a few bytes, then silence with the connection open.
    server.route('/org/slow.gguf', { file: tinyLlamaFixture({ seed: 3 }), faults: { stallAfter: 8, noRange: true } });
    const runtime = new LocalRuntime({ settings: () => DEFAULT_SETTINGS.local });
    try {
      const fit = new FitService({} as ModelLibrary, runtime, undefined, undefined, 500);
      const error = (await fit.check({ url: `${server.url}/org/slow.gguf` }).catch((e: unknown) => e)) as DownloadError;
      expect(error).toBeInstanceOf(DownloadError);
      expect(error.message).toMatch(/answered too slowly to read the model's details \(nothing whole within 1 s\)/);
    } finally {
      server.dropConnections();
      await server.close();
      await runtime.close();
    }
  }, 20_000);

  it('models:fit refuses a remote header with 0xFFFFFFFF blocks at once instead of freezing', async () => {
    const file = writeMutatedGguf(source, join(tempDir(), 'huge.gguf'), {
      set: { 'llama.block_count': u32(0xffffffff) },
    });
    const server = await startFileServer();
    server.route('/org/huge.gguf', { file });
    const runtime = new LocalRuntime({ settings: () => DEFAULT_SETTINGS.local });
    try {
      const fit = new FitService({} as ModelLibrary, runtime);
      const started = performance.now();
      const error = await fit.check({ url: `${server.url}/org/huge.gguf` }).catch((e: unknown) => e);
      // Loopback HTTP round trips on a busy machine: seconds at most, against the 2–3 minutes it froze for.
      expect(performance.now() - started).toBeLessThan(5000);
      expect(error).toBeInstanceOf(LocalModelError);
      expect((error as Error).message).toMatch(
        /huge\.gguf isn't a model Quire can run: .*llama\.block_count is 4294967295/,
      );
      // Only the header was read, never the weights.
      expect(server.requests.every((r) => r.range !== undefined)).toBe(true);
    } finally {
      await server.close();
      await runtime.close();
    }
  });
});
