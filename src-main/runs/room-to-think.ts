// A reasoning model's request on a library task: the answer's allowance plus room to think at the task's effort, and
// that effort (orchestrator/thinking.ts). One rule for every call that asks a task of a model — a single run, each
// call of a run in parts, each tournament member — so each is sent what its bound was priced with. The reservation
// prices the request as sent; every quote and bound counts the same allowance uncapped by context
// (outputAllowance without the input), so it is never below what is sent. A caller's own conversation that set no
// length is sent each model's own output limit instead, by one rule the run's bound reads too.
import type { ModelSpec } from '../../src-preload/contract';
import type { ReasoningEffort } from '../../src-preload/contract/tasks';
import { estimateInputTokens } from '../../src-preload/contract/tokens';
import { imageTokens } from '../orchestrator/image-tokens';
import { thinksFirst } from '../../src-preload/contract/registry';
import { outputAllowance, ownOutputLimit } from '../orchestrator/thinking';
import type { GenerateRequest } from '../providers/spec';
import { schemaTokens } from './task-run';

/**
 * `request` as `spec` is sent it for a task asked at `effort`: a reasoning model gets room to think on top of the
 * answer's allowance (`request.maxOutputTokens`), within its max output and what its context leaves after the request,
 * and the effort. `inputTokens` is the request as the caller counted it (a run in parts: the token counter its parts
 * were cut with, which left that room); without it the estimate, an upper bound. No effort (a caller's own messages,
 * whose allowance already counts any thinking) and every model that does not think: the request as it is.
 */
export function withRoomToThink(
  spec: ModelSpec,
  effort: ReasoningEffort | null | undefined,
  request: GenerateRequest,
  inputTokens?: number,
): GenerateRequest {
  if (!effort || !thinksFirst(spec)) return request;
  const input = inputTokens ?? estimatedInput(spec, request);
  return {
    ...request,
    maxOutputTokens: outputAllowance(spec, request.maxOutputTokens, effort, input),
    reasoningEffort: effort,
  };
}

/**
 * `request` with the effort a caller's own conversation asked for (runs:start's reasoning_effort), for a model that
 * thinks: no room is added, since the allowance the caller set counts the thinking (OpenAI's max_completion_tokens
 * does). The provider sends it where it takes one (openai-compatible.ts); any other model gets the request as it is.
 */
export function withAskedEffort(
  spec: ModelSpec,
  effort: ReasoningEffort | null,
  request: GenerateRequest,
): GenerateRequest {
  return effort && thinksFirst(spec) ? { ...request, reasoningEffort: effort } : request;
}

/** The request as `spec` reads it, by the estimate (an upper bound): its messages, its schema and its images. */
function estimatedInput(spec: ModelSpec, request: Pick<GenerateRequest, 'messages' | 'jsonSchema' | 'images'>): number {
  return (
    estimateInputTokens(request.messages) +
    schemaTokens({ jsonSchema: request.jsonSchema }) +
    imageTokens(spec, request.images)
  );
}

/**
 * The most `spec` is sent for a caller's own conversation that set no length (RunPlan.ownOutput): its own output
 * limit, within what its context leaves after the request, as its provider would bound it. The run's bound reads the
 * same figure, so it always covers the call's reservation.
 */
export function ownOutputOf(spec: ModelSpec, request: Pick<GenerateRequest, 'messages' | 'jsonSchema' | 'images'>) {
  return ownOutputLimit(spec, estimatedInput(spec, request));
}

/** `request` sized to `spec`'s own output limit (ownOutputOf). */
export function withOwnOutputLimit(spec: ModelSpec, request: GenerateRequest): GenerateRequest {
  return { ...request, maxOutputTokens: ownOutputOf(spec, request) };
}
