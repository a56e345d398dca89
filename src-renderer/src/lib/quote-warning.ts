// Before Run: when the most a run may spend (its call, the one retry of an unreadable answer, a fallback) is more than
// the month's budget has left, the writer is told the budget may stop it part way, or before its first call (whose
// reservation is counted more exactly than this figure's parts), and that what was charged stays charged.
import { formatUsd, formatUsdLeft } from './format';

export function quoteWarning(atMostUsd: number, remainingUsd: number | null): string | null {
  if (remainingUsd === null || atMostUsd <= remainingUsd + 1e-9) return null;
  return (
    `The most this run may cost (${formatUsd(atMostUsd)}) is more than the ${formatUsdLeft(remainingUsd)} left this ` +
    'month, so the budget may stop it before it finishes (a retry of its answer, another model stepping in) or ' +
    'before it starts; what a call was charged stays charged. Raise the budget in Settings to be sure it can finish.'
  );
}
