// Composition root: every service is created once here, with its dependencies passed in, and wired to the one
// handler map that both transports serve.
import { join } from 'node:path';
import { openDatabase, type Db } from '../store/database';
import { SettingsRepo } from '../store/repos/settings-repo';
import { SettingsService } from '../settings/settings-service';
import { Dispatcher, type HandlerMap } from '../transport/dispatcher';
import { EventBus } from './event-bus';
import { consoleLogger, type Logger } from './logger';
import { settingsHandlers } from './handlers/settings-handlers';
import { orchestratorHandlers } from './handlers/orchestrator-handlers';
import { packsHandlers } from './handlers/packs-handlers';
import { createRouting, type RoutingServices } from '../routing/create-routing';
import { envAvailability, zeroSpend, type AvailabilitySource } from '../orchestrator/sources';
import { LocalStack, type LocalStackOptions } from '../local/local-stack';
import { modelsHandlers } from './handlers/models-handlers';
import { resolveModelsDir } from './paths';
import { Redactor, redactingLogger } from '../keys/redactor';
import type { SecretCipher } from '../keys/secret-cipher';
import { createExecution, type ExecutionOptions, type ExecutionServices } from '../runs/create-execution';
import { executionHandlers } from './handlers/execution-handlers';
import { systemDesktopShell, type DesktopShell } from './desktop-shell';
import { appHandlers } from './handlers/app-handlers';
import { createTournaments } from '../tournament/create-tournaments';
import type { TournamentService } from '../tournament/tournament-service';
import { tournamentHandlers } from './handlers/tournament-handlers';

export interface AppOptions {
  dataDir: string;
  env?: NodeJS.ProcessEnv;
  now?: () => Date;
  logger?: Logger;
  /** Which models can be called; default: cloud keys from env, no local model installed (tests inject their own). */
  availability?: AvailabilitySource;
  /** Local models: overrides for tests and benchmarks (fetch, free space, stall timeout, llama instance). */
  local?: Partial<Pick<LocalStackOptions, 'fetch' | 'freeSpace' | 'stallMs' | 'runtime'>>;
  /** Encrypts API keys at rest (Electron safeStorage); without it keys go to a 0600 file in the data dir. */
  secretCipher?: SecretCipher;
  /** Providers, ledger and runs: overrides for tests and benchmarks (time zone, retries, breaker, timeouts, fetch). */
  execution?: Omit<ExecutionOptions, 'secretCipher'>;
  /** Opens folders in Finder; default: the platform's `open` / `xdg-open`. */
  desktopShell?: DesktopShell;
}

export interface Services extends RoutingServices, ExecutionServices {
  db: Db;
  events: EventBus;
  logger: Logger;
  settings: SettingsService;
  local: LocalStack;
  secretCipher: SecretCipher | undefined;
  tournaments: TournamentService;
}

export interface App {
  readonly services: Services;
  readonly dispatcher: Dispatcher;
  readonly events: EventBus;
  close(): Promise<void>;
}

export async function createApp(options: AppOptions): Promise<App> {
  const now = options.now ?? (() => new Date());
  // One redactor for every way text leaves main: log lines, error envelopes, stored runs.
  const redactor = new Redactor();
  const logger = redactingLogger(options.logger ?? consoleLogger(), redactor.redact);
  const events = new EventBus();
  const db = openDatabase(join(options.dataDir, 'quire.sqlite'));
  const settings = new SettingsService(new SettingsRepo(db, now), events);

  // Execution and the local stack need the registry and orchestrator, so the ledger (useSpend) and, unless a test
  // injected one, key-store/library availability (useAvailability) are plugged into the orchestrator once built below.
  const routing = createRouting({
    db,
    settings,
    now,
    availability: options.availability ?? envAvailability(options.env ?? process.env),
    spend: zeroSpend,
  });

  const local = new LocalStack({
    db,
    events,
    logger,
    now,
    settings: () => settings.get().local,
    modelsDir: () => resolveModelsDir(settings.get().local.models_dir, options.dataDir),
    env: options.env ?? process.env,
    registry: routing.registry,
    ...options.local,
  });
  const execution = createExecution(
    {
      db,
      dataDir: options.dataDir,
      env: options.env ?? process.env,
      now,
      events,
      logger,
      redactor,
      settings,
      registry: routing.registry,
      orchestrator: routing.orchestrator,
      feedback: routing.feedback,
      local: local.provider,
    },
    { ...options.execution, ...(options.secretCipher ? { secretCipher: options.secretCipher } : {}) },
  );
  routing.orchestrator.useSpend(execution.ledger);
  if (!options.availability)
    routing.orchestrator.useAvailability({
      cloudReady: (spec) => execution.providers.cloudReady(spec),
      localInstalled: (catalogId) => local.provider.isInstalled(catalogId),
    });

  const services: Services = {
    db,
    events,
    logger,
    settings,
    ...routing,
    local,
    ...execution,
    secretCipher: options.secretCipher,
    tournaments: createTournaments({
      db,
      events,
      now,
      settings,
      ...routing,
      ...execution,
      runtime: local.runtime,
      ...(options.execution?.monotonic ? { monotonic: options.execution.monotonic } : {}),
    }),
  };
  const handlers: HandlerMap = {
    ...settingsHandlers(services),
    ...orchestratorHandlers(services),
    ...packsHandlers(services),
    ...modelsHandlers(services),
    ...executionHandlers(services),
    ...tournamentHandlers(services),
    ...appHandlers({
      settings,
      dataDir: options.dataDir,
      shell: options.desktopShell ?? systemDesktopShell(),
      machine: {
        cpuCount: options.local?.runtime?.cpuCount,
        totalMemoryBytes: options.local?.runtime?.totalMemoryBytes,
      },
    }),
  };
  const dispatcher = new Dispatcher(handlers, logger, redactor.redact);

  let closed = false;
  return {
    services,
    dispatcher,
    events,
    async close() {
      if (closed) return;
      closed = true;
      execution.runs.cancelAll();
      services.tournaments.cancelAll();
      await local.close();
      db.close();
    },
  };
}
