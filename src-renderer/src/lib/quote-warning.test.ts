import { describe, expect, it } from 'vitest';
import { quoteWarning } from './quote-warning';

describe('the warning before a run whose quote is above the budget left', () => {
  it('says what may happen when the most it may cost is more than what is left', () => {
    expect(quoteWarning(0.0037, 0.0017)).toBe(
      'The most this run may cost ($0.0037) is more than the $0.0017 left this month: if its answer has to be asked ' +
        'for again, or another model has to step in, the budget stops it there, and the first call is charged all ' +
        'the same.',
    );
  });

  it('says nothing when it fits, or without a budget', () => {
    expect(quoteWarning(0.0017, 0.0017)).toBeNull();
    expect(quoteWarning(0.001, 0.0017)).toBeNull();
    expect(quoteWarning(5, null)).toBeNull();
  });
});
