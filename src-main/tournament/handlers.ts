import { removedModelName } from '../../src-preload/contract/model-ids';
import type { RunRecord } from '../../src-preload/contract/runs';
import { memberRunId, type Tournament } from '../../src-preload/contract/tournaments';
import { isQuireError } from '../errors';
import type { HandlerMap } from '../transport/dispatcher';
import type { TournamentService } from './tournament-service';
import { tournamentReport } from './tournament-report';

export function tournamentHandlers({
  tournaments,
  runs,
  taskName = (task) => task,
  modelName = removedModelName,
}: {
  tournaments: Pick<TournamentService, 'start' | 'quoteSeats' | 'get' | 'list' | 'resolve' | 'cancel'>;
  /** Each member's own run (RunService.get): its answer with its quotes located, for the report. */
  runs?: { get(runId: string): Pick<RunRecord, 'answer' | 'manuscript'> };
  /** A task's and a model's display names for the report, as runs:export names them. */
  taskName?: (task: string) => string;
  modelName?: (id: string, knownAs?: string | null) => string;
}): Pick<
  HandlerMap,
  | 'tournaments:start'
  | 'tournaments:quote'
  | 'tournaments:get'
  | 'tournaments:list'
  | 'tournaments:resolve'
  | 'tournaments:export'
  | 'tournaments:cancel'
> {
  const answerOf = (tournamentId: string) => (member: { role: string; model_id: string }) => {
    try {
      return runs?.get(memberRunId(tournamentId, member)).answer ?? null;
    } catch (error) {
      // A member that never reached its call has no run: its answer is the tournament's record of it.
      if (isQuireError(error) && error.code === 'not_found') return null;
      throw error;
    }
  };
  /** The manuscript it ran on, as its members' runs keep it (the tournament's own row does not). */
  const manuscriptOf = (tournament: Tournament): Tournament['manuscript'] => {
    for (const member of tournament.members) {
      try {
        const record = runs?.get(memberRunId(tournament.id, member));
        if (record?.manuscript) return record.manuscript;
      } catch (error) {
        if (!(isQuireError(error) && error.code === 'not_found')) throw error;
      }
    }
    return undefined;
  };
  return {
    'tournaments:start': (input) => tournaments.start(input),
    'tournaments:cancel': ({ tournament_id }) => ({ cancelled: tournaments.cancel(tournament_id) }),
    'tournaments:quote': (input) => tournaments.quoteSeats(input),
    'tournaments:get': ({ tournament_id }) => {
      const tournament = tournaments.get(tournament_id);
      const manuscript = manuscriptOf(tournament);
      return manuscript === undefined ? tournament : { ...tournament, manuscript };
    },
    'tournaments:list': (input) => tournaments.list(input),
    'tournaments:resolve': (input) => tournaments.resolve(input),
    'tournaments:export': ({ tournament_id }) =>
      tournamentReport(tournaments.get(tournament_id), { taskName, modelName }, answerOf(tournament_id)),
  };
}
