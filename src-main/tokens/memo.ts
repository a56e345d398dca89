// The bounds on the count memos (token-counter.ts, local/word-counter.ts): a book has tens of thousands of distinct
// words, so this bounds memory, not a working size.
const MEMO_LIMIT = 200_000;

/**
 * Counts remembered by text, looked up by a range of a longer text without cutting the range out: a count over a
 * book does hundreds of thousands of lookups, and a Map needs a new string for each (and its hash computed anew).
 * Open addressing over typed arrays; forgets everything at `limit` entries (MEMO_LIMIT unless told: a table that
 * must keep all its entries, such as a vocabulary's tokens, gives Infinity).
 */
export class RangeMemo {
  constructor(private readonly limit = MEMO_LIMIT) {}

  private keys: string[] = [];
  private hashes = new Int32Array(1024);
  private values = new Int32Array(1024);
  /** Entry index + 1 (0: empty), at the hash of the entry's text. */
  private slots = new Int32Array(2048);

  /** The count remembered for text[start, end), or -1. */
  get(text: string, start: number, end: number): number {
    const h = rangeHash(text, start, end);
    const mask = this.slots.length - 1;
    const length = end - start;
    for (let slot = h & mask; ; slot = (slot + 1) & mask) {
      const entry = this.slots[slot]! - 1;
      if (entry < 0) return -1;
      if (this.hashes[entry] !== h) continue;
      const key = this.keys[entry]!;
      if (key.length !== length) continue;
      let same = true;
      for (let i = 0; i < length; i++)
        if (key.charCodeAt(i) !== text.charCodeAt(start + i)) {
          same = false;
          break;
        }
      if (same) return this.values[entry]!;
    }
  }

  /** Remembers `value` for text[start, end) (not yet remembered); returns `value`. */
  set(text: string, start: number, end: number, value: number): number {
    if (this.keys.length >= this.limit) this.clear();
    const entry = this.keys.length;
    if (entry === this.values.length) {
      const grown = (from: Int32Array) => {
        const to = new Int32Array(from.length * 2);
        to.set(from);
        return to;
      };
      this.values = grown(this.values);
      this.hashes = grown(this.hashes);
    }
    const h = rangeHash(text, start, end);
    this.keys.push(start === 0 && end === text.length ? text : text.slice(start, end));
    this.hashes[entry] = h;
    this.values[entry] = value;
    if ((entry + 1) * 2 > this.slots.length) this.rehash(this.slots.length * 2);
    else this.place(entry);
    return value;
  }

  private place(entry: number): void {
    const mask = this.slots.length - 1;
    let slot = this.hashes[entry]! & mask;
    while (this.slots[slot] !== 0) slot = (slot + 1) & mask;
    this.slots[slot] = entry + 1;
  }

  private rehash(size: number): void {
    this.slots = new Int32Array(size);
    for (let entry = 0; entry < this.keys.length; entry++) this.place(entry);
  }

  private clear(): void {
    this.keys = [];
    this.slots.fill(0);
  }
}

/** FNV-1a over the UTF-16 units of text[start, end), mixed so that its low bits pick a slot well. */
function rangeHash(text: string, start: number, end: number): number {
  let h = 0x811c9dc5;
  for (let i = start; i < end; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  h ^= h >>> 15;
  h = Math.imul(h, 0x2c1b3c6d);
  return h ^ (h >>> 12);
}
