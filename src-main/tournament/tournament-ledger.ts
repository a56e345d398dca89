// The ledger as tournaments use it: B's per-call ledger plus one group reservation — every member's worst case held
// in one IMMEDIATE transaction, so either all members can start or none does (and nothing is left reserved, nor
// announced: spend events follow the commit).
import type { Ledger } from '../ledger/ledger';
import { toMicros, toUsd } from '../store/money';
import { BudgetExceededError } from '../errors';
import { usdText } from '../../src-preload/contract/usd-text';
import type { TournamentLedger } from './tournament-deps';

/** A group reservation refused by the tournament's cost cap (rather than by the month's budget). */
export class TournamentCapError extends BudgetExceededError {}

export function tournamentLedger(ledger: Ledger): TournamentLedger {
  return {
    reserveAll: (requests, limitUsd) =>
      requests.length === 0
        ? []
        : ledger.atomically(() => {
            // Nested in this transaction, each reserve becomes a savepoint; one refusal rolls every reservation back.
            const reservations = requests.map((request) => ledger.reserve(request));
            // The cap is checked at what is held, under the same lock: a multiple the ledger applies (a provider that
            // charged past its holds since the seating was priced) cannot carry the tournament past it.
            const held = reservations.reduce((sum, r) => sum + toMicros(r.reservedUsd), 0);
            if (limitUsd !== undefined && limitUsd !== null && held > toMicros(limitUsd)) {
              throw new TournamentCapError(
                `This tournament could cost up to ${usdText(toUsd(held))}, more than the ${usdText(limitUsd)} tournament cap. Raise the cap in Settings → Tournaments, or run it as a single run.`,
              );
            }
            return reservations.map((r) => ({ id: r.id, reservedUsd: r.reservedUsd }));
          }),
    release: (id, note, durationMs) => ledger.release(id, note, durationMs),
    overrunRatios: () => ledger.overrunRatios(),
  };
}
