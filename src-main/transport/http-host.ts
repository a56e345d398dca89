// The browser host: the renderer's static files, POST /api/<channel> over the same Dispatcher as Electron IPC, and
// pushed events as Server-Sent Events on GET /api/events. Loopback only, with a Host-header guard against DNS
// rebinding and no CORS headers, so no other web page can drive it.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';
import type { AddressInfo } from 'node:net';
import { Transform, type Readable } from 'node:stream';
import {
  UPLOAD_KINDS,
  type Envelope,
  type ErrorCode,
  type ErrorInfo,
  type UploadKind,
} from '../../src-preload/contract';
import type { EventBus } from '../infra/event-bus';
import type { Dispatcher } from './dispatcher';
import { CONTENT_SECURITY_POLICY } from './csp';
import { StaticCompressor, compressible, negotiateEncoding } from './static-compression';

export interface HttpHostOptions {
  dispatcher: Dispatcher;
  events: EventBus;
  /** Built renderer (index.html and assets); null serves the API only. */
  rendererDir: string | null;
  /** 0 picks a free port. */
  port: number;
  /** POST /upload/<kind>: files streamed to a service, never read whole here; none: uploads are refused. */
  uploads?: Partial<Record<UploadKind, UploadRoute>>;
}

/** One kind of upload: its size limit and what takes the bytes. */
export interface UploadRoute {
  /** The most bytes this upload may have; throws PayloadTooLargeError (the reason, in a writer's words) for `bytes`. */
  check(bytes: number): Promise<number>;
  /**
   * Consumes the body (a stream that errors if the client goes away or the limit is passed); the reply's value.
   * `gone` aborts when the client goes away after sending the whole body but before its answer (the page's Stop while
   * the service is still at work on the file); one that goes away sooner cuts the body off instead.
   */
  accept(body: Readable, fileName: string, gone: AbortSignal): Promise<unknown>;
}

export interface HttpHost {
  readonly url: string;
  readonly port: number;
  /** How long a request may take to arrive whole, ms; 0: no limit (a model upload from a slow disk takes its time). */
  readonly requestTimeoutMs: number;
  close(): Promise<void>;
}

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
};

