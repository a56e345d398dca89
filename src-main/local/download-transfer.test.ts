// The transfer's write chain: whatever fails in it (a write, a sync, or the caller's header callback) ends the
// transfer at once with that failure. Before, a failure other than a write's left the chain rejected: later batches
// were never written or released, the socket stayed paused, and the writer saw "the download stalled" a minute later.
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer as createNetServer, type AddressInfo, type Server as NetServer } from 'node:net';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../store/database';
import { LocalModelsRepo } from '../store/repos/local-models-repo';
import { startFileServer, type FileServer } from '../../test/support/file-server';
import { useTempDir } from '../../test/support/temp-dir';
import { HttpTransfer } from './download-transfer';

const tempDir = useTempDir();
let server: FileServer;
let db: Db;
let dir: string;
beforeAll(async () => {
  dir = tempDir();
  // Past the 16 MiB after which the header callback runs, with several MiB still to come after it.
  const file = join(dir, 'big.gguf');
  writeFileSync(file, Buffer.alloc(24 * 1024 * 1024, 7));
  server = await startFileServer();
  server.route('/big.gguf', { file });
  db = openDatabase(join(dir, 'quire.sqlite'));
});
afterAll(async () => {
  db.close();
  await server.close();
});

it('ends with the header callback’s own error at once, not a stall, when the callback throws mid-transfer', async () => {
  const repo = new LocalModelsRepo(db, () => new Date());
  repo.insertDownload({
    id: 'd1',
    name: 'Big',
    url: `${server.url}/big.gguf`,
    catalog_id: null,
    partial_file: join(dir, 'big.gguf.partial'),
    final_file: join(dir, 'big-final.gguf'),
    expected_sha256: null,
    sha256_source: null,
    total_bytes: null,
    received_bytes: 0,
    status: 'downloading',
  });
  const transfer = new HttpTransfer({
    repo,
    // A stall would take this long to be reported: far past the test's own timeout.
    stallMs: 600_000,
    modelsDir: () => dir,
    checkFreeSpace: () => Promise.resolve(),
    emitProgress: () => undefined,
  });
  const gone = new Error('The download was removed while its header was being checked');
  await expect(
    transfer.transfer('d1', new AbortController().signal, { responded: false }, () => {
      throw gone;
    }),
  ).rejects.toBe(gone);
});

