// Composition root: every service is created once here, with its dependencies passed in, and each domain's handlers
// (beside its service, taking only what it needs) are merged into the one handler map that both transports serve.
import { join } from 'node:path';
import type { ModelSpec } from '../../src-preload/contract';
import { EventBus } from '../infra/event-bus';
import { consoleLogger, type Logger } from '../infra/logger';
import { keysHandlers } from '../keys/handlers';
import { Redactor, redactingLogger } from '../keys/redactor';
import type { SecretCipher } from '../keys/secret-cipher';
import { ledgerHandlers } from '../ledger/handlers';
import { modelsHandlers } from '../local/handlers';
import { LocalStack, type LocalStackOptions } from '../local/local-stack';
import { zeroSpend, type AvailabilitySource } from '../orchestrator/sources';
import { envAvailability } from '../providers/env-availability';
import { providersHandlers } from '../providers/handlers';
import { createRouting, type RoutingServices } from '../routing/create-routing';
import { routingHandlers, routingValueHandler } from '../routing/handlers';
import { createExecution, type ExecutionOptions, type ExecutionServices } from '../runs/create-execution';
import { runsHandlers } from '../runs/handlers';
import { settingsHandlers } from '../settings/handlers';
import { SettingsService } from '../settings/settings-service';
import { openDatabase, type Db } from '../store/database';
import { SettingsRepo } from '../store/repos/settings-repo';
import { createTournaments } from '../tournament/create-tournaments';
import { tournamentHandlers } from '../tournament/handlers';
import type { TournamentDeps } from '../tournament/tournament-deps';
import type { TournamentService } from '../tournament/tournament-service';
import { Dispatcher, type HandlerMap } from '../transport/dispatcher';
import { appHandlers } from './app-handlers';
import { systemDesktopShell, type DesktopShell } from './desktop-shell';
import { resolveModelsDir } from './paths';
import { runStartHandler } from './run-start';
import { TokenCounter } from '../tokens/token-counter';

export interface AppOptions {
  dataDir: string;
  env?: NodeJS.ProcessEnv;
  now?: () => Date;
  logger?: Logger;
  /** Which models can be called; default: cloud keys from env, no local model installed (tests inject their own). */
  availability?: AvailabilitySource;
  /** The registry's shipped models; default resources/models.json (tests and benchmarks bring their own). */
  models?: ModelSpec[];
  /**
   * Local models: overrides for tests and benchmarks (fetch, free space, stall timeout, llama instance, where the
   * installed GGUF files are).
   */
  local?: Partial<Pick<LocalStackOptions, 'fetch' | 'freeSpace' | 'stallMs' | 'runtime' | 'installed'>>;
  /** Encrypts API keys at rest (Electron safeStorage); without it keys go to a 0600 file in the data dir. */
  secretCipher?: SecretCipher;
  /** Providers, ledger and runs: overrides for tests and benchmarks (time zone, retries, breaker, timeouts, fetch). */
  execution?: Omit<ExecutionOptions, 'secretCipher'>;
  /** Opens folders in Finder; default: the platform's `open` / `xdg-open`. */
  desktopShell?: DesktopShell;
  /** How tournaments match claims; default: a resident local model's embeddings, else lexical. */
  tournament?: Pick<TournamentDeps, 'claimSimilarity'>;
}

export interface Services extends RoutingServices, ExecutionServices {
  db: Db;
  events: EventBus;
  logger: Logger;
  settings: SettingsService;
  local: LocalStack;
  tournaments: TournamentService;
  /** The one token count of a request for a model (wave 2 wires it into the quote, reservation and splitting). */
  tokens: TokenCounter;
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
    ...(options.models ? { models: options.models } : {}),
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

  routing.orchestrator.useSetupSource({
    downloads: () =>
      local.catalog().map((item) => ({
        catalog_id: item.id,
        display_name: item.display_name,
        size_bytes: item.size_bytes,
        fit: item.fit.verdict,
      })),
  });

  const tournaments = createTournaments({
    db,
    events,
    now,
    settings,
    ...routing,
    ...execution,
    runtime: local.runtime,
    ...(options.execution?.monotonic ? { monotonic: options.execution.monotonic } : {}),
    ...options.tournament,
  });
  const tokens = new TokenCounter({ local: local.tokenizer.count });
  const services: Services = { db, events, logger, settings, ...routing, local, ...execution, tournaments, tokens };

  const { keys, ledger, providers, resilience, runs } = execution;
  const handlers: HandlerMap = {
    ...settingsHandlers({ settings }),
    ...routingHandlers(routing),
    ...modelsHandlers({ local }),
    ...ledgerHandlers({ ledger, budgetUsd: () => settings.get().orchestrator.monthly_budget, now }),
    ...routingValueHandler({ orchestrator: routing.orchestrator, spendMonth: (month) => ledger.month(month) }),
    ...keysHandlers({
      keys,
      cipher: options.secretCipher,
      names: () => providers.keyNames(),
      test: (provider) => providers.testKey(provider),
    }),
    ...providersHandlers({ providers, resilience }),
    ...runsHandlers({ runs }),
    // Above both runs and tournaments: a critical task's run may become a tournament.
    ...runStartHandler({ runs, tournaments }),
    ...tournamentHandlers({ tournaments }),
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
      runs.cancelAll();
      tournaments.cancelAll();
      await local.close();
      db.close();
    },
  };
}
