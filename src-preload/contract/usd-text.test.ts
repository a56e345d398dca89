import { describe, expect, it } from 'vitest';
import { usdText } from './usd-text';

describe('usdText', () => {
  it('reads as a writer expects at every size, never a non-zero amount as $0.00', () => {
    expect(usdText(0)).toBe('$0.00');
    expect(usdText(0.000042)).toBe('$0.000042');
    expect(usdText(0.00000123)).toBe('$0.0000012');
    expect(usdText(0.0001)).toBe('$0.0001');
    expect(usdText(0.00042)).toBe('$0.0004');
    expect(usdText(0.0037)).toBe('$0.0037');
    expect(usdText(0.004)).toBe('$0.004');
    expect(usdText(0.5)).toBe('$0.50');
    expect(usdText(2)).toBe('$2.00');
    expect(usdText(1234.5)).toBe('$1,234.50');
  });
});
