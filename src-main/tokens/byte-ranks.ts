// The ranks of an OpenAI encoding's tokens by their bytes, in one open-addressing hash table over a flat byte array
// (and a direct table for one and two bytes): a lookup of a few bytes costs a hash and a compare, with nothing
// allocated. gpt-tokenizer's own lookup of bytes (getBpeRankFromBytes) validates them as UTF-8, decodes them to a
// string and looks that up, or binary-searches the tokens that are not UTF-8: several times slower, and most of the
// cost of merging a piece.
//
// The table answers exactly what getBpeRankFromBytes answers: a token stored as text is found by its UTF-8 bytes; a
// token stored as bytes only when those bytes are not valid UTF-8 (gpt-tokenizer looks valid UTF-8 up as text only,
// so the few tokens it stores as valid UTF-8 bytes are never found by merging). byte-ranks.test.ts checks every token.

/** The vocabulary as gpt-tokenizer ships it (gpt-tokenizer/bpeRanks/*): per rank, its text or its bytes. */
export type RankDecoder = readonly (string | readonly number[] | undefined)[];

const ABSENT = -1;

/** Under the `u` flag a surrogate pair is one code point: this matches only a surrogate that is not in a pair. */
export const LONE_SURROGATE = /[\ud800-\udfff]/u;

export class ByteRanks {
  private readonly bytes: Uint8Array;
  /** Per rank, where its bytes start in `bytes` and how many there are (-1: not findable by bytes). */
  private readonly starts: Int32Array;
  private readonly lengths: Int32Array;
  /**
   * Slots of rank + 1 (0: empty) at the hash of the token's bytes, each followed by that hash: a probe compares the
   * hash in the same cache line before it reads the token's bytes elsewhere.
   */
  private readonly slots: Int32Array;
  private readonly mask: number;
  /**
   * The answer of `exact` for every one- and two-byte sequence, indexed by the bytes (one byte b at 0x10000 + b):
   * merging starts from pairs of single bytes, and a table this small answers them without the hash table's cache
   * misses (the hash table of o200k's 200,000 tokens is megabytes).
   */
  private readonly short = new Int32Array(0x10100);

  constructor(decoder: RankDecoder) {
    const count = decoder.length;
    this.starts = new Int32Array(count);
    this.lengths = new Int32Array(count).fill(-1);
    let size = 1 << 10;
    while (size < count * 2) size <<= 1;
    this.slots = new Int32Array(size * 2);
    this.mask = size - 1;
    let bytes = new Uint8Array(count * 8);
    let used = 0;
    for (let rank = 0; rank < count; rank++) {
      const token = decoder[rank];
      if (token === undefined) continue;
      const most = typeof token === 'string' ? token.length * 3 : token.length;
      if (used + most > bytes.length) {
        const grown = new Uint8Array(Math.max(bytes.length * 2, used + most));
        grown.set(bytes.subarray(0, used));
        bytes = grown;
      }
      const start = used;
      if (typeof token === 'string') {
        used = writeUtf8(token, bytes, used);
        // A text token with a lone surrogate would be found by text, never by bytes (decoding gives none).
        if (used < 0) {
          used = start;
          continue;
        }
      } else {
        for (const b of token) bytes[used++] = b;
        if (isValidUtf8(bytes, start, used)) {
          used = start;
          continue;
        }
      }
      this.starts[rank] = start;
      this.lengths[rank] = used - start;
      this.insert(rank, bytes);
    }
    this.bytes = bytes.slice(0, used);
    const probe = new Uint8Array(2);
    for (let b = 0; b < 0x100; b++) {
      probe[0] = b;
      this.short[0x10000 + b] = this.hashed(probe, 0, 1);
      for (let c = 0; c < 0x100; c++) {
        probe[1] = c;
        this.short[(b << 8) | c] = this.hashed(probe, 0, 2);
      }
    }
  }

  /**
   * The rank gpt-tokenizer's getBpeRankFromBytes gives bytes[start, end), or -1. It decodes valid UTF-8 with a
   * TextDecoder, which drops a leading byte order mark: such bytes are looked up without it (and never found alone).
   */
  rank(bytes: Uint8Array, start: number, end: number): number {
    if (
      bytes[start] === 0xef &&
      bytes[start + 1] === 0xbb &&
      bytes[start + 2] === 0xbf &&
      end - start >= 3 &&
      isValidUtf8(bytes, start, end)
    ) {
      return end - start === 3 ? ABSENT : this.exact(bytes, start + 3, end);
    }
    return this.exact(bytes, start, end);
  }

  /** The rank of the token whose bytes are exactly bytes[start, end) (as gpt-tokenizer's lookup of a text), or -1. */
  exact(bytes: Uint8Array, start: number, end: number): number {
    const length = end - start;
    if (length === 2) return this.pair(bytes[start]!, bytes[start + 1]!);
    if (length === 1) return this.short[0x10000 + bytes[start]!]!;
    return this.hashed(bytes, start, end);
  }

