// The download client against real loopback sockets: a raw TCP server that answers in fragments (chunked bodies,
// heads split mid-line, informational responses, early closes, compressed bodies), and HTTPS with a certificate made
// at test time (trusted in a child process through NODE_EXTRA_CA_CERTS, refused here where nothing trusts it).
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { openRequest, type RawRequest } from './download-http';
import { startSelfSignedServer } from '../../test/support/self-signed-server';

const servers: { close: (cb: () => void) => void }[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
});

/** A TCP server that reads one request head, records it, and writes `parts` one by one (each its own write). */
async function rawServer(parts: (head: string) => (string | Buffer)[]): Promise<{ url: string; heads: string[] }> {
  const heads: string[] = [];
  const server: Server = createServer((socket: Socket) => {
    let head = '';
    socket.on('data', async (data: Buffer) => {
      if (head.includes('\r\n\r\n')) return;
      head += data.toString('latin1');
      if (!head.includes('\r\n\r\n')) return;
      heads.push(head);
      for (const part of parts(head)) {
        if (socket.destroyed) return;
        if (!socket.write(part)) await new Promise((resolve) => socket.once('drain', resolve));
        await new Promise((resolve) => setImmediate(resolve)); // separate reads on the other side, most of the time
      }
      socket.end();
    });
    socket.on('error', () => undefined);
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, heads };
}

/** Splits `text` into pieces of 1 to 7 bytes. */
function fragments(data: Buffer): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0, n = 1; i < data.length; i += n, n = (n % 7) + 1) out.push(data.subarray(i, i + n));
  return out;
}

async function readAll(request: RawRequest): Promise<Buffer> {
  const batches: Buffer[] = [];
  let counted = 0;
  await request.body({
    read: (bytes) => (counted += bytes),
    batch: (bytes) => batches.push(Buffer.from(bytes)),
  });
  const body = Buffer.concat(batches);
  expect(counted).toBe(body.length);
  return body;
}

const payload = randomBytes(300_000);

