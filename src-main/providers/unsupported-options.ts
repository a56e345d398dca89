// A request option a model cannot honour is left out and said in the result's warnings, never a crash (spec.ts).
import { joinAnd } from '../../src-preload/contract/list-text';

/** The options `asked` (name → value, undefined when not asked) that `by` does not take, as one warning; none: none. */
export function notSupported(asked: Readonly<Record<string, unknown>>, by: string): string[] {
  const names = Object.keys(asked).filter((name) => asked[name] !== undefined);
  if (names.length === 0) return [];
  return [`${joinAnd(names)} ${names.length > 1 ? 'are' : 'is'} not supported by ${by}; ignored`];
}
