// A seeded fuzz test over mutated GGUF headers (issue 14): whatever the header says, the validator answers — a
// refusal in plain words or an acceptance — in well under a second, and never hangs, aborts or throws anything else.
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { mulberry32 } from '../orchestrator/random';
import { LocalModelError } from '../errors';
import { mutatedGgufBytes, type GgufMutation, type GgufValue } from '../../test/fixtures/gguf-writer';
import { tinyLlamaFixture } from '../../test/fixtures/tiny-llama';
import type { ByteSource } from './gguf-header';
import { validateGgufHeader } from './gguf-check';

const CASES = 1200;
const SEED = 20261202;

let source: Buffer;
let headerEnd: number;
beforeAll(() => {
  source = readFileSync(tinyLlamaFixture({ seed: 3 }));
  // The header of the fixture ends before the first tensor's data; the vocabulary makes it a few KB.
  headerEnd = source.indexOf(Buffer.from('blk.1.ffn_down.weight')) + 64;
});

function bufferSource(bytes: Buffer): ByteSource {
  return (offset, length) => Promise.resolve(bytes.subarray(offset, offset + length));
}

const KEYS = [
  'llama.block_count',
  'llama.attention.head_count',
  'llama.attention.head_count_kv',
  'llama.attention.layer_norm_rms_epsilon',
  'llama.embedding_length',
  'llama.context_length',
  'llama.feed_forward_length',
  'tokenizer.ggml.eos_token_id',
  'general.alignment',
  'general.architecture',
];

function interesting(random: () => number): GgufValue {
  const pick = <T>(items: T[]): T => items[Math.floor(random() * items.length)]!;
  const number = pick([0, 1, 3, 7, 512, 513, 1000, 2 ** 31, 0xffffffff, Math.floor(random() * 2 ** 32)]);
  switch (Math.floor(random() * 4)) {
    case 0:
      return { type: 'u32', value: number };
    case 1:
      return { type: 'i32', value: random() < 0.5 ? number | 0 : -(number % 2 ** 31) };
    case 2:
      return { type: 'f32', value: pick([NaN, -1, 0, Infinity, -Infinity, 1e-5, 1e30, random()]) };
    default:
      return { type: 'string', value: pick(['', 'llama', 'x'.repeat(300), '\u0000']) };
  }
}

function mutate(random: () => number): Buffer {
  const kind = Math.floor(random() * 4);
  if (kind === 0) {
    // Random bytes anywhere in the header (counts, lengths, types, values).
    const bytes = Buffer.from(source);
    const flips = 1 + Math.floor(random() * 4);
    for (let i = 0; i < flips; i++) bytes[8 + Math.floor(random() * (headerEnd - 8))] = Math.floor(random() * 256);
    return bytes;
  }
  const mutation: GgufMutation = {};
  if (kind === 1) mutation.set = { [KEYS[Math.floor(random() * KEYS.length)]!]: interesting(random) };
  if (kind === 2) {
    const big = [0n, 1n, 2n ** 32n, 2n ** 63n, BigInt(Math.floor(random() * 1e6))];
    if (random() < 0.5) mutation.tensorCount = big[Math.floor(random() * big.length)]!;
    else mutation.kvCount = big[Math.floor(random() * big.length)]!;
  }
  if (kind === 3)
    mutation.tensors = (tensors) => {
      const t = tensors[Math.floor(random() * tensors.length)]!;
      const field = Math.floor(random() * 3);
      if (field === 0) t.type = Math.floor(random() * 64);
      else if (field === 1) t.dims[0] = BigInt(Math.floor(random() * 2 ** 32));
      else t.offset = BigInt(Math.floor(random() * 2 ** 40));
    };
  return mutatedGgufBytes(source, mutation);
}

describe('fuzzing GGUF headers', () => {
  it(`answers ${CASES} seeded mutated headers, each in under a second, with only clear refusals`, async () => {
    const random = mulberry32(SEED);
    const times: number[] = [];
    let refused = 0;
    for (let i = 0; i < CASES; i++) {
      const bytes = mutate(random);
      const started = performance.now();
      const outcome = await validateGgufHeader(bufferSource(bytes), 'fuzzed.gguf', bytes.length).then(
        () => 'accepted' as const,
        (error: unknown) => error,
      );
      times.push(performance.now() - started);
      if (outcome === 'accepted') continue;
      refused++;
      if (!(outcome instanceof LocalModelError)) throw new Error(`case ${i}: ${String(outcome)}`);
      expect(outcome.message).toMatch(
        /^fuzzed\.gguf isn't a model Quire can run: .+\. (Get it again from where you found it|Choose .+)\.$/s,
      );
    }
    times.sort((a, b) => a - b);
    const max = times.at(-1)!;
    // The figures for the issue's closing note.
    console.log(
      `GGUF fuzz: ${CASES} cases (seed ${SEED}), ${refused} refused, ${CASES - refused} accepted; ` +
        `median ${times[CASES >> 1]!.toFixed(2)} ms, p99 ${times[Math.floor(CASES * 0.99)]!.toFixed(2)} ms, max ${max.toFixed(2)} ms`,
    );
    expect(max).toBeLessThan(1000);
    expect(refused).toBeGreaterThan(CASES / 2);
  }, 120_000);
});
