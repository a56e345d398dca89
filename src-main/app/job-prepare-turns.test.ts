// Preparing a run in parts on a long stored manuscript (its count, its numbering, its parts) lets the app's other calls
// in between its passes over the text: each is checked by the calls answered while it is prepared (events, not
// timings).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { shortParagraphsManuscript } from '../../test/fixtures/manuscript';
import { endpointModel, useExecutionHarness } from '../../test/support/execution-harness';
import { useTempDir } from '../../test/support/temp-dir';
import { RunJobs } from './run-job';

const h = useExecutionHarness();
const tempDir = useTempDir('quire-prepare-');
afterEach(() => void vi.restoreAllMocks());

describe('a run in parts on a long manuscript', () => {
  it('is prepared with other calls answered between its passes over the text', async () => {
    const host = await h.host();
    await host.endpoint('ep', [endpointModel('small', 9, 32_768)]);
    // 75,000 short paragraphs, 2 million characters: the longest passage a run takes.
    const text = shortParagraphsManuscript(75_000);
    const path = join(tempDir(), 'Long.md');
    writeFileSync(path, text);
    expect((await host.call('manuscripts:open', { path })).body.ok).toBe(true);
    const start = { task: 'continuity_check', input: text };
    // Once first: the counter's vocabulary is loaded from disk on first use, which lets calls in anyway.
    expect((await host.call('runs:quote', start)).body.value).toMatchObject({ kind: 'job' });

    let answered = 0;
    let on = true;
    const others = (async () => {
      while (on) {
        await new Promise((resolve) => setImmediate(resolve));
        await host.app.dispatcher.call('settings:get', undefined, { transport: 'internal' });
        answered++;
      }
    })();
    const during: number[] = [];
    const prepare = RunJobs.prototype.prepare;
    vi.spyOn(RunJobs.prototype, 'prepare').mockImplementation(async function (this: RunJobs, job) {
      const before = answered;
      const prepared = await prepare.call(this, job);
      during.push(answered - before);
      return prepared;
    });
    const quote = await host.app.dispatcher.call('runs:quote', start, { transport: 'internal' });
    on = false;
    await others;
    expect(quote).toMatchObject({ ok: true, value: { kind: 'job' } });
    // Counted, hashed and numbered at once, no call was answered until its parts were cut.
    expect(during).toHaveLength(1);
    expect(during[0]).toBeGreaterThan(0);
  });
});
