// One tournament call (member, verifier or judge) as a run of its own through RunService.call, under a run id that
// names its tournament and role.
import type { ModelSpec } from '../../src-preload/contract';
import type { GenerateRequest } from '../providers/spec';
import type { ModelCall, ModelCallOutcome } from '../runs/run-service';
import { answerSchema, runAnswerForm } from '../tasks/answer-schema';
import type { TournamentDeps } from './tournament-deps';

export { memberRunId } from '../../src-preload/contract/tournaments';

/**
 * A local member answers the findings schema under a grammar that cannot close the JSON once its output budget runs
 * out, so it gets answer-schema's findings schema bounded to that budget, as a single run's local model does; cloud
 * members and other requests pass through unchanged.
 */
export function boundedForLocal(spec: ModelSpec, request: GenerateRequest): GenerateRequest {
  if (spec.provider !== 'local' || request.jsonSchema?.name !== 'findings') return request;
  return {
    ...request,
    jsonSchema: answerSchema(runAnswerForm('findings', []), { maxOutputTokens: request.maxOutputTokens }),
  };
}

/** One call as a run of its own, charged to its reservation by the ledger's one rule; never throws. */
export function callMember(
  calls: TournamentDeps['calls'],
  spec: ModelSpec,
  request: GenerateRequest,
  reservation: { id: number; reservedUsd: number } | null,
  runId: string,
  task: string,
  cancel: AbortSignal,
  onToken: (text: string) => void,
  read?: ModelCall['read'],
): Promise<ModelCallOutcome> {
  return calls
    .call({
      runId,
      task,
      spec,
      request,
      reservation: reservation ? { id: reservation.id } : null,
      reason: 'Asked as one member of a tournament: its answer is compared with the other members’.',
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
      error: { code: 'internal', message: error instanceof Error ? error.message : String(error) },
    }));
}
