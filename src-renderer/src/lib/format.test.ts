import { describe, expect, it } from 'vitest';
import {
  tokensAsWords,
  contextText,
  formatBytes,
  formatDuration,
  formatMonth,
  formatTokensInOut,
  inMonth,
  formatUsd,
  formatUsdLeft,
  humanize,
  memoryUseText,
} from './format';

describe('format', () => {
  it('says how much a model reads at once in thousands of tokens, as the catalog lists it', () => {
    expect(contextText(131_072)).toBe('128K context');
    expect(contextText(32_768)).toBe('32K context');
    expect(contextText(2048)).toBe('2K context');
    // Not a whole number of thousands: never rounded up to more than the model holds.
    expect(contextText(1400)).toBe('1.3K context');
    expect(contextText(512)).toBe('512-token context');
  });

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

  it('says how much memory loaded models take, and "no model loaded" rather than "0 bytes"', () => {
    expect(memoryUseText(0, 15_200_000_000)).toBe('In memory: no model loaded (up to 15.2 GB allowed)');
    expect(memoryUseText(2_400_000_000, 15_200_000_000)).toBe('In memory: 2.4 GB of 15.2 GB allowed');
    expect(memoryUseText(0, null)).toBe('In memory: no model loaded');
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
    expect(inMonth('2026-11', false)).toBe('in November 2026');
    expect(inMonth('2026-12', true)).toBe('this month');
    expect(humanize('theme_analysis')).toBe('Theme analysis');
  });

  it('says tokens were not reported rather than showing two dashes', () => {
    expect(formatTokensInOut(1200, 80)).toBe('1,200 / 80');
    expect(formatTokensInOut(1200, null)).toBe('1,200 / —');
    expect(formatTokensInOut(null, undefined)).toBe('not reported');
  });
});

describe('tokensAsWords', () => {
  it('reads a token count as about three quarters as many words, rounded to two figures', () => {
    expect(tokensAsWords(128_000)).toBe('96,000');
    expect(tokensAsWords(12_345)).toBe('9,300');
    expect(tokensAsWords(1_000)).toBe('750');
    expect(tokensAsWords(40)).toBe('30');
    expect(tokensAsWords(1)).toBe('1');
  });
});
