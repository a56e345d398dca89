import { describe, expect, it } from 'vitest';
import { endpointModelId, localModelId, modelIdParts } from './model-ids';

describe('model ids', () => {
  it('read back what they were built from', () => {
    expect(modelIdParts(localModelId('story-fixture'))).toEqual({ kind: 'local', name: 'story-fixture' });
    expect(modelIdParts(endpointModelId('lab', 'qwen2.5:7b'))).toEqual({
      kind: 'endpoint',
      endpoint: 'lab',
      model: 'qwen2.5:7b',
    });
    for (const id of ['gpt-4o', 'local:', '/x', 'x/']) expect(modelIdParts(id)).toEqual({ kind: 'other', id });
  });
});
