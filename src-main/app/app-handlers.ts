import { mkdirSync } from 'node:fs';
import { availableParallelism, totalmem } from 'node:os';
import { UnavailableError } from '../errors';
import type { Logger } from '../infra/logger';
import { chooseThreads, defaultMemoryBudgetBytes, MB } from '../local/machine';
import type { ThreadChoices } from '../local/threads';
import type { HandlerMap } from '../transport/dispatcher';
import type { SettingsService } from '../settings/settings-service';
import type { DesktopShell, FilePicker } from './desktop-shell';
import type { UploadRoutes } from './uploads';
import { resolveModelsDir } from './paths';

export interface AppHandlerDeps {
  settings: Pick<SettingsService, 'get'>;
  dataDir: string;
  shell: DesktopShell;
  /** Where the shell's own failure text goes (the writer reads Quire's words instead). */
  logger: Pick<Logger, 'warn'>;
  /** The system file picker: the desktop app's; the browser host has none (uploads instead). */
  picker?: FilePicker | undefined;
  uploads: Pick<UploadRoutes, 'model' | 'manuscript'>;
  /** The figures the local runtime was given (tests and benchmarks pin them); default: this machine's. */
  machine?: { cpuCount?: number | undefined; totalMemoryBytes?: number | undefined };
  /** The measured default thread counts (local/threads.ts). */
  threadChoices?: Pick<ThreadChoices, 'latest'>;
}

export function appHandlers({
  settings,
  dataDir,
  shell,
  logger,
  picker,
  uploads,
  machine = {},
  threadChoices,
}: AppHandlerDeps): Pick<HandlerMap, 'app:reveal' | 'app:machine' | 'app:pick_file' | 'app:upload_check'> {
  return {
    'app:reveal': async ({ target }) => {
      const path = target === 'models_folder' ? resolveModelsDir(settings.get().local.models_dir, dataDir) : dataDir;
      mkdirSync(path, { recursive: true });
      const failure = await shell.openPath(path);
      if (failure) {
        logger.warn(`app:reveal: the file manager could not open ${path}: ${failure}`);
        const folder = target === 'models_folder' ? 'your models folder' : 'its data folder';
        throw new UnavailableError(
          `Quire could not open ${folder} in the file manager. Open it yourself: it is “${path}”.`,
          { advised: true },
        );
      }
      return { path };
    },
    'app:pick_file': async ({ kind }) => {
      if (!picker)
        throw new UnavailableError(
          'Choosing a file from this Mac is part of the desktop app. Here in the browser, drop the file on the page or use Upload.',
          { advised: true },
        );
      return { path: await picker.pick(kind) };
    },
    'app:upload_check': async ({ kind, bytes }) => ({ max_bytes: await uploads[kind].check(bytes) }),
    'app:machine': () => {
      // The same functions the runtime uses, so "default" on screen is exactly what a null setting does.
      const cpus = machine.cpuCount ?? availableParallelism();
      const totalBytes = machine.totalMemoryBytes ?? totalmem();
      const measured = threadChoices?.latest();
      return {
        cpus,
        total_memory_mb: Math.floor(totalBytes / MB),
        default_memory_budget_mb: Math.floor(defaultMemoryBudgetBytes(totalBytes) / MB),
        default_threads: measured ? Math.min(measured.threads, cpus) : chooseThreads(null, cpus),
        ...(measured
          ? {
              measured_threads: {
                threads: measured.threads,
                rates: measured.timings.map((t) => ({ threads: t.threads, tokens_per_second: t.tokensPerSecond })),
                measured_at: measured.measuredAt,
              },
            }
          : {}),
        default_models_dir: resolveModelsDir(null, dataDir),
      };
    },
  };
}
