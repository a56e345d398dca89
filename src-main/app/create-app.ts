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
import type { Ticker } from '../infra/ticker';
import { openDatabase, type Db } from '../store/database';
import { SettingsRepo } from '../store/repos/settings-repo';
import { createTournaments } from '../tournament/create-tournaments';
import { tournamentHandlers } from '../tournament/handlers';
import type { TournamentDeps } from '../tournament/tournament-deps';
import type { TournamentService } from '../tournament/tournament-service';
import { Dispatcher, type HandlerMap } from '../transport/dispatcher';
import { appHandlers } from './app-handlers';
import { systemDesktopShell, type DesktopShell, type FilePicker } from './desktop-shell';
import { uploadRoutes, type UploadRoutes } from './uploads';
import { resolveModelsDir } from './paths';
import { runStartHandler } from './run-start';
import { RunJobs } from './run-job';
import { JobRunner } from '../manuscripts/job-runner';
import { JobsRepo } from '../manuscripts/jobs-repo';
import { RunsRepo } from '../store/repos/runs-repo';
import { TokenCounter } from '../tokens/token-counter';
import { DocumentsRepo } from '../manuscripts/documents-repo';
import { manuscriptsHandlers } from '../manuscripts/handlers';
import { ManuscriptsService } from '../manuscripts/manuscripts-service';
import { shippedTaskLibrary } from '../tasks/shipped-library';
import type { TaskLibrary } from '../tasks/task-library';
import { tasksHandlers } from '../tasks/handlers';
import { GatewayService } from '../gateway/gateway-service';
import { gatewayHandlers } from '../gateway/handlers';

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
   * Local models: overrides for tests and benchmarks (free space, stall timeout, llama instance, where the
   * installed GGUF files are).
   */
  local?: Partial<Pick<LocalStackOptions, 'freeSpace' | 'stallMs' | 'runtime' | 'installed' | 'probe'>>;
  /** Encrypts API keys at rest (Electron safeStorage); without it keys go to a 0600 file in the data dir. */
  secretCipher?: SecretCipher;
  /** Providers, ledger and runs: overrides for tests and benchmarks (time zone, retries, breaker, timeouts, fetch). */
  execution?: Omit<ExecutionOptions, 'secretCipher'>;
  /** Opens folders in Finder; default: the platform's `open` / `xdg-open`. */
  desktopShell?: DesktopShell;
  /** The system file picker (the desktop app's dialog); none in the browser host, where files are uploaded. */
  filePicker?: FilePicker;
  /** The task definitions; default resources/tasks/ (tests with a tiny-context local model bring shorter ones). */
  taskLibrary?: TaskLibrary;
  /** How tournaments match claims; default: a resident local model's embeddings, else lexical. */
  tournament?: Pick<TournamentDeps, 'claimSimilarity'>;
  /** Drives the look for settings another process changed (default: every second); tests tick it by hand. */
  settingsTicker?: Ticker;
  /** Drives the look for a new month begun while the app is open (default: every minute); tests tick it by hand. */
  monthTicker?: Ticker;
  /** The gateway for other apps: `port` (`--gateway-port`) overrides the saved port for this session. */
  gateway?: { port?: number; concurrencyPerToken?: number; maxBodyBytes?: number };
}

export interface Services extends RoutingServices, ExecutionServices {
  db: Db;
  events: EventBus;
  logger: Logger;
  settings: SettingsService;
  local: LocalStack;
  tournaments: TournamentService;
  /** The one token count of a request for a model (runs price their reservations with it). */
  tokens: TokenCounter;
  /** Whole manuscripts kept in SQLite with numbered chapters and paragraphs. */
  manuscripts: ManuscriptsService;
  gateway: GatewayService;
}

export interface App {
  readonly services: Services;
  readonly dispatcher: Dispatcher;
  readonly events: EventBus;
  /** What the browser host does with uploaded files (models, manuscripts). */
  readonly uploads: UploadRoutes;
  close(): Promise<void>;
}

