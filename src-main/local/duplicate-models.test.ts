// Adding a model that is already installed (audit): the same bytes uploaded twice, imported from the models folder,
// or downloaded by URL used to install full copies ("tiny-story-3", "-4"…); now each is refused once hashed, in the
// writer's words, and nothing of the copy is left behind.
import { readFileSync, readdirSync } from 'node:fs';
import { Readable } from 'node:stream';
import { beforeAll, describe, expect, it } from 'vitest';
import { catalogFor, partialFiles, useDownloadHarness } from '../../test/support/download-harness';
import { startFileServer } from '../../test/support/file-server';
import { hashFile } from '../../test/support/hash-file';
import { useTempDir } from '../../test/support/temp-dir';
import { tinyLlamaFixture } from '../../test/fixtures/tiny-llama';

const tempDir = useTempDir();
const { harness, server, open } = useDownloadHarness(tempDir);
let fixture: string;
let fixtureSha: string;
beforeAll(async () => {
  fixture = tinyLlamaFixture({ seed: 41 });
  fixtureSha = await hashFile(fixture);
});

const SAME = { code: 'conflict', message: 'Tiny Story is already installed (same file).', advised: true };

function ggufs(dir: string): string[] {
  return readdirSync(dir).filter((name) => name.endsWith('.gguf'));
}

describe('a model already installed is not installed twice', () => {
  it('refuses a second upload and an import of the installed file itself, leaving nothing behind', async () => {
    const h = harness();
    const first = await h.stack.library.importStream(
      Readable.from([readFileSync(fixture)]),
      'story.gguf',
      'Tiny Story',
    );
    await expect(
      h.stack.library.importStream(Readable.from([readFileSync(fixture)]), 'story.gguf', 'Tiny Story'),
    ).rejects.toMatchObject(SAME);
    await expect(h.stack.library.importFile(first.file)).rejects.toMatchObject(SAME);
    expect(h.stack.library.installed().map((m) => m.id)).toEqual([first.id]);
    expect(ggufs(h.modelsDir)).toEqual([`${first.id}.gguf`]);
    expect(partialFiles(h)).toEqual([]);
  });

  it('installs the same file imported twice at the same moment once, and tells the other it is already installed', async () => {
    const h = harness();
    const both = await Promise.allSettled([
      h.stack.library.importFile(fixture, 'Tiny Story'),
      h.stack.library.importFile(fixture, 'Tiny Story'),
    ]);
    const installed = both.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
    const refused = both.flatMap((r) => (r.status === 'rejected' ? [r.reason as Error] : []));
    expect(installed).toHaveLength(1);
    expect(refused).toEqual([expect.objectContaining(SAME)]);
    expect(h.stack.library.installed().map((m) => m.id)).toEqual([installed[0]!.id]);
    expect(ggufs(h.modelsDir)).toEqual([`${installed[0]!.id}.gguf`]);
    expect(partialFiles(h)).toEqual([]);
  });

  it('refuses a URL download of the same bytes, and keeps no failed download to resume', async () => {
    const h = harness();
    await h.stack.library.importFile(fixture, 'Tiny Story');
    const s = await server();
    s.route('/again.gguf', { file: fixture });
    // With its checksum given, the same bytes are known before a byte is fetched.
    await expect(h.stack.downloads.start({ url: `${s.url}/again.gguf`, sha256: fixtureSha })).rejects.toMatchObject(
      SAME,
    );
    expect(s.requests.map((r) => r.method)).toEqual(['HEAD']);
    const info = await h.stack.downloads.start({ url: `${s.url}/again.gguf` });
    const failed = await h.waitFor('download:failed', info.id);
    expect(failed.payload).toMatchObject({ message: SAME.message, retryable: false });
    expect(h.stack.downloads.list()).toEqual([]);
    expect(h.stack.library.installed()).toHaveLength(1);
    expect(ggufs(h.modelsDir)).toHaveLength(1);
    expect(partialFiles(h)).toEqual([]);
  });
});

