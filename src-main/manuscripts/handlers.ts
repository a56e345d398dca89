import { typedPath } from '../local/home-path';
import type { HandlerMap } from '../transport/dispatcher';
import type { ManuscriptsService } from './manuscripts-service';

type ManuscriptsChannel =
  'manuscripts:open' | 'manuscripts:list' | 'manuscripts:get' | 'manuscripts:check' | 'manuscripts:delete';

export function manuscriptsHandlers({
  manuscripts,
}: {
  manuscripts: Pick<ManuscriptsService, 'open' | 'list' | 'get' | 'check' | 'delete'>;
}): Pick<HandlerMap, ManuscriptsChannel> {
  return {
    'manuscripts:open': ({ path }) => manuscripts.open(typedPath(path)),
    'manuscripts:list': () => manuscripts.list(),
    'manuscripts:get': ({ id }) => manuscripts.get(id),
    'manuscripts:check': ({ id }) => manuscripts.check(id),
    'manuscripts:delete': ({ id }) => manuscripts.delete(id),
  };
}
