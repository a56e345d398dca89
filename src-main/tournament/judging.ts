// Prose tournaments: the best model outside the tournament (else the best member) judges every pair of answers in both
// orders. Its calls are reserved together before the first; when they do not fit, the writer picks instead.
import type { DecideRequest, Decision, ModelSpec, TaskSpec, Tournament } from '../../src-preload/contract';
import { BudgetExceededError } from '../errors';
import type { ReasoningEffort } from '../../src-preload/contract/tasks';
import { outputAllowance } from '../orchestrator/thinking';
import type { GenerateRequest } from '../providers/spec';
import { withRoomToThink } from '../runs/room-to-think';
import { estimateInputTokens } from '../runs/run-request';
import { parseStructured } from './verification';
import {
  JUDGE_JSON_SCHEMA,
  judgeBouts,
  judgeMessages,
  judgeVerdictSchema,
  summarizeJudgements,
  type JudgeSummary,
} from './judge';
import type { ModelCallOutcome } from '../runs/run-service';
import { usdLeftText, usdText } from '../../src-preload/contract/usd-text';
import { heldMicros, toMicros, toUsd } from '../store/money';
import type { CountRequest } from '../tokens/token-counter';
import type { Seat } from './seating';
import { TournamentCapError } from './tournament-ledger';
import type { TournamentLedger } from './tournament-deps';

export const JUDGE_MAX_OUTPUT = 300;
const JUDGE_SCHEMA = { name: 'judgement', schema: JUDGE_JSON_SCHEMA };

export interface JudgingDeps {
  decide: (request: DecideRequest) => Decision;
  model: (id: string) => ModelSpec | undefined;
  worstCase: (spec: ModelSpec, inputTokens: number, maxOutputTokens: number) => number;
  providerOf: (spec: ModelSpec) => string;
  reserveAll: TournamentLedger['reserveAll'];
  /** A judge's whole request as its model reads it (the verdict's schema included). */
  inputTokens: (spec: ModelSpec, request: CountRequest) => Promise<number>;
  /** The multiple of its holds `spec`'s provider charged this month (1: none). */
  overrunRatio: (spec: ModelSpec) => number;
  /** What is left of the tournament's cost cap once its members are charged (null: no cap). */
  capLeftUsd: number | null;
  /** Runs one call like a member's (breaker, timeout, cancel, ledger), without events. */
  execute: (
    spec: ModelSpec,
    request: GenerateRequest,
    reservation: { id: number; reservedUsd: number } | null,
    runId: string,
  ) => Promise<ModelCallOutcome>;
}

/**
 * Fills `tournament.judging` and returns the summary; null when no judge could run (a note says why). `input.effort`:
 * the task's, at which a reasoning judge is sent room to think besides its verdict's allowance (held for it too).
 */
export async function judgeProse(
  deps: JudgingDeps,
  tournament: Tournament,
  task: TaskSpec,
  input: { passage: string; request?: string | undefined; effort: ReasoningEffort | null },
  answers: { seat: Seat; text: string }[],
  notes: string[],
): Promise<JudgeSummary | null> {
  const ids = answers.map((a) => a.seat.spec.id);
  const decision = deps.decide({ task: task.id, exclude: ids });
  const judgeId = decision.model_id ?? ids[0]!;
  const spec = deps.model(judgeId);
  if (!spec) return null;
  const bouts = judgeBouts(ids);
  const textOf = new Map(answers.map((a) => [a.seat.spec.id, a.text]));
  const requests = bouts.map((bout) => ({
    bout,
    messages: judgeMessages(
      task.display_name,
      input.passage,
      textOf.get(bout.first)!,
      textOf.get(bout.second)!,
      input.request,
    ),
  }));
  const worst =
    spec.provider === 'local'
      ? requests.map(() => 0)
      : await Promise.all(
          requests.map(async (r) => {
            const counted = await deps.inputTokens(spec, { messages: r.messages, jsonSchema: JUDGE_SCHEMA });
            const output = outputAllowance(spec, JUDGE_MAX_OUTPUT, input.effort);
            return deps.worstCase(spec, Math.max(estimateInputTokens(r.messages), counted), output);
          }),
        );
  let reservations: { id: number; reservedUsd: number }[] = [];
  if (spec.provider !== 'local') {
    // The judges come out of the tournament's cap too: held at the judge's overrun multiple, as the ledger holds them.
    const ratio = deps.overrunRatio(spec);
    const held = toUsd(worst.reduce((sum, w) => sum + heldMicros(toMicros(w), ratio), 0));
    const noJudge = (why: string) => {
      notes.push(
        `No judge fits ${why} (${usdText(held)} for ${requests.length} comparisons); pick the answer you prefer.`,
      );
      return null;
    };
    if (deps.capLeftUsd !== null && held > deps.capLeftUsd) {
      return noJudge(`the ${usdLeftText(Math.max(0, deps.capLeftUsd))} left of the tournament cap`);
    }
    try {
      reservations = deps.reserveAll(
        requests.map((_, i) => ({
          runId: `${tournament.id}/judge/${i}`,
          modelId: spec.id,
          provider: deps.providerOf(spec),
          task: task.id,
          worstCaseUsd: worst[i]!,
          // The judge is the orchestrator's pick among the models that did not answer.
          chosenBy: 'quire' as const,
        })),
        deps.capLeftUsd,
      );
    } catch (error) {
      if (!(error instanceof BudgetExceededError)) throw error;
      return noJudge(error instanceof TournamentCapError ? 'the tournament cap' : 'the budget');
    }
    tournament.reserved_usd += reservations.reduce((sum, r) => sum + r.reservedUsd, 0);
  }
  const verdicts = await Promise.all(
    requests.map(async (r, i) => {
      const outcome = await deps.execute(
        spec,
        withRoomToThink(spec, input.effort, {
          messages: r.messages,
          maxOutputTokens: JUDGE_MAX_OUTPUT,
          temperature: 0,
          jsonSchema: JUDGE_SCHEMA,
        }),
        reservations[i] ?? null,
        `${tournament.id}/judge/${i}`,
      );
      tournament.cost_usd += outcome.costUsd;
      return {
        bout: r.bout,
        verdict: outcome.ok ? parseStructured(judgeVerdictSchema, outcome.json, outcome.text) : undefined,
      };
    }),
  );
  const summary = summarizeJudgements(ids, verdicts);
  tournament.judging = {
    judge_model_id: spec.id,
    ranking: summary.ranking.map((r) => ({ model_id: r.member_id, score: r.score, wins: r.wins, pairs: r.pairs })),
    pairs: summary.pairs.map((p) => ({
      a: p.a,
      b: p.b,
      winner: p.winner,
      position_bias: p.position_bias,
      reasons: p.reasons,
    })),
    consistency: summary.consistency,
  };
  if (summary.pairs.some((p) => p.position_bias)) {
    notes.push('The judge changed its mind when the order was swapped on some pairs; those count as ties.');
  }
  return summary;
}
