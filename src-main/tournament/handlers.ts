import type { HandlerMap } from '../transport/dispatcher';
import type { TournamentService } from './tournament-service';

export function tournamentHandlers({
  tournaments,
}: {
  tournaments: Pick<TournamentService, 'start' | 'quoteSeats' | 'get' | 'list' | 'resolve'>;
}): Pick<
  HandlerMap,
  'tournaments:start' | 'tournaments:quote' | 'tournaments:get' | 'tournaments:list' | 'tournaments:resolve'
> {
  return {
    'tournaments:start': (input) => tournaments.start(input),
    'tournaments:quote': (input) => tournaments.quoteSeats(input),
    'tournaments:get': ({ tournament_id }) => tournaments.get(tournament_id),
    'tournaments:list': (input) => tournaments.list(input),
    'tournaments:resolve': (input) => tournaments.resolve(input),
  };
}
