// Builds the TournamentService over the app's routing and execution services (composition root helper).
import { randomUUID } from 'node:crypto';
import type { EventBus } from '../infra/event-bus';
import type { Logger } from '../infra/logger';
import type { Ledger } from '../ledger/ledger';
import { worstCaseUsd } from '../orchestrator/pricing';
import type { ProviderService } from '../providers/provider-service';
import type { FeedbackService } from '../routing/feedback-service';
import type { OrchestratorService } from '../routing/orchestrator-service';
import type { RegistryService } from '../routing/registry-service';
import type { RunService } from '../runs/run-service';
import type { SettingsService } from '../settings/settings-service';
import type { Db } from '../store/database';
import { TournamentRepo } from '../store/repos/tournament-repo';
import type { TaskLibrary } from '../tasks/task-library';
import type { TokenCounter } from '../tokens/token-counter';
import type { LocalRuntime } from '../local/runtime';
import { residentEmbeddings } from './local-embeddings';
import type { TournamentDeps } from './tournament-deps';
import { tournamentLedger } from './tournament-ledger';
import { TournamentService } from './tournament-service';

export function createTournaments(deps: {
  db: Db;
  events: EventBus;
  now: () => Date;
  settings: SettingsService;
  registry: RegistryService;
  orchestrator: OrchestratorService;
  feedback: FeedbackService;
  ledger: Ledger;
  providers: ProviderService;
  runs: RunService;
  /** C's runtime: a resident local model embeds claims for matching. */
  runtime?: Pick<LocalRuntime, 'resident' | 'use'>;
  monotonic?: () => number;
  library?: TaskLibrary;
  /** The token counter a single run's hold is counted with: members, verifiers and judges are held the same way. */
  tokens?: Pick<TokenCounter, 'count'>;
  /** How claims are matched; default: the resident local model's embeddings when `runtime` is given. */
  claimSimilarity?: TournamentDeps['claimSimilarity'];
  /** Where what a member call threw goes. */
  logger?: Pick<Logger, 'warn'>;
}): TournamentService {
  const repo = new TournamentRepo(deps.db);
  // The ledger's orphans and the runs' interruptions are marked by now (create-execution): a tournament a crash
  // left running is marked failed, at what the ledger counts for it.
  repo.markInterrupted(deps.now().toISOString());
  return new TournamentService({
    decide: (request) => deps.orchestrator.decide(request),
    tasks: deps.orchestrator.tasks,
    ...(deps.library ? { library: deps.library } : {}),
    model: (id) => deps.registry.get(id),
    calls: deps.runs,
    providerOf: (spec) => deps.providers.providerOf(spec),
    ledger: tournamentLedger(deps.ledger),
    feedback: deps.feedback,
    settings: () => deps.settings.get(),
    repo,
    events: deps.events,
    worstCase: (spec, input, output) => worstCaseUsd(spec, input, output, { at: deps.now() }),
    ...(deps.tokens ? { inputTokens: async (spec, request) => (await deps.tokens!.count(spec, request)).tokens } : {}),
    now: deps.now,
    clock: deps.monotonic ?? (() => performance.now()),
    newId: () => `tn_${randomUUID()}`,
    ...(deps.logger ? { logger: deps.logger } : {}),
    ...(deps.claimSimilarity
      ? { claimSimilarity: deps.claimSimilarity }
      : deps.runtime
        ? { claimSimilarity: residentEmbeddings(deps.runtime) }
        : {}),
  });
}
