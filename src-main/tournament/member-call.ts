// One tournament call (member, verifier or judge) as a run of its own through RunService.call, under a run id that
// names its tournament and role.
import type { ChosenBy } from '../orchestrator/chosen-by';
import type { ModelSpec } from '../../src-preload/contract';
import type { RunAnswer } from '../../src-preload/contract/tasks';
import { readJson } from '../providers/json-answer';
import type { GenerateRequest } from '../providers/spec';
import type { ModelCall, ModelCallOutcome } from '../runs/run-service';
import { askLocal, limitsReached, withinBounds, type BoundedForm } from '../tasks/answer-limits';
import { runAnswerForm } from '../tasks/answer-schema';
import type { Logger } from '../infra/logger';
import { memberFailure } from './member-failure';
import type { TournamentDeps } from './tournament-deps';

export { memberRunId } from '../../src-preload/contract/tournaments';

/** A member's request as its model is asked it, and the bounds of its local grammar (null: none). */
export interface MemberAsk {
  request: GenerateRequest;
  bounded: BoundedForm | null;
}

/**
 * A local member answers the findings schema under a grammar that cannot close the JSON once its output budget runs
 * out, so it is asked as a single run of the task on that model is (askLocal): the schema bounded on the passage, its
 * limits in its instruction, and the room its context has left unless the writer chose a length (which holds a finding
 * at least). Cloud members and other requests pass through unchanged.
 */
export function boundedForLocal(
  spec: ModelSpec,
  request: GenerateRequest,
  about: { passage: string; lengthChosen: boolean },
): MemberAsk {
  if (spec.provider !== 'local' || request.jsonSchema?.name !== 'findings') return { request, bounded: null };
  return askLocal(request, runAnswerForm('findings', []), about.passage, {
    context: spec.context_window,
    whole: !about.lengthChosen,
    chosen: about.lengthChosen ? request.maxOutputTokens : null,
  });
}

/** The JSON a member wrote, as it wrote it (before its strings were trimmed); undefined when it is not JSON. */
function written(o: Pick<ModelCallOutcome, 'text' | 'json'>): unknown {
  if (o.json !== undefined) return o.json;
  const reading = readJson(o.text);
  return reading.ok ? reading.value : undefined;
}

/** A member's run's answer with what its local bounds mean for it (as a single run's): its notices. */
export function memberAnswer(
  answer: RunAnswer,
  bounded: BoundedForm | null,
  o: Pick<ModelCallOutcome, 'text' | 'json'>,
): RunAnswer {
  return bounded ? withinBounds(answer, bounded, written(o)) : answer;
}

/** The tournament's notes on a member whose answer reached its local bounds, each led by its name. */
export function memberNotes(
  spec: ModelSpec,
  bounded: BoundedForm | null,
  o: Pick<ModelCallOutcome, 'text' | 'json'>,
): string[] {
  return bounded ? limitsReached(bounded, written(o)).notices.map((n) => `${spec.display_name}: ${n}`) : [];
}

/**
 * Where a member's call goes: RunService.call, with the provider as the ledger names it and the log, for a call that
 * throws all the same.
 */
export interface MemberCalls {
  calls: TournamentDeps['calls'];
  provider: string;
  logger?: Pick<Logger, 'warn'> | undefined;
  /** The writer's own words the tournament was started with, kept with each call's run (undefined: none). */
  asked?: string | undefined;
  /** The kept manuscript the tournament ran on (tournaments:start `manuscript`), kept with each call's run as well. */
  manuscript?: ModelCall['manuscript'];
}

/** One call as a run of its own, charged to its reservation by the ledger's one rule; never throws. */
export function callMember(
  { calls, provider, logger, asked, manuscript }: MemberCalls,
  spec: ModelSpec,
  request: GenerateRequest,
  reservation: { id: number; reservedUsd: number } | null,
  runId: string,
  task: string,
  chosenBy: ChosenBy,
  cancel: AbortSignal,
  onToken: (text: string) => void,
  read?: ModelCall['read'],
): Promise<ModelCallOutcome> {
  return calls
    .call({
      runId,
      task,
      spec,
      chosenBy,
      request,
      reservation: reservation ? { id: reservation.id } : null,
      reason: 'Asked as one member of a tournament: its answer is compared with the other members’.',
      asked,
      ...(manuscript ? { manuscript } : {}),
      cancel,
      onToken,
      ...(read ? { read } : {}),
    })
    .catch((error: unknown): ModelCallOutcome => ({
      ok: false,
      run_id: runId,
      text: '',
      json: undefined,
      usage: { inputTokens: undefined, outputTokens: undefined },
      costUsd: 0,
      durationMs: 0,
      error: memberFailure(error, provider, logger),
    }));
}
