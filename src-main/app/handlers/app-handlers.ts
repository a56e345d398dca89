import { mkdirSync } from 'node:fs';
import { UnavailableError } from '../../errors';
import type { HandlerMap } from '../../transport/dispatcher';
import type { SettingsService } from '../../settings/settings-service';
import type { DesktopShell } from '../desktop-shell';
import { resolveModelsDir } from '../paths';

export interface AppHandlerDeps {
  settings: SettingsService;
  dataDir: string;
  shell: DesktopShell;
}

export function appHandlers({ settings, dataDir, shell }: AppHandlerDeps): Pick<HandlerMap, 'app:reveal'> {
  return {
    'app:reveal': async ({ target }) => {
      const path = target === 'models_folder' ? resolveModelsDir(settings.get().local.models_dir, dataDir) : dataDir;
      mkdirSync(path, { recursive: true });
      const failure = await shell.openPath(path);
      if (failure) throw new UnavailableError(`The folder ${path} could not be opened: ${failure}`);
      return { path };
    },
  };
}