export async function createApp(options: AppOptions): Promise<App> {
  const now = options.now ?? (() => new Date());
  // One redactor for every way text leaves main: log lines, error envelopes, stored runs.
  const redactor = new Redactor();
  const logger = redactingLogger(options.logger ?? consoleLogger(), redactor.redact);
  const events = new EventBus(redactor.redact);
  const db = openDatabase(join(options.dataDir, 'quire.sqlite'));
  const settings = new SettingsService(new SettingsRepo(db, now), events);
  const stopSettingsWatch = settings.watch(options.settingsTicker);

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
  // One token count for the quote, the reservation and the splitting; the task library is validated here, at start-up.
  const tokens = new TokenCounter({ local: local.tokenizer.count, localText: local.tokenizer.textCounter });
  const library = options.taskLibrary ?? shippedTaskLibrary();
  const execution = createExecution(
    {
      library,
      tokens,
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
  const stopMonthWatch = execution.ledger.watchMonth(options.monthTicker);
  // Each month keeps the budget it had, so a month gone by is read against its own (settings changed here or by
  // another process: both are announced as settings:changed).
  const noteBudget = () => {
    try {
      execution.ledger.noteBudget();
    } catch (error) {
      // A busy or closing database: the next change (or start) notes it; the month's spend is unaffected.
      logger.warn(`Could not note this month's budget: ${String(error)}`);
    }
  };
  noteBudget();
  events.subscribe((event) => {
    if (event.name === 'settings:changed') noteBudget();
  });
  if (!options.availability)
    routing.orchestrator.useAvailability({
      cloudReady: (spec) => execution.providers.cloudReady(spec),
      localInstalled: (catalogId) => local.provider.isInstalled(catalogId),
      localUnusable: (catalogId) => local.library.unusable(catalogId),
    });

  // The registry's context_window for an installed local model is the context the runtime will open (trained size
  // or what the memory budget holds), re-measured when models are installed or the local settings change.
  routing.registry.useContextWindows((spec) => local.contextWindowOf(spec));
  let measuring = Promise.resolve();
  const measureContexts = () =>
    (measuring = measuring
      .then(() => local.refreshContextWindows(routing.registry.all()))
      .then((changed) => {
        if (changed) routing.registry.refresh();
      })
      .catch((error: unknown) => logger.warn(`Could not measure local model contexts: ${String(error)}`)));
  void measureContexts();
  events.subscribe((event) => {
    if (event.name === 'download:done' || event.name === 'settings:changed') void measureContexts();
  });
  // An imported GGUF is added to the registry (and measuring, when it changes anything, refreshes it once more).
  routing.registry.onChange(() => void measureContexts());
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
    library,
    tokens,
    logger,
    ...(options.execution?.monotonic ? { monotonic: options.execution.monotonic } : {}),
    ...options.tournament,
  });
  const documents = new DocumentsRepo(db);
  // The text of a manuscript a quit cut short while it was stored, before its row was.
  documents.forgetUnfinished();
  const manuscripts = new ManuscriptsService({ repo: documents, now });
  const renumbered = await manuscripts.renumberStale();
  if (renumbered > 0) logger.info(`Numbered ${renumbered} manuscript(s) again with this Quire's chapter rules`);
  const gateway = new GatewayService({
    db,
    library,
    runs: execution.runs,
    decide: (request) => routing.orchestrator.decide(request),
    models: () => routing.registry.all(),
    tasks: () => routing.orchestrator.tasks,
    taskName: (task) => routing.orchestrator.taskName(task),
    monthOf: (at) => execution.ledger.monthOf(at),
    runtime: local.runtime,
    ledger: execution.ledger,
    events,
    logger,
    now,
    ...options.gateway,
  });
  // A passage longer than the chosen model's context: one run with parts, above the runs service.
  const runJobs = new RunJobs({
    runs: execution.runs,
    repo: new RunsRepo(db),
    runner: new JobRunner({ repo: new JobsRepo(db), now }),
    jobs: new JobsRepo(db),
    decide: (request) => routing.orchestrator.decide(request),
    model: (id) => routing.registry.get(id),
    tokens,
    library,
    events,
    now,
    remainingUsd: () => {
      const budget = settings.get().orchestrator.monthly_budget;
      if (budget === null) return null;
      const spend = execution.ledger.snapshot(now());
      return budget - spend.spent_usd - spend.reserved_usd;
    },
    chargedUnder: (prefix) => execution.ledger.chargedUnder(prefix),
    chosenUnder: (prefix) => execution.ledger.chosenUnder(prefix),
    overrunRatios: () => execution.ledger.overrunRatios(),
    taskName: (task) => routing.orchestrator.taskName(task),
    manuscriptStructure: (text) => manuscripts.structureOf(text),
  });
  const services: Services = {
    db,
    events,
    logger,
    settings,
    ...routing,
    local,
    ...execution,
    tournaments,
    tokens,
    manuscripts,
    gateway,
  };

  const uploads = uploadRoutes({
    library: local.library,
    manuscripts,
    ...(options.local?.freeSpace ? { freeSpace: options.local.freeSpace } : {}),
  });
  const { keys, ledger, providers, resilience, runs } = execution;
  const handlers: HandlerMap = {
    ...settingsHandlers({ settings }),
    ...routingHandlers(routing),
    ...modelsHandlers({ local }),
    ...ledgerHandlers({
      ledger,
      budgetUsd: () => settings.get().orchestrator.monthly_budget,
      now,
      names: { task: (task) => routing.orchestrator.taskName(task), model: (id) => routing.orchestrator.modelName(id) },
    }),
    ...routingValueHandler({ orchestrator: routing.orchestrator, work: (month) => ledger.work(month) }),
    ...keysHandlers({
      keys,
      cipher: options.secretCipher,
      names: () => providers.keyNames(),
      test: (provider) => providers.testKey(provider),
    }),
    ...providersHandlers({ providers, resilience }),
    ...runsHandlers({
      runs,
      taskName: (task) => routing.orchestrator.taskName(task),
      modelName: (id, knownAs) => routing.orchestrator.modelName(id, knownAs),
    }),
    ...tasksHandlers({ library }),
    // Above both runs and tournaments: a critical task's run may become a tournament.
    ...runStartHandler({ runs, tournaments, jobs: runJobs }),
    ...tournamentHandlers({
      tournaments,
      runs,
      taskName: (task) => routing.orchestrator.taskName(task),
      modelName: (id, knownAs) => routing.orchestrator.modelName(id, knownAs),
    }),
    ...manuscriptsHandlers({ manuscripts }),
    ...gatewayHandlers({ gateway }),
    ...appHandlers({
      settings,
      dataDir: options.dataDir,
      shell: options.desktopShell ?? systemDesktopShell(),
      logger,
      picker: options.filePicker,
      uploads,
      machine: {
        cpuCount: options.local?.runtime?.cpuCount,
        totalMemoryBytes: options.local?.runtime?.totalMemoryBytes,
      },
      threadChoices: local.threadChoices,
    }),
  };
  const dispatcher = new Dispatcher(handlers, logger, redactor.redact);
  // Off unless the writer turned it on; a port in use is reported in gateway:get, never a failed start-up.
  await gateway.start();

  let closed = false;
  return {
    services,
    dispatcher,
    events,
    uploads,
    async close() {
      if (closed) return;
      closed = true;
      stopSettingsWatch();
      stopMonthWatch();
      await gateway.close();
      runs.cancelAll();
      tournaments.cancelAll();
      await measuring;
      await local.close();
      execution.ledger.giveBackHeldAhead();
      db.close();
    },
  };
}
