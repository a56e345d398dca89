// The requests of a model download (HEAD, then GET) straight off the socket: HTTP/1.1 over net or tls, each read
// landing in a 256 KiB buffer (onread) that is handed over whole, as one batch, to be hashed and written, then given
// back and reused. Measured on the loopback file of `npm run bench -- downloads`, beside curl: fetch's web streams
// reached ~0.4 of curl's throughput and node:http (its parser copies every 64 KiB read into a new Buffer) ~0.5; reads
// into reused large buffers, with no copy and no object per network chunk, came level with curl.
// Only what a file download needs: one request per connection (Connection: close), identity encoding, Content-Length,
// chunked or read-to-close bodies. openRequest follows redirects.
import { isIP, connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect, type ConnectionOptions } from 'node:tls';
import { DownloadError } from '../errors';

/**
 * The read buffer, and so the largest batch handed over. Each buffer in flight is fresh memory the first time it is
 * filled, and touching fresh memory is slow on a virtual machine (~5 ms per MiB in page faults on the bench machine,
 * against ~0.7 ms to hash that MiB): 256 KiB buffers halved the page faults of a 53 MB download against 1 MiB ones
 * (~1,250 against ~2,300 per download) and came out best of 128 KiB, 256 KiB, 512 KiB and 1 MiB end to end beside
 * curl, in interleaved rounds on a loaded 2-core machine. Smaller ones make more syscalls and hand-overs.
 */
export const BATCH_BYTES = 256 * 1024;
/** A batch is handed over once less than this is free in the buffer (a read would be short). */
const MIN_READ = 64 * 1024;
const MAX_HEAD = 64 * 1024;
const MAX_REDIRECTS = 10;
/** A batch is handed over at least this often, however small, so a slow transfer reaches the disk. */
const BATCH_MS = 500;

export interface ResponseHead {
  status: number;
  /** Lower-case names; the first value of a repeated header. */
  headers: Map<string, string>;
  /** Where the response came from, after redirects. */
  url: URL;
}

export interface BodyHandlers {
  /** Every read from the socket, with its count of body bytes (the stall watchdog, progress). */
  read: (bytes: number) => void;
  /** A batch of body bytes, in order; the receiver's until it gives it back with `release`. */
  batch: (bytes: Buffer) => void;
}

type Framing = { kind: 'length'; left: number } | { kind: 'chunked' } | { kind: 'close' };

/** One request on its own connection: `head` resolves with the status line and headers; `body` then reads the rest. */
export class RawRequest {
  readonly head: Promise<ResponseHead>;
  private readonly socket: Socket;
  private buffer: Buffer = Buffer.allocUnsafe(BATCH_BYTES);
  /** Buffers given back: reused, because touching fresh memory (page faults) cost more than the copy it replaced. */
  private readonly spare: Buffer[] = [];
  private used = 0;
  private headDone = false;
  private framing: Framing = { kind: 'close' };
  private chunked = new ChunkedDecoder();
  private handlers: BodyHandlers | undefined;
  private lastBatch = Date.now();
  private finished = false;
  private ended = false;
  private settle: { resolve: () => void; reject: (error: Error) => void } | undefined;
  private failure: Error | undefined;
  private resolveHead!: (head: ResponseHead) => void;
  private rejectHead!: (error: Error) => void;

