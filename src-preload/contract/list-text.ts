// A list in a sentence, the same in every message and screen: "A", "A and B", "A, B and C" (or "… or C").
export function joinAnd(items: readonly string[]): string {
  return joinWith(items, 'and');
}

export function joinOr(items: readonly string[]): string {
  return joinWith(items, 'or');
}

function joinWith(items: readonly string[], last: 'and' | 'or'): string {
  return items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} ${last} ${items.at(-1)!}`;
}
