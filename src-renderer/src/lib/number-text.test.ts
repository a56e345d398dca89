import { describe, expect, it } from 'vitest';
import { readNumber } from './number-text';

describe('a number typed by a writer', () => {
  it('reads plain numbers, a dollar sign and thousands separators', () => {
    expect(readNumber('12.50', { decimal: true })).toEqual({ ok: true, value: 12.5 });
    expect(readNumber(' $5 ', { decimal: true })).toEqual({ ok: true, value: 5 });
    expect(readNumber('1,250.00', { decimal: true })).toEqual({ ok: true, value: 1250 });
    expect(readNumber('1,000,000', { decimal: true })).toEqual({ ok: true, value: 1_000_000 });
    expect(readNumber('4,096', { decimal: false })).toEqual({ ok: true, value: 4096 });
    expect(readNumber('-1', { decimal: false })).toEqual({ ok: true, value: -1 });
  });

  it('reads a decimal comma as a decimal, never as a thousands separator', () => {
    // "12,50" saved as $1,250 was a budget 100 times the one the writer typed.
    expect(readNumber('12,50', { decimal: true })).toEqual({ ok: true, value: 12.5 });
    expect(readNumber('0,5', { decimal: true })).toEqual({ ok: true, value: 0.5 });
  });

  it('asks rather than guess when a comma could be either', () => {
    const read = readNumber('1,250', { decimal: true });
    expect(read).toEqual({ ok: false, message: expect.stringMatching(/could mean 1250 or 1\.25/) });
  });

  it('offers, for a comma it asks about, two answers it then takes without another question', () => {
    // A budget typed "1,000" was answered "type 1000 or 1.000", and "1.000" was asked about in turn.
    const amount = { decimal: true, amount: true };
    const read = readNumber('1,000', amount);
    expect(read).toEqual({ ok: false, message: '"1,000" could mean 1000 or 1: type 1000 or 1, without the comma.' });
    for (const answer of ['1000', '1']) expect(readNumber(answer, amount).ok).toBe(true);
    expect(readNumber('2,500', amount)).toEqual({
      ok: false,
      message: '"2,500" could mean 2500 or 2.5: type 2500 or 2.5, without the comma.',
    });
  });

  it('asks rather than guess when a dot could be a thousands separator in an amount, as in much of Europe', () => {
    // "1.000" taken as $1 was a budget a thousand times below the one a writer in Germany typed.
    const amount = { decimal: true, amount: true };
    expect(readNumber('1.000', amount)).toEqual({
      ok: false,
      message: '"1.000" could mean 1000 or 1: type 1000 or 1, without the dot.',
    });
    expect(readNumber('$12.500', amount)).toEqual({
      ok: false,
      message: '"12.500" could mean 12500 or 12.5: type 12500 or 12.5, without the dot.',
    });
    // No thousands reading: a leading 0, other than three decimals, or after grouping commas.
    expect(readNumber('0.150', amount)).toEqual({ ok: true, value: 0.15 });
    expect(readNumber('1.25', amount)).toEqual({ ok: true, value: 1.25 });
    expect(readNumber('1.2500', amount)).toEqual({ ok: true, value: 1.25 });
    expect(readNumber('1,250.500', amount)).toEqual({ ok: true, value: 1250.5 });
    // A price per million tokens as price pages write it ("$1.250"): a decimal, never a question.
    expect(readNumber('$1.250', { decimal: true })).toEqual({ ok: true, value: 1.25 });
    expect(readNumber('10.000', { decimal: true })).toEqual({ ok: true, value: 10 });
  });

  it('refuses what is not written in digits, and decimals where only whole numbers go', () => {
    for (const text of ['1e3', '0x10', 'Infinity', '12.5.1', 'twelve', '1 000', '12,5,0'])
      expect(readNumber(text, { decimal: true }).ok, text).toBe(false);
    expect(readNumber('2.5', { decimal: false }).ok).toBe(false);
    expect(readNumber('12,50', { decimal: false }).ok).toBe(false);
  });

  it('reads nothing typed as empty', () => {
    expect(readNumber('  ', { decimal: true })).toEqual({ ok: true, value: null });
  });
});
