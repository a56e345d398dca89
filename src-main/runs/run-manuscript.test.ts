// A run on a kept manuscript knows it: reopened later, in a new window with nothing on screen, the Workbench can open
// that manuscript again and show each quote in its text, where the passage the run was given starts.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { TASK, useExecutionHarness } from '../../test/support/execution-harness';
import { useTempDir } from '../../test/support/temp-dir';

const harness = useExecutionHarness();
const tempDir = useTempDir('quire-run-manuscript-');
const TEXT = '# The Harbour\n\nMara watched the boats.\n\n# The Lamplight\n\nHer blue eyes flashed.';

describe('a run on a kept manuscript', () => {
  it('keeps which manuscript and where in it, and says when it has been removed since', async () => {
    const h = await harness.host();
    await h.endpoint('studio', [{ id: 'writer-large', quality: 9, input_usd_per_mtok: 1, output_usd_per_mtok: 2 }]);
    const path = join(tempDir(), 'The Lighthouse Keeper.md');
    writeFileSync(path, TEXT);
    const manuscript = (await h.call('manuscripts:open', { path })).body.value as { id: string };
    harness.server().script('writer-large', { text: 'The eyes change.' });
    const offset = TEXT.indexOf('# The Lamplight');
    const started = await h.call('runs:start', {
      task: TASK,
      input: TEXT.slice(offset),
      manuscript: { id: manuscript.id, offset },
    });
    expect(started.body.ok).toBe(true);
    const runId = started.body.value.run_id as string;

    const got = await h.call('runs:get', { run_id: runId });
    expect(got.body.value.manuscript).toEqual({ id: manuscript.id, title: 'The Lighthouse Keeper', offset });
    // Its history row stays light: the manuscript is in the run's record.
    const listed = await h.call('runs:list', {});
    expect(listed.body.value.runs[0]).not.toHaveProperty('manuscript');

    expect((await h.call('manuscripts:delete', { id: manuscript.id })).body.ok).toBe(true);
    const after = await h.call('runs:get', { run_id: runId });
    expect(after.body.value.manuscript).toEqual({ id: manuscript.id, title: null, offset });

    // A pasted passage has none.
    harness.server().script('writer-large', { text: 'Fine.' });
    const pasted = await h.call('runs:start', { task: TASK, input: 'A pasted paragraph.' });
    expect((await h.call('runs:get', { run_id: pasted.body.value.run_id })).body.value.manuscript).toBeNull();
  });
});
