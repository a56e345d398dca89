// Downloads against a real loopback HTTP server (Range, faults), real files, real SQLite; no node-llama-cpp load.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { startFileServer } from '../../test/support/file-server';
import { catalogFor, partialFiles, useDownloadHarness } from '../../test/support/download-harness';
import { useTempDir } from '../../test/support/temp-dir';
import { hashFile } from '../../test/support/hash-file';
import { checkGgufFile } from './gguf-check';
import { tinyLlamaFixture } from '../../test/fixtures/tiny-llama';
import { PARTIAL_DIR } from './library';
import { FREE_SPACE_MARGIN } from './downloads';
import type { DownloadError } from '../errors';
import { bytesText } from '../../src-preload/contract/bytes-text';

const tempDir = useTempDir();
let fixture: string;
let fixtureSha: string;
let fixtureSize: number;
beforeAll(async () => {
  fixture = tinyLlamaFixture({ seed: 11 });
  fixtureSha = await hashFile(fixture);
  fixtureSize = statSync(fixture).size;
});

const { harness, server, open } = useDownloadHarness(tempDir);

describe('downloads', () => {
  it('downloads a catalog model with progress, verifies its SHA-256 and installs it atomically', async () => {
    const s = await startFileServer();
    s.route('/tiny.gguf', { file: fixture, faults: { bytesPerSecond: 1_000_000 } });
    const h = harness({ catalog: catalogFor(`${s.url}/tiny.gguf`, fixtureSha) });
    open.at(-1)!.server = s;
    const info = await h.stack.downloads.start({ id: 'tiny-chat' });
    expect(info.status).toBe('downloading');
    expect(h.stack.library.installed()).toEqual([]);
    expect(h.stack.provider.isInstalled('tiny-chat')).toBe(false);
    const done = await h.waitFor('download:done', 'tiny-chat');
    expect(done.payload).toMatchObject({ model: { id: 'tiny-chat', sha256: fixtureSha, verified_against: 'catalog' } });
    const progress = h.events.filter((e) => e.name === 'download:progress').map((e) => e.payload as any);
    expect(progress.length).toBeGreaterThan(1);
    expect(progress.at(-1)).toMatchObject({ id: 'tiny-chat', received: fixtureSize, total: fixtureSize });
    expect(progress.some((p) => p.bytes_per_s > 0 && p.eta_s !== null)).toBe(true);
    expect(h.stack.library.installed().map((m) => [m.id, m.registry_model_id])).toEqual([['tiny-chat', 'tiny']]);
    expect(h.stack.provider.isInstalled('tiny-chat')).toBe(true);
    expect(h.stack.downloads.list()).toEqual([]);
    expect(partialFiles(h)).toEqual([]);
    expect(readFileSync(join(h.modelsDir, 'tiny-chat.gguf')).equals(readFileSync(fixture))).toBe(true);
    // What the library records is read from the downloaded file's header, as a full check reads it.
    const full = await checkGgufFile(fixture);
    expect(h.stack.library.get('tiny-chat')).toMatchObject({
      architecture: full.architecture,
      context_length: full.context_length,
    });
    const catalog = h.stack.catalog();
    expect(catalog[0]).toMatchObject({ id: 'tiny-chat', installed: true, fit: { verdict: 'fits' } });
  });

  it('adds a model by URL with the LFS oid from X-Linked-Etag and registers it for the router', async () => {
    const h = harness();
    const s = await server();
    s.route('/org/repo/resolve/main/story.gguf', { file: fixture, headers: { 'X-Linked-Etag': `"${fixtureSha}"` } });
    await h.stack.downloads.start({ url: `${s.url}/org/repo/resolve/main/story.gguf` });
    const done = await h.waitFor('download:done', 'story');
    expect(done.payload).toMatchObject({ model: { verified_against: 'hf_lfs_oid', registry_model_id: 'local:story' } });
    expect(h.registry.get('local:story')?.[0]).toMatchObject({
      id: 'local:story',
      provider: 'local',
      local: { catalog_id: 'story' },
    });
  });

  it('follows redirects as Hugging Face sends them: the LFS oid on the redirect, Range kept through it on resume', async () => {
    const h = harness();
    const s = await server();
    s.route('/org/repo/resolve/main/hop.gguf', {
      file: fixture,
      redirectTo: '/cdn/hop.gguf',
      headers: { 'X-Linked-Etag': `"${fixtureSha}"`, 'X-Linked-Size': String(fixtureSize) },
    });
    s.route('/cdn/hop.gguf', { file: fixture, faults: { cutAfter: 300_000 } });
    const info = await h.stack.downloads.start({ url: `${s.url}/org/repo/resolve/main/hop.gguf` });
    expect(info.total).toBe(fixtureSize);
    const done = await h.waitFor('download:done', 'hop');
    expect(done.payload).toMatchObject({ model: { sha256: fixtureSha, verified_against: 'hf_lfs_oid' } });
    const gets = s.requests.filter((r) => r.method === 'GET');
    expect(gets.map((r) => [r.path, r.status])).toEqual([
      ['/org/repo/resolve/main/hop.gguf', 302],
      ['/cdn/hop.gguf', 200],
      ['/org/repo/resolve/main/hop.gguf', 302],
      ['/cdn/hop.gguf', 206],
    ]);
    expect(gets[3]!.range).toMatch(/^bytes=[1-9]\d*-$/);
    expect(readFileSync(join(h.modelsDir, 'hop.gguf')).equals(readFileSync(fixture))).toBe(true);
  });

  it('starts again from byte 0 when the file changed on the server since the pause (If-Range with the old ETag)', async () => {
    const h = harness();
    const s = await server();
    const newer = tinyLlamaFixture({ seed: 11, embd: 96 });
    s.route('/changed.gguf', { file: fixture, faults: { bytesPerSecond: 150_000 } });
    await h.stack.downloads.start({ url: `${s.url}/changed.gguf` });
    await h.waitFor('download:progress', 'changed');
    const paused = await h.stack.downloads.pause('changed');
    expect(paused.received).toBeGreaterThan(0);
    s.route('/changed.gguf', { file: newer });
    await h.stack.downloads.resume('changed');
    await h.waitFor('download:done', 'changed');
    expect(s.requests.filter((r) => r.method === 'GET').at(-1)).toMatchObject({
      range: `bytes=${paused.received}-`,
      status: 200,
    });
    expect(readFileSync(join(h.modelsDir, 'changed.gguf')).equals(readFileSync(newer))).toBe(true);
  });

  it('downloads a file sent chunked, its size unknown until the end, and resumes it after a cut', async () => {
    const h = harness();
    const s = await server();
    s.route('/chunked.gguf', { file: fixture, faults: { chunked: true, cutAfter: 300_000 } });
    const info = await h.stack.downloads.start({ url: `${s.url}/chunked.gguf`, sha256: fixtureSha });
    expect(info.total).toBeNull();
    const done = await h.waitFor('download:done', 'chunked');
    expect(done.payload).toMatchObject({ model: { sha256: fixtureSha, verified_against: 'user' } });
    expect(s.requests.filter((r) => r.method === 'GET').map((r) => r.status)).toEqual([200, 206]);
    const last = h.events.filter((e) => e.name === 'download:progress').at(-1)!.payload;
    expect(last).toMatchObject({ received: fixtureSize, total: null });
  });

  it('stops a transfer the moment the server sends more than the size it declared, and keeps nothing', async () => {
    const h = harness();
    const s = await server();
    // HEAD says the file's size; the GET, sent chunked, goes on for 64 MB past it (a server could go on for ever).
    s.route('/endless.gguf', { file: fixture, faults: { overflowBytes: 64 * 1024 * 1024 } });
    const info = await h.stack.downloads.start({ url: `${s.url}/endless.gguf` });
    expect(info.total).toBe(fixtureSize);
    const failed = await h.waitFor('download:failed', 'endless');
    expect(failed.payload).toMatchObject({
      reason: 'invalid_file',
      message: expect.stringMatching(/sent more than the .* it said the file is/),
    });
    const progress = h.events.filter((e) => e.name === 'download:progress').map((e) => (e.payload as any).received);
    expect(Math.max(0, ...progress)).toBeLessThanOrEqual(fixtureSize + 1024 * 1024);
    expect(h.stack.library.installed()).toEqual([]);
    expect(partialFiles(h)).toEqual([]);
  });

  it('a failure it cannot record (the disk full under the library too) is still told, and nothing is thrown at the process', async () => {
    const h = harness();
    const s = await server();
    s.route('/nowhere.gguf', { file: fixture, faults: { flipByteAt: 100 } });
    // Every write of a failure is refused, as SQLite refuses writes on a full disk.
    h.db.exec(`CREATE TRIGGER full_disk BEFORE UPDATE OF status ON downloads WHEN NEW.status = 'failed'
               BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END`);
    const unhandled: unknown[] = [];
    const note = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', note);
    try {
      await h.stack.downloads.start({ url: `${s.url}/nowhere.gguf`, sha256: fixtureSha });
      const failed = await h.waitFor('download:failed', 'nowhere');
      expect(failed.payload).toMatchObject({ reason: 'checksum_mismatch' });
      await new Promise<void>((resolve) => setImmediate(resolve));
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', note);
      h.db.exec('DROP TRIGGER full_disk');
    }
  });

  it('says a server that redirects without end does so, not that the internet connection may be down', async () => {
    const h = harness();
    const s = await server();
    s.route('/loop.gguf', { file: fixture, redirectTo: '/loop.gguf' });
    const error = (await h.stack.downloads.start({ url: `${s.url}/loop.gguf` }).catch((e: unknown) => e)) as Error;
    expect(error.message).toBe(
      `${new URL(s.url).host} kept sending Quire on to another address (more than 10 times), so the file was never ` +
        'reached. Check the address, or get the model from another source.',
    );
    expect(error.message).not.toMatch(/internet connection/);
  });

  it('refuses a corrupted transfer (flipped byte) with checksum_mismatch and keeps nothing', async () => {
    const h = harness();
    const s = await server();
    s.route('/flip.gguf', { file: fixture, faults: { flipByteAt: Math.floor(fixtureSize / 2) } });
    await h.stack.downloads.start({ url: `${s.url}/flip.gguf`, sha256: fixtureSha });
    const failed = await h.waitFor('download:failed', 'flip');
    expect(failed.payload).toMatchObject({ reason: 'checksum_mismatch', retryable: false });
    expect((failed.payload as any).message).toMatch(/does not match the SHA-256/);
    expect(h.stack.library.installed()).toEqual([]);
    expect(partialFiles(h)).toEqual([]);
    expect(existsSync(join(h.modelsDir, 'flip.gguf'))).toBe(false);
    expect(h.stack.downloads.get('flip')).toMatchObject({ status: 'failed', error: { reason: 'checksum_mismatch' } });
  });

  it('refuses a downloaded file llama.cpp would abort on (invalid_file) and keeps nothing', async () => {
    const h = harness();
    const s = await server();
    const broken = tinyLlamaFixture({ seed: 11, omitKeys: ['llama.attention.head_count'] });
    s.route('/broken.gguf', { file: broken });
    await h.stack.downloads.start({ url: `${s.url}/broken.gguf` });
    const failed = await h.waitFor('download:failed', 'broken');
    expect(failed.payload).toMatchObject({
      reason: 'invalid_file',
      message: expect.stringMatching(/llama\.attention\.head_count is missing/),
    });
    expect(h.stack.library.installed()).toEqual([]);
    expect(partialFiles(h)).toEqual([]);
    expect(existsSync(join(h.modelsDir, 'broken.gguf'))).toBe(false);
  });

  it('explains 404, gated (401/403), no disk space and an unreachable server before fetching any weights', async () => {
    const s0 = await startFileServer();
    const h = harness();
    open.at(-1)!.server = s0;
    s0.route('/gated.gguf', { file: fixture, faults: { status: 401 } });
    s0.route('/private.gguf', { file: fixture, faults: { status: 403 } });
    s0.route('/ok.gguf', { file: fixture });
    await expect(h.stack.downloads.start({ url: `${s0.url}/missing.gguf` })).rejects.toMatchObject({
      code: 'download_error',
      reason: 'not_found',
    });
    await expect(h.stack.downloads.start({ url: `${s0.url}/gated.gguf` })).rejects.toMatchObject({ reason: 'gated' });
    await expect(h.stack.downloads.start({ url: `${s0.url}/private.gguf` })).rejects.toMatchObject({
      reason: 'gated',
      message: expect.stringMatching(/HTTP 403/),
    });
    const full = harness({ freeSpace: 1000 });
    await expect(full.stack.downloads.start({ url: `${s0.url}/ok.gguf` })).rejects.toMatchObject({
      reason: 'disk_full',
      message: expect.stringMatching(/Not enough free disk space/),
    });
    // More than the file is free, but not the room Quire keeps beside it: the message must not read as if it fits,
    // it says how much to free, and it is its own advice (the general "check the address and your connection" would
    // send the writer the wrong way).
    const tight = harness({ freeSpace: fixtureSize + 40_000 });
    const refused = await tight.stack.downloads.start({ url: `${s0.url}/ok.gguf` }).catch((error: unknown) => error);
    expect(refused).toMatchObject({ reason: 'disk_full' });
    const info = (refused as DownloadError).toInfo();
    expect(info.advised).toBe(true);
    expect(info.message).toContain(`the model needs ${bytesText(fixtureSize)}`);
    expect(info.message).toContain(`only ${bytesText(fixtureSize + 40_000)} is free`);
    expect(info.message).toContain(`Free up at least ${bytesText(FREE_SPACE_MARGIN - 40_000)} on that disk`);
    const gone = await startFileServer();
    const goneUrl = `${gone.url}/ok.gguf`;
    await gone.close();
    await expect(h.stack.downloads.start({ url: goneUrl })).rejects.toMatchObject({ reason: 'server_gone' });
    expect(s0.requests.filter((r) => r.method === 'GET')).toEqual([]);
    expect(h.stack.downloads.list()).toEqual([]);
  });

  it("says a catalog model's file gone from its server (404) in words a writer can act on, at the start or later", async () => {
    const s = await startFileServer();
    s.route('/tiny.gguf', { file: fixture, faults: { bytesPerSecond: 100_000 } });
    const h = harness({ catalog: catalogFor(`${s.url}/tiny.gguf`, fixtureSha) });
    open.at(-1)!.server = s;
    const said =
      "Tiny chat is no longer where Quire's catalog says it is (the server answered that the file is not there). " +
      'Choose another model from the catalog; a newer Quire may list this one where it is now.';
    // Gone before the download starts: refused at once. The catalog's address is Quire's, not the writer's to check.
    s.setFaults('/tiny.gguf', { status: 404 });
    const refused = await h.stack.downloads.start({ id: 'tiny-chat' }).catch((error: unknown) => error);
    expect(refused).toMatchObject({ reason: 'not_found', message: said });
    expect((refused as DownloadError).toInfo().advised).toBe(true);
    // Gone while it was paused: the resume fails with the same words.
    s.setFaults('/tiny.gguf', { bytesPerSecond: 100_000 });
    await h.stack.downloads.start({ id: 'tiny-chat' });
    await h.stack.downloads.pause('tiny-chat');
    s.setFaults('/tiny.gguf', { status: 404 });
    await h.stack.downloads.resume('tiny-chat');
    const failed = await h.waitFor('download:failed', 'tiny-chat');
    expect(failed.payload).toMatchObject({ reason: 'not_found', message: said });
  });

  it('gives up on a server that accepts the connection but never answers the first request', async () => {
    const h = harness({ stallMs: 300 });
    const silent = createServer((socket) => socket.on('error', () => undefined));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const port = (silent.address() as AddressInfo).port;
      await expect(h.stack.downloads.start({ url: `http://127.0.0.1:${port}/silent.gguf` })).rejects.toMatchObject({
        reason: 'server_gone',
        message: expect.stringMatching(/no answer within 0\.3 s/),
      });
      expect(h.stack.downloads.list()).toEqual([]);
    } finally {
      silent.close();
    }
  });

  it('resumes with a Range request after the connection is cut', async () => {
    const h = harness();
    const s = await server();
    s.route('/cut.gguf', { file: fixture, faults: { cutAfter: 300_000, bytesPerSecond: 2_000_000 } });
    await h.stack.downloads.start({ url: `${s.url}/cut.gguf`, sha256: fixtureSha });
    await h.waitFor('download:done', 'cut');
    const gets = s.requests.filter((r) => r.method === 'GET');
    expect(gets.length).toBe(2);
    expect(gets[1]).toMatchObject({ status: 206 });
    const resumedFrom = Number(/bytes=(\d+)-/.exec(gets[1]!.range!)![1]);
    expect(resumedFrom).toBeGreaterThan(0);
    expect(resumedFrom).toBeLessThanOrEqual(300_000);
  });

  it('fails a stalled transfer with the watchdog, then resumes from the partial file', async () => {
    // Long enough that a loaded machine's first bytes arrive before the watchdog (at 300 ms, one CI run on a loaded
    // 2-core machine stalled with 0 bytes received); the stall itself then costs this much.
    const h = harness({ stallMs: 2_000 });
    const s = await server();
    s.route('/stall.gguf', { file: fixture, faults: { stallAfter: 200_000 } });
    await h.stack.downloads.start({ url: `${s.url}/stall.gguf`, sha256: fixtureSha });
    const failed = await h.waitFor('download:failed', 'stall');
    expect(failed.payload).toMatchObject({ reason: 'stalled', retryable: true });
    const info = h.stack.downloads.get('stall')!;
    expect(info.status).toBe('failed');
    expect(info.received).toBeGreaterThan(0);
    expect(h.stack.library.installed()).toEqual([]);
    s.setFaults('/stall.gguf', undefined);
    await h.stack.downloads.resume('stall');
    await h.waitFor('download:done', 'stall');
    const last = s.requests.filter((r) => r.method === 'GET').at(-1)!;
    expect(last.range).toBe(`bytes=${info.received}-`);
  });

  it('reports the server going away mid-transfer; resume completes once it is back', async () => {
    const h = harness();
    const s = await server();
    s.route('/gone.gguf', { file: fixture, faults: { bytesPerSecond: 200_000 } });
    await h.stack.downloads.start({ url: `${s.url}/gone.gguf`, sha256: fixtureSha });
    await h.waitFor('download:progress', 'gone');
    const port = s.port;
    await s.close();
    const failed = await h.waitFor('download:failed', 'gone');
    expect(failed.payload).toMatchObject({ reason: 'server_gone', retryable: true });
    const back = await startFileServer({ port });
    open.at(-1)!.server = back;
    back.route('/gone.gguf', { file: fixture });
    await h.stack.downloads.resume('gone');
    await h.waitFor('download:done', 'gone');
    expect(back.requests.find((r) => r.method === 'GET')?.status).toBe(206);
  });

  it('pauses, resumes and cancels', async () => {
    const h = harness();
    const s = await server();
    s.route('/slow.gguf', { file: fixture, faults: { bytesPerSecond: 150_000 } });
    s.route('/cancel.gguf', { file: fixture, faults: { bytesPerSecond: 150_000 } });
    await h.stack.downloads.start({ url: `${s.url}/slow.gguf`, sha256: fixtureSha });
    await h.waitFor('download:progress', 'slow');
    const paused = await h.stack.downloads.pause('slow');
    expect(paused.status).toBe('paused');
    const kept = statSync(join(h.modelsDir, PARTIAL_DIR, 'slow.gguf.part')).size;
    expect(kept).toBeGreaterThan(0);
    expect(kept).toBeLessThan(fixtureSize);
    expect(paused.received).toBe(kept);
    expect(h.events.some((e) => e.name === 'download:failed')).toBe(false);
    s.setFaults('/slow.gguf', undefined);
    await h.stack.downloads.resume('slow');
    await h.waitFor('download:done', 'slow');
    expect(s.requests.filter((r) => r.method === 'GET').at(-1)!.range).toBe(`bytes=${kept}-`);

    await h.stack.downloads.start({ url: `${s.url}/cancel.gguf` });
    await h.waitFor('download:progress', 'cancel');
    await h.stack.downloads.cancel('cancel');
    expect(h.stack.downloads.list()).toEqual([]);
    expect(partialFiles(h)).toEqual([]);
    expect(h.stack.library.installed().map((m) => m.id)).toEqual(['slow']);
  });

  it('answers a second quick start of the same download (before the first has its row) that it is already starting', async () => {
    const s = await startFileServer();
    s.route('/tiny.gguf', { file: fixture, faults: { bytesPerSecond: 150_000 } });
    s.route('/twice.gguf', { file: fixture, faults: { bytesPerSecond: 150_000 } });
    const h = harness({ catalog: catalogFor(`${s.url}/tiny.gguf`, fixtureSha) });
    open.at(-1)!.server = s;
    // Both asked in the same moment: the second arrives while the first is still asking the server for the size.
    const catalog = await Promise.allSettled([
      h.stack.downloads.start({ id: 'tiny-chat' }),
      h.stack.downloads.start({ id: 'tiny-chat' }),
    ]);
    const url = await Promise.allSettled([
      h.stack.downloads.start({ url: `${s.url}/twice.gguf` }),
      h.stack.downloads.start({ url: `${s.url}/twice.gguf` }),
    ]);
    for (const [first, second] of [catalog, url]) {
      expect(first.status).toBe('fulfilled');
      expect(second.status).toBe('rejected');
      const error = (second as PromiseRejectedResult).reason as DownloadError;
      expect(error.code).toBe('conflict');
      expect(error.message).toMatch(/^(Tiny chat|twice) is already downloading; it is in the downloads list$/);
    }
    expect(
      h.stack.downloads
        .list()
        .map((d) => d.id)
        .sort(),
    ).toEqual(['tiny-chat', 'twice']);
  });

  it('hashes the bytes already on disk when it resumes: a byte corrupted in the partial file is caught', async () => {
    const h = harness();
    const s = await server();
    s.route('/rot.gguf', { file: fixture, faults: { bytesPerSecond: 150_000 } });
    await h.stack.downloads.start({ url: `${s.url}/rot.gguf`, sha256: fixtureSha });
    await h.waitFor('download:progress', 'rot');
    const paused = await h.stack.downloads.pause('rot');
    const partial = join(h.modelsDir, PARTIAL_DIR, 'rot.gguf.part');
    const bytes = readFileSync(partial);
    expect(bytes.length).toBe(paused.received);
    const at = Math.floor(bytes.length / 2);
    bytes[at] = bytes[at]! ^ 0xff;
    writeFileSync(partial, bytes);
    s.setFaults('/rot.gguf', undefined);
    await h.stack.downloads.resume('rot');
    const failed = await h.waitFor('download:failed', 'rot');
    expect(failed.payload).toMatchObject({ reason: 'checksum_mismatch' });
    expect(s.requests.filter((r) => r.method === 'GET').at(-1)).toMatchObject({
      range: `bytes=${paused.received}-`,
      status: 206,
    });
    expect(h.stack.library.installed()).toEqual([]);
  });

  it('starts again from byte 0 when the server ignores Range on resume, and the whole file verifies', async () => {
    const h = harness();
    const s = await server();
    s.route('/norange.gguf', { file: fixture, faults: { cutAfter: 300_000, noRange: true } });
    await h.stack.downloads.start({ url: `${s.url}/norange.gguf`, sha256: fixtureSha });
    const done = await h.waitFor('download:done', 'norange');
    expect(done.payload).toMatchObject({ model: { sha256: fixtureSha } });
    const gets = s.requests.filter((r) => r.method === 'GET');
    expect(gets.length).toBe(2);
    expect(gets[1]).toMatchObject({ status: 200 });
    expect(gets[1]!.range).toMatch(/^bytes=\d+-$/);
  });

  it('resumes after the process was killed mid-download, from where it was, and verifies', async () => {
    const dataDir = tempDir();
    const modelsDir = join(dataDir, 'models');
    const s = await startFileServer();
    s.route('/killed.gguf', { file: fixture, faults: { bytesPerSecond: 100_000 } });
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        '--import',
        './scripts/register-raw.mjs',
        'test/fixtures/download-child.ts',
        dataDir,
        modelsDir,
        `${s.url}/killed.gguf`,
        fixtureSha,
      ],
      { cwd: process.cwd(), stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    await new Promise<void>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        const received = [...out.matchAll(/"received":(\d+)/g)].map((m) => Number(m[1]));
        if (received.some((r) => r > 100_000)) resolve();
      });
      child.on('exit', (code) => reject(new Error(`child exited early (${code}): ${stderr}`)));
    });
    await expect
      .poll(
        () =>
          existsSync(join(modelsDir, PARTIAL_DIR, 'killed.gguf.part'))
            ? statSync(join(modelsDir, PARTIAL_DIR, 'killed.gguf.part')).size
            : 0,
        { timeout: 10_000 },
      )
      .toBeGreaterThan(0);
    child.kill('SIGKILL');
    await new Promise((resolve) => child.once('exit', resolve));
    const partial = statSync(join(modelsDir, PARTIAL_DIR, 'killed.gguf.part')).size;
    expect(partial).toBeGreaterThan(0);
    expect(partial).toBeLessThan(fixtureSize);

    const h = harness({ dataDir });
    open.at(-1)!.server = s;
    expect(h.stack.downloads.list()).toEqual([
      expect.objectContaining({ id: 'killed', status: 'paused', received: partial, total: fixtureSize }),
    ]);
    expect(h.stack.library.installed()).toEqual([]);
    s.setFaults('/killed.gguf', undefined);
    await h.stack.downloads.resume('killed');
    const done = await h.waitFor('download:done', 'killed');
    expect(done.payload).toMatchObject({ model: { sha256: fixtureSha, verified_against: 'user' } });
    const gets = s.requests.filter((r) => r.method === 'GET');
    expect(gets.at(-1)).toMatchObject({ range: `bytes=${partial}-`, status: 206 });
  }, 60_000);
});

