// What RunService is built from (the composition root fills it in); its helpers take the parts they need.
import type { DecideRequest, Decision, ModelSpec } from '../../src-preload/contract';
import type { EventBus } from '../infra/event-bus';
import type { Logger } from '../infra/logger';
import type { Ledger } from '../ledger/ledger';
import type { ProviderService } from '../providers/provider-service';
import type { ProviderResilience } from '../providers/resilience';
import type { SettingsService } from '../settings/settings-service';
import type { RunsRepo } from '../store/repos/runs-repo';
import type { TaskLibrary } from '../tasks/task-library';
import type { TokenCounter } from '../tokens/token-counter';
import type { DeadlineTimer } from './first-token-deadline';

export interface RunServiceOptions {
  decide: (request: DecideRequest) => Decision;
  model: (id: string) => ModelSpec | undefined;
  allModels: () => readonly ModelSpec[];
  providers: Pick<ProviderService, 'model' | 'providerOf'>;
  resilience: Pick<ProviderResilience, 'isBlocked' | 'execute' | 'waitSeconds'>;
  ledger: Ledger;
  repo: RunsRepo;
  /** `previous`: the run's earlier rating, which this one replaces (null: the first rating). */
  recordFeedback: (
    feedback: { model_id: string; task: string; score: number; source: 'rating' },
    previous: number | null,
  ) => void;
  settings: Pick<SettingsService, 'get'>;
  events: EventBus;
  /** Already redacting (the app wraps every logger). */
  logger: Logger;
  redact: (text: string) => string;
  /** Where streamed text may be cut without splitting a key the redactor knows (Redactor.secretCut). */
  secretCut?: (text: string, cut: number) => number;
  now: () => Date;
  monotonic?: () => number;
  newId?: () => string;
  /** The task library: a passage run is framed by its task's instruction and answered in the task's form. */
  library?: TaskLibrary;
  /** The routing table's task ids (what the coordinator may route to). */
  taskIds?: readonly string[];
  /** A task's name as the writer reads it ("Continuity check"); default: its id. */
  taskName?: (task: string) => string;
  /** The one token count of a request for a model: what each attempt's reservation is priced with. */
  tokens?: Pick<TokenCounter, 'count'>;
  /**
   * The first-token deadline's floor, ms, overriding settings.runs.first_token_floor_s (tests, benchmarks). The
   * deadline itself grows with the input and the model's pace (first-token-deadline.ts).
   */
  firstTokenTimeoutMs?: number;
  /** A model's quality estimate for a task, 0–10 (feedback-adjusted); default: the registry's prior. */
  quality?: (modelId: string, task: string) => number;
  /** The timer first-token deadlines run on (tests inject a clock). */
  timer?: DeadlineTimer;
}
