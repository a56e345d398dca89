import { describe, expect, it } from 'vitest';
import { quoteShare } from './quotes';

describe("quoteShare (the quotes ingredient of a run's confidence)", () => {
  const input = 'She turned, her blue eyes flashed. The inn was ash.';

  it("reads every quote of the task library's findings, a contradiction's two places included", () => {
    const json = {
      findings: [
        {
          claim: 'x',
          evidence: [
            { quote: 'her blue eyes', location: null },
            { quote: 'her green eyes', location: null },
          ],
        },
        { claim: 'y', evidence: [{ quote: 'The inn was ash', location: 'ch. 9' }] },
      ],
    };
    expect(quoteShare(json, input)).toBeCloseTo(2 / 3, 6);
  });

  it('still reads one evidence_quote, the shape a caller’s own schema may ask for', () => {
    expect(quoteShare({ findings: [{ claim: 'x', evidence_quote: 'her blue eyes' }] }, input)).toBe(1);
  });

  it('is null when nothing was quoted', () => {
    expect(quoteShare({ findings: [] }, input)).toBeNull();
    expect(quoteShare('prose', input)).toBeNull();
  });
});
