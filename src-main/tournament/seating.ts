// Who sits at a tournament: forced models checked one by one by the router, or the N best distinct candidates in the
// tier's order within the cost cap and the month's budget; in verification mode a primary and a cheaper verifier.
import { REPAIR_NOTE_TOKENS } from '../orchestrator/pricing';
import { outputAllowance } from '../orchestrator/thinking';
import type { ReasoningEffort } from '../../src-preload/contract/tasks';
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
import { onlyBudgetKeepsOut, onlyContextKeepsOut } from '../../src-preload/contract/orchestrator';
import { heldMicros, toMicros, toUsd } from '../store/money';
import { VERIFICATION_JSON_SCHEMA } from './verification';

const VERIFICATION_SCHEMA = { name: 'verification', schema: VERIFICATION_JSON_SCHEMA };

export interface Seat {
  spec: ModelSpec;
  role: TournamentMember['role'];
  worstCaseUsd: number;
  /**
   * A findings member's one repair of an unreadable answer, worst case (0 for a local model, prose and the verifier):
   * reserved with the members and counted against the cap and the budget like their calls.
   */
  repairUsd: number;
  /**
   * What the ledger will hold for the call and its repair together: their worst cases at the multiple this model's
   * provider charged past its holds this month (store/money.ts heldMicros). The cap and the budget are checked at it.
   */
  heldUsd: number;
}

export interface SeatingDeps {
  decide: (request: DecideRequest) => Decision;
  model: (id: string) => ModelSpec | undefined;
  worstCase: (spec: ModelSpec, inputTokens: number, maxOutputTokens: number) => number;
  /** The member's whole request as `spec` reads it (with `jsonSchema` in place of the member's schema, if given). */
  inputTokens: (spec: ModelSpec, jsonSchema?: { name: string; schema: Record<string, unknown> }) => Promise<number>;
  /** The multiple of its holds `spec`'s provider charged this month (1: none). */
  overrunRatio: (spec: ModelSpec) => number;
}

/** A call's and its repair's worst cases, and what the ledger holds for the two at the model's overrun multiple. */
function priced(deps: SeatingDeps, spec: ModelSpec, callUsd: number, repairUsd: number) {
  const ratio = deps.overrunRatio(spec);
  const heldUsd = toUsd(heldMicros(toMicros(callUsd), ratio) + heldMicros(toMicros(repairUsd), ratio));
  return { worstCaseUsd: callUsd, repairUsd, heldUsd };
}

export const VERIFIER_MAX_OUTPUT = 1024;

/**
 * Chooses who answers (and who verifies), with their worst cases, or says why no tournament can run. `effort`: the
 * task's, at which a reasoning model is sent room to think besides `maxOutput` (null: none).
 */
