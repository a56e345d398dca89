// How a long input becomes a job: the per-part token budget (the model's context minus its answer, the instruction
// with its chat framing, and the story so far), the split, and the quote for the whole job, worst case. Also the
// single-call check: an input that does not fit is refused with the numbers, never cut.
import type { ModelSpec } from '../../src-preload/contract';
import { InputTooLongError } from '../errors';
import { RETRY_NOTE_TOKENS, worstCaseUsd, type PricingOptions } from '../orchestrator/pricing';
import { toMicros } from '../store/money';
import { splitIntoParts, type CountText, type Part } from './splitter';
import type { Block } from './structure';

export interface JobBudget {
  /** The context the model will really have (a local model's: what the runtime opens, see local/context-size.ts). */
  contextWindow: number;
  /** What each call may produce: the answer's allowance, and a reasoning model's room to think (job-prepare.ts). */
  maxOutputTokens: number;
  /** Of `maxOutputTokens`, the room to think a reasoning model is given before its answer (0 or absent: none). */
  thinkingTokens?: number;
  /** The whole request without the passage: instruction, framing, chat template (the token counter's count). */
  instructionTokens: number;
  /** The bound on the story so far each part is given. */
  storyTokens: number;
}

/**
 * Tokens kept free in every part for the joins between instruction, story and passage (counted apart, sent as one
 * message; a tokenizer may merge or split at a join by a token or two).
 */
export const JOIN_MARGIN = 8;

/** A part smaller than this could not hold a useful scene; below it the model is refused for the job. */
export const MIN_PART_TOKENS = 256;

const n = (value: number) => value.toLocaleString('en-US');

export interface JobPlan {
  /** Tokens of text each part may hold. */
  partTokens: number;
  budget: JobBudget;
  parts: Part[];
  blocks: Block[];
}

/** A part's text room: the context less the answer, the instruction, the story so far and a repair's note. */
export function partBudget(budget: JobBudget): number {
  return (
    budget.contextWindow -
    budget.maxOutputTokens -
    budget.instructionTokens -
    budget.storyTokens -
    RETRY_NOTE_TOKENS -
    JOIN_MARGIN
  );
}

/** Splits `text` for the model; refuses (with the numbers) a model whose context leaves no room for a part. */
export function planJob(
  text: string,
  blocks: Block[],
  count: CountText,
  budget: JobBudget,
  modelName: string,
): JobPlan {
  const partTokens = partBudget(budget);
  const thinking = budget.thinkingTokens ?? 0;
  // What each call may produce, in the writer's words: a reasoning model's room to think is named, not called answer.
  const output =
    thinking > 0
      ? `${n(budget.maxOutputTokens - thinking)}-token answer with ${n(thinking)} tokens of room to think before it`
      : `${n(budget.maxOutputTokens)}-token answer`;
  if (partTokens < MIN_PART_TOKENS)
    throw InputTooLongError.noRoom(
      count(text),
      partTokens,
      modelName,
      budget.instructionTokens + budget.maxOutputTokens > budget.contextWindow
        ? `its ${n(budget.contextWindow)}-token context cannot hold even the task's ${n(budget.instructionTokens)}-token ` +
            `instruction (as ${modelName} counts it) with the ${output}`
        : `its ${n(budget.contextWindow)}-token context holds the ${output}, the ` +
            `${n(budget.instructionTokens)}-token instruction, the ${n(budget.storyTokens)}-token story so far and ` +
            `${n(RETRY_NOTE_TOKENS)} tokens to ask again if an answer comes back unreadable, leaving ` +
            `${n(Math.max(0, partTokens))} tokens of text a part (at least ${MIN_PART_TOKENS} are needed)`,
    );
  return { partTokens, budget, parts: splitIntoParts(text, blocks, count, partTokens), blocks };
}

export interface JobQuote {
  parts: number;
  /** Every part's worst case: its text + the instruction + a full story so far in, the maximum answer out. */
  input_tokens_max: number;
  output_tokens_max: number;
  /** Sum of each part's worst-case cost (each part is one call with its own reservation). */
  cost_micros_max: number;
}

export function quoteJob(plan: Pick<JobPlan, 'parts' | 'budget'>, spec: ModelSpec, pricing?: PricingOptions): JobQuote {
  let input = 0;
  let micros = 0;
  for (const part of plan.parts) {
    const partInput = part.tokens + plan.budget.instructionTokens + plan.budget.storyTokens;
    input += partInput;
    micros += toMicros(worstCaseUsd(spec, partInput, plan.budget.maxOutputTokens, pricing));
  }
  return {
    parts: plan.parts.length,
    input_tokens_max: input,
    output_tokens_max: plan.parts.length * plan.budget.maxOutputTokens,
    cost_micros_max: micros,
  };
}

/**
 * One call's check: `requestTokens` (the whole request, counted by the one token counter) plus the answer must fit
 * `contextWindow`; otherwise InputTooLongError giving the passage's tokens and what the model can read at once.
 */
export function refuseIfTooLong(args: {
  passageTokens: number;
  requestTokens: number;
  contextWindow: number;
  maxOutputTokens: number;
  modelName: string;
}): void {
  const framing = Math.max(0, args.requestTokens - args.passageTokens);
  const limit = args.contextWindow - args.maxOutputTokens - framing;
  if (args.passageTokens > limit)
    throw new InputTooLongError(
      args.passageTokens,
      limit,
      args.modelName,
      `its ${args.contextWindow.toLocaleString('en-US')}-token context less ${args.maxOutputTokens.toLocaleString('en-US')} for the answer and ${framing.toLocaleString('en-US')} for the instruction`,
    );
}
