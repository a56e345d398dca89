// Money in the database is integer micro-USD; the API speaks USD numbers. Converting a charge rounds up, so a
// fraction of a micro-dollar is never lost in Quire's favour.

export const MICROS_PER_USD = 1_000_000;

export const toMicros = (usd: number): number => Math.ceil(Math.max(0, usd) * MICROS_PER_USD - 1e-6);

export const toUsd = (micros: number): number => micros / MICROS_PER_USD;

/** "$12.50"; a fraction of a cent with four decimals ("$0.0024"), so a small figure never reads as $0.00. */
export function usdText(usd: number): string {
  return usd < 0.01 && usd > 0 ? `$${usd.toFixed(4)}` : `$${usd.toFixed(2)}`;
}
