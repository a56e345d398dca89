import { typedPath } from './home-path';
import type { HandlerMap } from '../transport/dispatcher';
import type { LocalStack } from './local-stack';

type ModelsChannel =
  | 'models:catalog'
  | 'models:installed'
  | 'models:fit'
  | 'models:download'
  | 'models:downloads'
  | 'models:pause'
  | 'models:resume'
  | 'models:cancel'
  | 'models:delete'
  | 'models:import'
  | 'models:import_stop'
  | 'models:load'
  | 'models:unload'
  | 'models:resident';

export function modelsHandlers({
  local,
}: {
  local: Pick<LocalStack, 'catalog' | 'library' | 'imports' | 'fit' | 'downloads' | 'load' | 'unload' | 'resident'>;
}): Pick<HandlerMap, ModelsChannel> {
  return {
    'models:catalog': () => local.catalog(),
    'models:installed': () => local.library.installed(),
    'models:fit': (input) => local.fit.check(input),
    'models:download': (input) => local.downloads.start(input),
    'models:downloads': () => local.downloads.list(),
    'models:pause': ({ id }) => local.downloads.pause(id),
    'models:resume': ({ id }) => local.downloads.resume(id),
    'models:cancel': async ({ id }) => {
      await local.downloads.cancel(id);
      return local.downloads.list();
    },
    'models:delete': async ({ id }) => {
      await local.library.delete(id);
      return local.library.installed();
    },
    'models:import': ({ path, name, import_id }) =>
      local.imports.start({ path: typedPath(path), ...(name ? { name } : {}), ...(import_id ? { import_id } : {}) }),
    'models:import_stop': ({ import_id }) => local.imports.stop(import_id),
    'models:load': ({ id }) => local.load(id),
    'models:unload': ({ id }) => local.unload(id),
    'models:resident': () => local.resident(),
  };
}
