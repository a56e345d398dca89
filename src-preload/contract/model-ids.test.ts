import { describe, expect, it } from 'vitest';
import {
  endpointModelId,
  HELD_AHEAD_ID,
  localModelId,
  modelIdParts,
  removedModelName,
  unknownTaskName,
} from './model-ids';

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

  it('name the spend row of money held ahead when the Mac stopped, as model and as task, never by its id', () => {
    expect(removedModelName(HELD_AHEAD_ID)).toBe('Held ahead when your Mac stopped');
    expect(unknownTaskName(HELD_AHEAD_ID)).toBe('Held ahead when your Mac stopped');
    expect(unknownTaskName('a_task_since_removed')).toBe('a_task_since_removed');
  });
});