export async function chooseSeats(
  deps: SeatingDeps,
  request: TournamentStart,
  task: TaskSpec,
  mode: 'tournament' | 'verification',
  inputTokens: number,
  maxOutput: number,
  effort: ReasoningEffort | null,
  settings: Settings,
  notes: string[],
  /** The member's request with no passage (the task's instruction, the writer's request): what no shorter text removes. */
  passageFreeTokens?: number,
): Promise<Seat[]> {
  // Each cloud member priced by its whole request as it reads it (the answer schema included), never below the
  // estimate the decision was asked with. Findings are read, and a member whose answer cannot be read is asked once
  // more: the same request with its answer and what was wrong. A prose answer is taken as it is. A reasoning member
  // is priced with every token it may be sent to produce, its room to think included (runs/room-to-think.ts): its
  // answer, sent back in a repair or read by the verifier, may be as long.
  const output = (spec: ModelSpec) => outputAllowance(spec, maxOutput, effort);
  const prices = new Map<string, Promise<ReturnType<typeof priced>>>();
  const price = (spec: ModelSpec) => {
    let known = prices.get(spec.id);
    if (!known) prices.set(spec.id, (known = priceOf(spec)));
    return known;
  };
  const priceOf = async (spec: ModelSpec) => {
    if (spec.provider === 'local') return priced(deps, spec, 0, 0);
    const input = Math.max(inputTokens, await deps.inputTokens(spec));
    const out = output(spec);
    const repair =
      answerKindFor(task.strength) === 'findings' ? deps.worstCase(spec, input + out + REPAIR_NOTE_TOKENS, out) : 0;
    return priced(deps, spec, deps.worstCase(spec, input, out), repair);
  };
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
  /** Of those, the models out even with no passage at all: a shorter text would not seat them. */
  let tooSmallAnyway = 0;
  /** Models out only because the budget left cannot hold a call of theirs. */
  let overBudget = 0;
  if (request.models) {
    pool = [];
    remaining = null;
    for (const [index, id] of request.models.entries()) {
      if (pool.some((c) => c.spec.id === id)) throw new InvalidInputError(`${id} is listed twice`, `models.${index}`);
      const decision = deps.decide({ ...base, model: id });
      if (decision.refusal || decision.model_id !== id) {
        const name = deps.model(id)?.display_name ?? id;
        const message = decision.refusal?.message ?? `${name} cannot run ${task.display_name}.`;
        // The single-run refusal's steps ("Let Quire choose…") are for one model: a tournament's are its own.
        if (decision.refusal?.code === 'budget_exceeded') {
          const cost = decision.candidates.find((c) => c.model_id === id)?.estimate_usd ?? 0;
          throw new BudgetExceededError(
            `A member you picked for this tournament, ${name}, would cost about ${usdText(cost)}, more than the ` +
              `${usdLeftText(decision.remaining_usd ?? 0)} left this month. ${overBudgetSteps(task.display_name, true)}`,
            { advised: true },
          );
        }
        throw new InvalidInputError(message, `models.${index}`);
      }
      const spec = deps.model(id)!;
      remaining = decision.remaining_usd;
      pool.push({
        spec,
        score: decision.candidates.find((c) => c.model_id === id)?.quality ?? spec.quality,
        worst_case_usd: (await price(spec)).heldUsd,
      });
    }
  } else {
    const decision = deps.decide(base);
    remaining = decision.remaining_usd;
    // The router's order is the tier's order (premium: quality first; budget: cheap first): the score follows it.
    const eligible = decision.candidates.filter((c) => c.status !== 'rejected');
    tooLong = decision.candidates.filter((c) => onlyContextKeepsOut(c.reasons, c.local)).length;
    // Out whatever the passage: their context cannot hold even the task's instruction with its answer.
    if (tooLong > 0 && passageFreeTokens !== undefined)
      tooSmallAnyway = deps
        .decide({ ...base, input_tokens: passageFreeTokens })
        .candidates.filter((c) => onlyContextKeepsOut(c.reasons, c.local)).length;
    overBudget = decision.candidates.filter((c) => onlyBudgetKeepsOut(c.reasons, c.local)).length;
    pool = [];
    for (const [index, c] of eligible.entries()) {
      const spec = deps.model(c.model_id);
      if (spec) pool.push({ spec, score: eligible.length - index, worst_case_usd: (await price(spec)).heldUsd });
    }
  }
  const cap = settings.tournament.cost_cap_usd;
  /** Fewer than two seats, where models the budget alone keeps out would make them: the budget is why. */
  const budgetKeepsOut = (needs: string): BudgetExceededError | null =>
    pool.length + overBudget >= 2
      ? new BudgetExceededError(
          `${needs} at least two models that fit in the ${usdLeftText(remaining ?? 0)} left this month, and ` +
            `${pool.length === 0 ? 'none does' : 'only one does'}. ${overBudgetSteps(task.display_name, false)}`,
          { advised: true },
        )
      : null;

  if (mode === 'verification') {
    const primary = pool[0];
    const verifier = request.models ? pool[1] : primary && selectVerifier(primary, pool);
    if (!primary || !verifier) {
      throw (
        budgetKeepsOut('Verification needs') ??
        new UnavailableError(
          `Verification needs two models that can run this task; fewer are available. ${MORE_MODELS_STEP}`,
          { advised: true },
        )
      );
    }
    // The verifier reads the input and the primary's answer (up to all the primary may produce, counted generously),
    // and is sent the verdict's schema; a reasoning verifier is sent room to think besides the verdict's allowance.
    const verifierInput =
      verifier.spec.provider === 'local'
        ? 0
        : Math.max(inputTokens, await deps.inputTokens(verifier.spec, VERIFICATION_SCHEMA)) +
          2 * output(primary.spec) +
          200;
    const verifierSeat = priced(
      deps,
      verifier.spec,
      deps.worstCase(verifier.spec, verifierInput, outputAllowance(verifier.spec, VERIFIER_MAX_OUTPUT, effort)),
      0,
    );
    const total = primary.worst_case_usd + verifierSeat.heldUsd;
    const limits = [cap, remaining].filter((x): x is number => x !== null);
    if (limits.length && total > Math.min(...limits) + 1e-9) {
      throw new BudgetExceededError(
        `Verification could cost up to ${usdText(total)}, more than ${cap !== null && cap <= (remaining ?? Infinity) ? `the ${usdText(cap)} tournament cap` : `the ${usdLeftText(remaining ?? 0)} left this month`}.`,
      );
    }
    return [
      { spec: primary.spec, role: 'primary', ...(await price(primary.spec)) },
      { spec: verifier.spec, role: 'verifier', ...verifierSeat },
    ];
  }

  const n = request.models?.length ?? request.n ?? settings.tournament.num_models;
  const selection = selectMembers({ candidates: pool, n, cost_cap_usd: cap, remaining_budget_usd: remaining });
  if (!selection.ok) {
    if (selection.reason === 'too_few_candidates') {
      throw (
        budgetKeepsOut('A tournament needs') ??
        new UnavailableError(
          tooLong === 0
            ? `${selection.message} ${MORE_MODELS_STEP}`
            : tooSmallAnyway === tooLong
              ? tooSmallForSeats(pool.length, tooLong, maxOutput)
              : tooLongForSeats(pool.length, tooLong),
          { advised: true },
        )
      );
    }
    // A cap that binds says its own step (raise the cap); a budget, the steps a tournament can take.
    throw new BudgetExceededError(
      selection.reason === 'budget'
        ? `${selection.message} ${overBudgetSteps(task.display_name, request.models !== undefined)}`
        : selection.message,
      { advised: true },
    );
  }
  if (request.models && selection.members.length < request.models.length) {
    throw new BudgetExceededError(
      `The chosen models together could cost more than ${usdText(selection.limit_usd ?? 0)}; choose fewer or cheaper ones.`,
    );
  }
  notes.push(...selection.notes);
  const seats: Seat[] = [];
  for (const m of selection.members) {
    const spec = pool.find((c) => c.spec.id === m.model_id)!.spec;
    seats.push({ spec, role: 'member', ...(await price(spec)) });
  }
  return seats;
}

