// Builds the execution layer (keys, ledger, breakers, providers, runs) over one database, for the app and benchmarks.
import type { EventBus } from '../infra/event-bus';
import type { Logger } from '../infra/logger';
import { KeyStore } from '../keys/key-store';
import type { Redactor } from '../keys/redactor';
import type { SecretCipher } from '../keys/secret-cipher';
import { Ledger } from '../ledger/ledger';
import type { LocalModelProvider } from '../providers/local-models';
import { ProviderService } from '../providers/provider-service';
import { ProviderResilience } from '../providers/resilience';
import type { FeedbackService } from '../routing/feedback-service';
import type { OrchestratorService } from '../routing/orchestrator-service';
import type { RegistryService } from '../routing/registry-service';
import type { SettingsService } from '../settings/settings-service';
import type { Db } from '../store/database';
import { EndpointsRepo } from '../store/repos/endpoints-repo';
import { RunsRepo } from '../store/repos/runs-repo';
import { groupCommitOf } from '../store/group-commit';
import type { TaskLibrary } from '../tasks/task-library';
import type { TokenCounter } from '../tokens/token-counter';
import type { DeadlineTimer } from './first-token-deadline';
import { RunService } from './run-service';

/** Seed 004: a dead or silent provider is left within 5 s. */
const DEFAULT_FIRST_TOKEN_MS = 4_000;

export interface ExecutionOptions {
  secretCipher?: SecretCipher;
  /** IANA zone budget months follow; default: the process's. */
  timeZone?: string;
  /** SDK retries per call; default 1. */
  maxRetries?: number;
  /**
   * Longest Retry-After the SDK may wait, seconds. Default: 1 s under the first-token deadline, so an honoured wait
   * never turns into a timeout; a longer one fails fast with the provider's request and the run moves on.
   */
  maxRetryAfterS?: number;
  /** Breaker: consecutive failures to open (default 5) and cool-down (default 30 s). */
  failureThreshold?: number;
  cooldownMs?: number;
  /** The first-token deadline's floor, ms; default settings.runs.first_token_floor_s (the deadline scales above it). */
  firstTokenTimeoutMs?: number;
  /** The timer first-token deadlines run on (tests inject a clock). */
  timer?: DeadlineTimer;
  /** The fetch the SDKs use (tests, benchmarks). */
  fetch?: typeof fetch;
  monotonic?: () => number;
  /** What makes committed charges durable (default: fsync the database's write-ahead log); tests hold it. */
  durableSync?: () => Promise<void>;
}

export interface ExecutionServices {
  keys: KeyStore;
  redactor: Redactor;
  ledger: Ledger;
  resilience: ProviderResilience;
  providers: ProviderService;
  runs: RunService;
}

export function createExecution(
  deps: {
    db: Db;
    dataDir: string;
    env: NodeJS.ProcessEnv;
    now: () => Date;
    events: EventBus;
    logger: Logger;
    redactor: Redactor;
    settings: SettingsService;
    registry: RegistryService;
    orchestrator: OrchestratorService;
    feedback: FeedbackService;
    local?: LocalModelProvider | undefined;
    /** Task definitions and the one token counter (both optional so benchmarks can build execution alone). */
    library?: TaskLibrary;
    tokens?: TokenCounter;
  },
  options: ExecutionOptions = {},
): ExecutionServices {
  const { db, now, events, redactor, settings } = deps;
  const keys = new KeyStore({
    db,
    dataDir: deps.dataDir,
    env: deps.env,
    redactor,
    cipher: options.secretCipher,
    now,
  });
  const ledger = new Ledger({
    db,
    now,
    events,
    budgetUsd: () => settings.get().orchestrator.monthly_budget,
    alertsEnabled: () => settings.get().orchestrator.cost_tracking_enabled,
    groupCommit: groupCommitOf(db, options.durableSync ? { sync: options.durableSync } : {}),
    ...(options.timeZone ? { timeZone: options.timeZone } : {}),
  });
  const orphans = ledger.markOrphans();
  if (orphans > 0) deps.logger.warn(`${orphans} reservation(s) left open by a crash still count against the budget`);
  const resilience = new ProviderResilience({
    now,
    ...(options.failureThreshold ? { failureThreshold: options.failureThreshold } : {}),
    ...(options.cooldownMs ? { cooldownMs: options.cooldownMs } : {}),
    redact: redactor.redact,
    onChange: (providers) => events.emit('providers:health', { providers }),
  });
  const providers = new ProviderService({
    keys,
    endpoints: new EndpointsRepo(db, now),
    registry: deps.registry,
    resilience,
    local: deps.local,
    redact: redactor.redact,
    ...(options.maxRetries !== undefined ? { maxRetries: options.maxRetries } : {}),
    maxRetryAfterS:
      options.maxRetryAfterS ??
      Math.max(1, Math.floor((options.firstTokenTimeoutMs ?? DEFAULT_FIRST_TOKEN_MS) / 1000) - 1),
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });
  const runs = new RunService({
    decide: (request) => deps.orchestrator.decide(request),
    model: (id) => deps.registry.get(id),
    allModels: () => deps.registry.all(),
    providers,
    resilience,
    ledger,
    repo: new RunsRepo(db),
    quality: (modelId, task) => deps.feedback.quality()(modelId, task, deps.registry.get(modelId)?.quality ?? 0),
    recordFeedback: (feedback, previous) =>
      previous === null ? deps.feedback.record(feedback) : deps.feedback.replace(feedback, previous),
    settings,
    events,
    logger: deps.logger,
    redact: redactor.redact,
    secretCut: redactor.secretCut,
    now,
    ...(deps.library ? { library: deps.library, taskIds: [...deps.orchestrator.tasks.keys()] } : {}),
    taskName: (task) => deps.orchestrator.taskName(task),
    ...(deps.tokens ? { tokens: deps.tokens } : {}),
    ...(options.monotonic ? { monotonic: options.monotonic } : {}),
    ...(options.firstTokenTimeoutMs !== undefined ? { firstTokenTimeoutMs: options.firstTokenTimeoutMs } : {}),
    ...(options.timer ? { timer: options.timer } : {}),
  });
  runs.recover();
  return { keys, redactor, ledger, resilience, providers, runs };
}