const SECURITY_HEADERS = {
  'Content-Security-Policy': CONTENT_SECURITY_POLICY,
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

export function statusFor(code: ErrorCode): number {
  switch (code) {
    case 'invalid_input':
      return 400;
    case 'forbidden':
      return 403;
    case 'not_found':
    case 'unknown_channel':
      return 404;
    case 'conflict':
      return 409;
    case 'payload_too_large':
      return 413;
    case 'internal':
    case 'storage_error':
      return 500;
    default:
      // A refusal the caller can act on (over budget, provider down, cancelled): the exchange itself worked.
      return 422;
  }
}

/** DNS rebinding guard: a loopback server answers only requests addressed to itself by its loopback name and port. */
export function loopbackHost(host: string | undefined, port: number): boolean {
  return host === `127.0.0.1:${port}` || host === `localhost:${port}`;
}

/** A page served by this loopback server itself (http://127.0.0.1:<port> or http://localhost:<port>). */
export function sameLoopbackOrigin(origin: string, port: number): boolean {
  return origin === `http://127.0.0.1:${port}` || origin === `http://localhost:${port}`;
}

export async function startHttpHost(options: HttpHostOptions): Promise<HttpHost> {
  const clients = new Set<ServerResponse>();
  let port = options.port;

  // No limit on how long a request takes to arrive: Node's default (5 minutes) cut a model upload off midway with a
  // bare 408 (a multi-GB .gguf from a slow disk). The host listens on loopback only, behind its Host and Origin doors.
  const server: Server = createServer({ requestTimeout: 0 }, (req, res) => {
    handle(req, res).catch((error: unknown) => {
      // The error's own words (a stack's path, a library's message) go to the log, never to the window.
      const info = options.dispatcher.errorInfo('the browser host', error);
      if (!res.headersSent) sendError(res, info);
      else res.destroy();
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const host = req.headers.host ?? '';
    if (!loopbackHost(host, port)) {
      res.writeHead(403, { 'Content-Type': 'text/plain; charset=utf-8' }).end('Forbidden: unexpected Host header');
      return;
    }
    let url: URL;
    let pathname: string;
    try {
      // A target that is not a URL (`GET http://[`) or a malformed percent-encoding: the client's mistake.
      url = new URL(req.url ?? '/', `http://${host}`);
      pathname = decodeURIComponent(url.pathname);
    } catch {
      req.resume();
      return sendError(res, {
        code: 'invalid_input',
        message: 'The address is malformed (not a URL, or a broken percent-encoding)',
        retryable: false,
      });
    }
    if (pathname === '/api/events') return openEventStream(req, res);
    if (pathname.startsWith('/api/')) return handleApi(req, res, pathname.slice(5));
    if (pathname.startsWith('/upload/')) return handleUpload(req, res, pathname.slice(8), url.searchParams.get('name'));
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { Allow: 'GET, HEAD' }).end();
      return;
    }
    return serveStatic(req, res, pathname);
  }

  /** A page on another origin must not drive the API or read its events (a browser always sends Origin then). */
  function foreignOrigin(req: IncomingMessage): boolean {
    const origin = req.headers.origin;
    return origin !== undefined && !sameLoopbackOrigin(origin, port);
  }

  async function handleApi(req: IncomingMessage, res: ServerResponse, channel: string): Promise<void> {
    if (req.method !== 'POST') {
      res.writeHead(405, { Allow: 'POST' }).end();
      return;
    }
    if (foreignOrigin(req)) {
      req.resume();
      return sendError(res, { code: 'forbidden', message: 'Cross-origin requests are refused', retryable: false });
    }
    if (!options.dispatcher.has(channel)) {
      req.resume();
      return sendError(res, { code: 'unknown_channel', message: `Unknown channel "${channel}"`, retryable: false });
    }
    const contentType = req.headers['content-type'] ?? '';
    if (!contentType.startsWith('application/json')) {
      req.resume();
      res.writeHead(415, { 'Content-Type': 'application/json' });
      res.end(
        JSON.stringify(
          envelopeError({ code: 'invalid_input', message: 'Content-Type must be application/json', retryable: false }),
        ),
      );
      return;
    }
    const limit = options.dispatcher.maxBytes(channel);
    const body = await readBody(req, limit);
    if (body === 'too_large') {
      return sendError(res, {
        code: 'payload_too_large',
        message: `Request body is larger than ${limit} bytes, the limit for ${channel}`,
        retryable: false,
      });
    }
    let payload: unknown = undefined;
    if (body.length > 0) {
      try {
        payload = JSON.parse(body.toString('utf8'));
      } catch (error) {
        return sendError(res, {
          code: 'invalid_input',
          message: `Request body is not valid JSON: ${(error as Error).message}`,
          retryable: false,
        });
      }
    }
    const envelope = await options.dispatcher.call(channel, payload, { transport: 'http' });
    sendJson(res, envelope.ok ? 200 : statusFor(envelope.error.code), envelope);
  }

  /**
   * A file's bytes piped to its service as they arrive (backpressure holds the client when the disk is slower), so
   * memory stays flat whatever the file's size. Same doors as the API; the size is checked against the declared
   * length before a byte is read and counted as the bytes come.
   */
  async function handleUpload(
    req: IncomingMessage,
    res: ServerResponse,
    kind: string,
    fileName: string | null,
  ): Promise<void> {
    if (req.method !== 'POST') {
      res.writeHead(405, { Allow: 'POST' }).end();
      return;
    }
    const refuse = (error: ErrorInfo) => {
      // Whatever of the body is still coming is read and dropped, so the client gets this answer, not a reset.
      req.resume();
      res.setHeader('Connection', 'close');
      sendError(res, error);
    };
    if (foreignOrigin(req))
      return refuse({ code: 'forbidden', message: 'Cross-origin requests are refused', retryable: false });
    const route = (UPLOAD_KINDS as readonly string[]).includes(kind)
      ? options.uploads?.[kind as UploadKind]
      : undefined;
    if (!route)
      return refuse({ code: 'not_found', message: `Quire takes no "${kind}" uploads here`, retryable: false });
    if (!(req.headers['content-type'] ?? '').startsWith('application/octet-stream'))
      return refuse({
        code: 'invalid_input',
        message: 'An upload is sent as the file itself (Content-Type: application/octet-stream)',
        retryable: false,
      });
    if (!fileName || fileName.length > 255 || /[/\\\0]/.test(fileName))
      return refuse({
        code: 'invalid_input',
        message: 'An upload needs the file name (?name=…): a name without slashes, up to 255 characters',
        retryable: false,
      });
    const declared = req.headers['content-length'] === undefined ? 0 : Number(req.headers['content-length']);
    let max: number;
    try {
      max = await route.check(Number.isFinite(declared) ? declared : 0);
    } catch (error) {
      return refuse(options.dispatcher.errorInfo(`upload ${kind}`, error));
    }
    let received = 0;
    let overran = false;
    const body = new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        received += chunk.length;
        if (received > max) {
          overran = true;
          callback(new Error('The upload is larger than its limit'));
          return;
        }
        callback(null, chunk);
      },
    });
    // Not stream.pipeline: a service that refuses the bytes early must not take the socket (and the answer) down.
    // The service reads the body once it is ready (its partial file made); an error before then (the client cut off,
    // the first chunk past the room) is kept on the stream for it to find, never thrown at the process.
    body.on('error', () => undefined);
    req.pipe(body);
    req.on('error', (error) => body.destroy(error));
    req.on('close', () => {
      if (!req.complete) body.destroy(new Error('The upload was interrupted before the whole file arrived'));
    });
    const gone = new AbortController();
    res.on('close', () => {
      if (req.complete && !res.writableFinished) gone.abort();
    });
    try {
      const value = await route.accept(body, fileName, gone.signal);
      sendJson(res, 200, { ok: true, value });
    } catch (error) {
      const info = overran
        ? await route.check(received).then(
            (): ErrorInfo => ({
              code: 'payload_too_large',
              message: `The file is larger than the ${max} bytes Quire can take here`,
              retryable: false,
            }),
            (tooLarge: unknown) => options.dispatcher.errorInfo(`upload ${kind}`, tooLarge),
          )
        : options.dispatcher.errorInfo(`upload ${kind}`, error);
      if (!res.destroyed) refuse(info);
    }
  }

  function openEventStream(req: IncomingMessage, res: ServerResponse): void {
    if (req.method !== 'GET') {
      res.writeHead(405, { Allow: 'GET' }).end();
      return;
    }
    if (foreignOrigin(req)) {
      return sendError(res, { code: 'forbidden', message: 'Cross-origin requests are refused', retryable: false });
    }
    res.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-store',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no',
    });
    res.write('event: ready\ndata: {}\n\n');
    clients.add(res);
    const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), 15_000);
    heartbeat.unref();
    req.on('close', () => {
      clearInterval(heartbeat);
      clients.delete(res);
    });
  }

  const unsubscribe = options.events.subscribe((event) => {
    if (clients.size === 0) return;
    const frame = `data: ${JSON.stringify(event)}\n\n`;
    for (const client of clients) client.write(frame);
  });

  const compressor = new StaticCompressor();

  async function serveStatic(req: IncomingMessage, res: ServerResponse, pathname: string): Promise<void> {
    if (!options.rendererDir) {
      res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end('No renderer build to serve');
      return;
    }
    const root = normalize(options.rendererDir);
    let file = normalize(join(root, pathname));
    if (file !== root && !file.startsWith(root + sep)) {
      res.writeHead(403).end();
      return;
    }
    const info = await stat(file).catch(() => null);
    if (!info || info.isDirectory()) {
      // A client-side route or the root: the single page.
      file = extname(pathname) ? '' : join(root, 'index.html');
    }
    const content = file ? await readFile(file).catch(() => null) : null;
    if (!content) {
      res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end('Not found');
      return;
    }
    const type = MIME[extname(file)] ?? 'application/octet-stream';
    const varies = compressible(type, content.length);
    const encoding = varies ? negotiateEncoding(req.headers['accept-encoding']) : null;
    const body = encoding ? await compressor.encode(file, content, encoding) : content;
    res.writeHead(200, {
      ...SECURITY_HEADERS,
      'Content-Type': type,
      'Cache-Control': file.endsWith('index.html') ? 'no-store' : 'public, max-age=3600',
      'Content-Length': String(body.length),
      ...(varies ? { Vary: 'Accept-Encoding' } : {}),
      ...(encoding ? { 'Content-Encoding': encoding } : {}),
    });
    res.end(body);
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  port = (server.address() as AddressInfo).port;

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requestTimeoutMs: server.requestTimeout,
    close: () =>
      new Promise<void>((resolve) => {
        unsubscribe();
        for (const client of clients) client.end();
        clients.clear();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function envelopeError(error: ErrorInfo): Envelope<never> {
  return { ok: false, error };
}

function sendError(res: ServerResponse, error: ErrorInfo): void {
  sendJson(res, statusFor(error.code), envelopeError(error));
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store' });
  res.end(JSON.stringify(body));
}

/** The request body, or 'too_large' as soon as it passes `limit` bytes (declared or received). */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer | 'too_large'> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? '0');
    if (declared > limit) {
      req.resume();
      resolve('too_large');
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    req.on('data', (chunk: Buffer) => {
      if (done) return;
      size += chunk.length;
      if (size > limit) {
        done = true;
        req.resume();
        resolve('too_large');
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (!done) resolve(Buffer.concat(chunks));
    });
    req.on('error', reject);
  });
}
