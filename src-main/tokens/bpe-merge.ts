// Byte-pair merging of one pre-tokenizer piece: the same merges, in the same order, as gpt-tokenizer's bytePairMerge
// (and tiktoken's): the adjacent pair of parts with the lowest rank is merged first, the leftmost on a tie, until no
// adjacent pair is in the vocabulary. A short piece is merged as gpt-tokenizer does, rescanning its few pairs after
// each merge, in typed arrays kept between pieces. That rescanning is quadratic: a page of Chinese without punctuation
// is one piece of thousands of bytes and would take seconds. A long piece keeps the rank of merging each part with the
// next one in a heap (stale entries skipped), and only the two pairs a merge changes are ranked again.

/** The rank of bytes[start, end) in the encoding's vocabulary, -1 when they are not a token. */
export type RankOf = (bytes: Uint8Array, start: number, end: number) => number;

/** Pieces up to this many bytes are merged by rescanning (cheaper than a heap for so few pairs). */
const SHORT_PIECE = 48;
const NO_MERGE = 0x7fffffff;

/** How many tokens merging makes of bytes[0, n). */
export function bpeCount(bytes: Uint8Array, n: number, rankOf: RankOf): number {
  return n <= SHORT_PIECE ? shortMergeCount(bytes, n, rankOf) : bpeMergeCount(bytes.subarray(0, n), rankOf);
}

// Part starts (starts[m - 1] = n closes the last part) and the rank of merging part i with part i + 1.
const starts = new Int32Array(SHORT_PIECE + 1);
const ranks = new Int32Array(SHORT_PIECE + 1);

function shortMergeCount(bytes: Uint8Array, n: number, rankOf: RankOf): number {
  if (n <= 1) return n;
  let m = n + 1;
  for (let i = 0; i < m; i++) starts[i] = i;
  for (let i = 0; i < m; i++) ranks[i] = pairRank(bytes, i, m, rankOf);
  for (;;) {
    let lowest = NO_MERGE;
    let at = -1;
    for (let i = 0; i < m - 2; i++) {
      if (ranks[i]! < lowest) {
        lowest = ranks[i]!;
        at = i;
      }
    }
    if (at < 0) break;
    starts.copyWithin(at + 1, at + 2, m);
    ranks.copyWithin(at, at + 1, m);
    m--;
    ranks[at] = pairRank(bytes, at, m, rankOf);
    if (at > 0) ranks[at - 1] = pairRank(bytes, at - 1, m, rankOf);
  }
  return m - 1;
}

/** The rank of merging part i with part i + 1 of the m - 1 parts in `starts`. */
function pairRank(bytes: Uint8Array, i: number, m: number, rankOf: RankOf): number {
  if (i + 2 >= m) return NO_MERGE;
  const r = rankOf(bytes, starts[i]!, starts[i + 2]!);
  return r < 0 ? NO_MERGE : r;
}

/** A heap entry: the rank of a pair, then its start (the leftmost first on a tie), as one exact number. */
const KEY_RANK = 2 ** 32;

/** How many tokens merging makes of `bytes`, in O(n log n). */
export function bpeMergeCount(bytes: Uint8Array, rankOf: RankOf): number {
  const n = bytes.length;
  if (n <= 1) return n;
  // Parts as a linked list of start offsets: part s covers [s, next[s]); next of the last part is n. pairRank[s] is
  // the rank of merging part s with the next (-1: none, or s is no longer a part). A heap entry is stale when it no
  // longer matches pairRank: a merge changes the bytes a pair covers, and so its rank (a rank is one byte sequence).
  const next = new Int32Array(n);
  const prev = new Int32Array(n);
  const pairRank = new Int32Array(n);
  for (let s = 0; s < n; s++) {
    next[s] = s + 1;
    prev[s] = s - 1;
  }
  // Each merge pushes at most two entries: n - 1 to start with, 2 per merge after.
  const heap = new Float64Array(3 * n);
  let size = 0;
  const rank = (s: number) => {
    const mid = next[s]!;
    const r = mid >= n ? -1 : rankOf(bytes, s, next[mid]!);
    pairRank[s] = r;
    return r;
  };
  for (let s = 0; s < n - 1; s++) if (rank(s) >= 0) heap[size++] = pairRank[s]! * KEY_RANK + s;
  pairRank[n - 1] = -1;
  for (let i = (size >> 1) - 1; i >= 0; i--) size = siftDown(heap, size, i, heap[i]!);
  let parts = n;
  while (size > 0) {
    const top = heap[0]!;
    size = siftDown(heap, size - 1, 0, heap[size - 1]!);
    const r = Math.floor(top / KEY_RANK);
    const s = top - r * KEY_RANK;
    if (pairRank[s] !== r) continue;
    const absorbed = next[s]!;
    pairRank[absorbed] = -1;
    next[s] = next[absorbed]!;
    if (next[s]! < n) prev[next[s]!] = s;
    parts--;
    if (rank(s) >= 0) size = push(heap, size, pairRank[s]! * KEY_RANK + s);
    const before = prev[s]!;
    if (before >= 0 && rank(before) >= 0) size = push(heap, size, pairRank[before]! * KEY_RANK + before);
  }
  return parts;
}

/** Adds `key` to the min-heap heap[0, size); returns the new size. */
function push(heap: Float64Array, size: number, key: number): number {
  let i = size;
  while (i > 0) {
    const parent = (i - 1) >> 1;
    if (heap[parent]! <= key) break;
    heap[i] = heap[parent]!;
    i = parent;
  }
  heap[i] = key;
  return size + 1;
}

/** Puts `key` at i of the min-heap heap[0, size) and moves it down to its place; returns size. */
function siftDown(heap: Float64Array, size: number, i: number, key: number): number {
  for (;;) {
    let child = 2 * i + 1;
    if (child >= size) break;
    if (child + 1 < size && heap[child + 1]! < heap[child]!) child++;
    if (heap[child]! >= key) break;
    heap[i] = heap[child]!;
    i = child;
  }
  heap[i] = key;
  return size;
}
