import type { HandlerMap } from '../../transport/dispatcher';
import type { Services } from '../create-app';

export function tournamentHandlers({
  tournaments,
}: Pick<Services, 'tournaments'>): Pick<
  HandlerMap,
  'tournaments:start' | 'tournaments:get' | 'tournaments:list' | 'tournaments:resolve'
> {
  return {
    'tournaments:start': (input) => tournaments.start(input),
    'tournaments:get': ({ tournament_id }) => tournaments.get(tournament_id),
    'tournaments:list': (input) => tournaments.list(input),
    'tournaments:resolve': (input) => tournaments.resolve(input),
  };
}
