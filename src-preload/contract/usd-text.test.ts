import { describe, expect, it } from 'vitest';
import { usdLeftText, usdText } from './usd-text';

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

describe('usdLeftText', () => {
  it('never shows more of a budget left than there is: rounded down to the digits shown', () => {
    // $2.00 budget, $0.0047 spent: $1.9953 is left, not "$2.00".
    expect(usdLeftText(1.9953)).toBe('$1.99');
    expect(usdLeftText(2)).toBe('$2.00');
    expect(usdLeftText(0.5)).toBe('$0.50');
    expect(usdLeftText(0.30000000000000004)).toBe('$0.30');
    expect(usdLeftText(0.99996)).toBe('$0.9999');
    expect(usdLeftText(0.00004239)).toBe('$0.000042');
    expect(usdLeftText(1234.567)).toBe('$1,234.56');
    expect(usdLeftText(0)).toBe('$0.00');
    expect(usdLeftText(-0.01)).toBe('$0.00');
  });
});
