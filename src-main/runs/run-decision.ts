// What a run is decided to be before any model is called: the orchestrator's decision for its request (models whose
// provider's breaker is open left out) and the bound its quote says "at most" to (run-bound.ts). runs:start and the
// Workbench's quote both come here, so the figure quoted is the one the run holds itself to.
import type { Decision } from '../../src-preload/contract';
import { joinAnd } from '../../src-preload/contract/list-text';
import { onlyContextKeepsOut } from '../../src-preload/contract/orchestrator';
import type { RunStart } from '../../src-preload/contract/runs';
import { outputAllowance } from '../orchestrator/thinking';
import { taskMessages } from '../tasks/task-messages';
import { estimateInputTokens } from './run-request';
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
    reasoning_effort: plan.effort,
    ...(plan.images.length > 0 ? { images: plan.images.map(({ width, height }) => ({ width, height })) } : {}),
    ...excluded(o),
  });
}

const n = (value: number) => value.toLocaleString('en-US');

/**
 * A refusal that offers "a shorter passage may fit" in models kept out by their context alone, where none of them can
 * hold even the task's own instruction (as each counts it, the writer's request included): no passage would fit, so
 * it says so with the numbers and the step that works (a model with a larger context). Any other decision as it is.
 */
export async function whenNoPassageFits(
  o: Pick<DecisionDeps, 'model' | 'tokens'>,
  start: RunStart,
  plan: RunPlan,
  decision: Decision,
): Promise<Decision> {
  const refusal = decision.refusal;
  if (refusal?.code !== 'unavailable' || !plan.definition || !refusal.shorter) return decision;
  const kept = decision.candidates.filter((c) => onlyContextKeepsOut(c.reasons, c.local));
  if (kept.length === 0) return decision;
  const messages = taskMessages(plan.definition, { passage: '', request: start.request });
  const full: { name: string; context: number; instruction: number }[] = [];
  for (const candidate of kept) {
    const spec = o.model(candidate.model_id);
    if (!spec) return decision;
    const instruction = o.tokens
      ? (await o.tokens.count(spec, { messages, jsonSchema: plan.jsonSchema })).tokens
      : estimateInputTokens(messages);
    // Room for some passage: the refusal's own words stand.
    if (instruction < spec.context_window) return decision;
    full.push({ name: spec.display_name, context: spec.context_window, instruction });
  }
  const counts = new Set(full.map((m) => m.instruction));
  const [one] = full;
  const numbers =
    full.length === 1 && one
      ? `${one.name} reads ${n(one.context)} tokens at once, and this task's instruction alone is ` +
        `${n(one.instruction)} as it counts them: no passage, however short, fits in it.`
      : counts.size === 1
        ? `This task's instruction alone is ${n(full[0]!.instruction)} tokens as they count them, more than ` +
          `${joinAnd(full.map((m) => `${m.name} (${n(m.context)})`))} read at once: no passage, however short, fits in them.`
        : `This task's instruction alone is more than they read at once: ` +
          `${full.map((m) => `${m.name} reads ${n(m.context)} tokens and counts it as ${n(m.instruction)}`).join('; ')}. ` +
          'No passage, however short, fits in them.';
  const message =
    `${refusal.message.slice(0, -refusal.shorter.length).trimEnd()} ${numbers} Choose a model with a larger context` +
    `${decision.local_only ? ' (download one on the Models screen)' : ''}.`;
  const { shorter: _replaced, too_long: _notShorter, ...rest } = refusal;
  return { ...decision, reason: message, refusal: { ...rest, message, advised: true, instruction_too_long: true } };
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
      : outputAllowance(spec, decision.max_output_tokens, plan.effort);
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
