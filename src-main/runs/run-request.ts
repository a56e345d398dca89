// Turning a runs:start payload into what a provider receives, the ledger's input-token estimate and the cache key.
import { createHash } from 'node:crypto';
import type { RunStart } from '../../src-preload/contract/runs';
import type { ChatMessage, GenerateRequest } from '../providers/spec';

export function messagesOf(input: RunStart['input']): ChatMessage[] {
  return typeof input === 'string' ? [{ role: 'user', content: input }] : input.map((m) => ({ ...m }));
}

export { estimateInputTokens } from '../../src-preload/contract/tokens';

export function generateRequest(start: RunStart, messages: ChatMessage[], maxOutputTokens: number): GenerateRequest {
  return {
    messages,
    maxOutputTokens,
    ...(start.temperature !== undefined ? { temperature: start.temperature } : {}),
    ...(start.seed !== undefined ? { seed: start.seed } : {}),
    ...(start.json_schema ? { jsonSchema: start.json_schema } : {}),
  };
}

/** Deterministic requests only: no temperature above 0. */
export function cacheable(start: RunStart): boolean {
  return start.temperature === undefined || start.temperature === 0;
}

/** Exact match: same model, same parameters, same messages. */
export function cacheKey(modelId: string, request: GenerateRequest): string {
  return createHash('sha256')
    .update(
      JSON.stringify([
        modelId,
        request.messages,
        request.maxOutputTokens,
        request.temperature ?? null,
        request.seed ?? null,
        request.jsonSchema ?? null,
      ]),
    )
    .digest('hex');
}
