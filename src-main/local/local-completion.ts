// One generation on a base model (no chat template): a plain text completion of the prompt from local-prompt.ts,
// with streaming, JSON-schema grammar, AbortSignal cancel and the sequence's token meter for usage. Context shift is
// off: a prompt that does not fit was refused before this point, and the answer stops at the context's end.
import { LlamaCompletion, TokenMeter, type LlamaJsonSchemaGrammar } from 'node-llama-cpp';
import { CancelledError, InvalidInputError, LocalModelError, isQuireError } from '../errors';
import type { FinishReason, GenerateRequest, GenerateResult } from '../providers/spec';
import { completionPrompt } from './local-prompt';
import type { ResidentModel } from './runtime';

function finishReasonOf(stopReason: string): FinishReason {
  if (stopReason === 'maxTokens') return 'length';
  if (stopReason === 'eogToken' || stopReason === 'stopGenerationTrigger' || stopReason === 'customStopTrigger')
    return 'stop';
  return 'other';
}

export async function completeOnce(
  model: ResidentModel,
  request: GenerateRequest,
  options: { signal?: AbortSignal; onText?: (text: string) => void } = {},
): Promise<GenerateResult> {
  const { signal, onText } = options;
  if (signal?.aborted) throw new CancelledError();
  let grammar: LlamaJsonSchemaGrammar<never> | undefined;
  if (request.jsonSchema) {
    try {
      grammar = (await model.llama.createGrammarForJsonSchema(
        request.jsonSchema.schema as never,
      )) as LlamaJsonSchemaGrammar<never>;
    } catch (cause) {
      throw new InvalidInputError(
        `The JSON schema cannot be turned into a grammar: ${(cause as Error).message}`,
        'jsonSchema',
      );
    }
  }
  await model.sequence.clearHistory();
  const completion = new LlamaCompletion({ contextSequence: model.sequence, autoDisposeSequence: false });
  const before = model.sequence.tokenMeter.getState();
  try {
    const result = await completion.generateCompletionWithMeta(completionPrompt(request.messages), {
      maxTokens: request.maxOutputTokens,
      disableContextShift: true,
      ...(request.temperature !== undefined ? { temperature: request.temperature } : {}),
      ...(request.seed !== undefined ? { seed: request.seed } : {}),
      ...(grammar ? { grammar } : {}),
      ...(onText ? { onTextChunk: onText } : {}),
      ...(signal ? { signal } : {}),
    });
    if (signal?.aborted) throw new CancelledError();
    const used = TokenMeter.diff(model.sequence.tokenMeter, before);
    const warnings: string[] = [];
    let json: unknown;
    if (grammar) {
      try {
        json = grammar.parse(result.response);
      } catch {
        warnings.push('The output stopped before the JSON was complete (max output tokens reached).');
      }
    }
    return {
      text: result.response,
      ...(json !== undefined ? { json } : {}),
      usage: { inputTokens: used.usedInputTokens, outputTokens: used.usedOutputTokens },
      finishReason: finishReasonOf(result.metadata.stopReason),
      warnings,
    };
  } catch (cause) {
    if (signal?.aborted) throw new CancelledError();
    if (isQuireError(cause)) throw cause;
    throw new LocalModelError(
      'generation_failed',
      `Local generation failed: ${(cause as Error).message ?? String(cause)}`,
      cause,
    );
  } finally {
    completion.dispose({ disposeSequence: false });
  }
}
