// A loopback HTTP file server for download tests and benchmarks: Range requests, ETag, HEAD, and scripted faults
// (cut connection, 404, 401/403 gated, flipped byte, stall, throttle, server gone).
import { createReadStream, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

export interface FileRouteFaults {
  /** Answer with this status and no body (404 missing, 401/403 gated repository). */
  status?: number;
  /** Destroy the connection after this many body bytes, for the first `cutTimes` GETs (default 1). */
  cutAfter?: number;
  cutTimes?: number;
  /** Serve the byte at this file offset with its bits flipped (a corrupted transfer). */
  flipByteAt?: number;
  /** Send this many body bytes, then nothing more while keeping the connection open. */
  stallAfter?: number;
  /** Limit the body rate (bytes per second). */
  bytesPerSecond?: number;
  /** Ignore Range headers (a server without resume support). */
  noRange?: boolean;
  /** Send the body chunked, without a Content-Length (the size is unknown until the end). */
  chunked?: boolean;
  /**
   * HEAD declares the file's size, but GET is sent chunked with this many bytes more after the file: a server that
   * sends more than it said (or without end).
   */
  overflowBytes?: number;
}

export interface FileRoute {
  file: string;
  headers?: Record<string, string>;
  /** Answer every request with 302 to this URL (relative or absolute), `headers` included (as Hugging Face does). */
  redirectTo?: string;
  faults?: FileRouteFaults;
}

export interface ServedRequest {
  method: string;
  path: string;
  range: string | undefined;
  status: number;
}

export interface FileServer {
  readonly url: string;
  readonly port: number;
  readonly requests: ServedRequest[];
  /** Adds or replaces a route; `path` starts with '/'. */
  route(path: string, route: FileRoute): void;
  /** Changes a route's faults (e.g. heal a stalled route). */
  setFaults(path: string, faults: FileRouteFaults | undefined): void;
  /** Drops every open connection now (the server "goes away" mid-transfer) but keeps listening. */
  dropConnections(): void;
  close(): Promise<void>;
}

export async function startFileServer(options: { port?: number } = {}): Promise<FileServer> {
  const routes = new Map<string, FileRoute>();
  const requests: ServedRequest[] = [];
  const sockets = new Set<Socket>();
  const cuts = new Map<string, number>();

  const server: Server = createServer((req, res) => handle(req, res));
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  function handle(req: IncomingMessage, res: ServerResponse): void {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const route = routes.get(path);
    const log = (status: number) =>
      requests.push({ method: req.method ?? 'GET', path, range: req.headers.range, status });
    if (!route) {
      log(404);
      res.writeHead(404).end('not found');
      return;
    }
    if (route.redirectTo) {
      log(302);
      res.writeHead(302, { Location: route.redirectTo, 'Content-Length': '0', ...route.headers }).end();
      return;
    }
    const faults = route.faults ?? {};
    if (faults.status) {
      log(faults.status);
      res.writeHead(faults.status, { 'Content-Type': 'text/plain' }).end(`status ${faults.status}`);
      return;
    }
    const size = statSync(route.file).size;
    const etag = `"${size.toString(16)}-fixture"`;
    let start = 0;
    let end = size - 1;
    let status = 200;
    const range = req.headers.range;
    if (range && !faults.noRange) {
      const match = /^bytes=(\d*)-(\d*)$/.exec(range);
      const ifRange = req.headers['if-range'];
      if (match && (!ifRange || ifRange === etag)) {
        if (match[1] === '') {
          start = Math.max(0, size - Number(match[2]));
        } else {
          start = Number(match[1]);
          if (match[2] !== '') end = Math.min(end, Number(match[2]));
        }
        if (start >= size) {
          log(416);
          res.writeHead(416, { 'Content-Range': `bytes */${size}` }).end();
          return;
        }
        status = 206;
      }
    }
    const headers: Record<string, string> = {
      'Content-Type': 'application/octet-stream',
      ...(faults.chunked || (faults.overflowBytes !== undefined && req.method !== 'HEAD')
        ? {}
        : { 'Content-Length': String(end - start + 1) }),
      'Accept-Ranges': faults.noRange ? 'none' : 'bytes',
      ETag: etag,
      ...route.headers,
    };
    if (status === 206) headers['Content-Range'] = `bytes ${start}-${end}/${size}`;
    log(status);
    res.writeHead(status, headers);
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    const cutBudget = faults.cutAfter !== undefined ? (faults.cutTimes ?? 1) - (cuts.get(path) ?? 0) : 0;
    const cutAt = cutBudget > 0 ? faults.cutAfter : undefined;
    if (cutAt !== undefined) cuts.set(path, (cuts.get(path) ?? 0) + 1);
    void pump(res, route.file, start, end, { ...faults, cutAfter: cutAt });
  }

  async function pump(
    res: ServerResponse,
    file: string,
    start: number,
    end: number,
    faults: FileRouteFaults,
  ): Promise<void> {
    let sent = 0;
    let offset = start;
    const started = Date.now();
    const stream = createReadStream(file, { start, end, highWaterMark: 64 * 1024 });
    try {
      for await (const raw of stream) {
        let chunk = raw as Buffer;
        if (
          faults.flipByteAt !== undefined &&
          faults.flipByteAt >= offset &&
          faults.flipByteAt < offset + chunk.length
        ) {
          chunk = Buffer.from(chunk);
          chunk[faults.flipByteAt - offset] = chunk[faults.flipByteAt - offset]! ^ 0xff;
        }
        const limit = Math.min(faults.cutAfter ?? Infinity, faults.stallAfter ?? Infinity);
        if (sent + chunk.length > limit) chunk = chunk.subarray(0, Math.max(0, limit - sent));
        if (chunk.length > 0) {
          if (!res.write(chunk)) await new Promise((resolve) => res.once('drain', resolve));
          sent += chunk.length;
          offset += chunk.length;
        }
        if (faults.cutAfter !== undefined && sent >= faults.cutAfter) {
          // FIN after the bytes already written (a reset would also discard what the client has not read yet).
          res.socket?.end();
          return;
        }
        if (faults.stallAfter !== undefined && sent >= faults.stallAfter) {
          stream.destroy();
          return; // keep the response open and silent
        }
        if (faults.bytesPerSecond) {
          const due = started + (sent / faults.bytesPerSecond) * 1000;
          const wait = due - Date.now();
          if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
        }
        if (res.destroyed) return;
      }
      for (let extra = faults.overflowBytes ?? 0; extra > 0 && !res.destroyed; extra -= 64 * 1024) {
        if (!res.write(Buffer.alloc(Math.min(extra, 64 * 1024))))
          await new Promise((resolve) => res.once('drain', resolve));
      }
      res.end();
    } catch {
      res.destroy();
    }
  }

  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    route(path, route) {
      routes.set(path, route);
      cuts.delete(path);
    },
    setFaults(path, faults) {
      const route = routes.get(path);
      if (route) routes.set(path, { ...route, ...(faults ? { faults } : { faults: {} }) });
      cuts.delete(path);
    },
    dropConnections() {
      for (const socket of sockets) socket.destroy();
    },
    close() {
      for (const socket of sockets) socket.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
