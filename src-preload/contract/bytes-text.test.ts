import { describe, expect, it } from 'vitest';
import { bytesText, sizeOverText } from './bytes-text';

describe('bytesText', () => {
  it('shows up to three significant digits in decimal units, as the Finder does', () => {
    expect(bytesText(0)).toBe('0 bytes');
    expect(bytesText(1)).toBe('1 byte');
    expect(bytesText(999)).toBe('999 bytes');
    expect(bytesText(1000)).toBe('1 KB');
    expect(bytesText(50_000_000)).toBe('50 MB');
    expect(bytesText(520_960)).toBe('521 KB');
    expect(bytesText(12_340_000)).toBe('12.3 MB');
    expect(bytesText(986_000_000)).toBe('986 MB');
    expect(bytesText(4.7e9)).toBe('4.7 GB');
    expect(bytesText(2.5e12)).toBe('2.5 TB');
  });

  it('never shows a thousand of a unit: a size that rounds up is read in the next one', () => {
    expect(bytesText(99_960)).toBe('100 KB');
    expect(bytesText(999_600)).toBe('1 MB');
    expect(bytesText(999_960_000)).toBe('1 GB');
    expect(bytesText(1_049_000_000)).toBe('1 GB');
    expect(bytesText(4e15)).toBe('4000 TB');
  });

  it('says "just over" a limit that the size would read the same as', () => {
    expect(sizeOverText(5 * 1024 * 1024 + 100, 5 * 1024 * 1024)).toBe('just over 5.2 MB');
    expect(sizeOverText(6e6, 5 * 1024 * 1024)).toBe('6 MB');
    expect(sizeOverText(5e6, 5e6)).toBe('5 MB');
  });
});
