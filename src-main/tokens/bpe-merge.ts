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
  const heap = new MergeHeap();
  /** Ranks merging part s with the part after it. */
  const rank = (s: number) => {
    const mid = next[s]!;
    if (mid >= n) return;
    const r = rankOf(bytes.subarray(s, next[mid]!));
    if (r !== undefined) heap.push(r, s, version[s]!);
  };
  for (let s = 0; s < n - 1; s++) rank(s);
  let parts = n;
  while (heap.size > 0) {
    const [, s, v] = heap.pop();
    if (alive[s] === 0 || version[s] !== v) continue;
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

/** A binary min-heap of (rank, start, version), ordered by rank, then start (the leftmost pair first). */
class MergeHeap {
  private ranks: number[] = [];
  private starts: number[] = [];
  private versions: number[] = [];

  get size(): number {
    return this.ranks.length;
  }

  push(rank: number, start: number, version: number): void {
    this.ranks.push(rank);
    this.starts.push(start);
    this.versions.push(version);
    let i = this.ranks.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.less(i, parent)) break;
      this.swap(i, parent);
      i = parent;
    }
  }

  pop(): [number, number, number] {
    const top: [number, number, number] = [this.ranks[0]!, this.starts[0]!, this.versions[0]!];
    const last = this.ranks.length - 1;
    this.swap(0, last);
    this.ranks.pop();
    this.starts.pop();
    this.versions.pop();
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      const right = left + 1;
      let least = i;
      if (left < last && this.less(left, least)) least = left;
      if (right < last && this.less(right, least)) least = right;
      if (least === i) break;
      this.swap(i, least);
      i = least;
    }
    return top;
  }

  private less(a: number, b: number): boolean {
    const ra = this.ranks[a]!;
    const rb = this.ranks[b]!;
    return ra < rb || (ra === rb && this.starts[a]! < this.starts[b]!);
  }

  private swap(a: number, b: number): void {
    [this.ranks[a], this.ranks[b]] = [this.ranks[b]!, this.ranks[a]!];
    [this.starts[a], this.starts[b]] = [this.starts[b]!, this.starts[a]!];
    [this.versions[a], this.versions[b]] = [this.versions[b]!, this.versions[a]!];
  }
}
