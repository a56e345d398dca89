// What is in memory is pushed as it changes (resident:changed): a Models screen left open through a long session shows
// a model loaded for a task, running it, and unloaded when it sat idle, without a reload of the screen.
import { describe, expect, it } from 'vitest';
import type { ResidentModelInfo } from '../../src-preload/contract';
import { useDownloadHarness } from '../../test/support/download-harness';
import { fixtureLlama } from '../../test/support/local-fixture';
import { ManualClock } from '../../test/support/manual-clock';
import { useTempDir } from '../../test/support/temp-dir';
import { tinyLlamaFixture } from '../../test/fixtures/tiny-llama';

const tempDir = useTempDir();
const { harness } = useDownloadHarness(tempDir);

describe('what is in memory, pushed as it changes', () => {
  it('says a model loaded, running a task, done, and unloaded after sitting idle', async () => {
    const llama = await fixtureLlama();
    const clock = new ManualClock();
    const h = harness({
      stack: { runtime: { createLlama: () => Promise.resolve(llama), scheduler: clock, now: clock.now } },
    });
    const pushed = () =>
      h.events
        .filter((event) => event.name === 'resident:changed')
        .map((event) => (event.payload as ResidentModelInfo[]).map(({ id, busy }) => ({ id, busy })));
    const model = await h.stack.library.importFile(tinyLlamaFixture({ seed: 61 }), 'Night Editor');
    await h.stack.load(model.id);
    expect(pushed().at(-1)).toEqual([{ id: model.id, busy: false }]);

    let finish!: () => void;
    const gate = new Promise<void>((resolve) => (finish = resolve));
    const task = h.stack.runtime.use(model.id, h.stack.library.installedFile(model.id)!.path, () => gate);
    await Promise.resolve();
    expect(pushed().at(-1)).toEqual([{ id: model.id, busy: true }]);
    finish();
    await task;
    expect(pushed().at(-1)).toEqual([{ id: model.id, busy: false }]);

    clock.advance(15 * 60 * 1000);
    expect(pushed().at(-1)).toEqual([]);
  });
});