/**
 * What seats another model when too few can run the task: said with the refusal, as the Workbench's general step for
 * "unavailable" (check the network) is not it.
 */
const MORE_MODELS_STEP =
  'Add an API key for another provider in Settings, or download a local model on the Models screen, for a second ' +
  'model that can run it.';

/** What lets a tournament run that the budget left cannot hold: other members (when the writer picked them), one
 * model instead of several, or more budget. */
function overBudgetSteps(taskName: string, picked: boolean): string {
  const single = `run ${taskName} on one model (turn its tournament off in Settings → Tournaments)`;
  return picked
    ? `Pick other members or let Quire pick them, ${single}, or raise the monthly budget in Settings.`
    : `${single.charAt(0).toUpperCase()}${single.slice(1)}, or raise the monthly budget in Settings.`;
}

/**
 * Too few seats because the models that could run the task cannot hold even its instruction with its answer, however
 * short the passage: the step is a shorter answer or a model with a larger context, not a shorter text.
 */
function tooSmallForSeats(seated: number, tooSmall: number, answerTokens: number): string {
  const can = seated === 0 ? 'none can' : 'only one can';
  const them =
    tooSmall === 1
      ? seated === 0
        ? 'the one model'
        : 'the other'
      : `the ${tooSmall} ${seated === 0 ? 'models' : 'others'}`;
  return (
    `A tournament needs at least two models that can run this task, and ${can}: ${them} that could run it ` +
    `${tooSmall === 1 ? 'reads' : 'read'} too little at once to hold this task's instruction and its answer (up to ` +
    `${answerTokens.toLocaleString('en-US')} tokens), however short the passage. Pick a shorter answer length, or ` +
    `add a model with a larger context: ${MORE_MODELS_STEP.charAt(0).toLowerCase()}${MORE_MODELS_STEP.slice(1)}`
  );
}

/**
 * Too few seats (fewer than two) because the passage is longer than most models read at once: whether one can, and
 * how many could run the task on a shorter text. A tournament does not run in parts, so the step is a shorter text.
 */
function tooLongForSeats(seated: number, tooLong: number): string {
  const can = seated === 0 ? 'none can' : 'only one can';
  const one = seated === 0 ? 'the one model' : 'the other';
  const many = seated === 0 ? `the ${tooLong} models` : `the ${tooLong} others`;
  return (
    `A tournament needs at least two models that can read this passage at once, and ${can}: it is too long for ` +
    `${tooLong === 1 ? one : many} that could run this task, and a tournament does not run in parts. Try it on a ` +
    'chapter or a scene at a time.'
  );
}