describe('download client', () => {
  it('reads a chunked body whose head, sizes and data arrive in fragments, after a 100 Continue', async () => {
    const chunks: Buffer[] = [];
    for (let i = 0, n = 1; i < payload.length; i += n, n = n * 3 + 1) {
      const data = payload.subarray(i, i + n);
      chunks.push(Buffer.from(`${data.length.toString(16)};ext=1\r\n`), data, Buffer.from('\r\n'));
    }
    const s = await rawServer(() => [
      ...fragments(Buffer.from('HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n')),
      ...fragments(Buffer.from('ETag: "v1"\r\n\r\n')),
      // The first chunks in fragments, the rest in one write (several chunks, sizes and data in one read).
      ...chunks.slice(0, 24).flatMap((c) => (c.length < 64 ? fragments(c) : [c])),
      Buffer.concat(chunks.slice(24)),
      ...fragments(Buffer.from('0\r\nX-Trailer: yes\r\n\r\n')),
    ]);
    const { request, head } = await openRequest(`${s.url}/m.gguf?x=1`, 'GET', { Range: 'bytes=0-' });
    expect(head).toMatchObject({ status: 200 });
    expect(head.headers.get('etag')).toBe('"v1"');
    expect((await readAll(request)).equals(payload)).toBe(true);
    expect(s.heads[0]).toMatch(/^GET \/m\.gguf\?x=1 HTTP\/1\.1\r\n/);
    expect(s.heads[0]).toMatch(/\r\nRange: bytes=0-\r\n/);
    expect(s.heads[0]).toMatch(/\r\nAccept-Encoding: identity\r\n/);
  });

  it('reads a chunked body that starts in the same read as the head', async () => {
    const chunks = [payload.subarray(0, 100_000), payload.subarray(100_000)].flatMap((data) => [
      Buffer.from(`${data.length.toString(16)}\r\n`),
      data,
      Buffer.from('\r\n'),
    ]);
    const s = await rawServer(() => [
      Buffer.concat([Buffer.from('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n'), ...chunks]),
      '0\r\n\r\n',
    ]);
    const { request } = await openRequest(`${s.url}/m.gguf`, 'GET', {});
    expect((await readAll(request)).equals(payload)).toBe(true);
  });

  it('reads exactly Content-Length bytes, and to the close when there is no length', async () => {
    const sized = await rawServer(() => [
      `HTTP/1.1 206 Partial Content\r\nContent-Length: ${payload.length}\r\n\r\n`,
      ...fragments(payload.subarray(0, 100)),
      payload.subarray(100),
      'trailing bytes that are not the file',
    ]);
    const first = await openRequest(`${sized.url}/a`, 'GET', {});
    expect(first.head.status).toBe(206);
    expect((await readAll(first.request)).equals(payload)).toBe(true);
    const unsized = await rawServer(() => ['HTTP/1.0 200 OK\r\n\r\n', payload]);
    const second = await openRequest(`${unsized.url}/b`, 'GET', {});
    expect((await readAll(second.request)).equals(payload)).toBe(true);
  });

  it('fails when the server closes before Content-Length bytes or mid-chunk, keeping the bytes that came', async () => {
    const short = await rawServer(() => [
      `HTTP/1.1 200 OK\r\nContent-Length: ${payload.length}\r\n\r\n`,
      payload.subarray(0, 1000),
    ]);
    const { request } = await openRequest(`${short.url}/a`, 'GET', {});
    const got: Buffer[] = [];
    await expect(request.body({ read: () => undefined, batch: (b) => got.push(Buffer.from(b)) })).rejects.toThrow(
      /closed the connection before the end/,
    );
    expect(Buffer.concat(got).equals(payload.subarray(0, 1000))).toBe(true);
    const chunked = await rawServer(() => ['HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n', 'ff\r\nabc']);
    const second = await openRequest(`${chunked.url}/b`, 'GET', {});
    await expect(readAll(second.request)).rejects.toThrow(/closed the connection/);
  });

  it('hands nothing undecoded to the writer when a chunk size cannot be read', async () => {
    // The body is sent only once the client reads it, so it arrives in a read of its own after the head.
    let sendBody: () => void = () => undefined;
    const server = createServer((socket: Socket) => {
      socket.once('data', () => {
        socket.write('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n');
        sendBody = () => socket.end('5\r\nhello\r\nZZZ\r\nGARBAGE');
      });
      socket.on('error', () => undefined);
    });
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { request } = await openRequest(`http://127.0.0.1:${(server.address() as AddressInfo).port}/a`, 'GET', {});
    const got: Buffer[] = [];
    const reading = request.body({ read: () => undefined, batch: (b) => got.push(Buffer.from(b)) });
    sendBody();
    await expect(reading).rejects.toThrow(/chunked/);
    // Only decoded body bytes ever reach the file (and its SHA-256): never the framing or what followed it.
    expect(['', 'hello']).toContain(Buffer.concat(got).toString('latin1'));
  });

  it('follows redirects with the same headers, and refuses a compressed body, a non-HTTP answer and other schemes', async () => {
    const target = await rawServer(() => [`HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc`]);
    const hops: number[] = [];
    const redirect = await rawServer(() => [
      `HTTP/1.1 302 Found\r\nLocation: ${target.url}/cdn\r\nContent-Length: 0\r\n\r\n`,
    ]);
    const { request } = await openRequest(`${redirect.url}/a`, 'GET', { Range: 'bytes=1-' }, undefined, (h) =>
      hops.push(h.status),
    );
    expect((await readAll(request)).toString()).toBe('abc');
    expect(hops).toEqual([302, 200]);
    expect(target.heads[0]).toMatch(/^GET \/cdn HTTP\/1\.1\r\n[\s\S]*\r\nRange: bytes=1-\r\n/);

    await expect(openRequest(`${target.url}/a`, 'GET', { 'If-Range': '"v1"\r\nX-Injected: 1' })).rejects.toThrow(
      /invalid If-Range header/,
    );
    expect(target.heads).toHaveLength(1);
    const gzip = await rawServer(() => ['HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: 3\r\n\r\nabc']);
    await expect(openRequest(`${gzip.url}/a`, 'GET', {})).rejects.toThrow(/compressed the file \(gzip\)/);
    const notHttp = await rawServer(() => ['SSH-2.0-OpenSSH\r\n\r\n']);
    await expect(openRequest(`${notHttp.url}/a`, 'GET', {})).rejects.toThrow(/did not answer in HTTP\/1\.1/);
    const toFtp = await rawServer(() => ['HTTP/1.1 301 Moved\r\nLocation: ftp://example.invalid/m.gguf\r\n\r\n']);
    await expect(openRequest(`${toFtp.url}/a`, 'GET', {})).rejects.toThrow(/unsupported address ftp:/);
  });

  it('stops at once when its signal aborts, before or during the head', async () => {
    const silent = await rawServer(() => []);
    const controller = new AbortController();
    const opening = openRequest(`${silent.url}/a`, 'GET', {}, controller.signal);
    controller.abort('paused');
    await expect(opening).rejects.toThrow(/paused/);
    await expect(openRequest(`${silent.url}/a`, 'GET', {}, controller.signal)).rejects.toBeDefined();
  });
});

