// Files Quire does not own (issue 14, items 2 and 3): an import or download never overwrites the writer's file in the
// models folder, never writes through a symlink, refuses FIFOs, devices and folders at once; a download retried with a
// corrected checksum uses it, and a duplicate of a running download says so.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { catalogFor, useDownloadHarness } from '../../test/support/download-harness';
import { startFileServer } from '../../test/support/file-server';
import { useTempDir } from '../../test/support/temp-dir';
import { tinyLlamaFixture } from '../../test/fixtures/tiny-llama';
import { hashFile } from '../../test/support/hash-file';
import type { LocalModelError } from '../errors';
import { PARTIAL_DIR } from './library';

const tempDir = useTempDir();
const { harness, server, open } = useDownloadHarness(tempDir);
let fixture: string;
let fixtureSha: string;
beforeAll(async () => {
  fixture = tinyLlamaFixture({ seed: 11 });
  fixtureSha = await hashFile(fixture);
});

const NOTES = 'my notes, not a model\n';

/** Resolves with the promise's outcome, or 'still waiting' after `ms` (the FIFO import used to never return). */
function within<T>(promise: Promise<T>, ms: number): Promise<T | 'still waiting'> {
  let timer: NodeJS.Timeout;
  const timeout = new Promise<'still waiting'>((resolve) => (timer = setTimeout(() => resolve('still waiting'), ms)));
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

describe('never overwrite a file Quire does not own', () => {
  it("an import named like the writer's own file in the models folder chooses a free name", async () => {
    const h = harness();
    mkdirSync(h.modelsDir, { recursive: true });
    const mine = join(h.modelsDir, 'my-own-notes.gguf');
    writeFileSync(mine, NOTES);
    const model = await h.stack.library.importFile(fixture, 'my-own-notes');
    expect(readFileSync(mine, 'utf8')).toBe(NOTES);
    expect(model.file).not.toBe(mine);
    expect(model.id).toBe('my-own-notes-2');
    expect(readFileSync(model.file).equals(readFileSync(fixture))).toBe(true);
  });

  it("a download named like the writer's own file chooses a free name", async () => {
    const h = harness();
    const s = await server();
    s.route('/story.gguf', { file: fixture });
    mkdirSync(h.modelsDir, { recursive: true });
    const mine = join(h.modelsDir, 'story.gguf');
    writeFileSync(mine, NOTES);
    const info = await h.stack.downloads.start({ url: `${s.url}/story.gguf`, sha256: fixtureSha });
    await h.waitFor('download:done', info.id);
    expect(readFileSync(mine, 'utf8')).toBe(NOTES);
    const installed = h.stack.library.installed();
    expect(installed).toHaveLength(1);
    expect(installed[0]!.file).not.toBe(mine);
    expect(readFileSync(installed[0]!.file).equals(readFileSync(fixture))).toBe(true);
  });

  it("a catalog download whose file name is taken by the writer's file installs beside it", async () => {
    const s0 = await startFileServer();
    s0.route('/tiny.gguf', { file: fixture });
    const h = harness({ catalog: catalogFor(`${s0.url}/tiny.gguf`, fixtureSha) });
    open.at(-1)!.server = s0;
    mkdirSync(h.modelsDir, { recursive: true });
    const mine = join(h.modelsDir, 'tiny-chat.gguf');
    writeFileSync(mine, NOTES);
    await h.stack.downloads.start({ id: 'tiny-chat' });
    await h.waitFor('download:done', 'tiny-chat');
    expect(readFileSync(mine, 'utf8')).toBe(NOTES);
    expect(h.stack.library.installed()[0]!.file).not.toBe(mine);
  });

  it('never writes through a symlink planted in the models folder', async () => {
    const h = harness();
    const outside = join(h.dataDir, 'outside.txt');
    writeFileSync(outside, NOTES);
    mkdirSync(join(h.modelsDir, PARTIAL_DIR), { recursive: true });
    // Where the import's partial copy and the final file would go.
    symlinkSync(outside, join(h.modelsDir, PARTIAL_DIR, 'linked.import'));
    symlinkSync(outside, join(h.modelsDir, 'linked.gguf'));
    const model = await h.stack.library.importFile(fixture, 'linked');
    expect(readFileSync(outside, 'utf8')).toBe(NOTES);
    expect(model.file).not.toBe(join(h.modelsDir, 'linked.gguf'));
  });

  it('refuses a partial-downloads folder that is a symlink out of the models folder', async () => {
    const h = harness();
    const elsewhere = join(h.dataDir, 'elsewhere');
    mkdirSync(elsewhere);
    mkdirSync(h.modelsDir, { recursive: true });
    rmSync(join(h.modelsDir, PARTIAL_DIR), { recursive: true, force: true });
    symlinkSync(elsewhere, join(h.modelsDir, PARTIAL_DIR));
    await expect(h.stack.library.importFile(fixture, 'x')).rejects.toMatchObject({
      message: expect.stringMatching(/\.partial.*link/),
    });
  });

  it('refuses a FIFO, a device and a folder at once', async () => {
    const h = harness();
    const fifo = join(h.dataDir, 'pipe.gguf');
    execFileSync('mkfifo', [fifo]);
    const folder = join(h.dataDir, 'folder.gguf');
    mkdirSync(folder);
    for (const [path, pattern] of [
      [fifo, /pipe.*not a model file/i],
      ['/dev/zero', /device.*not a model file/i],
      [folder, /folder.*not a model file/i],
    ] as const) {
      const outcome = await within(
        h.stack.library.importFile(path).catch((e: unknown) => e),
        2000,
      );
      expect(outcome, path).toBeInstanceOf(Error);
      expect((outcome as Error).message).toMatch(pattern);
    }
    expect(h.stack.library.installed()).toEqual([]);
  });

  it('an import of a path that is not there says what is missing and how to get the path right', async () => {
    const h = harness();
    const downloads = join(h.dataDir, 'Downloads');
    mkdirSync(downloads);
    const notes = join(downloads, 'notes.txt');
    writeFileSync(notes, NOTES);
    const refusal = (path: string) =>
      h.stack.library.importFile(path).then(
        () => expect.unreachable(`${path} was imported`),
        (e: unknown) => e as LocalModelError,
      );
    // A name mistyped in a folder that is there: the file is named, in its folder.
    const typo = await refusal(join(downloads, 'story-helper.ggfu'));
    expect(typo.message).toBe(
      `There is no file “story-helper.ggfu” in “${downloads}”. Check the file’s name (a model file’s ends in .gguf), or ` +
        'copy its path in the Finder (select the file, hold Option and choose Edit → Copy as Pathname) and paste it here.',
    );
    expect(typo.advised).toBe(true);
    // A folder that is not there: the first missing folder is named, not the file.
    const folder = await refusal(join(h.dataDir, 'Downlaods', 'models', 'story-helper.gguf'));
    expect(folder.message).toMatch(new RegExp(`^There is no folder “${join(h.dataDir, 'Downlaods')}”`));
    expect(folder.message).toMatch(/Copy as Pathname/);
    expect(folder.advised).toBe(true);
    // A file used as a folder on the way.
    const through = await refusal(join(notes, 'story-helper.gguf'));
    expect(through.message).toMatch(new RegExp(`^“${notes}” is a file, not a folder`));
    expect(through.advised).toBe(true);
    // None of them is said to be a damaged model or one to download again.
    for (const e of [typo, folder, through])
      expect(e.message).not.toMatch(/download (it|again)|get it again|damaged|incomplete/i);
    expect(h.stack.library.installed()).toEqual([]);
  });

  it('an import of a folder, or of a path without its folders, says what to type instead', async () => {
    const h = harness();
    const refusal = (path: string) =>
      h.stack.library.importFile(path).then(
        () => expect.unreachable(`${path} was imported`),
        (e: unknown) => e as LocalModelError,
      );
    const folder = join(h.dataDir, 'Downloads');
    mkdirSync(folder);
    const inFolder = await refusal(folder);
    expect(inFolder.message).toBe(
      `“${folder}” is a folder, not a model file. Type the path of the .gguf file itself, or copy its path in the ` +
        'Finder (select the file, hold Option and choose Edit → Copy as Pathname) and paste it here.',
    );
    expect(inFolder.advised).toBe(true);
    // A bare name is not looked for wherever Quire happened to start ("in “.”").
    const bare = await refusal('story-helper.gguf');
    expect(bare.message).toBe(
      '“story-helper.gguf” is not a whole path, so Quire cannot tell which folder it is in. Type it from the start, ' +
        'such as ~/Downloads/story-helper.gguf, or copy its path in the Finder (select the file, hold Option and ' +
        'choose Edit → Copy as Pathname) and paste it here.',
    );
    expect(bare.advised).toBe(true);
    expect(h.stack.library.installed()).toEqual([]);
  });

  it('keeps an unfinished download private (0600) until it is verified', async () => {
    const h = harness();
    const s = await server();
    s.route('/slow.gguf', { file: fixture, faults: { stallAfter: 100_000 } });
    const info = await h.stack.downloads.start({ url: `${s.url}/slow.gguf`, sha256: fixtureSha });
    const part = join(h.modelsDir, PARTIAL_DIR, `${info.id}.gguf.part`);
    await h.waitFor('download:progress', info.id);
    expect(statSync(part).mode & 0o777).toBe(0o600);
    await h.stack.downloads.cancel(info.id);
  });
});

describe('a download retried after a checksum mismatch', () => {
  it('uses the new name and the corrected checksum', async () => {
    const h = harness();
    const s = await server();
    s.route('/fixable.gguf', { file: fixture });
    const url = `${s.url}/fixable.gguf`;
    const first = await h.stack.downloads.start({ url, sha256: 'a'.repeat(64) });
    const failed = await h.waitFor('download:failed', first.id);
    expect(failed.payload).toMatchObject({ reason: 'checksum_mismatch' });
    const retry = await h.stack.downloads.start({ url, name: 'Fixed story model', sha256: fixtureSha });
    expect(retry).toMatchObject({ name: 'Fixed story model', status: 'downloading', error: null });
    await h.waitFor('download:done', retry.id);
    expect(h.stack.library.installed()).toMatchObject([
      { name: 'Fixed story model', sha256: fixtureSha, verified_against: 'user' },
    ]);
    expect(h.stack.downloads.list()).toEqual([]);
  });

  it('a duplicate of a download in progress says so', async () => {
    const h = harness();
    const s = await server();
    s.route('/busy.gguf', { file: fixture, faults: { stallAfter: 50_000 } });
    const url = `${s.url}/busy.gguf`;
    const first = await h.stack.downloads.start({ url });
    await expect(h.stack.downloads.start({ url, name: 'Another name' })).rejects.toMatchObject({
      code: 'conflict',
      message: expect.stringMatching(/already downloading/),
    });
    expect(h.stack.downloads.list()).toHaveLength(1);
    await h.stack.downloads.cancel(first.id);
  });
});
