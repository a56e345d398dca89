// A deleted model lets go of its file everywhere: a model imported later under the same name (so the same path) is
// counted with its own vocabulary, not the deleted one's the token counter had kept open.
import { renameSync, rmSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { catalogFor, useDownloadHarness } from '../../test/support/download-harness';
import { startFileServer } from '../../test/support/file-server';
import { hashFile } from '../../test/support/hash-file';
import { fixtureLlama, fixtureSpec } from '../../test/support/local-fixture';
import { useTempDir } from '../../test/support/temp-dir';
import { tinyLlamaFixture } from '../../test/fixtures/tiny-llama';

const tempDir = useTempDir();
const { harness, open } = useDownloadHarness(tempDir);
const messages = [{ role: 'user' as const, content: 'hello hello hello hello' }];

describe('deleting a local model', () => {
  it('forgets its vocabulary: a new model under the same name is counted with its own', async () => {
    const plain = tinyLlamaFixture({ seed: 51 });
    const words = tinyLlamaFixture({ seed: 52, vocabulary: { pieces: [{ text: 'hello', userDefined: true }] } });
    // What the second model counts on its own, in a Quire that never saw the first.
    const fresh = harness();
    const alone = await fresh.stack.library.importFile(words, 'Draft Model');
    const own = await fresh.stack.tokenizer.count(fixtureSpec('draft', alone.id), messages);

    const h = harness();
    const first = await h.stack.library.importFile(plain, 'Draft Model');
    const spec = fixtureSpec('draft', first.id);
    const before = await h.stack.tokenizer.count(spec, messages);
    expect(before).not.toBe(own);
    await h.stack.library.delete(first.id);
    const second = await h.stack.library.importFile(words, 'Draft Model');
    expect(second.id).toBe(first.id); // the same name, so the same file path
    expect(await h.stack.tokenizer.count(spec, messages)).toBe(own);
  });
});

describe('a task asked for a model while it is being deleted', () => {
  it('hears that the model is gone, in plain words, instead of a file error', async () => {
    const llama = await fixtureLlama();
    const h = harness({ stack: { runtime: { createLlama: () => Promise.resolve(llama) } } });
    const model = await h.stack.library.importFile(tinyLlamaFixture({ seed: 31 }), 'Race Model');
    await h.stack.runtime.load(model.id, model.file); // resident and idle: the delete may go ahead
    const spec = [...h.registry.values()].flat()[0]!;
    const deleting = h.stack.library.delete(model.id);
    const task = h.stack.provider
      .languageModel(spec)
      .generate({ messages: [{ role: 'user', content: 'Once upon a time' }], maxOutputTokens: 4 });
    const [deleted, asked] = await Promise.allSettled([deleting, task]);
    expect(deleted.status).toBe('fulfilled');
    expect(asked.status).toBe('rejected');
    const message = ((asked as PromiseRejectedResult).reason as Error).message;
    expect(message).not.toMatch(/ENOENT|race-model|\/models\//);
    await llama.dispose();
  });
});

describe('a catalog model whose file was removed outside Quire (in the Finder)', () => {
  async function installed() {
    const fixture = tinyLlamaFixture({ seed: 53 });
    const s = await startFileServer();
    s.route('/tiny.gguf', { file: fixture });
    const h = harness({ catalog: catalogFor(`${s.url}/tiny.gguf`, await hashFile(fixture)) });
    open.at(-1)!.server = s;
    await h.stack.downloads.start({ id: 'tiny-chat' });
    await h.waitFor('download:done', 'tiny-chat');
    return h;
  }

  it('downloads again from its card, rather than being refused as "already installed" for good', async () => {
    const h = await installed();
    rmSync(h.stack.library.get('tiny-chat')!.file);
    expect(h.stack.catalog()[0]).toMatchObject({ installed: false });
    const before = h.events.length;
    await h.stack.downloads.start({ id: 'tiny-chat' });
    await h.stack.downloads.settled('tiny-chat');
    expect(h.events.slice(before).map((event) => event.name)).toContain('download:done');
    expect(h.stack.catalog()[0]).toMatchObject({ installed: true });
    expect(h.stack.library.installed().map((model) => model.id)).toEqual(['tiny-chat']);
  });

  it('says where its folder went when the whole models folder is not there (a disk not connected)', async () => {
    const h = await installed();
    renameSync(h.modelsDir, `${h.modelsDir}-away`);
    await expect(h.stack.downloads.start({ id: 'tiny-chat' })).rejects.toMatchObject({
      message:
        `Tiny chat is in ${h.modelsDir}, which is not there now. Connect the disk it is on, or choose another ` +
        'models folder in Settings → Local models, then download it again.',
      advised: true,
    });
    expect(h.stack.library.get('tiny-chat')).toBeDefined();
  });
});

describe('a model running a task, on the Models screen', () => {
  it('is neither unloaded nor deleted from under the task: both say so at once, and both work once it ends', async () => {
    const llama = await fixtureLlama();
    const h = harness({ stack: { runtime: { createLlama: () => Promise.resolve(llama) } } });
    const model = await h.stack.library.importFile(tinyLlamaFixture({ seed: 53 }), 'Night Editor');
    const file = h.stack.library.installedFile(model.id)!;
    let finish!: () => void;
    const gate = new Promise<void>((resolve) => (finish = resolve));
    let started!: () => void;
    const running = new Promise<void>((resolve) => (started = resolve));
    const task = h.stack.runtime.use(model.id, file.path, async () => {
      started();
      await gate;
    });
    await running;
    // Refused at once, not held until the task ends (the screen said "Working…" for the whole run).
    await expect(h.stack.unload(model.id)).rejects.toMatchObject({
      code: 'conflict',
      message: 'Night Editor is running a task. Stop it, or wait for it to finish, then unload it.',
    });
    await expect(h.stack.library.delete(model.id)).rejects.toMatchObject({
      code: 'conflict',
      message: 'Night Editor is running a task. Stop it, or wait for it to finish, then delete it.',
    });
    expect(h.stack.resident().map((info) => info.id)).toEqual([model.id]);
    finish();
    await task;
    expect(await h.stack.unload(model.id)).toEqual([]);
    await h.stack.library.delete(model.id);
    expect(h.stack.library.installed()).toEqual([]);
  });
});
