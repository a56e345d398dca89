// The History a writer reads: their runs and their tournaments in one list, newest first, each tournament once (its
// members' calls are runs of their own, reached from it), and what a member's run says about the tournament it was in.
import type { RunSummary } from '$contract/runs';
import { tournamentOfRun, type TournamentSummary } from '$contract/tournaments';

export type HistoryEntry =
  | { kind: 'run'; key: string; created_at: string; run: RunSummary }
  | { kind: 'tournament'; key: string; created_at: string; tournament: TournamentSummary };

/** Which lists have more stored than are listed (the next page of each comes with "Show older runs"). */
export interface HistoryOlder {
  runs: boolean;
  tournaments: boolean;
}

/**
 * `runs` and `tournaments` newest first, a page or more of each; `older`: which have more stored than are listed, so
 * what the other list has older than the last one listed waits for its page (shown now, it would sit above runs or
 * tournaments newer than it, not listed yet). `task`: the one task shown ('' for all).
 */
export function historyEntries(
  runs: readonly RunSummary[],
  tournaments: readonly TournamentSummary[],
  older: HistoryOlder,
  task = '',
): HistoryEntry[] {
  const oldestRun = older.runs ? runs.at(-1)?.created_at : undefined;
  const oldestTournament = older.tournaments ? tournaments.at(-1)?.created_at : undefined;
  const listed = (at: string) =>
    (oldestRun === undefined || at >= oldestRun) && (oldestTournament === undefined || at >= oldestTournament);
  const entries: HistoryEntry[] = [
    ...runs
      .filter((run) => listed(run.created_at))
      .map((run) => ({ kind: 'run' as const, key: run.run_id, created_at: run.created_at, run })),
    ...tournaments
      .filter((tournament) => !task || tournament.task === task)
      .filter((tournament) => listed(tournament.created_at))
      .map((tournament) => ({
        kind: 'tournament' as const,
        key: tournament.id,
        created_at: tournament.created_at,
        tournament,
      })),
  ];
  // Stable: runs of the same instant keep the host's order.
  return entries.sort((a, b) => (a.created_at < b.created_at ? 1 : a.created_at > b.created_at ? -1 : 0));
}

/**
 * A run that was one call of a tournament (a member's answer, its verifier's or judge's), said as such with the
 * tournament to open; null for a run of its own. `dateOf` writes the tournament's day in the writer's words.
 */
export function memberNote(
  run: { run_id: string; model_id: string | null; model_name?: string | null | undefined },
  tournaments: readonly TournamentSummary[],
  modelName: (id: string, knownAs?: string | null) => string,
  dateOf: (iso: string) => string,
): { tournamentId: string; message: string } | null {
  const tournamentId = tournamentOfRun(run.run_id);
  if (!tournamentId) return null;
  const role = run.run_id.slice(tournamentId.length + 1).split('/')[0];
  const summary = tournaments.find((tournament) => tournament.id === tournamentId);
  const which = summary ? `the tournament of ${dateOf(summary.created_at)}` : 'a tournament';
  const name = run.model_id ? modelName(run.model_id, run.model_name) : 'A model';
  const message =
    role === 'verifier'
      ? `${name} checked another model’s answer in ${which}.`
      : role === 'judge'
        ? `${name} compared the answers in ${which}.`
        : `${name}’s answer: one of ${summary ? `${summary.member_ids.length} models` : 'the models'} in ${which}.`;
  return { tournamentId, message };
}
