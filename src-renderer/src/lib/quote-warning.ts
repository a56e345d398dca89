// Before Run: when the most a run may spend (its call, the one retry of an unreadable answer, a fallback) is more than
// the month's budget has left, the writer is told that a retry or fallback would be refused — and what the first call
// costs may then be all they get for it.
import { formatUsd } from './format';

export function quoteWarning(atMostUsd: number, remainingUsd: number | null): string | null {
  if (remainingUsd === null || atMostUsd <= remainingUsd + 1e-9) return null;
  return (
    `The most this run may cost (${formatUsd(atMostUsd)}) is more than the ${formatUsd(remainingUsd)} left this ` +
    'month: if its answer has to be asked for again, or another model has to step in, the budget stops it there, ' +
    'and the first call is charged all the same.'
  );
}
