import { describe, expect, it } from 'vitest';
import { quoteWarning } from './quote-warning';

describe('the warning before a run whose quote is above the budget left', () => {
  it('says what may happen when the most it may cost is more than what is left', () => {
    expect(quoteWarning(0.0037, 0.0017)).toBe(
      'The most this run may cost ($0.0037) is more than the $0.0017 left this month, so the budget may stop it ' +
        'before it finishes (a retry of its answer, another model stepping in) or before it starts; what a call was ' +
        'charged stays charged. Raise the budget in Settings to be sure it can finish.',
    );
  });

  it('never shows more left than there is: $1.9953 left is "$1.99", not "$2.00" beside a $1.998 quote', () => {
    expect(quoteWarning(1.998, 1.9953)).toMatch(
      /^The most this run may cost \(\$2\.00\) is more than the \$1\.99 left /,
    );
  });

  it('says nothing when it fits, or without a budget', () => {
    expect(quoteWarning(0.0017, 0.0017)).toBeNull();
    expect(quoteWarning(0.001, 0.0017)).toBeNull();
    expect(quoteWarning(5, null)).toBeNull();
  });
});
