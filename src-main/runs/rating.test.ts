// A writer's rating of a run is one observation of the model's quality, however often it is changed.
import { describe, expect, it } from 'vitest';
import { TASK, useExecutionHarness } from '../../test/support/execution-harness';

const harness = useExecutionHarness();
const price = { input_usd_per_mtok: 2, output_usd_per_mtok: 10 };

describe('rating runs', () => {
  it('re-rating is idempotent: a run rated three times is one observation, the last rating', async () => {
    const h = await harness.host();
    await h.endpoint('studio', [{ id: 'writer', quality: 9, ...price }]);
    harness.server().script('writer', { text: 'fine' });
    const first = await h.call('runs:start', { task: TASK, input: 'one' });
    const runId = first.body.value.run_id as string;
    for (const rating of [9, 9, 9]) await h.call('runs:rate', { run_id: runId, rating });
    const stats = () => h.app.services.feedback.statsFor('studio/writer', TASK);
    expect(stats()).toEqual({ count: 1, sum: 9 });
    const changed = await h.call('runs:rate', { run_id: runId, rating: 4 });
    expect(changed.body.value.rating).toBe(4);
    expect(stats()).toEqual({ count: 1, sum: 4 });
    // Another run's rating is another observation.
    const second = await h.call('runs:start', { task: TASK, input: 'two' });
    await h.call('runs:rate', { run_id: second.body.value.run_id, rating: 8 });
    expect(stats()).toEqual({ count: 2, sum: 12 });
  });
});
