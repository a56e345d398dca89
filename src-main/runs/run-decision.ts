// What a run is decided to be before any model is called: the orchestrator's decision for its request (models whose
// provider's breaker is open left out) and the bound its quote says "at most" to (run-bound.ts). runs:start and the
// Workbench's quote both come here, so the figure quoted is the one the run holds itself to.
import type { Decision } from '../../src-preload/contract';
import type { RunStart } from '../../src-preload/contract/runs';
import { outputAllowance } from '../orchestrator/thinking';
import { RunBound } from './run-bound';
import { ownOutputOf } from './room-to-think';
import type { RunServiceOptions } from './run-service-options';
import { answerIsRead, schemaTokens, type RunPlan } from './task-run';

export type DecisionDeps = Pick<
  RunServiceOptions,
  'decide' | 'model' | 'allModels' | 'providers' | 'resilience' | 'now' | 'tokens'
>;

export function decideFor(o: DecisionDeps, start: RunStart, plan: RunPlan, inputTokens: number): Decision {
  const maxOutput = start.max_output_tokens ?? plan.definition?.max_output_tokens;
  return o.decide({
    task: start.task,
    input_tokens: inputTokens,
    ...(start.tier ? { tier: start.tier } : {}),
    ...(start.model ? { model: start.model } : {}),
    ...(start.local_only !== undefined ? { local_only: start.local_only } : {}),
    ...(maxOutput ? { max_output_tokens: maxOutput } : {}),
    ...(plan.ownOutput ? { own_output_limit: true } : {}),
    ...(plan.definition ? { shorten_local_answer: true } : {}),
    // A library task's effort; none for a caller's own messages, whose allowance goes as it is (room-to-think.ts).
    reasoning_effort: plan.definition?.reasoning_effort ?? null,
    ...(plan.images.length > 0 ? { images: plan.images.map(({ width, height }) => ({ width, height })) } : {}),
    ...excluded(o),
  });
}

/**
 * The run's bound: a model's call and (for an answer Quire reads) its one repair, each with every output token it may
 * be sent (a reasoning model's room to think included), for the most expensive of the models the decision lists (the
 * chosen one and its fallbacks), so a fallback after a failure that cost nothing always fits; after a charged one,
 * only while what is left covers it. Each is priced on the tokens its reservation will be (the decision's estimate
 * with the schema and images, or the model's own count when higher), at the multiple the ledger held the model at when
 * the run was quoted (`overruns`, read before any of its calls: a run's own overrun does not stretch its bound). Null
 * when nothing was chosen.
 */
export async function boundOf(
  o: DecisionDeps,
  plan: RunPlan,
  decision: Decision,
  overruns: ReadonlyMap<string, number>,
): Promise<RunBound | null> {
  if (decision.model_id === null || decision.refusal) return null;
  const repair = answerIsRead(plan);
  const at = o.now();
  let most: RunBound | null = null;
  for (const id of new Set([decision.model_id, ...decision.fallback_chain])) {
    const spec = o.model(id);
    if (!spec || spec.provider === 'local') {
      most ??= new RunBound(0);
      continue;
    }
    let input = decision.input_tokens + schemaTokens(plan) + (decision.images?.tokens ?? 0);
    if (o.tokens) {
      const request = { messages: plan.messages, jsonSchema: plan.jsonSchema, images: plan.images };
      input = Math.max(input, (await o.tokens.count(spec, request)).tokens);
    }
    // A reasoning model's room to think as well as the answer's allowance; without a caller's length, all the model
    // may write: at least what its calls are sent.
    const output = plan.ownOutput
      ? ownOutputOf(spec, { messages: plan.messages, jsonSchema: plan.jsonSchema, images: plan.images })
      : outputAllowance(spec, decision.max_output_tokens, plan.definition?.reasoning_effort);
    const bound = RunBound.of(spec, input, output, { repair, at, overrun: overruns.get(spec.id) });
    if (!most || bound.boundUsd > most.boundUsd) most = bound;
  }
  return most;
}

/** Models whose provider's breaker is open are left out of the decision. */
function excluded(o: DecisionDeps): { exclude?: string[] } {
  const exclude = o
    .allModels()
    .filter((spec) => spec.provider !== 'local' && o.resilience.isBlocked(o.providers.providerOf(spec)))
    .map((spec) => spec.id);
  return exclude.length > 0 ? { exclude } : {};
}
