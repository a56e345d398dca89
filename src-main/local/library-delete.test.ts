// A deleted model lets go of its file everywhere: a model imported later under the same name (so the same path) is
// counted with its own vocabulary, not the deleted one's the token counter had kept open.
import { describe, expect, it } from 'vitest';
import { useDownloadHarness } from '../../test/support/download-harness';
import { fixtureLlama, fixtureSpec } from '../../test/support/local-fixture';
import { useTempDir } from '../../test/support/temp-dir';
import { tinyLlamaFixture } from '../../test/fixtures/tiny-llama';

const tempDir = useTempDir();
const { harness } = useDownloadHarness(tempDir);
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