describe('download client over HTTPS', () => {
  const dir = mkdtempSync(join(tmpdir(), 'quire-dl-tls-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** openRequest on `url` in a child process that trusts the server's certificate: what it read, or its error. */
  async function trustedGet(cert: Buffer, url: string): Promise<unknown> {
    const certFile = join(dir, 'cert.pem');
    writeFileSync(certFile, cert);
    const script = join(dir, 'get.mts');
    writeFileSync(
      script,
      `import { createHash } from 'node:crypto';
import { openRequest } from ${JSON.stringify(join(process.cwd(), 'src-main/local/download-http.ts'))};
try {
  const { request, head } = await openRequest(process.argv[2]!, 'GET', {});
  const hash = createHash('sha256');
  let bytes = 0;
  await request.body({ read: () => undefined, batch: (b) => { hash.update(b); bytes += b.length; } });
  console.log(JSON.stringify({ status: head.status, bytes, sha256: hash.digest('hex') }));
} catch (error) {
  console.log(JSON.stringify({ error: (error as Error).message }));
}
`,
    );
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', script, url], {
      env: { ...process.env, NODE_EXTRA_CA_CERTS: certFile },
    });
    return JSON.parse(stdout);
  }

  it('downloads over TLS from a server whose certificate is trusted, and refuses it where it is not', async () => {
    const tls = await startSelfSignedServer((_req, res) => {
      res.writeHead(200, { 'Content-Length': String(payload.length) });
      res.end(payload);
    });
    const url = `${tls.url.replace('127.0.0.1', 'localhost')}/m.gguf`;
    try {
      await expect(openRequest(url, 'GET', {})).rejects.toThrow(/self[- ]signed/i);
      expect(await trustedGet(tls.cert, url)).toEqual({
        status: 200,
        bytes: payload.length,
        sha256: createHash('sha256').update(payload).digest('hex'),
      });
    } finally {
      await tls.close();
    }
  }, 30_000);

  it('refuses a redirect from https to plain http (the file could be swapped on the way)', async () => {
    const plain = await rawServer(() => [`HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc`]);
    const tls = await startSelfSignedServer((_req, res) => {
      res.writeHead(302, { Location: `${plain.url}/m.gguf`, 'Content-Length': '0' });
      res.end();
    });
    try {
      expect(await trustedGet(tls.cert, `${tls.url.replace('127.0.0.1', 'localhost')}/m.gguf`)).toEqual({
        error: expect.stringMatching(
          /from its secure \(https\) address to an insecure one \(http:\/\/127\.0\.0\.1:\d+\)/,
        ),
      });
      expect(plain.heads).toHaveLength(0);
    } finally {
      await tls.close();
    }
  }, 30_000);
});