describe('import from disk', () => {
  it('imports a valid GGUF and refuses one llama.cpp would abort on, before any load', async () => {
    const h = harness();
    const model = await h.stack.library.importFile(fixture, 'My draft model');
    expect(model).toMatchObject({
      id: 'my-draft-model',
      source: 'import',
      sha256: fixtureSha,
      registry_model_id: 'local:my-draft-model',
    });
    expect(h.registry.has('local:my-draft-model')).toBe(true);
    const broken = tinyLlamaFixture({ seed: 11, omitKeys: ['llama.attention.head_count'] });
    await expect(h.stack.library.importFile(broken)).rejects.toMatchObject({
      code: 'local_model_error',
      message: expect.stringMatching(/llama\.attention\.head_count is missing/),
    });
    const truncated = join(h.dataDir, 'cut.gguf');
    writeFileSync(truncated, readFileSync(fixture).subarray(0, 300_000));
    await expect(h.stack.library.importFile(truncated)).rejects.toMatchObject({
      message: expect.stringMatching(/incomplete/),
    });
    expect(h.stack.library.installed().map((m) => m.id)).toEqual(['my-draft-model']);
    await h.stack.library.delete('my-draft-model');
    expect(h.stack.library.installed()).toEqual([]);
    expect(h.registry.has('local:my-draft-model')).toBe(false);
    expect(existsSync(model.file)).toBe(false);
  });
});
