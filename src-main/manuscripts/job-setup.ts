// Sets a job up for one model with the real numbers: the model's usable context (for a local model the context the
// runtime will open, not the registry's advertised one), the instruction's tokens with its chat framing and the
// per-text count, both from the ONE token counter. Then the split and the quote for the whole job.
import type { ModelSpec } from '../../src-preload/contract';
import type { PricingOptions } from '../orchestrator/pricing';
import type { CountMessage, CountMethod, TokenCounter } from '../tokens/token-counter';
import { planJob, quoteJob, type JobPlan, type JobQuote } from './job-plan';
import type { CountText } from './splitter';
import type { Block } from './structure';

export interface JobSetupDeps {
  tokens: Pick<TokenCounter, 'count' | 'textCounter'>;
  /** An installed local model's real context (LocalModels.contextWindow); undefined: use the registry's. */
  localContext?: (spec: ModelSpec) => Promise<number | undefined>;
}

export interface JobSetupInput {
  spec: ModelSpec;
  text: string;
  blocks: Block[];
  /** The task's messages before the passage (system instruction, framing); the passage follows as a user message. */
  instruction: CountMessage[];
  maxOutputTokens: number;
  /** Of `maxOutputTokens`, a reasoning model's room to think (named apart when no part fits). */
  thinkingTokens?: number;
  /** The bound on the story so far; default an eighth of the context, at most 2,000 tokens. */
  storyTokens?: number;
  pricing?: PricingOptions;
}

export interface JobSetup {
  plan: JobPlan;
  quote: JobQuote;
  count: CountText;
  method: CountMethod;
  contextWindow: number;
}

export async function setUpJob(deps: JobSetupDeps, input: JobSetupInput): Promise<JobSetup> {
  const { spec } = input;
  const contextWindow =
    (spec.provider === 'local' ? await deps.localContext?.(spec) : undefined) ?? spec.context_window;
  const { count, method } = await deps.tokens.textCounter(spec);
  // The request with an empty passage: instruction, roles, chat template, the answer's start.
  const framing = await deps.tokens.count(spec, { messages: [...input.instruction, { role: 'user', content: '' }] });
  const storyTokens = input.storyTokens ?? Math.min(2000, Math.floor(contextWindow / 8));
  const plan = planJob(
    input.text,
    input.blocks,
    count,
    {
      contextWindow,
      maxOutputTokens: input.maxOutputTokens,
      ...(input.thinkingTokens ? { thinkingTokens: input.thinkingTokens } : {}),
      instructionTokens: framing.tokens,
      storyTokens,
    },
    spec.display_name,
  );
  return { plan, quote: quoteJob(plan, spec, input.pricing), count, method, contextWindow };
}
