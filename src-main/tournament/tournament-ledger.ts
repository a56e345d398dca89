// The ledger as tournaments use it: B's per-call ledger plus one group reservation — every member's worst case held
// in one IMMEDIATE transaction, so either all members can start or none does (and nothing is left reserved).
import type { Ledger } from '../ledger/ledger';
import type { Db } from '../store/database';
import { toMicros, toUsd } from '../store/money';
import { BudgetExceededError } from '../errors';
import { usdText } from '../../src-preload/contract/usd-text';
import type { TournamentLedger } from './tournament-deps';

export function tournamentLedger(db: Db, ledger: Ledger): TournamentLedger {
  const reserveAll = db.transaction(
    (
      requests: { runId: string; modelId: string; provider: string; task: string; worstCaseUsd: number }[],
      limitUsd: number | null,
    ) => {
      // Nested in this transaction, each reserve becomes a savepoint; one refusal rolls every reservation back.
      const reservations = requests.map((request) => ledger.reserve(request));
      // The cap is checked at what is held, under the same lock: a multiple the ledger applies (a provider that
      // charged past its holds since the seating was priced) cannot carry the tournament past it.
      const heldMicros = reservations.reduce((sum, r) => sum + toMicros(r.reservedUsd), 0);
      if (limitUsd !== null && heldMicros > toMicros(limitUsd)) {
        throw new BudgetExceededError(
          `This tournament could cost up to ${usdText(toUsd(heldMicros))}, more than the ${usdText(limitUsd)} tournament cap. Raise the cap in Settings → Tournaments, or run it as a single run.`,
        );
      }
      return reservations;
    },
  );
  return {
    reserveAll: (requests, limitUsd) =>
      requests.length === 0
        ? []
        : reserveAll.immediate(requests, limitUsd ?? null).map((r) => ({ id: r.id, reservedUsd: r.reservedUsd })),
    release: (id, note, durationMs) => ledger.release(id, note, durationMs),
    overrunRatios: () => ledger.overrunRatios(),
  };
}
