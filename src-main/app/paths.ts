import { homedir, platform } from 'node:os';
import { join, resolve } from 'node:path';
import { typedPath } from '../local/home-path';

/** Where the browser host keeps its data when neither --data-dir nor QUIRE_DATA_DIR is given. */
export function defaultDataDir(env: NodeJS.ProcessEnv = process.env): string {
  if (platform() === 'darwin') return join(homedir(), 'Library', 'Application Support', 'Quire');
  return join(env.XDG_DATA_HOME ?? join(homedir(), '.local', 'share'), 'quire');
}

export function resolveDataDir(cliValue: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  return resolve(cliValue ?? env.QUIRE_DATA_DIR ?? defaultDataDir(env));
}

/** Where GGUF files live: the writer's setting, read as they typed it ("~/Quire models"), else <data dir>/models. */
export function resolveModelsDir(modelsDirSetting: string | null, dataDir: string, home = homedir()): string {
  return resolve(modelsDirSetting === null ? join(dataDir, 'models') : typedPath(modelsDirSetting, home));
}
