import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { confidence, historicalRate, type ConfidenceInputs, type VerifierVerdict } from './confidence';

const unit = fc.double({ min: 0, max: 1, noNaN: true });
const verdict = fc.constantFrom<VerifierVerdict | null>('approve', 'reject', null);
const inputs: fc.Arbitrary<ConfidenceInputs> = fc.record({
  agreement: fc.option(unit, { nil: null }),
  opposition: unit,
  quality: unit,
  history: unit,
  verifier: verdict,
});
const value = (i: ConfidenceInputs) => confidence(i).value;

describe('confidence', () => {
  it('stays within 0–1 for any input, including out-of-range ones', () => {
    fc.assert(fc.property(inputs, (i) => value(i) >= 0 && value(i) <= 1));
    fc.assert(
      fc.property(
        fc.double(),
        fc.double(),
        fc.double(),
        fc.double(),
        verdict,
        (agreement, opposition, quality, history, v) => {
          const c = value({ agreement, opposition, quality, history, verifier: v });
          return c >= 0 && c <= 1;
        },
      ),
    );
  });

  it('never decreases as agreement, quality or history rise, never increases as opposition rises', () => {
    fc.assert(
      fc.property(inputs, unit, unit, (i, x, y) => {
        const [lo, hi] = x <= y ? [x, y] : [y, x];
        return (
          value({ ...i, agreement: lo }) <= value({ ...i, agreement: hi }) &&
          value({ ...i, quality: lo }) <= value({ ...i, quality: hi }) &&
          value({ ...i, history: lo }) <= value({ ...i, history: hi }) &&
          value({ ...i, opposition: lo }) >= value({ ...i, opposition: hi })
        );
      }),
    );
  });

  it('orders verdicts reject ≤ none ≤ approve, and a rejection never leaves more than 0.3', () => {
    fc.assert(
      fc.property(inputs, (i) => {
        const reject = value({ ...i, verifier: 'reject' });
        return (
          reject <= 0.3 &&
          reject <= value({ ...i, verifier: null }) &&
          value({ ...i, verifier: null }) <= value({ ...i, verifier: 'approve' })
        );
      }),
    );
  });

  it('quote checks only lower it, and a rejection or a low-confidence fallback never leaves more than 0.3', () => {
    fc.assert(
      fc.property(inputs, unit, unit, (i, q1, q2) => {
        const [lo, hi] = q1 <= q2 ? [q1, q2] : [q2, q1];
        const none = value(i);
        const low = value({ ...i, quotes: lo });
        const high = value({ ...i, quotes: hi });
        return (
          low <= high + 1e-9 &&
          high <= none + 1e-9 &&
          value({ ...i, quotes: lo, verifier: 'reject' }) <= 0.3 &&
          value({ ...i, quotes: hi, low_confidence_fallback: true }) <= 0.3
        );
      }),
    );
    const single = { agreement: null, opposition: 0, quality: 0.9, history: 0.5, verifier: null } as const;
    expect(confidence({ ...single, quotes: null }).ingredients).toMatchObject({ quotes: null });
    expect(confidence({ ...single, quotes: 0 }).value).toBeCloseTo(confidence(single).value / 2, 5);
  });

  it('is high for full agreement among good models and low for a lone or contradicted voice', () => {
    const good = { quality: 0.8, history: 0.5, verifier: null };
    expect(value({ ...good, agreement: 1, opposition: 0 })).toBeGreaterThan(0.8);
    expect(value({ ...good, agreement: 1 / 3, opposition: 0 })).toBeLessThan(0.3);
    expect(value({ ...good, agreement: 2 / 3, opposition: 1 / 3 })).toBeLessThan(
      value({ ...good, agreement: 2 / 3, opposition: 0 }),
    );
    const c = confidence({ ...good, agreement: 1, opposition: 0 });
    expect(c.ingredients).toMatchObject({ agreement: 1, opposition: 0, quality: 0.8, history: 0.5, support: 1 });
  });

  it('smooths historical agreement toward one half', () => {
    expect(historicalRate(0, 0)).toBe(0.5);
    expect(historicalRate(1, 1)).toBeCloseTo(2 / 3);
    fc.assert(
      fc.property(
        fc.nat(100),
        fc.nat(100),
        (a, extra) => historicalRate(a, a + extra) <= historicalRate(a + 1, a + extra + 1),
      ),
    );
  });
});
