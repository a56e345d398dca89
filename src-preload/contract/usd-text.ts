// Money as a writer reads it, the same on every screen and in every message from the main process (a quote, a
// refusal, a notification): "$12.50", "$1,234.50"; a fraction of a dollar with up to four decimals ("$0.0042",
// "$0.50"), so a run's few hundredths of a cent never read as $0.00; below a hundredth of a cent two significant
// digits ("$0.000042"). Exactly zero is "$0.00".

const plain = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD' });
const cents = new Intl.NumberFormat('en-US', {
  style: 'currency',
  currency: 'USD',
  minimumFractionDigits: 2,
  maximumFractionDigits: 4,
});
const tiny = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD', maximumSignificantDigits: 2 });
/** Below a hundredth of a cent, two significant digits; below a dollar, four decimals; else cents. */
const TINY = 0.0001;

/** To the micro-dollar, as the ledger stores money: a sum's float dust (0.30000000000000004) is not a difference. */
export function roundUsd(usd: number): number {
  return Math.round(usd * 1e6) / 1e6;
}

export function usdText(usd: number): string {
  if (usd === 0) return '$0.00';
  const size = Math.abs(usd);
  return (size < TINY ? tiny : size < 1 ? cents : plain).format(usd);
}

/**
 * What is left of a budget, never shown as more than it is: rounded down to the digits {@link usdText} shows ("$1.99"
 * for $1.9953, where usdText says "$2.00"), so a refusal never reads "costs $1.996, more than the $2.00 left".
 */
export function usdLeftText(usd: number): string {
  if (!(usd > 0)) return '$0.00';
  // The last digit usdText shows for an amount of this size (its two significant digits, four decimals, or cents).
  const step = usd < TINY ? 10 ** (Math.floor(Math.log10(usd)) - 1) : usd < 1 ? 1e-4 : 0.01;
  // Rounded to a millionth of a step first, so a sum like 0.30000000000000004 is not floored a step too far.
  const steps = Math.floor(Math.round((usd / step) * 1e6) / 1e6);
  return usdText(steps * step);
}
