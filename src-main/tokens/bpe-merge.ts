// Byte-pair merging of one long pre-tokenizer piece in O(n log n): the same merges, in the same order, as
// gpt-tokenizer's bytePairMerge (and tiktoken's): the adjacent pair of parts with the lowest rank is merged first, the
// leftmost on a tie, until no adjacent pair is in the vocabulary. gpt-tokenizer rescans every pair after each merge,
// which is quadratic: a page of Chinese without punctuation is one piece of thousands of bytes and takes seconds.
// Here each part keeps the rank of merging it with the next part in a heap (stale entries skipped), and only the two
// pairs a merge changes are ranked again.

/** The rank of a byte sequence in the encoding's vocabulary, undefined when it is not a token. */
export type RankOf = (bytes: Uint8Array) => number | undefined;

/** How many tokens merging makes of `bytes`. */
export function bpeMergeCount(bytes: Uint8Array, rankOf: RankOf): number {
  const n = bytes.length;
  if (n <= 1) return n;
  // Parts as a linked list of start offsets: part s covers [s, next[s]); next of the last part is n.
  const next = new Int32Array(n);
  const prev = new Int32Array(n);
  const version = new Int32Array(n);
  const alive = new Uint8Array(n).fill(1);
  for (let s = 0; s < n; s++) {
    next[s] = s + 1;
    prev[s] = s - 1;
  }
  // Each merge pushes at most two entries: n - 1 to start with, 2 per merge after.
  const heap = new MergeHeap(3 * n);
  // A long piece repeats its short pairs (a run of a few characters): a sequence of up to 4 bytes is ranked once,
  // keyed by its bytes and length as one number (-1: not a token).
  const short = new Map<number, number>();
  /** Ranks merging part s with the part after it. */
  const rank = (s: number) => {
    const mid = next[s]!;
    if (mid >= n) return;
    const end = next[mid]!;
    let r: number | undefined;
    if (end - s <= 4) {
      let key = end - s;
      for (let i = s; i < end; i++) key = key * 256 + bytes[i]!;
      r = short.get(key);
      if (r === undefined) short.set(key, (r = rankOf(bytes.subarray(s, end)) ?? -1));
      if (r < 0) r = undefined;
    } else r = rankOf(bytes.subarray(s, end));
    if (r !== undefined) heap.push(r, s, version[s]!);
  };
  for (let s = 0; s < n - 1; s++) rank(s);
  let parts = n;
  while (heap.size > 0) {
    heap.pop();
    const s = heap.start;
    if (alive[s] === 0 || version[s] !== heap.version) continue;
    const absorbed = next[s]!;
    alive[absorbed] = 0;
    next[s] = next[absorbed]!;
    if (next[s]! < n) prev[next[s]!] = s;
    parts--;
    version[s]!++;
    rank(s);
    const before = prev[s]!;
    if (before >= 0) {
      version[before]!++;
      rank(before);
    }
  }
  return parts;
}

/** Whether (rank a, start a) is merged before (rank b, start b): the lower rank, then the leftmost. */
const earlier = (ra: number, sa: number, rb: number, sb: number) => ra < rb || (ra === rb && sa < sb);

/** A binary min-heap of (rank, start, version) in typed arrays, ordered by `earlier`. */
class MergeHeap {
  private readonly ranks: Int32Array;
  private readonly starts: Int32Array;
  private readonly versions: Int32Array;
  size = 0;
  /** The entry the last pop removed. */
  start = 0;
  version = 0;

  constructor(capacity: number) {
    this.ranks = new Int32Array(capacity);
    this.starts = new Int32Array(capacity);
    this.versions = new Int32Array(capacity);
  }

  push(rank: number, start: number, version: number): void {
    let i = this.size++;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!earlier(rank, start, this.ranks[parent]!, this.starts[parent]!)) break;
      this.move(parent, i);
      i = parent;
    }
    this.set(i, rank, start, version);
  }

  pop(): void {
    this.start = this.starts[0]!;
    this.version = this.versions[0]!;
    const last = --this.size;
    if (last === 0) return;
    const rank = this.ranks[last]!;
    const start = this.starts[last]!;
    const version = this.versions[last]!;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= last) break;
      const right = left + 1;
      const child =
        right < last && earlier(this.ranks[right]!, this.starts[right]!, this.ranks[left]!, this.starts[left]!)
          ? right
          : left;
      if (!earlier(this.ranks[child]!, this.starts[child]!, rank, start)) break;
      this.move(child, i);
      i = child;
    }
    this.set(i, rank, start, version);
  }

  private move(from: number, to: number): void {
    this.ranks[to] = this.ranks[from]!;
    this.starts[to] = this.starts[from]!;
    this.versions[to] = this.versions[from]!;
  }

  private set(at: number, rank: number, start: number, version: number): void {
    this.ranks[at] = rank;
    this.starts[at] = start;
    this.versions[at] = version;
  }
}