  /** `exact` of the two bytes a, b. */
  pair(a: number, b: number): number {
    return this.short[(a << 8) | b]!;
  }

  /** `exact`, looked up in the hash table. */
  private hashed(bytes: Uint8Array, start: number, end: number): number {
    const length = end - start;
    const h = hash(bytes, start, end);
    let slot = h & this.mask;
    for (;;) {
      const entry = this.slots[2 * slot]!;
      if (entry === 0) return ABSENT;
      const rank = entry - 1;
      if (this.slots[2 * slot + 1] === h && this.lengths[rank] === length && this.equal(rank, bytes, start, length)) {
        return rank;
      }
      slot = (slot + 1) & this.mask;
    }
  }

  private insert(rank: number, bytes: Uint8Array): void {
    const start = this.starts[rank]!;
    const length = this.lengths[rank]!;
    const h = hash(bytes, start, start + length);
    let slot = h & this.mask;
    for (;;) {
      const entry = this.slots[2 * slot]!;
      // gpt-tokenizer's text map keeps the last rank of a repeated text: so does this table.
      if (
        entry === 0 ||
        (this.lengths[entry - 1] === length && sameBytes(bytes, this.starts[entry - 1]!, bytes, start, length))
      ) {
        if (entry !== 0) this.lengths[entry - 1] = -1;
        this.slots[2 * slot] = rank + 1;
        this.slots[2 * slot + 1] = h;
        return;
      }
      slot = (slot + 1) & this.mask;
    }
  }

  private equal(rank: number, bytes: Uint8Array, start: number, length: number): boolean {
    return sameBytes(this.bytes, this.starts[rank]!, bytes, start, length);
  }
}

/** Whether bytes[start, end) is well-formed UTF-8 (as gpt-tokenizer's isValidUTF8 checks it). */
function isValidUtf8(bytes: Uint8Array, start: number, end: number): boolean {
  let i = start;
  while (i < end) {
    const b = bytes[i]!;
    let more: number;
    let min: number;
    let c: number;
    if (b < 0x80) {
      i++;
      continue;
    } else if (b >= 0xc2 && b <= 0xdf) {
      more = 1;
      min = 0x80;
      c = b & 0x1f;
    } else if ((b & 0xf0) === 0xe0) {
      more = 2;
      min = 0x800;
      c = b & 0x0f;
    } else if (b >= 0xf0 && b <= 0xf4) {
      more = 3;
      min = 0x10000;
      c = b & 0x07;
    } else return false;
    if (i + more >= end) return false;
    for (let k = 1; k <= more; k++) {
      const t = bytes[i + k]!;
      if ((t & 0xc0) !== 0x80) return false;
      c = (c << 6) | (t & 0x3f);
    }
    if (c < min || (c >= 0xd800 && c <= 0xdfff) || c > 0x10ffff) return false;
    i += more + 1;
  }
  return true;
}

/** Writes the UTF-8 of `text` at `at`; returns where it ends, or -1 if `text` has a lone surrogate. */
function writeUtf8(text: string, bytes: Uint8Array, at: number): number {
  for (let k = 0; k < text.length; k++) {
    const c = text.charCodeAt(k);
    if (c < 0x80) bytes[at++] = c;
    else if (c < 0x800) {
      bytes[at++] = 0xc0 | (c >> 6);
      bytes[at++] = 0x80 | (c & 0x3f);
    } else if (c < 0xd800 || c > 0xdfff) {
      bytes[at++] = 0xe0 | (c >> 12);
      bytes[at++] = 0x80 | ((c >> 6) & 0x3f);
      bytes[at++] = 0x80 | (c & 0x3f);
    } else {
      const low = text.charCodeAt(k + 1);
      if (c > 0xdbff || !(low >= 0xdc00 && low <= 0xdfff)) return -1;
      const p = ((c - 0xd800) << 10) + (low - 0xdc00) + 0x10000;
      bytes[at++] = 0xf0 | (p >> 18);
      bytes[at++] = 0x80 | ((p >> 12) & 0x3f);
      bytes[at++] = 0x80 | ((p >> 6) & 0x3f);
      bytes[at++] = 0x80 | (p & 0x3f);
      k++;
    }
  }
  return at;
}

function sameBytes(a: Uint8Array, aStart: number, b: Uint8Array, bStart: number, length: number): boolean {
  for (let i = 0; i < length; i++) if (a[aStart + i] !== b[bStart + i]) return false;
  return true;
}

/** FNV-1a over bytes[start, end), its high bits mixed into the low ones that pick a slot. */
function hash(bytes: Uint8Array, start: number, end: number): number {
  let h = 0x811c9dc5;
  for (let i = start; i < end; i++) h = Math.imul(h ^ bytes[i]!, 0x01000193);
  h ^= h >>> 15;
  h = Math.imul(h, 0x2c1b3c6d);
  return h ^ (h >>> 12);
}
