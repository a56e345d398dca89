// Room to think. A reasoning model (registry `capabilities.reasoning`) spends hidden thinking tokens out of the same
// output allowance as its answer, and is billed for them at the output price: sent only a task's answer allowance, it
// can think through all of it and write nothing (runs/no-answer.ts), charged, and the run falls back and pays again.
// So a task run of a reasoning model is sent the answer's allowance plus room to think at the task's effort
// (resources/tasks/<id>.json `reasoning_effort`), and everything that holds or quotes money for the call — the
// reservation, the run's bound, the decision's worst case — counts that whole allowance. Pure.
import { thinksFirst, type ModelSpec } from '../../src-preload/contract/registry';
import type { ReasoningEffort } from '../../src-preload/contract/tasks';

/**
 * Per effort: `allowance`, the thinking tokens added to what the call may produce (held, quoted and sent); `expected`,
 * what such a call typically thinks (monthly estimates, never a bound).
 *
 * The allowance is generous on purpose. A call that runs out is charged for every token and leaves no answer, so
 * the writer pays twice once the run falls back; an unused allowance costs nothing (the call is settled to the tokens
 * it used) and only holds that much of the budget while it runs and raises the quote's "at most". Reasoning models
 * asked for an effort typically think a few hundred to a few thousand tokens at low and several thousand at medium on
 * a passage of a chapter or two; OpenAI advises leaving about 25,000 tokens for thinking and answer when starting out.
 * Low (4,000) covers a line edit or a summary; medium (16,000) a check that holds every fact of the passage against
 * every other; high (32,000) is for a task that needs more and is capped, as all are, by the model's max output.
 */
export const THINKING: Readonly<Record<ReasoningEffort, { readonly allowance: number; readonly expected: number }>> = {
  low: { allowance: 4_000, expected: 1_000 },
  medium: { allowance: 16_000, expected: 4_000 },
  high: { allowance: 32_000, expected: 10_000 },
};

/**
 * An answer's allowance as `spec` can be sent it: a cloud model's at most its max output (where the registry gives
 * one). Its provider refuses a call that asks for more (OpenAI: "max_tokens is too large"), and the model writes no
 * more than that however much it is allowed, so it is also what the call is held for: an app that asks any model for
 * plenty (it does not know which one quire/auto picks) is neither refused nor held at a figure no model it could get
 * would write. A local model writes until its context is full: its allowance is the one asked (its context is checked).
 */
export function answerWithin(spec: ModelSpec, answerTokens: number): number {
  return spec.max_output_tokens === undefined || spec.provider === 'local'
    ? answerTokens
    : Math.min(answerTokens, spec.max_output_tokens);
}

/**
 * The output tokens a call of `spec` is sent and held for, given the answer's allowance (within the model's max
 * output: {@link answerWithin}) and the effort asked for (null or undefined: none, the allowance as given). A
 * reasoning model gets the effort's room on top, capped by its max output and, when `inputTokens` is given, by what
 * its context has left after the input and the answer; the answer's own allowance is never cut for that room.
 * Without `inputTokens` the figure is an upper bound of the one sent.
 */
export function outputAllowance(
  spec: ModelSpec,
  asked: number,
  effort: ReasoningEffort | null | undefined,
  inputTokens?: number,
): number {
  const answerTokens = answerWithin(spec, asked);
  if (!effort || !thinksFirst(spec)) return answerTokens;
  let room = THINKING[effort].allowance;
  if (spec.max_output_tokens !== undefined) room = Math.min(room, spec.max_output_tokens - answerTokens);
  if (inputTokens !== undefined) room = Math.min(room, spec.context_window - inputTokens - answerTokens);
  return answerTokens + Math.max(0, room);
}

/** The thinking a typical call of `spec` at `effort` spends, for estimates (0 for a model that does not think). */
export function expectedThinkingTokens(spec: ModelSpec, effort: ReasoningEffort | null | undefined): number {
  return effort && thinksFirst(spec) ? THINKING[effort].expected : 0;
}

/**
 * The most `spec` may write for a caller that set no limit (its own conversation, bounded as a provider bounds it):
 * its max output, within what its context leaves after `inputTokens` (at least one token).
 */
export function ownOutputLimit(spec: ModelSpec, inputTokens: number): number {
  const room = spec.context_window - inputTokens;
  return Math.max(1, Math.min(spec.max_output_tokens ?? room, room));
}
