import { mkdirSync } from 'node:fs';
import { availableParallelism, totalmem } from 'node:os';
import { UnavailableError } from '../errors';
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
      if (failure) throw new UnavailableError(`The folder ${path} could not be opened: ${failure}`);
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
