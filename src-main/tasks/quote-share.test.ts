import { describe, expect, it } from 'vitest';
import { QuoteLocator, quoteShare } from './quotes';

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

  it('counts a quote found exactly when the locator that places it for the writer finds it', () => {
    const text = 'Tom said it was late — too late — and left.';
    const quotes = ['it was late - too late', 'said it was early'];
    const json = { findings: [{ claim: 'x', evidence: quotes.map((quote) => ({ quote, location: null })) }] };
    const locator = new QuoteLocator(text);
    // The Workbench shows the first one located (another dash) and the second one as not found in the text.
    expect(quotes.map((q) => locator.find(q).match)).toEqual(['tolerant', 'not_found']);
    expect(quoteShare(json, text)).toBe(0.5);
  });

  it('is null when nothing was quoted', () => {
    expect(quoteShare({ findings: [] }, input)).toBeNull();
    expect(quoteShare('prose', input)).toBeNull();
  });
});
