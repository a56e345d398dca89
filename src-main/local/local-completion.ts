// One generation on a base model (no chat template): a plain text completion of the prompt from local-prompt.ts,
// with streaming, JSON-schema grammar, AbortSignal cancel and the sequence's token meter for usage. Context shift is
// off: a prompt that does not fit was refused before this point, and the answer stops at the context's end.
import { LlamaCompletion } from 'node-llama-cpp';
import { CancelledError } from '../errors';
import type { GenerateRequest, GenerateResult } from '../providers/spec';
import { grammarFor, localFailure, localResult, localSampling } from './local-generation';
import { completionPrompt } from './local-prompt';
import type { ResidentModel } from './runtime';

export async function completeOnce(
  model: ResidentModel,
  request: GenerateRequest,
  options: { signal?: AbortSignal; onText?: (text: string) => void } = {},
): Promise<GenerateResult> {
  const { signal, onText } = options;
  if (signal?.aborted) throw new CancelledError();
  const grammar = request.jsonSchema ? await grammarFor(model, request.jsonSchema.schema) : undefined;
  await model.sequence.clearHistory();
  const completion = new LlamaCompletion({ contextSequence: model.sequence, autoDisposeSequence: false });
  const before = model.sequence.tokenMeter.getState();
  const sampling = localSampling(request);
  try {
    const result = await completion.generateCompletionWithMeta(completionPrompt(request.messages), {
      maxTokens: request.maxOutputTokens,
      disableContextShift: true,
      ...(request.temperature !== undefined ? { temperature: request.temperature } : {}),
      ...(request.seed !== undefined ? { seed: request.seed } : {}),
      ...sampling.options,
      ...(request.stop ? { customStopTriggers: [...request.stop] } : {}),
      ...(grammar ? { grammar } : {}),
      ...(onText ? { onTextChunk: onText } : {}),
      ...(signal ? { signal } : {}),
    });
    if (signal?.aborted) throw new CancelledError();
    return localResult(model, before, result.response, result.metadata, grammar, sampling.warnings);
  } catch (cause) {
    throw localFailure(cause, signal);
  } finally {
    completion.dispose({ disposeSequence: false });
  }
}
