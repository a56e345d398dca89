import type { HandlerMap } from '../transport/dispatcher';
import type { TournamentService } from './tournament-service';

export function tournamentHandlers({
  tournaments,
}: {
  tournaments: Pick<TournamentService, 'start' | 'get' | 'list' | 'resolve'>;
}): Pick<HandlerMap, 'tournaments:start' | 'tournaments:get' | 'tournaments:list' | 'tournaments:resolve'> {
  return {
    'tournaments:start': (input) => tournaments.start(input),
    'tournaments:get': ({ tournament_id }) => tournaments.get(tournament_id),
    'tournaments:list': (input) => tournaments.list(input),
    'tournaments:resolve': (input) => tournaments.resolve(input),
  };
}
