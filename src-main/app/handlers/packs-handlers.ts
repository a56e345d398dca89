import type { HandlerMap } from '../../transport/dispatcher';
import type { Services } from '../create-app';

export function packsHandlers({
  packs,
}: Services): Pick<HandlerMap, 'packs:list' | 'packs:get' | 'packs:save' | 'packs:delete' | 'packs:activate'> {
  return {
    'packs:list': () => packs.list(),
    'packs:get': ({ name }) => packs.get(name),
    'packs:save': (input) => packs.save(input),
    'packs:delete': ({ name }) => packs.delete(name),
    'packs:activate': ({ name }) => packs.activate(name),
  };
}
