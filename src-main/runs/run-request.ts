// Turning a runs:start payload into what a provider receives, the ledger's input-token estimate and the cache key.
import { createHash } from 'node:crypto';
import type { RunStart } from '../../src-preload/contract/runs';
import type { ReasoningEffort } from '../../src-preload/contract/tasks';
import type { ChatMessage, GenerateRequest, Sampling } from '../providers/spec';

/** runs:start's sampling beyond temperature, as the adapters take it; undefined when it asks for none. */
export function samplingOf(start: RunStart): Sampling | undefined {
  const sampling: Sampling = {
    ...(start.top_p !== undefined ? { topP: start.top_p } : {}),
    ...(start.top_k !== undefined ? { topK: start.top_k } : {}),
    ...(start.frequency_penalty !== undefined ? { frequencyPenalty: start.frequency_penalty } : {}),
    ...(start.presence_penalty !== undefined ? { presencePenalty: start.presence_penalty } : {}),
  };
  return Object.keys(sampling).length > 0 ? sampling : undefined;
}

export function messagesOf(input: RunStart['input']): ChatMessage[] {
  return typeof input === 'string' ? [{ role: 'user', content: input }] : input.map((m) => ({ ...m }));
}

export { estimateInputTokens } from '../../src-preload/contract/tokens';

/** Deterministic requests only: no temperature above 0. */
export function cacheable(request: { temperature?: number | undefined }): boolean {
  return request.temperature === undefined || request.temperature === 0;
}

/**
 * Exact match: same model, same parameters, same messages, and the effort the caller asked for (runs:start's
 * reasoning_effort), when it did: a task's own effort is the same on every run of it.
 */
export function cacheKey(modelId: string, request: GenerateRequest, effort?: ReasoningEffort): string {
  return createHash('sha256')
    .update(
      JSON.stringify([
        modelId,
        request.messages,
        request.maxOutputTokens,
        request.temperature ?? null,
        request.seed ?? null,
        request.sampling ?? null,
        request.jsonSchema ?? null,
        request.stop ?? null,
        // The same passage with other images is another question.
        ...(request.images && request.images.length > 0 ? [request.images.map((image) => image.sha256)] : []),
        // Asked at another effort, another answer (absent, the key is the one it always was).
        ...(effort ? [{ effort }] : []),
      ]),
    )
    .digest('hex');
}
