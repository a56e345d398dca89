// The ledger as tournaments use it: B's per-call ledger plus one group reservation — every member's worst case held
// in one IMMEDIATE transaction, so either all members can start or none does (and nothing is left reserved).
import type { Ledger } from '../ledger/ledger';
import type { Db } from '../store/database';
import type { TournamentLedger } from './tournament-deps';

export function tournamentLedger(db: Db, ledger: Ledger): TournamentLedger {
  const reserveAll = db.transaction(
    (requests: { runId: string; modelId: string; provider: string; task: string; worstCaseUsd: number }[]) =>
      // Nested in this transaction, each reserve becomes a savepoint; one refusal rolls every reservation back.
      requests.map((request) => ledger.reserve(request)),
  );
  return {
    reserveAll: (requests) =>
      requests.length === 0
        ? []
        : reserveAll.immediate(requests).map((r) => ({ id: r.id, reservedUsd: r.reservedUsd })),
    release: (id, note, durationMs) => ledger.release(id, note, durationMs),
  };
}
