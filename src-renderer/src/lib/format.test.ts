import { describe, expect, it } from 'vitest';
import {
  formatBytes,
  formatDuration,
  formatMonth,
  formatTokensInOut,
  formatUsd,
  formatUsdLeft,
  humanize,
} from './format';

describe('format', () => {
  it('shows fractions of a cent with up to four decimals and dollars with two', () => {
    expect(formatUsd(0)).toBe('$0.00');
    expect(formatUsd(0.00042)).toBe('$0.0004');
    expect(formatUsd(2)).toBe('$2.00');
    expect(formatUsd(1234.5)).toBe('$1,234.50');
    expect(formatUsd(null)).toBe('—');
  });

  it('shows what is left of a budget rounded down (the Spend gauge, the decision card), never more than there is', () => {
    expect(formatUsdLeft(2 - 0.0047)).toBe('$1.99'); // formatUsd says "$2.00"
    expect(formatUsdLeft(3)).toBe('$3.00');
    expect(formatUsdLeft(null)).toBe('No limit');
  });

  it('shows sizes in decimal units and durations in words a writer reads', () => {
    expect(formatBytes(520_960)).toBe('521 KB');
    expect(formatBytes(null)).toBe('—');
    // A size just under a gigabyte is "1 GB", never "1000.0 MB".
    expect(formatBytes(999_960_000)).toBe('1 GB');
    // Decimal, as the Finder and the host's own messages count: 4.7e9 bytes is "4.7 GB" everywhere.
    expect(formatBytes(4.7e9)).toBe('4.7 GB');
    expect(formatDuration(16)).toBe('16 s');
    expect(formatDuration(245)).toBe('4 min 05 s');
    expect(formatDuration(null)).toBe('—');
  });

  it('names months and tasks', () => {
    expect(formatMonth('2026-11')).toBe('November 2026');
    expect(humanize('theme_analysis')).toBe('Theme analysis');
  });

  it('says tokens were not reported rather than showing two dashes', () => {
    expect(formatTokensInOut(1200, 80)).toBe('1,200 / 80');
    expect(formatTokensInOut(1200, null)).toBe('1,200 / —');
    expect(formatTokensInOut(null, undefined)).toBe('not reported');
  });
});
