import type { HandlerMap } from '../transport/dispatcher';
import type { SettingsService } from './settings-service';

export function settingsHandlers({
  settings,
}: {
  settings: Pick<SettingsService, 'get' | 'set'>;
}): Pick<HandlerMap, 'settings:get' | 'settings:set'> {
  return {
    'settings:get': () => settings.get(),
    'settings:set': (patch) => settings.set(patch),
  };
}
