import type { HandlerMap } from '../../transport/dispatcher';
import type { Services } from '../create-app';

export function settingsHandlers({ settings }: Services): Pick<HandlerMap, 'settings:get' | 'settings:set'> {
  return {
    'settings:get': () => settings.get(),
    'settings:set': (patch) => settings.set(patch),
  };
}
