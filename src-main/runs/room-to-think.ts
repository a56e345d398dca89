// A reasoning model's request on a library task: the answer's allowance plus room to think at the task's effort, and
// that effort (orchestrator/thinking.ts). The reservation prices the request as sent, and the run's bound
// (run-decision.ts) the same allowance uncapped by context, so it is never below what is sent.
import type { ModelSpec } from '../../src-preload/contract';
import { estimateInputTokens } from '../../src-preload/contract/tokens';
import { imageTokens } from '../orchestrator/image-tokens';
import { outputAllowance, thinksFirst } from '../orchestrator/thinking';
import type { GenerateRequest } from '../providers/spec';
import { schemaTokens, type RunPlan } from './task-run';

/**
 * `request` as `spec` is sent it: a reasoning model asked a library task gets room to think on top of the answer's
 * allowance, within its max output and what its context leaves after the request (counted by the estimate, an upper
 * bound). A caller's own messages (the gateway's, whose max_tokens already counts any thinking) and every model that
 * does not think get the request as it is.
 */
export function withRoomToThink(
  spec: ModelSpec,
  plan: Pick<RunPlan, 'definition' | 'jsonSchema' | 'images'>,
  request: GenerateRequest,
): GenerateRequest {
  const effort = plan.definition?.reasoning_effort;
  if (!effort || !thinksFirst(spec)) return request;
  const input = estimateInputTokens(request.messages) + schemaTokens(plan) + imageTokens(spec, plan.images);
  return {
    ...request,
    maxOutputTokens: outputAllowance(spec, request.maxOutputTokens, effort, input),
    reasoningEffort: effort,
  };
}
