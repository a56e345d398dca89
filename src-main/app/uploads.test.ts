// Files uploaded to the browser host (issue 16, item 4): a .gguf streams to the models folder without being held in
// memory, gets the import's checks, never overwrites, and leaves nothing behind when refused, too large or cut off;
// a manuscript is opened like one from disk. The desktop app's file picker is answered "not here" by the host.
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { beforeAll, describe, expect, it } from 'vitest';
import { FREE_SPACE_MARGIN } from '../local/downloads';
import { PARTIAL_DIR } from '../local/library';
import { useTempDir } from '../../test/support/temp-dir';
import { useTestApp } from '../../test/support/test-app';
import { testProbeLauncher } from '../../test/support/probe-launcher';
import { tinyLlamaFixture } from '../../test/fixtures/tiny-llama';
import type { ProbeLauncher } from '../local/probe';
import type { FilePicker } from './desktop-shell';

const MB = 1024 * 1024;

interface Reply {
  status: number;
  body: { ok: boolean; value?: any; error?: { code: string; message: string } };
}

/** POSTs `body` to the host's upload route with node:http, so the test controls headers and can cut it off. */
function upload(
  url: string,
  path: string,
  body: Iterable<Buffer> | AsyncIterable<Buffer>,
  headers: Record<string, string | number> = {},
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(`${url}${path}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/octet-stream', ...headers },
    });
    req.on('response', (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) as Reply['body'] }));
    });
    req.on('error', reject);
    Readable.from(body).pipe(req);
  });
}

/** What the models folder holds besides Quire's own `.partial/` folder, and what `.partial/` holds. */
function folder(modelsDir: string): { files: string[]; partial: string[] } {
  return {
    files: readdirSync(modelsDir).filter((name) => name !== PARTIAL_DIR),
    partial: readdirSync(join(modelsDir, PARTIAL_DIR)),
  };
}

let fixture: Buffer;
beforeAll(() => {
  fixture = readFileSync(tinyLlamaFixture({ seed: 16 }));
});

describe('uploading a .gguf in the browser host', () => {
  const testApp = useTestApp();
  const tempDir = useTempDir();

  it('streams a 264 MB upload into the models folder while the process memory stays flat', async () => {
    const dataDir = tempDir();
    const { host } = await testApp.host({ dataDir });
    const padding = Buffer.alloc(MB);
    const total = fixture.length + 264 * MB;
    const sent = createHash('sha256');
    global.gc?.();
    const baseline = process.memoryUsage().rss;
    let peak = baseline;
    // The model's own bytes, then trailing padding (llama.cpp ignores bytes past the last tensor): generated a
    // megabyte at a time as the socket asks for them, so only the server could hold the whole file in memory.
    async function* body() {
      sent.update(fixture);
      yield fixture;
      for (let i = 0; i < 264; i++) {
        peak = Math.max(peak, process.memoryUsage().rss);
        sent.update(padding);
        yield padding;
      }
    }
    const reply = await upload(host.url, '/upload/model?name=big%20tiny.gguf', body(), { 'Content-Length': total });
    peak = Math.max(peak, process.memoryUsage().rss);
    expect(reply.status).toBe(200);
    expect(reply.body.value).toMatchObject({ id: 'big-tiny', source: 'import', size_bytes: total });
    expect(reply.body.value.sha256).toBe(sent.digest('hex'));
    expect(readFileSync(reply.body.value.file).length).toBe(total);
    // Buffered, the body alone would add 264 MB (measured: +544 MB); streamed, only socket and stream buffers come
    // and go, and garbage not yet collected (measured: +69 MB on a loaded 2-core machine).
    expect(peak - baseline).toBeLessThan(128 * MB);
  });

  it('installs the upload as the import does: checked, test-loaded, listed, under the file name', async () => {
    const dataDir = tempDir();
    const { call, host } = await testApp.host({ dataDir, local: { probe: testProbeLauncher() } });
    const reply = await upload(host.url, '/upload/model?name=My%20Tiny.gguf', [fixture]);
    expect(reply.status).toBe(200);
    expect(reply.body.value).toMatchObject({ id: 'my-tiny', name: 'quire-tiny-llama', size_bytes: fixture.length });
    const installed = (await call('models:installed')).body.value as { id: string; unusable_reason?: string }[];
    expect(installed.map((m) => m.id)).toEqual(['my-tiny']);
    expect(readFileSync(join(dataDir, 'models', 'my-tiny.gguf')).equals(fixture)).toBe(true);
    expect(folder(join(dataDir, 'models')).partial).toEqual([]);
  });

  it.each([
    [
      'a file that is not a GGUF',
      () => Buffer.concat([Buffer.from('PK\x03\x04 a zip, not a model'), Buffer.alloc(4 * MB)]),
      /it is not a GGUF model file \(it does not start with "GGUF"\)/,
    ],
    [
      'a GGUF without the keys llama.cpp needs',
      () => readFileSync(tinyLlamaFixture({ seed: 16, omitKeys: ['llama.context_length'] })),
      /its header is incomplete \(llama\.context_length is missing\)/,
    ],
    ['a GGUF cut short', () => fixture.subarray(0, fixture.length - 1000), /truncated/],
  ])('refuses %s with the reason and leaves nothing behind', async (_what, bytes, reason) => {
    const dataDir = tempDir();
    const { call, host } = await testApp.host({ dataDir });
    const reply = await upload(host.url, '/upload/model?name=crafted.gguf', [bytes()]);
    expect(reply.status).toBe(422);
    expect(reply.body.error).toMatchObject({ code: 'local_model_error', message: reason });
    expect(reply.body.error!.message).toContain('crafted.gguf');
    expect(folder(join(dataDir, 'models'))).toEqual({ files: [], partial: [] });
    expect((await call('models:installed')).body.value).toEqual([]);
  });

  it("never overwrites the writer's own file of the same name", async () => {
    const dataDir = tempDir();
    const modelsDir = join(dataDir, 'models');
    mkdirSync(modelsDir, { recursive: true });
    writeFileSync(join(modelsDir, 'tiny.gguf'), 'my notes, not a model\n');
    const { host } = await testApp.host({ dataDir });
    const first = await upload(host.url, '/upload/model?name=tiny.gguf', [fixture]);
    // Another model under the same file name (the same bytes again would be refused as already installed).
    const other = readFileSync(tinyLlamaFixture({ seed: 17 }));
    const second = await upload(host.url, '/upload/model?name=tiny.gguf', [other]);
    expect([first.body.value.id, second.body.value.id]).toEqual(['tiny-2', 'tiny-3']);
    expect(readFileSync(join(modelsDir, 'tiny.gguf'), 'utf8')).toBe('my notes, not a model\n');
    expect(folder(modelsDir).files.sort()).toEqual(['tiny-2.gguf', 'tiny-3.gguf', 'tiny.gguf']);
  });

  it('never stores an upload as a hidden file, whatever its name starts with', async () => {
    const dataDir = tempDir();
    const { host } = await testApp.host({ dataDir });
    const named = await upload(host.url, '/upload/model?name=.partial.gguf', [fixture]);
    const dots = await upload(host.url, '/upload/model?name=..', [readFileSync(tinyLlamaFixture({ seed: 18 }))]);
    expect([named.body.value.id, dots.body.value.id]).toEqual(['partial', 'model']);
    expect(folder(join(dataDir, 'models')).files.sort()).toEqual(['model.gguf', 'partial.gguf']);
  });

  it('removes the partial file when the upload is cut off midway', async () => {
    const dataDir = tempDir();
    const { app, host } = await testApp.host({ dataDir });
    // The host looks the route up per request: wrapping it lets the test wait for the service to finish cleaning up.
    const accept = app.uploads.model.accept;
    let accepted: Promise<unknown> | undefined;
    let arrived!: () => void;
    const someArrived = new Promise<void>((resolve) => (arrived = resolve));
    app.uploads.model.accept = (body, name, gone) => {
      // 'resume': the service's pipeline has started reading (a 'data' listener here would take bytes from it).
      body.once('resume', () => arrived());
      return (accepted = accept(body, name, gone));
    };
    const req = request(`${host.url}/upload/model?name=cut.gguf`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/octet-stream', 'Content-Length': fixture.length + 64 * MB },
    });
    req.on('error', () => {});
    req.write(fixture);
    await someArrived;
    req.destroy();
    await expect(accepted).rejects.toMatchObject({
      code: 'cancelled',
      message: expect.stringMatching(/stopped before the whole file arrived/),
    });
    expect(folder(join(dataDir, 'models'))).toEqual({ files: [], partial: [] });
  });

  it('a writer who stops the upload while Quire test-loads it: the test load ends, and nothing is added or left behind', async () => {
    const dataDir = tempDir();
    // A test load that lasts until it is stopped (a multi-GB model takes a while).
    let began!: () => void;
    const testing = new Promise<void>((resolve) => (began = resolve));
    let killed!: () => void;
    const stopped = new Promise<void>((resolve) => (killed = resolve));
    const probe: ProbeLauncher = {
      start: () => (began(), { exited: new Promise<never>(() => undefined), kill: () => killed() }),
    };
    const { app, host, call } = await testApp.host({ dataDir, local: { probe } });
    const accept = app.uploads.model.accept;
    let accepted: Promise<unknown> | undefined;
    app.uploads.model.accept = (...args) => (accepted = accept(...args));
    const req = request(`${host.url}/upload/model?name=stopped.gguf`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/octet-stream', 'Content-Length': fixture.length },
    });
    req.on('error', () => {});
    req.end(fixture); // every byte sent: the host is at work on the file
    await testing;
    req.destroy(); // the page's Stop: its request goes away before the answer
    await stopped;
    await expect(accepted).rejects.toMatchObject({
      code: 'cancelled',
      message: 'You stopped the upload of stopped.gguf while Quire checked it: nothing was added to your models.',
    });
    expect(folder(join(dataDir, 'models'))).toEqual({ files: [], partial: [] });
    expect((await call('models:installed')).body.value).toEqual([]);
  });

  it('takes the time a large upload needs: no request timeout cuts it off midway', async () => {
    const { host } = await testApp.host({ dataDir: tempDir() });
    // Node's default (300 s) answered a slow upload with a bare 408 after 5 minutes.
    expect(host.requestTimeoutMs).toBe(0);
  });

  it('an upload cut off before the service reads a byte of it is dropped, and the host goes on', async () => {
    const dataDir = tempDir();
    const { app, host, call } = await testApp.host({ dataDir });
    // The service takes a moment before it reads (it makes its partial file first): the cut comes in that gap.
    const accept = app.uploads.model.accept;
    let ready!: () => void;
    const cutOff = new Promise<void>((resolve) => (ready = resolve));
    let accepted: Promise<unknown> | undefined;
    let entered!: () => void;
    const inService = new Promise<void>((resolve) => (entered = resolve));
    app.uploads.model.accept = (body, name, gone) => {
      entered();
      return (accepted = cutOff.then(() => accept(body, name, gone)));
    };
    const req = request(`${host.url}/upload/model?name=early.gguf`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/octet-stream', 'Content-Length': fixture.length },
    });
    const gone = new Promise<void>((resolve) => req.on('close', () => resolve()));
    req.on('error', () => {});
    req.write(fixture.subarray(0, 8));
    await inService;
    req.destroy();
    await gone;
    // The socket's close reaches the host before the service starts reading.
    await new Promise<void>((resolve) => setImmediate(resolve));
    ready();
    await expect(accepted).rejects.toBeDefined();
    expect((await call('app:machine')).body.ok).toBe(true);
    expect(folder(join(dataDir, 'models'))).toEqual({ files: [], partial: [] });
  });

  it('a disk with no room for a model refuses its upload up front, sent with a length or without', async () => {
    const dataDir = tempDir();
    const { host, call } = await testApp.host({ dataDir, local: { freeSpace: async () => FREE_SPACE_MARGIN - 1 } });
    for (const headers of [{ 'Content-Length': fixture.length }, {}] as Record<string, number>[]) {
      const refused = await upload(host.url, '/upload/model?name=full.gguf', [fixture], headers);
      expect(refused.status).toBe(413);
      expect(refused.body.error).toMatchObject({
        code: 'payload_too_large',
        message: expect.stringMatching(/^There is no room for a model in the models folder/),
      });
    }
    expect((await call('app:machine')).body.ok).toBe(true);
  });

  it('refuses a file larger than the free space before reading it, and one that grows past it while arriving', async () => {
    const dataDir = tempDir();
    const room = 2 * MB;
    const { call, host } = await testApp.host({ dataDir, local: { freeSpace: async () => FREE_SPACE_MARGIN + room } });
    const check = await call('app:upload_check', { kind: 'model', bytes: 5e9 });
    expect(check.status).toBe(413);
    expect(check.body.error.message).toMatch(/This model is 5 GB, and there is room for 2\.1 MB in the models folder/);
    expect((await call('app:upload_check', { kind: 'model', bytes: MB })).body.value).toEqual({ max_bytes: room });

    const declared = await upload(host.url, '/upload/model?name=huge.gguf', [fixture], { 'Content-Length': 5e9 });
    expect(declared.status).toBe(413);
    expect(declared.body.error).toMatchObject({
      code: 'payload_too_large',
      message: expect.stringMatching(/This model is 5 GB/),
    });

    // Sent without a length (chunked): counted as it comes, refused once past the room, and the partial removed.
    const grown = await upload(host.url, '/upload/model?name=grown.gguf', [fixture, Buffer.alloc(4 * MB)]);
    expect(grown.status).toBe(413);
    expect(grown.body.error).toMatchObject({
      code: 'payload_too_large',
      message: expect.stringMatching(/room for 2\.1 MB/),
    });
    expect(folder(join(dataDir, 'models'))).toEqual({ files: [], partial: [] });
  });

  it('keeps the host doors: foreign Host or Origin, wrong type, no name, unknown kind', async () => {
    const { host } = await testApp.host();
    const path = '/upload/model?name=a.gguf';
    const cases: [Record<string, string>, string, number][] = [
      [{ Host: 'evil.example:80' }, path, 403],
      [{ Origin: 'https://evil.example' }, path, 403],
      [{ 'Content-Type': 'application/json' }, path, 400],
      [{}, '/upload/model', 400],
      [{}, '/upload/model?name=..%2F..%2Fetc%2Fpasswd', 400],
      [{}, '/upload/plugins?name=a.js', 404],
    ];
    for (const [headers, target, status] of cases) {
      const reply = await new Promise<number>((resolve, reject) => {
        const req = request(`${host.url}${target}`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/octet-stream', ...headers },
        });
        req.on('response', (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        req.on('error', reject);
        req.end(fixture);
      });
      expect(reply, JSON.stringify([headers, target])).toBe(status);
    }
  });
});

describe('uploading a manuscript in the browser host', () => {
  const testApp = useTestApp();

  it('opens an uploaded .md file as a manuscript with its chapters numbered', async () => {
    const { call, host } = await testApp.host();
    const text = '# Chapter 1\n\nThe door was blue.\n\n# Chapter 2\n\nShe opened the red door.\n';
    const reply = await upload(host.url, '/upload/manuscript?name=The%20Lighthouse.md', [Buffer.from(text)]);
    expect(reply.status).toBe(200);
    expect(reply.body.value).toMatchObject({
      title: 'The Lighthouse',
      source_path: 'The Lighthouse.md',
      source_kind: 'file',
      chapter_count: 2,
      word_count: 15,
    });
    expect((await call('manuscripts:list')).body.value).toHaveLength(1);
  });

  it.each([
    ['binary.txt', Buffer.from([0x41, 0x00, 0x42]), /looks like a binary file/],
    ['latin1.txt', Buffer.from([0x63, 0x61, 0x66, 0xe9]), /is not UTF-8 text/],
    ['cover.png', Buffer.from('not text'), /not a text manuscript/],
    ['empty.md', Buffer.from('  \n'), /is empty/],
  ])('refuses %s with the reason and stores nothing', async (name, bytes, reason) => {
    const { call, host } = await testApp.host();
    const reply = await upload(host.url, `/upload/manuscript?name=${name}`, [bytes]);
    expect(reply.body.error).toMatchObject({ code: 'invalid_input', message: reason });
    expect((await call('manuscripts:list')).body.value).toEqual([]);
  });

  it('says the 50 MB limit before the upload, and refuses a body that passes it', async () => {
    const { call, host } = await testApp.host();
    const check = await call('app:upload_check', { kind: 'manuscript', bytes: 80e6 });
    expect(check.body.error).toMatchObject({
      code: 'payload_too_large',
      message: expect.stringMatching(/80 MB; Quire opens manuscripts of up to 50 MB/),
    });
    const reply = await upload(host.url, '/upload/manuscript?name=huge.txt', [Buffer.alloc(51 * MB, 0x61)]);
    expect(reply.status).toBe(413);
    expect((await call('manuscripts:list')).body.value).toEqual([]);
  });
});

describe('app:pick_file', () => {
  const testApp = useTestApp();

  it('in the browser host says there is no file picker and to upload instead', async () => {
    const { call } = await testApp.host();
    const reply = await call('app:pick_file', { kind: 'model' });
    expect(reply.body.error).toMatchObject({
      code: 'unavailable',
      message: expect.stringMatching(/desktop app.*drop the file on the page or use Upload/),
      // Its own step ends it: no general "check that the service is reachable" after it.
      advised: true,
    });
  });

  it("in the app answers with the picker's choice, or null when the writer cancelled", async () => {
    const asked: string[] = [];
    const answers = ['/Users/me/Novel', null];
    const filePicker: FilePicker = { pick: async (kind) => (asked.push(kind), answers.shift() ?? null) };
    const { call } = await testApp.host({ filePicker });
    expect((await call('app:pick_file', { kind: 'manuscript_folder' })).body.value).toEqual({
      path: '/Users/me/Novel',
    });
    expect((await call('app:pick_file', { kind: 'model' })).body.value).toEqual({ path: null });
    expect(asked).toEqual(['manuscript_folder', 'model']);
    expect((await call('app:pick_file', { kind: '/etc/passwd' })).body.ok).toBe(false);
  });
});