  constructor(
    private readonly url: URL,
    private readonly method: 'GET' | 'HEAD',
    headers: Record<string, string>,
  ) {
    this.head = new Promise((resolve, reject) => {
      this.resolveHead = resolve;
      this.rejectHead = reject;
    });
    this.head.catch(() => undefined); // a failure is also reported to whoever reads the body
    // A value from a server (an ETag sent back in If-Range) never adds a line to the request.
    for (const [name, value] of Object.entries(headers))
      if (/[\r\n]/.test(name + value)) throw new Error(`invalid ${name} header`);
    const host = url.hostname.replace(/^\[|\]$/g, '');
    const port = Number(url.port) || (url.protocol === 'https:' ? 443 : 80);
    // Reads go straight into the batch buffer (the head's into its first 64 KiB, so the body has room after it).
    const onread = {
      buffer: () => this.buffer.subarray(this.used, this.headDone ? BATCH_BYTES : MAX_HEAD),
      callback: (n: number) => this.onRead(n),
    };
    this.socket =
      url.protocol === 'https:'
        ? // tls.connect takes onread as net.connect does (its types leave it out).
          tlsConnect({
            host,
            port,
            ...(isIP(host) ? {} : { servername: host }),
            ALPNProtocols: ['http/1.1'],
            onread,
          } as ConnectionOptions)
        : netConnect({ host, port, onread });
    this.socket.setNoDelay(true);
    const lines = [
      `${method} ${url.pathname}${url.search} HTTP/1.1`,
      `Host: ${url.host}`,
      'User-Agent: Quire',
      'Accept: */*',
      // identity: the byte counts, Range offsets and the SHA-256 are of the file itself, never of a compressed body.
      'Accept-Encoding: identity',
      'Connection: close',
      ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`),
    ];
    this.socket.write(`${lines.join('\r\n')}\r\n\r\n`);
    this.socket.on('error', (error) => this.fail(error));
    this.socket.on('end', () => this.onEnd());
    this.socket.on('close', () => {
      if (!this.ended || this.handlers) this.fail(new Error('the connection was closed'));
    });
  }

  /** Reads the body to its end, handing over batches; rejects when the connection fails or is destroyed. */
  body(handlers: BodyHandlers): Promise<void> {
    this.handlers = handlers;
    const done = new Promise<void>((resolve, reject) => {
      if (this.failure) reject(this.failure);
      else this.settle = { resolve, reject };
    });
    if (!this.failure) {
      // The bytes that came with the head (framed then), then the rest as the socket reads on.
      handlers.read(this.used);
      if (this.finished) {
        this.handOver(Date.now());
        this.complete();
      } else if (this.ended) this.onEnd();
      else this.socket.resume();
    }
    return done;
  }

  /** Gives a batch's buffer back once its bytes are hashed and written. */
  release(batch: Buffer): void {
    if (batch.buffer.byteLength === BATCH_BYTES && batch.byteOffset === 0)
      this.spare.push(Buffer.from(batch.buffer, 0, BATCH_BYTES));
  }

  pause(): void {
    this.socket.pause();
  }

  resume(): void {
    if (!this.finished && this.handlers) this.socket.resume();
  }

  destroy(error?: Error): void {
    this.fail(error ?? new Error('aborted'));
  }

  private onRead(n: number): boolean {
    if (this.finished) return false;
    try {
      if (!this.headDone) {
        this.used += n;
        this.parseHead();
        if (this.used >= MAX_HEAD && !this.headDone) throw new Error('the response head is too large');
        // Body bytes that came with the head are framed here, in the read: the socket asks for its next buffer
        // right after this callback, and framing moves where that buffer starts.
        if (this.headDone) this.process(0, false);
        return true;
      }
      const start = this.used;
      this.used += n;
      this.handlers?.read(this.process(start, true));
    } catch (error) {
      this.fail(error as Error);
    }
    return true;
  }

  /**
   * Frames the new bytes in buffer[start, used), hands a batch over when it is due (`handOver` false: only once the
   * body is complete and someone reads it); returns the body bytes framed.
   */
  private process(start: number, handOver: boolean): number {
    if (this.framing.kind === 'chunked') {
      try {
        this.used = this.chunked.decode(this.buffer, start, this.used);
      } catch (error) {
        // Framing that cannot be read: none of this read is body (a resume asks for it again with Range).
        this.used = start;
        throw error;
      }
      if (this.chunked.done) this.finished = true;
    } else if (this.framing.kind === 'length') {
      const take = Math.min(this.framing.left, this.used - start);
      this.used = start + take;
      this.framing.left -= take;
      if (this.framing.left === 0) this.finished = true;
    }
    const now = Date.now();
    const framed = this.used - start;
    const due = BATCH_BYTES - this.used < MIN_READ || now - this.lastBatch >= BATCH_MS;
    if (this.finished || (handOver && due)) this.handOver(now);
    if (this.finished) this.complete();
    return framed;
  }

  private handOver(now: number): void {
    if (this.used === 0 || !this.handlers) return;
    const batch = this.buffer.subarray(0, this.used);
    this.buffer = this.spare.pop() ?? Buffer.allocUnsafe(BATCH_BYTES);
    this.used = 0;
    this.lastBatch = now;
    this.handlers.batch(batch);
  }

  private parseHead(): void {
    for (;;) {
      const end = this.buffer.subarray(0, this.used).indexOf('\r\n\r\n');
      if (end < 0) return;
      const lines = this.buffer.toString('latin1', 0, end).split('\r\n');
      this.buffer.copy(this.buffer, 0, end + 4, this.used);
      this.used -= end + 4;
      const status = /^HTTP\/1\.[01] (\d{3})/.exec(lines[0] ?? '');
      if (!status) throw new Error('the server did not answer in HTTP/1.1');
      const code = Number(status[1]);
      if (code >= 100 && code < 200) continue; // informational: the real head follows
      const headers = new Map<string, string>();
      for (const line of lines.slice(1)) {
        const colon = line.indexOf(':');
        if (colon <= 0) continue;
        const name = line.slice(0, colon).trim().toLowerCase();
        if (!headers.has(name)) headers.set(name, line.slice(colon + 1).trim());
      }
      const encoding = headers.get('transfer-encoding')?.toLowerCase();
      const length = headers.get('content-length');
      if (this.method === 'HEAD' || code === 204 || code === 304) this.framing = { kind: 'length', left: 0 };
      else if (encoding && encoding !== 'identity') {
        if (encoding !== 'chunked') throw new Error(`unsupported transfer encoding ${encoding}`);
        this.framing = { kind: 'chunked' };
      } else if (length !== undefined) {
        if (!/^\d+$/.test(length)) throw new Error(`invalid Content-Length ${length}`);
        this.framing = { kind: 'length', left: Number(length) };
      }
      const encoded = headers.get('content-encoding')?.toLowerCase();
      if (encoded && encoded !== 'identity') throw new Error(`the server compressed the file (${encoded})`);
      this.headDone = true;
      this.socket.pause(); // until someone reads the body
      this.resolveHead({ status: code, headers, url: this.url });
      return;
    }
  }

  private onEnd(): void {
    this.ended = true;
    if (this.finished) return;
    if (!this.headDone) return this.fail(new Error('the server closed the connection'));
    if (!this.handlers) return; // body() frames what came with the head, then decides
    if (this.framing.kind !== 'close')
      return this.fail(new Error('the server closed the connection before the end of the file'));
    this.finished = true;
    this.handOver(Date.now());
    this.complete();
  }

  private complete(): void {
    this.socket.destroy();
    const settle = this.settle;
    this.settle = undefined;
    settle?.resolve();
  }

  private fail(error: Error): void {
    if (this.failure || (this.finished && !this.settle)) return;
    // Every framed byte that arrived goes to the receiver first (a paused or dropped transfer resumes after it).
    if (this.headDone) this.handOver(Date.now());
    this.failure = error;
    this.finished = true;
    this.socket.destroy();
    this.rejectHead(error);
    const settle = this.settle;
    this.settle = undefined;
    settle?.reject(error);
  }
}

/**
 * `method` on `url` with `headers`, following redirects (the same method and headers, http or https only); `onHop`
 * sees every response's head, redirects included. Resolves with the final response, its body not yet read; `signal`
 * destroys the connection at any point until then.
 */
export async function openRequest(
  url: string,
  method: 'GET' | 'HEAD',
  headers: Record<string, string>,
  signal?: AbortSignal,
  onHop?: (head: ResponseHead) => void,
): Promise<{ request: RawRequest; head: ResponseHead }> {
  let target = new URL(url);
  for (let hop = 0; ; hop++) {
    if (target.protocol !== 'http:' && target.protocol !== 'https:')
      throw new Error(`unsupported address ${target.protocol}//${target.host}`);
    signal?.throwIfAborted();
    const request = new RawRequest(target, method, headers);
    const abort = () => request.destroy(new Error(String(signal?.reason ?? 'aborted')));
    signal?.addEventListener('abort', abort);
    let head: ResponseHead;
    try {
      head = await request.head;
    } finally {
      signal?.removeEventListener('abort', abort);
    }
    onHop?.(head);
    const location = head.headers.get('location');
    if (head.status < 300 || head.status >= 400 || head.status === 304 || !location) return { request, head };
    request.destroy();
    // The server answered, so the connection is not what failed: these say what it did, with the step.
    if (hop >= MAX_REDIRECTS)
      throw new DownloadError(
        'http_error',
        `${target.host} kept sending Quire on to another address (more than ${MAX_REDIRECTS} times), so the file was never reached. Check the address, or get the model from another source.`,
        { advised: true },
      );
    const next = new URL(location, target);
    // A file asked for over https is never fetched in the clear on the way (it could be swapped there).
    if (target.protocol === 'https:' && next.protocol === 'http:')
      throw new DownloadError(
        'http_error',
        `${target.host} sent Quire from its secure (https) address to an insecure one (http://${next.host}), and Quire does not fetch a model in the clear. Get the model from another source.`,
        { advised: true },
      );
    target = next;
  }
}

/** Transfer-Encoding: chunked, decoded in place (payload bytes only ever move towards the start of the buffer). */
class ChunkedDecoder {
  done = false;
  private state: 'size' | 'data' | 'data-end' | 'trailer' = 'size';
  private line = '';
  private left = 0;