// Resuming a partial file only when the server proves it is the same file (audit): a server that sends no ETag, only
// Last-Modified, or one that ignores If-Range and answers 206 with another version, had the old bytes on disk joined
// to the new ones, and with no checksum to catch it that mix was installed. And a server whose Content-Length said
// more than the file holds answered every resume with 416, and the download failed on "HTTP 416" however often it
// was retried.
describe('resuming a partial file', () => {
  /** What a GET asked for, and the status it was answered with. */
  interface Seen {
    range: string | undefined;
    ifRange: string | undefined;
    status: number;
  }
  interface Answer {
    status: number;
    headers: Record<string, string>;
    /** Sent whole, then the connection is closed: fewer bytes than Content-Length is a connection cut mid-body. */
    body: Buffer;
  }

  /** A loopback server answering each GET with `answer` (given its Range and If-Range); records what it was asked. */
  async function scriptedServer(
    answer: (asked: { range: string | undefined; ifRange: string | undefined }) => Answer,
  ): Promise<{ url: string; seen: Seen[] }> {
    const seen: Seen[] = [];
    const server = createNetServer((socket) => {
      let head = '';
      socket.on('data', (data: Buffer) => {
        if (head.includes('\r\n\r\n')) return;
        head += data.toString('latin1');
        if (!head.includes('\r\n\r\n')) return;
        const header = (name: string) => new RegExp(`\\r\\n${name}: ([^\\r]*)`, 'i').exec(head)?.[1];
        const asked = { range: header('Range'), ifRange: header('If-Range') };
        const reply = answer(asked);
        seen.push({ ...asked, status: reply.status });
        const lines = Object.entries(reply.headers).map(([name, value]) => `${name}: ${value}\r\n`);
        socket.end(Buffer.concat([Buffer.from(`HTTP/1.1 ${reply.status} X\r\n${lines.join('')}\r\n`), reply.body]));
      });
      socket.on('error', () => undefined);
    });
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
  }

  /** A server's file: its bytes and the validators it sends (none when absent). */
  interface Version {
    data: Buffer;
    etag?: string;
    lastModified?: string;
  }

  /**
   * A GET of `file` as a plain static server answers it: Range honoured (416 past the end); If-Range compared with
   * the validator unless `ignoreIfRange` (a proxy or CDN that answers from its own copy); `cutAfter` body bytes.
   */
  function serve(
    file: Version,
    asked: { range: string | undefined; ifRange: string | undefined },
    options: { ignoreIfRange?: boolean; cutAfter?: number; contentRange?: string } = {},
  ): Answer {
    const validators = {
      ...(file.etag ? { ETag: file.etag } : {}),
      ...(file.lastModified ? { 'Last-Modified': file.lastModified } : {}),
    };
    const size = file.data.length;
    const start = Number(/^bytes=(\d+)-$/.exec(asked.range ?? '')?.[1] ?? NaN);
    const sameFile = options.ignoreIfRange || !asked.ifRange || [file.etag, file.lastModified].includes(asked.ifRange);
    if (Number.isFinite(start) && sameFile) {
      if (start >= size) return { status: 416, headers: { 'Content-Range': `bytes */${size}` }, body: Buffer.alloc(0) };
      return {
        status: 206,
        headers: {
          'Content-Length': String(size - start),
          'Content-Range': options.contentRange ?? `bytes ${start}-${size - 1}/${size}`,
          ...validators,
        },
        body: file.data.subarray(start, start + (options.cutAfter ?? size)),
      };
    }
    return {
      status: 200,
      headers: { 'Content-Length': String(size), ...validators },
      body: file.data.subarray(0, options.cutAfter ?? size),
    };
  }

  const servers: NetServer[] = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
  });

  const older = randomBytes(600_000);
  const newer = randomBytes(600_000);
  const sha = (data: Buffer) => createHash('sha256').update(data).digest('hex');
  let downloads = 0;

  const databases: Db[] = [];
  afterEach(() => databases.splice(0).forEach((d) => d.close()));

  /** A download row for `url` and its transfer, as DownloadService makes them; `expected`: the file's SHA-256. */
  function download(url: string, expected: string | null = null) {
    const dir = tempDir();
    const database = openDatabase(join(dir, 'quire.sqlite'));
    databases.push(database);
    const repo = new LocalModelsRepo(database, () => new Date());
    const id = `resume-${++downloads}`;
    repo.insertDownload({
      id,
      name: id,
      url,
      catalog_id: null,
      partial_file: join(dir, `${id}.gguf.partial`),
      final_file: join(dir, `${id}.gguf`),
      expected_sha256: expected,
      sha256_source: expected ? 'user' : null,
      total_bytes: null,
      received_bytes: 0,
      status: 'downloading',
    });
    const transfer = new HttpTransfer({
      repo,
      stallMs: 10_000,
      modelsDir: () => dir,
      checkFreeSpace: () => Promise.resolve(),
      emitProgress: () => undefined,
    });
    const run = () => transfer.transfer(id, new AbortController().signal, { responded: false });
    const partialFile = join(dir, `${id}.gguf.partial`);
    return { repo, id, run, partialFile, partial: () => readFileSync(partialFile) };
  }

  /** The first GET is cut after 200,000 bytes of `first`; then the server has `second`, answered by `answer`. */
  async function changedMidway(
    first: Version,
    second: Version,
    answer: (file: Version, asked: { range: string | undefined; ifRange: string | undefined }) => Answer,
  ) {
    // The version the server has after the first GET (until then `first`).
    const changed: { to?: Version } = {};
    const s = await scriptedServer((asked) =>
      changed.to ? answer(changed.to, asked) : serve(first, asked, { cutAfter: 200_000 }),
    );
    const d = download(`${s.url}/story.gguf`);
    await expect(d.run()).rejects.toMatchObject({ reason: 'server_gone' });
    expect(d.partial().length).toBe(200_000);
    changed.to = second;
    return { ...d, seen: s.seen };
  }

  it('sends Last-Modified in If-Range when the server gives no ETag, and takes the whole new file it answers', async () => {
    const d = await changedMidway(
      { data: older, lastModified: 'Mon, 01 Jan 2024 00:00:00 GMT' },
      { data: newer, lastModified: 'Tue, 02 Jan 2024 00:00:00 GMT' },
      (file, asked) => serve(file, asked),
    );
    expect(await d.run()).toEqual({ sha256: sha(newer), bytes: newer.length });
    expect(d.partial().equals(newer)).toBe(true);
    expect(d.seen[1]).toEqual({
      range: 'bytes=200000-',
      ifRange: 'Mon, 01 Jan 2024 00:00:00 GMT',
      status: 200,
    });
  });

  it.each([
    ['another ETag', { etag: '"v1"' }, { etag: '"v2"' }],
    [
      'another Last-Modified (no ETag)',
      { lastModified: 'Mon, 01 Jan 2024 00:00:00 GMT' },
      { lastModified: 'Tue, 02 Jan 2024 00:00:00 GMT' },
    ],
  ])('starts again from byte 0 when a server that ignores If-Range answers 206 with %s', async (_, before, after) => {
    const d = await changedMidway({ data: older, ...before }, { data: newer, ...after }, (file, asked) =>
      serve(file, asked, { ignoreIfRange: true }),
    );
    expect(await d.run()).toEqual({ sha256: sha(newer), bytes: newer.length });
    expect(d.partial().equals(newer)).toBe(true);
    expect(d.seen.slice(1).map((r) => [r.range, r.status])).toEqual([
      ['bytes=200000-', 206],
      [undefined, 200],
    ]);
    expect(d.repo.download(d.id)?.etag).toBe(Object.values(after)[0]);
  });

  it.each([
    ['does not start at the partial file’s end', 'bytes 0-599999/600000'],
    ['gives another size for the file', 'bytes 200000-599999/700000'],
  ])('starts again from byte 0 when the 206’s Content-Range %s', async (_, contentRange) => {
    const d = await changedMidway({ data: older, etag: '"v1"' }, { data: older, etag: '"v1"' }, (file, asked) =>
      asked.range ? serve(file, asked, { contentRange }) : serve(file, asked),
    );
    expect(await d.run()).toEqual({ sha256: sha(older), bytes: older.length });
    expect(d.seen.slice(1).map((r) => [r.range, r.status])).toEqual([
      ['bytes=200000-', 206],
      [undefined, 200],
    ]);
  });

  it('starts again from byte 0 when the server gives neither ETag nor Last-Modified and no checksum is known', async () => {
    const d = await changedMidway({ data: older }, { data: newer }, (file, asked) => serve(file, asked));
    expect(await d.run()).toEqual({ sha256: sha(newer), bytes: newer.length });
    expect(d.partial().equals(newer)).toBe(true);
    expect(d.seen.slice(1)).toEqual([{ range: undefined, ifRange: undefined, status: 200 }]);
  });

  it('still resumes with neither validator when the SHA-256 is known (a mixed file is caught and deleted)', async () => {
    const s = await scriptedServer((asked) => serve({ data: older }, asked, asked.range ? {} : { cutAfter: 200_000 }));
    const d = download(`${s.url}/story.gguf`, sha(older));
    await expect(d.run()).rejects.toMatchObject({ reason: 'server_gone' });
    expect(await d.run()).toEqual({ sha256: sha(older), bytes: older.length });
    expect(s.seen.map((r) => [r.range, r.status])).toEqual([
      [undefined, 200],
      ['bytes=200000-', 206],
    ]);
  });

  it('resumes from the partial file when the same file is served again (ETag or Last-Modified)', async () => {
    for (const version of [{ etag: '"v1"' }, { lastModified: 'Mon, 01 Jan 2024 00:00:00 GMT' }]) {
      const file = { data: older, ...version };
      const d = await changedMidway(file, file, (f, asked) => serve(f, asked));
      expect(await d.run()).toEqual({ sha256: sha(older), bytes: older.length });
      expect(d.seen.slice(1)).toEqual([{ range: 'bytes=200000-', ifRange: Object.values(version)[0], status: 206 }]);
    }
  });

  it('completes when Content-Length said more than the file holds and the resume is answered 416 at its end', async () => {
    // The whole file arrives, then the connection closes 100 bytes short of what Content-Length promised.
    const s = await scriptedServer((asked) => {
      const answer = serve({ data: older, etag: '"v1"' }, asked);
      if (answer.status === 416) return answer;
      const length = Number(answer.headers['Content-Length']) + 100;
      return { ...answer, headers: { ...answer.headers, 'Content-Length': String(length) } };
    });
    const d = download(`${s.url}/story.gguf`);
    await expect(d.run()).rejects.toMatchObject({ reason: 'server_gone' });
    expect(d.partial().equals(older)).toBe(true);
    expect(await d.run()).toEqual({ sha256: sha(older), bytes: older.length });
    expect(s.seen.map((r) => [r.range, r.status])).toEqual([
      [undefined, 200],
      ['bytes=600000-', 416],
    ]);
  });

  it('says what a server error means and what to do, not the bare status and URL', async () => {
    const s = await scriptedServer(() => ({ status: 503, headers: { 'Content-Length': '0' }, body: Buffer.alloc(0) }));
    const d = download(`${s.url}/story.gguf`);
    const failure = await d.run().catch((error: unknown) => error);
    expect(failure).toMatchObject({ reason: 'http_error', retryable: true });
    expect((failure as Error).message).toBe(
      `${new URL(s.url).host} had a problem on its side and could not send the file (HTTP 503). Try again in a few minutes.`,
    );
  });

  it('starts again from byte 0 when a 416 gives another size than the partial file’s', async () => {
    const shorter = newer.subarray(0, 500_000);
    const s = await scriptedServer((asked) => serve({ data: shorter, etag: '"v2"' }, asked, { ignoreIfRange: true }));
    const d = download(`${s.url}/story.gguf`);
    // An earlier attempt left the whole of the older, longer file.
    writeFileSync(d.partialFile, older);
    d.repo.updateDownload(d.id, { etag: '"v1"', total_bytes: older.length, received_bytes: older.length });
    expect(await d.run()).toEqual({ sha256: sha(shorter), bytes: shorter.length });
    expect(d.partial().equals(shorter)).toBe(true);
    expect(s.seen.map((r) => [r.range, r.status])).toEqual([
      ['bytes=600000-', 416],
      [undefined, 200],
    ]);
  });
});
