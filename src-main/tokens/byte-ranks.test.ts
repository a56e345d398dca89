// The table of ranks by bytes must answer exactly what gpt-tokenizer's own lookup answers, token by token.
import o200kApi from 'gpt-tokenizer/encoding/o200k_base';
import cl100kApi from 'gpt-tokenizer/encoding/cl100k_base';
import o200kVocabulary from 'gpt-tokenizer/bpeRanks/o200k_base';
import cl100kVocabulary from 'gpt-tokenizer/bpeRanks/cl100k_base';
import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../orchestrator/random';
import { ByteRanks, type RankDecoder } from './byte-ranks';

/** gpt-tokenizer's lookup of a byte sequence (its byte-pair processor's, which its types call private). */
function gptTokenizerRank(api: unknown): (bytes: Uint8Array) => number | undefined {
  const core = (
    api as { bytePairEncodingCoreProcessor: { getBpeRankFromBytes(bytes: Uint8Array): number | undefined } }
  ).bytePairEncodingCoreProcessor;
  return (bytes) => core.getBpeRankFromBytes(bytes);
}

const encodings: [string, RankDecoder, unknown][] = [
  ['o200k', o200kVocabulary, o200kApi],
  ['cl100k', cl100kVocabulary, cl100kApi],
];

describe.each(encodings)('%s ranks by bytes', (_name, vocabulary, api) => {
  const table = new ByteRanks(vocabulary);
  const expected = gptTokenizerRank(api);
  const utf8 = new TextEncoder();
  const bytesOf = (token: string | readonly number[]) =>
    typeof token === 'string' ? utf8.encode(token) : Uint8Array.from(token);

  it('finds every token gpt-tokenizer finds by its bytes, with the same rank, and no other', () => {
    let unfindable = 0;
    vocabulary.forEach((token, rank) => {
      const bytes = bytesOf(token!);
      const found = table.rank(bytes, 0, bytes.length);
      expect(found, `rank ${rank}`).toBe(expected(bytes) ?? -1);
      if (found !== rank) unfindable++;
    });
    // The tokens gpt-tokenizer stores as valid UTF-8 bytes are never found by bytes, there or here.
    expect(unfindable).toBeLessThan(20);
  });

  it('answers every one- and two-byte sequence as gpt-tokenizer does (the table merging starts from)', () => {
    const wrong: string[] = [];
    for (let a = 0; a < 256; a++) {
      if (table.rank(Uint8Array.of(a), 0, 1) !== (expected(Uint8Array.of(a)) ?? -1)) wrong.push(`${a}`);
      for (let b = 0; b < 256; b++) {
        const want = expected(Uint8Array.of(a, b)) ?? -1;
        if (table.rank(Uint8Array.of(9, a, b), 1, 3) !== want || table.pair(a, b) !== want) wrong.push(`${a},${b}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('finds a token inside a longer buffer, and answers -1 for byte sequences that are not tokens', () => {
    const random = mulberry32(3);
    for (let t = 0; t < 20_000; t++) {
      const length = 1 + Math.floor(random() * 6);
      const bytes = Uint8Array.from({ length: length + 4 }, () =>
        random() < 0.7 ? 97 + Math.floor(random() * 26) : Math.floor(random() * 256),
      );
      // A byte order mark first, which gpt-tokenizer's decoding drops.
      if (random() < 0.3) bytes.set([0xef, 0xbb, 0xbf], 2);
      expect(table.rank(bytes, 2, 2 + length)).toBe(expected(bytes.subarray(2, 2 + length)) ?? -1);
    }
  });
});
