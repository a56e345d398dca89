// What TournamentService needs from the rest of the app (composed in create-tournaments.ts; the test harness builds
// it on real parts).
import type { DecideRequest, Decision, ModelSpec, Settings, TaskSpec } from '../../src-preload/contract';
import type { EventBus } from '../infra/event-bus';
import type { ChosenBy } from '../orchestrator/chosen-by';
import type { Logger } from '../infra/logger';
import type { ModelCall, ModelCallOutcome } from '../runs/run-service';
import type { TournamentRepo } from '../store/repos/tournament-repo';
import type { TaskLibrary } from '../tasks/task-library';
import type { CountRequest } from '../tokens/token-counter';
import type { ClaimSimilarity } from './similarity';

export interface TournamentLedger {
  /**
   * Reserves every request or none (one IMMEDIATE transaction); throws BudgetExceededError, also when what the ledger
   * holds for them together (a model's overrun multiple included) is more than `limitUsd` (the tournament's cap).
   */
  reserveAll(
    requests: {
      runId: string;
      modelId: string;
      provider: string;
      task: string;
      worstCaseUsd: number;
      /** Quire (it seated the members, it chose the judge) or the writer (they named the members). */
      chosenBy: ChosenBy;
    }[],
    limitUsd?: number | null,
  ): { id: number; reservedUsd: number }[];
  release(id: number, note: string, durationMs?: number): void;
  /** Per model, the multiple of its holds its provider charged this month (absent: none): the ledger holds at it. */
  overrunRatios(): ReadonlyMap<string, number>;
}

export interface TournamentDeps {
  decide: (request: DecideRequest) => Decision;
  tasks: ReadonlyMap<string, TaskSpec>;
  /** The task library: members and verifiers read the same instruction a single run sends. */
  library?: TaskLibrary;
  model: (id: string) => ModelSpec | undefined;
  /**
   * RunService.call: every member, verifier and judge call is a run of its own (stored, in runs:list and the ledger
   * with its task and model), made the way runs:start makes its calls — breaker, timeouts, streaming, settling.
   */
  calls: { call(call: ModelCall): Promise<ModelCallOutcome> };
  /** The ledger's / breaker's provider name for a model (ProviderService.providerOf). */
  providerOf?: (spec: ModelSpec) => string;
  ledger: TournamentLedger;
  feedback: {
    record(feedback: { model_id: string; task: string; score: number; source: 'tournament' }): void;
    quality(): (modelId: string, task: string, prior: number) => number;
  };
  settings: () => Settings;
  repo: TournamentRepo;
  events: EventBus;
  /** A's pricing: worst cases for the reservations. */
  worstCase: (spec: ModelSpec, inputTokens: number, maxOutputTokens: number) => number;
  /**
   * The whole request as this model reads it (instruction, framing, passage, answer schema), by the token counter a
   * single run's hold is counted with; without it, the generic estimate of the messages alone.
   */
  inputTokens?: (spec: ModelSpec, request: CountRequest) => Promise<number>;
  now: () => Date;
  clock: () => number;
  newId: () => string;
  /** Where what a member call threw goes (the member's reason is in Quire's words). */
  logger?: Pick<Logger, 'warn'>;
  /** When a local model is resident, an embedding measure for claims; the lexical one otherwise. */
  claimSimilarity?: (claims: string[]) => Promise<ClaimSimilarity | undefined>;
}
