import { describe, expect, it } from 'vitest';
import { memberRunId, tournamentOfRun } from './tournaments';

describe("a tournament call's run id", () => {
  it('names its tournament, so a reopened member run is known as one (and not offered as a new tournament)', () => {
    const id = memberRunId('tn_0a0b0c0d-0000-4000-8000-000000000001', { role: 'member', model_id: 'ep-a/gpt-x' });
    expect(tournamentOfRun(id)).toBe('tn_0a0b0c0d-0000-4000-8000-000000000001');
    expect(tournamentOfRun('0a0b0c0d-0000-4000-8000-000000000001')).toBeNull();
  });
});
