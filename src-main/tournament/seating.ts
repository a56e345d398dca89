// Who sits at a tournament: forced models checked one by one by the router, or the N best distinct candidates in the
// tier's order within the cost cap and the month's budget; in verification mode a primary and a cheaper verifier.
import { REPAIR_NOTE_TOKENS } from '../orchestrator/pricing';
import { answerKindFor } from './prompts';
import type {
  DecideRequest,
  Decision,
  ModelSpec,
  Settings,
  TaskSpec,
  TournamentMember,
  TournamentStart,
} from '../../src-preload/contract';
import { BudgetExceededError, InvalidInputError, UnavailableError } from '../errors';
import { selectMembers, selectVerifier, type SelectionCandidate } from './member-selection';
import { usdLeftText, usdText } from '../../src-preload/contract/usd-text';
import { onlyContextKeepsOut } from '../../src-preload/contract/orchestrator';

export interface Seat {
  spec: ModelSpec;
  role: TournamentMember['role'];
  worstCaseUsd: number;
  /**
   * A findings member's one repair of an unreadable answer, worst case (0 for a local model, prose and the verifier):
   * reserved with the members and counted against the cap and the budget like their calls.
   */
  repairUsd: number;
}

export interface SeatingDeps {
  decide: (request: DecideRequest) => Decision;
  model: (id: string) => ModelSpec | undefined;
  worstCase: (spec: ModelSpec, inputTokens: number, maxOutputTokens: number) => number;
}

export const VERIFIER_MAX_OUTPUT = 1024;

/** Chooses who answers (and who verifies), with their worst cases, or says why no tournament can run. */
export function chooseSeats(
  deps: SeatingDeps,
  request: TournamentStart,
  task: TaskSpec,
  mode: 'tournament' | 'verification',
  inputTokens: number,
  maxOutput: number,
  settings: Settings,
  notes: string[],
): Seat[] {
  // Findings are read, and a member whose answer cannot be read is asked once more: the same request with its answer
  // and what was wrong. A prose answer is taken as it is.
  const repairOf = (spec: ModelSpec): number =>
    spec.provider === 'local' || answerKindFor(task.strength) !== 'findings'
      ? 0
      : deps.worstCase(spec, inputTokens + maxOutput + REPAIR_NOTE_TOKENS, maxOutput);
  const base = {
    task: task.id,
    input_tokens: inputTokens,
    max_output_tokens: maxOutput,
    ...(request.tier ? { tier: request.tier } : {}),
  };
  let pool: SelectionCandidate[];
  let remaining: number | null;
  /** Models out only because the passage is too long for them to read whole (a tournament does not run in parts). */
  let tooLong = 0;
  if (request.models) {
    pool = [];
    remaining = null;
    for (const [index, id] of request.models.entries()) {
      if (pool.some((c) => c.spec.id === id)) throw new InvalidInputError(`${id} is listed twice`, `models.${index}`);
      const decision = deps.decide({ ...base, model: id });
      if (decision.refusal || decision.model_id !== id) {
        const name = deps.model(id)?.display_name ?? id;
        const message = decision.refusal?.message ?? `${name} cannot run ${task.display_name}.`;
        if (decision.refusal?.code === 'budget_exceeded') throw new BudgetExceededError(message);
        throw new InvalidInputError(message, `models.${index}`);
      }
      const spec = deps.model(id)!;
      remaining = decision.remaining_usd;
      pool.push({
        spec,
        score: decision.candidates.find((c) => c.model_id === id)?.quality ?? spec.quality,
        worst_case_usd: decision.estimate_usd + repairOf(spec),
      });
    }
  } else {
    const decision = deps.decide(base);
    remaining = decision.remaining_usd;
    // The router's order is the tier's order (premium: quality first; budget: cheap first): the score follows it.
    const eligible = decision.candidates.filter((c) => c.status !== 'rejected');
    tooLong = decision.candidates.filter((c) => onlyContextKeepsOut(c.reasons, c.local)).length;
    pool = eligible
      .map((c, index) => ({
        spec: deps.model(c.model_id),
        score: eligible.length - index,
        worst_case_usd: c.estimate_usd + (deps.model(c.model_id) ? repairOf(deps.model(c.model_id)!) : 0),
      }))
      .filter((c): c is SelectionCandidate => c.spec !== undefined);
  }
  const cap = settings.tournament.cost_cap_usd;

  if (mode === 'verification') {
    const primary = pool[0];
    const verifier = request.models ? pool[1] : primary && selectVerifier(primary, pool);
    if (!primary || !verifier) {
      throw new UnavailableError('Verification needs two models that can run this task; fewer are available.');
    }
    // The verifier reads the input and the primary's answer (up to maxOutput tokens, counted generously).
    const verifierCost = deps.worstCase(verifier.spec, inputTokens + 2 * maxOutput + 200, VERIFIER_MAX_OUTPUT);
    const total = primary.worst_case_usd + verifierCost;
    const limits = [cap, remaining].filter((x): x is number => x !== null);
    if (limits.length && total > Math.min(...limits) + 1e-9) {
      throw new BudgetExceededError(
        `Verification could cost up to ${usdText(total)}, more than ${cap !== null && cap <= (remaining ?? Infinity) ? `the ${usdText(cap)} tournament cap` : `the ${usdLeftText(remaining ?? 0)} left this month`}.`,
      );
    }
    return [
      {
        spec: primary.spec,
        role: 'primary',
        worstCaseUsd: primary.worst_case_usd - repairOf(primary.spec),
        repairUsd: repairOf(primary.spec),
      },
      { spec: verifier.spec, role: 'verifier', worstCaseUsd: verifierCost, repairUsd: 0 },
    ];
  }

  const n = request.models?.length ?? request.n ?? settings.tournament.num_models;
  const selection = selectMembers({ candidates: pool, n, cost_cap_usd: cap, remaining_budget_usd: remaining });
  if (!selection.ok) {
    if (selection.reason === 'too_few_candidates') {
      throw new UnavailableError(
        tooLong === 0
          ? selection.message
          : `${selection.message} ${tooLong} more could run it, but this passage is too long for them to read at ` +
              'once, and a tournament does not run in parts: try it on a chapter or a scene at a time.',
      );
    }
    throw new BudgetExceededError(selection.message);
  }
  if (request.models && selection.members.length < request.models.length) {
    throw new BudgetExceededError(
      `The chosen models together could cost more than ${usdText(selection.limit_usd ?? 0)}; choose fewer or cheaper ones.`,
    );
  }
  notes.push(...selection.notes);
  return selection.members.map((m) => {
    const spec = pool.find((c) => c.spec.id === m.model_id)!.spec;
    return { spec, role: 'member', worstCaseUsd: m.worst_case_usd - repairOf(spec), repairUsd: repairOf(spec) };
  });
}