  /** Decodes buffer[from, to) into buffer[from, returned end). */
  decode(buffer: Buffer, from: number, to: number): number {
    let out = from;
    let i = from;
    while (i < to && !this.done) {
      if (this.state === 'data') {
        const take = Math.min(this.left, to - i);
        if (out !== i) buffer.copy(buffer, out, i, i + take);
        out += take;
        i += take;
        this.left -= take;
        if (this.left === 0) this.state = 'data-end';
        continue;
      }
      const newline = buffer.indexOf(10, i);
      const stop = newline < 0 || newline >= to ? to : newline;
      this.line += buffer.toString('latin1', i, stop);
      if (this.line.length > 4096) throw new Error('invalid chunked encoding');
      i = stop;
      if (stop === to) break;
      i++; // the \n
      const line = this.line.replace(/\r$/, '');
      this.line = '';
      if (this.state === 'data-end') {
        if (line !== '') throw new Error('invalid chunked encoding');
        this.state = 'size';
      } else if (this.state === 'size') {
        const size = /^([0-9a-fA-F]+)(;.*)?$/.exec(line.trim());
        if (!size) throw new Error('invalid chunked encoding');
        this.left = parseInt(size[1]!, 16);
        this.state = this.left === 0 ? 'trailer' : 'data';
      } else if (line === '') this.done = true; // the empty line after the trailers
    }
    return out;
  }
}
