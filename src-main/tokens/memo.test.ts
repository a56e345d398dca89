// The range memo must answer exactly what a Map keyed by the cut-out text would answer.
import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../orchestrator/random';
import { RangeMemo } from './memo';

describe('RangeMemo', () => {
  it('finds a text by any range that spells it, and nothing else, through growth and collisions', () => {
    const random = mulberry32(4);
    const memo = new RangeMemo();
    const reference = new Map<string, number>();
    const alphabet = ['a', 'b', ' ', 'é', '潮', '😀', '\ud800'];
    const text = Array.from({ length: 5000 }, () => alphabet[Math.floor(random() * alphabet.length)]!).join('');
    for (let t = 0; t < 20_000; t++) {
      const start = Math.floor(random() * (text.length - 8));
      const end = start + Math.floor(random() * 8);
      const key = text.slice(start, end);
      const found = memo.get(text, start, end);
      expect(found, JSON.stringify(key)).toBe(reference.get(key) ?? -1);
      if (found < 0) {
        expect(memo.set(text, start, end, t)).toBe(t);
        reference.set(key, t);
      }
      // The same text as a whole string of its own.
      expect(memo.get(key, 0, key.length)).toBe(reference.get(key));
    }
    expect(reference.size).toBeGreaterThan(5000);
  });

  it('forgets everything once it holds 200,000 texts, and goes on remembering', () => {
    const memo = new RangeMemo();
    for (let i = 0; i < 200_000; i++) memo.set(`w${i}`, 0, `w${i}`.length, i);
    expect(memo.get('w199999', 0, 7)).toBe(199_999);
    memo.set('last', 0, 4, 7);
    expect(memo.get('w199999', 0, 7)).toBe(-1);
    expect(memo.get('xlastx', 1, 5)).toBe(7);
  });
});
