// The one bound on the count memos (token-counter.ts, local/vocab-chunks.ts): a book has tens of thousands of distinct
// words, so this bounds memory, not a working size.
const MEMO_LIMIT = 200_000;

/** Remembers `value` for `key`, first forgetting everything once `memo` holds MEMO_LIMIT entries; returns `value`. */
export function boundedSet<K, V>(memo: Map<K, V>, key: K, value: V): V {
  if (memo.size >= MEMO_LIMIT) memo.clear();
  memo.set(key, value);
  return value;
}