describe('a catalog model whose file is installed under another name', () => {
  it('is shown as installed by the catalog, and its download is refused before a byte is fetched', async () => {
    const s = await startFileServer();
    s.route('/tiny.gguf', { file: fixture });
    const h = harness({ catalog: catalogFor(`${s.url}/tiny.gguf`, fixtureSha) });
    open.at(-1)!.server = s;
    await h.stack.library.importFile(fixture, 'Tiny Story');
    expect(h.stack.catalog()[0]).toMatchObject({ installed: false, installed_as: 'Tiny Story' });
    await expect(h.stack.downloads.start({ id: 'tiny-chat' })).rejects.toMatchObject(SAME);
    expect(s.requests).toEqual([]);
    expect(h.stack.downloads.list()).toEqual([]);
  });

  it("is known by Hugging Face's checksum before the download, when the catalog lists none", async () => {
    const s = await startFileServer();
    s.route('/tiny.gguf', { file: fixture, headers: { 'X-Linked-Etag': `"${fixtureSha}"` } });
    const h = harness({ catalog: catalogFor(`${s.url}/tiny.gguf`, null) });
    open.at(-1)!.server = s;
    await h.stack.library.importFile(fixture, 'Tiny Story');
    expect(h.stack.catalog()[0]).toMatchObject({ installed: false, installed_as: null });
    await expect(h.stack.downloads.start({ id: 'tiny-chat' })).rejects.toMatchObject(SAME);
    expect(s.requests.map((r) => r.method)).toEqual(['HEAD']);
    expect(h.stack.catalog()[0]).toMatchObject({ installed_as: 'Tiny Story' });
  });

  it('is still shown as installed once its download found the same file (a reload asks the catalog again)', async () => {
    const s = await startFileServer();
    s.route('/tiny.gguf', { file: fixture });
    const h = harness({ catalog: catalogFor(`${s.url}/tiny.gguf`, null) });
    open.at(-1)!.server = s;
    await h.stack.library.importFile(fixture, 'Tiny Story');
    await h.stack.downloads.start({ id: 'tiny-chat' });
    const failed = await h.waitFor('download:failed', 'tiny-chat');
    expect(failed.payload).toMatchObject({ reason: 'already_installed', message: SAME.message });
    expect(h.stack.downloads.list()).toEqual([]);
    expect(h.stack.catalog()[0]).toMatchObject({ installed: false, installed_as: 'Tiny Story' });
    const fetched = s.requests.length;
    await expect(h.stack.downloads.start({ id: 'tiny-chat' })).rejects.toMatchObject(SAME);
    expect(s.requests).toHaveLength(fetched);
  });

  it('is still known after a restart, from the checksum its download or Hugging Face gave', async () => {
    const s = await startFileServer();
    s.route('/tiny.gguf', { file: fixture });
    s.route('/hf.gguf', { file: fixture, headers: { 'X-Linked-Etag': `"${fixtureSha}"` } });
    const catalog = catalogFor(`${s.url}/tiny.gguf`, null);
    catalog.models.push({ ...catalog.models[0]!, id: 'tiny-hf', display_name: 'Tiny HF', url: `${s.url}/hf.gguf` });
    const first = harness({ catalog });
    const dataDir = first.dataDir;
    open.at(-1)!.server = s;
    await first.stack.library.importFile(fixture, 'Tiny Story');
    await first.stack.downloads.start({ id: 'tiny-chat' });
    await first.waitFor('download:failed', 'tiny-chat');
    await expect(first.stack.downloads.start({ id: 'tiny-hf' })).rejects.toMatchObject(SAME);
    // Quire quits and starts again on the same data folder.
    const [closing] = open.splice(0, 1);
    await closing!.stack.close();
    closing!.db.close();
    const again = harness({ dataDir, catalog });
    open.at(-1)!.server = s;
    expect(again.stack.catalog().map((item) => item.installed_as)).toEqual(['Tiny Story', 'Tiny Story']);
    const fetched = s.requests.length;
    await expect(again.stack.downloads.start({ id: 'tiny-chat' })).rejects.toMatchObject(SAME);
    expect(s.requests).toHaveLength(fetched);
  });

  it('is offered again once that model is deleted', async () => {
    const s = await startFileServer();
    s.route('/tiny.gguf', { file: fixture });
    const h = harness({ catalog: catalogFor(`${s.url}/tiny.gguf`, fixtureSha) });
    open.at(-1)!.server = s;
    const story = await h.stack.library.importFile(fixture, 'Tiny Story');
    await h.stack.library.delete(story.id);
    expect(h.stack.catalog()[0]).toMatchObject({ installed: false, installed_as: null });
  });
});

describe('two installed models never show the same name', () => {
  it('qualifies a second model whose header gives the same name by its file, then by a number', async () => {
    const h = harness();
    const q4 = tinyLlamaFixture({ seed: 43, name: 'Tiny Story' });
    const q8 = tinyLlamaFixture({ seed: 44, name: 'Tiny Story' });
    const first = await h.stack.library.importStream(Readable.from([readFileSync(q4)]), 'tiny-story-Q4.gguf');
    const second = await h.stack.library.importStream(Readable.from([readFileSync(q8)]), 'tiny-story-Q8.gguf');
    const third = await h.stack.library.importStream(
      Readable.from([readFileSync(tinyLlamaFixture({ seed: 45, name: 'Tiny Story' }))]),
      'tiny-story-Q8.gguf',
    );
    // A name the writer gives is kept apart the same way, whatever its case; a file named like the model adds nothing.
    const fourth = await h.stack.library.importStream(
      Readable.from([readFileSync(tinyLlamaFixture({ seed: 46 }))]),
      'Tiny Story.gguf',
      'tiny story',
    );
    expect([first, second, third, fourth].map((m) => m.name)).toEqual([
      'Tiny Story',
      'Tiny Story (tiny-story-Q8)',
      'Tiny Story (2)',
      'tiny story (3)',
    ]);
  });

  it('qualifies a model downloaded from a URL under a name already shown, and says so when it is done', async () => {
    const h = harness();
    await h.stack.library.importFile(fixture, 'Tiny Story');
    const s = await server();
    s.route('/tiny-story-Q8.gguf', { file: tinyLlamaFixture({ seed: 47 }) });
    const info = await h.stack.downloads.start({ url: `${s.url}/tiny-story-Q8.gguf`, name: 'Tiny Story' });
    const done = await h.waitFor('download:done', info.id);
    expect(done.payload).toMatchObject({
      name: 'Tiny Story (tiny-story-Q8)',
      model: { name: 'Tiny Story (tiny-story-Q8)' },
    });
  });
});
