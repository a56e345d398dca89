// What a chat turn (local-chat.ts) and a base model's plain completion (local-completion.ts) share: the JSON-schema
// grammar (built once per schema), the result with its JSON or the reason it has none, and the mapping of failures.
import { TokenMeter, type Llama, type LlamaGrammar } from 'node-llama-cpp';
import { CancelledError, InvalidInputError, LocalModelError, isQuireError } from '../errors';
import type { FinishReason, GenerateRequest, GenerateResult } from '../providers/spec';
import { notSupported } from '../providers/unsupported-options';
import type { ResidentModel } from './runtime';

const grammarCache = new WeakMap<object, Map<string, LlamaGrammar>>();

/** node-llama-cpp's way to write a string's character as a \uXXXX escape, one alternative of its string-char rule. */
const UNICODE_ESCAPE = ' | "\\\\u" [0-9a-fA-F]{4}';

/**
 * node-llama-cpp's grammar for `schema`, with one alternative less: a string's character is written as itself or as
 * a two-character escape (\n, \"), never as a six-byte \uXXXX. A bounded answer's strings are counted in characters
 * (tasks/answer-schema.ts), so each must cost no more than its own UTF-8; every text can still be written (the
 * controls left out have no place in a writer's text).
 */
export async function jsonSchemaGrammar(llama: Llama, schema: Record<string, unknown>): Promise<LlamaGrammar> {
  // The schema arrives as plain JSON at run time; node-llama-cpp's precise schema type cannot describe that.
  // (A schema without free strings has no such rule; local-generation.test.ts checks its form.)
  const own = await llama.createGrammarForJsonSchema(schema as never);
  return llama.createGrammar({
    grammar: own.grammar.replace(UNICODE_ESCAPE, ''),
    stopGenerationTriggers: own.stopGenerationTriggers,
    trimWhitespaceSuffix: own.trimWhitespaceSuffix,
  });
}

export async function grammarFor(model: ResidentModel, schema: Record<string, unknown>): Promise<LlamaGrammar> {
  let cache = grammarCache.get(model.llama);
  if (!cache) grammarCache.set(model.llama, (cache = new Map()));
  const key = JSON.stringify(schema);
  let grammar = cache.get(key);
  if (!grammar) {
    try {
      grammar = await jsonSchemaGrammar(model.llama, schema);
    } catch (cause) {
      throw new InvalidInputError(
        `The JSON schema cannot be turned into a grammar: ${(cause as Error).message}`,
        'jsonSchema',
      );
    }
    if (cache.size > 32) cache.clear();
    cache.set(key, grammar);
  }
  return grammar;
}

function finishReasonOf(stopReason: string): FinishReason {
  switch (stopReason) {
    case 'maxTokens':
      return 'length';
    case 'eogToken':
    case 'stopGenerationTrigger':
    case 'customStopTrigger':
      return 'stop';
    case 'functionCalls':
      return 'tool_calls';
    default:
      return 'other';
  }
}

/**
 * The sampling node-llama-cpp is asked for beyond temperature and seed: top_p and top_k as they are. OpenAI's
 * repetition penalties it has in another sense (a multiplier over a window of recent tokens), so they are not applied,
 * and the result says so.
 */
export function localSampling(request: GenerateRequest): {
  options: { topP?: number; topK?: number };
  warnings: string[];
} {
  const { topP, topK, frequencyPenalty, presencePenalty } = request.sampling ?? {};
  return {
    options: { ...(topP !== undefined ? { topP } : {}), ...(topK !== undefined ? { topK } : {}) },
    warnings: notSupported({ frequency_penalty: frequencyPenalty, presence_penalty: presencePenalty }, 'local models'),
  };
}

/**
 * The generation's result; `before` is the sequence's token meter when it started, `stop` why it stopped and, for a
 * stop sequence of the request's, which one; `warnings` what of the request it did not honour.
 */
export function localResult(
  model: ResidentModel,
  before: ReturnType<TokenMeter['getState']>,
  text: string,
  stop: { stopReason: string; customStopTrigger?: readonly unknown[] | undefined },
  grammar: LlamaGrammar | undefined,
  warnings: string[] = [],
): GenerateResult {
  const used = TokenMeter.diff(model.sequence.tokenMeter, before);
  let json: unknown;
  let jsonError: string | undefined;
  if (grammar) {
    // The grammar keeps the output to the schema's shape, so the JSON fails to parse only when it was cut short. It is
    // read with JSON.parse, not the grammar's parse: node-llama-cpp's grammar bounds a string's maxLength in characters
    // (code points) while its parse checks UTF-16 units, so an answer it produced within bounds, with a character
    // beyond the BMP, would fail that check.
    try {
      json = JSON.parse(text);
    } catch {
      jsonError = 'the answer stopped before its JSON was complete (it reached its length limit)';
      warnings.push('The output stopped before the JSON was complete (max output tokens reached).');
    }
  }
  return {
    text,
    ...(json !== undefined ? { json } : {}),
    ...(jsonError !== undefined ? { jsonError } : {}),
    usage: { inputTokens: promptTokens(model, used), outputTokens: used.usedOutputTokens },
    finishReason: finishReasonOf(stop.stopReason),
    ...stopSequenceOf(stop.customStopTrigger),
    warnings,
  };
}

/** node-llama-cpp's trigger as the request gave it (a string is kept as one string part), else nothing. */
function stopSequenceOf(trigger: readonly unknown[] | undefined): { stopSequence?: string } {
  if (!trigger || trigger.length === 0 || !trigger.every((part) => typeof part === 'string')) return {};
  return { stopSequence: trigger.join('') };
}

/**
 * The prompt's length in tokens. The meter counts only tokens evaluated this time, which is fewer when a chat turn
 * reused the previous turn's prefix; the context holds the whole prompt followed by every generated token.
 */
function promptTokens(model: ResidentModel, used: { usedInputTokens: number; usedOutputTokens: number }): number {
  return Math.max(used.usedInputTokens, model.sequence.nextTokenIndex - used.usedOutputTokens);
}

/** A failure in writer's terms: cancelled when the signal says so, Quire's own errors as they are, else local. */
export function localFailure(cause: unknown, signal: AbortSignal | undefined): Error {
  if (signal?.aborted) return new CancelledError();
  if (isQuireError(cause)) return cause;
  return new LocalModelError(
    'generation_failed',
    `Local generation failed: ${(cause as Error).message ?? String(cause)}`,
    { cause },
  );
}
