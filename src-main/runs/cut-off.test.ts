// A streamed answer whose connection breaks after words have arrived: the failed run keeps those words, under the
// model that wrote them, so the Workbench can show them again when the run is reopened (nothing vanishes).
import { describe, expect, it } from 'vitest';
import { TASK, useExecutionHarness } from '../../test/support/execution-harness';

describe('a streamed answer cut off mid-way', () => {
  const harness = useExecutionHarness();

  it('keeps the words that arrived with the failed run, and what it was charged', async () => {
    const h = await harness.host();
    await h.endpoint('main', [{ id: 'primary', quality: 9, input_usd_per_mtok: 1, output_usd_per_mtok: 2 }]);
    harness.server().script('primary', {
      text: 'The storm took the boats',
      faults: [{ kind: 'reset', afterTokens: 3 }],
    });
    const cut = await h.call('runs:start', { task: TASK, input: 'The harbour.', stream: true });
    expect(cut.body.ok).toBe(false);
    const [summary] = (await h.call('runs:list', { status: 'failed' })).body.value.runs;
    // History's row says so: it read "failed" alone, as if nothing had come of it.
    expect(summary.words_kept).toBe(true);
    const run = (await h.call('runs:get', { run_id: summary.run_id })).body.value;
    expect(run.text?.trim()).toBe('The storm took');
    expect(run.model_id).toBe('main/primary');
    expect(run.cost_usd).toBeGreaterThan(0);
    expect(run.attempts.at(-1)).toMatchObject({ outcome: 'failed', charged_most: true });
  });

  it('keeps nothing for a failure before the first word', async () => {
    const h = await harness.host();
    await h.endpoint('main', [{ id: 'primary', quality: 9, input_usd_per_mtok: 1, output_usd_per_mtok: 2 }]);
    harness.server().script('primary', { text: 'The storm', faults: [{ kind: 'status', status: 500 }] });
    const failed = await h.call('runs:start', { task: TASK, input: 'The harbour.', stream: true });
    expect(failed.body.ok).toBe(false);
    const [summary] = (await h.call('runs:list', { status: 'failed' })).body.value.runs;
    expect(summary).not.toHaveProperty('words_kept');
    const run = (await h.call('runs:get', { run_id: summary.run_id })).body.value;
    expect(run.text).toBeNull();
    expect(run.model_id).toBeNull();
  });
});
