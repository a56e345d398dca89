// llama.cpp's merge loop, shared by its SPM and BPE tokenizers (src/llama-vocab.cpp, llm_tokenizer_spm_session and
// llm_tokenizer_bpe_session), over symbols named by number: a queue of neighbouring pairs that some table merges,
// best first — highest score (SPM) or lowest merge rank (BPE), the leftmost on a tie — each merge joining the right
// symbol into the left one and queueing the two pairs it makes. llama.cpp skips a queued pair whose symbols have
// changed since; here a queued (priority, left) is taken when the left symbol's pair now has that same priority: the
// queue holds an entry for every pair that exists, so the first one taken is the best pair that exists, as llama.cpp's.

/**
 * The merges of a vocabulary: what a pair of symbols makes, and how soon (lower first). Open addressing over typed
 * arrays: a Map keyed by left * symbols + right would hash a heap number for most pairs of a 128,000-token vocabulary.
 */
export class PairTable {
  private readonly lefts: Int32Array;
  private readonly rights: Int32Array;
  private readonly results: Int32Array;
  // Float32: an SPM score is an f32, a BPE rank below 2^24 is exact too; a quarter less memory for 280,000 merges.
  private readonly priorities: Float32Array;
  private readonly mask: number;
  private size = 0;

  constructor(capacity: number) {
    const slots = 2 ** Math.ceil(Math.log2(2 * capacity + 2));
    this.lefts = new Int32Array(slots).fill(-1);
    this.rights = new Int32Array(slots);
    this.results = new Int32Array(slots);
    this.priorities = new Float32Array(slots);
    this.mask = slots - 1;
  }

  /** Adds the merge of `left` then `right` unless the pair has one already (the first one stays, as in llama.cpp). */
  add(left: number, right: number, result: number, priority: number): void {
    if (Math.fround(priority) !== priority) throw new Error(`PairTable priority ${priority} is not a float32`);
    const slot = this.slot(left, right);
    if (this.lefts[slot] !== -1) return;
    if (++this.size * 2 > this.mask + 1) throw new Error('PairTable is full');
    this.lefts[slot] = left;
    this.rights[slot] = right;
    this.results[slot] = result;
    this.priorities[slot] = priority;
  }

  /** The slot of the pair: its merge where lefts[slot] is not -1. */
  slot(left: number, right: number): number {
    let slot = (Math.imul(left, 0x9e3779b1) ^ Math.imul(right, 0x85ebca77)) & this.mask;
    while (this.lefts[slot] !== -1 && (this.lefts[slot] !== left || this.rights[slot] !== right))
      slot = (slot + 1) & this.mask;
    return slot;
  }

  found(slot: number): boolean {
    return this.lefts[slot] !== -1;
  }

  result(slot: number): number {
    return this.results[slot]!;
  }

  priority(slot: number): number {
    return this.priorities[slot]!;
  }
}

let next = new Int32Array(256);
let prev = new Int32Array(256);
let pairPriority = new Float64Array(256);
let pairResult = new Int32Array(256);
let heapPriority = new Float64Array(768);
let heapLeft = new Int32Array(768);

function reserve(n: number): void {
  if (next.length >= n) return;
  const size = 2 ** Math.ceil(Math.log2(n));
  next = new Int32Array(size);
  prev = new Int32Array(size);
  pairPriority = new Float64Array(size);
  pairResult = new Int32Array(size);
  heapPriority = new Float64Array(3 * size);
  heapLeft = new Int32Array(3 * size);
}

/**
 * Merges `ids[0, n)` (symbol numbers; -1 for a symbol no pair holds) in place as llama.cpp does, then calls `each`
 * with every symbol left and where it started, in order; returns how many are left.
 */
export function mergeSymbols(
  ids: Int32Array,
  n: number,
  table: PairTable,
  each?: (id: number, at: number) => void,
): number {
  if (n <= 1) {
    if (n === 1) each?.(ids[0]!, 0);
    return n;
  }
  reserve(n);
  let size = 0;
  for (let s = 0; s < n; s++) {
    next[s] = s + 1;
    prev[s] = s - 1;
  }
  for (let s = 0; s < n - 1; s++) if (rank(ids, n, table, s)) size = push(size, pairPriority[s]!, s);
  pairPriority[n - 1] = NaN;
  let left = n;
  while (size > 0) {
    const p = heapPriority[0]!;
    const s = heapLeft[0]!;
    size = pop(size);
    if (pairPriority[s] !== p) continue; // NaN (no pair, or merged away) never equals
    const absorbed = next[s]!;
    ids[s] = pairResult[s]!;
    pairPriority[absorbed] = NaN;
    next[s] = next[absorbed]!;
    if (next[s]! < n) prev[next[s]!] = s;
    left--;
    if (rank(ids, n, table, s)) size = push(size, pairPriority[s]!, s);
    const before = prev[s]!;
    if (before >= 0 && rank(ids, n, table, before)) size = push(size, pairPriority[before]!, before);
  }
  if (each) for (let s = 0; s < n; s = next[s]!) each(ids[s]!, s);
  return left;
}

/** Finds the pair of symbol s and the next one: its priority and result, or NaN (no merge); whether there is one. */
function rank(ids: Int32Array, n: number, table: PairTable, s: number): boolean {
  const right = next[s]!;
  const l = ids[s]!;
  const r = right < n ? ids[right]! : -1;
  const slot = l < 0 || r < 0 ? -1 : table.slot(l, r);
  if (slot < 0 || !table.found(slot)) {
    pairPriority[s] = NaN;
    return false;
  }
  pairPriority[s] = table.priority(slot);
  pairResult[s] = table.result(slot);
  return true;
}

function less(p: number, s: number, q: number, t: number): boolean {
  return p < q || (p === q && s < t);
}

function push(size: number, p: number, s: number): number {
  let i = size;
  while (i > 0) {
    const parent = (i - 1) >> 1;
    if (!less(p, s, heapPriority[parent]!, heapLeft[parent]!)) break;
    heapPriority[i] = heapPriority[parent]!;
    heapLeft[i] = heapLeft[parent]!;
    i = parent;
  }
  heapPriority[i] = p;
  heapLeft[i] = s;
  return size + 1;
}

function pop(size: number): number {
  const last = size - 1;
  const p = heapPriority[last]!;
  const s = heapLeft[last]!;
  let i = 0;
  for (;;) {
    let child = 2 * i + 1;
    if (child >= last) break;
    if (
      child + 1 < last &&
      less(heapPriority[child + 1]!, heapLeft[child + 1]!, heapPriority[child]!, heapLeft[child]!)
    )
      child++;
    if (!less(heapPriority[child]!, heapLeft[child]!, p, s)) break;
    heapPriority[i] = heapPriority[child]!;
    heapLeft[i] = heapLeft[child]!;
    i = child;
  }
  heapPriority[i] = p;
  heapLeft[i] = s;
  return last;
}
