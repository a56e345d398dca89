// Deleting a model while a task runs on it (audit): refused in the writer's words instead of pulling the file from
// under the run, which then failed with "not installed (catalog …)"; a model that is not installed is named plainly.
import type { Llama } from 'node-llama-cpp';
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useDownloadHarness } from '../../test/support/download-harness';
import { fixtureLlama, fixtureModels, fixtureRuntime, fixtureSpec } from '../../test/support/local-fixture';
import { useTempDir } from '../../test/support/temp-dir';
import { tinyLlamaFixture } from '../../test/fixtures/tiny-llama';

const tempDir = useTempDir();
const { harness } = useDownloadHarness(tempDir);
let llama: Llama;
let fixture: string;
beforeAll(async () => {
  llama = await fixtureLlama();
  fixture = tinyLlamaFixture({ seed: 31 });
});
afterAll(async () => {
  await llama.dispose();
});

describe('deleting a model that is in use', () => {
  it('is refused while a task runs on it, and works once the task is done', async () => {
    const h = harness({ stack: { runtime: { createLlama: () => Promise.resolve(llama) } } });
    const model = await h.stack.library.importFile(fixture, 'Wide Base');
    let finish!: () => void;
    const held = new Promise<void>((resolve) => (finish = resolve));
    let started!: () => void;
    const running = new Promise<void>((resolve) => (started = resolve));
    const task = h.stack.runtime.use(model.id, model.file, async () => {
      started();
      await held;
    });
    await running;
    await expect(h.stack.library.delete(model.id)).rejects.toMatchObject({
      code: 'conflict',
      message: 'Wide Base is running a task. Stop it, or wait for it to finish, then delete it.',
    });
    expect(existsSync(model.file)).toBe(true);
    expect(h.stack.library.installed()).toHaveLength(1);
    finish();
    await task;
    await h.stack.library.delete(model.id);
    expect(existsSync(model.file)).toBe(false);
    expect(h.stack.library.installed()).toEqual([]);
  });

  it('names a model that is not installed by its name alone', async () => {
    const runtime = fixtureRuntime(llama);
    const spec = { ...fixtureSpec('wide', 'wide-base'), display_name: 'Wide Base' };
    const models = fixtureModels(runtime, {}, [spec]);
    await expect(
      models.languageModel(spec).generate({ messages: [{ role: 'user', content: 'x' }], maxOutputTokens: 1 }),
    ).rejects.toMatchObject({
      reason: 'not_installed',
      advised: true,
      message: 'Wide Base is not installed any more: download or add it again in Models, or choose another model.',
    });
    await runtime.close();
  });
});
