// The HTTP side of a model download: a HEAD preflight (size, Hugging Face's LFS sha256 on the redirect) and one
// Range-resuming transfer into the partial file, batched writes, a stall watchdog and progress, and the file's SHA-256
// computed while the bytes arrive (after re-reading the bytes a resumed transfer starts from). DownloadService decides
// when to run, resume, verify and register.
import { createHash, type Hash } from 'node:crypto';
import { createReadStream, existsSync } from 'node:fs';
import { stat, type FileHandle } from 'node:fs/promises';
import { DownloadError, NotFoundError, isQuireError } from '../errors';
import type { DownloadRecord, LocalModelsRepo } from '../store/repos/local-models-repo';
import { openPrivateForWrite } from './model-files';

export interface TransferOptions {
  repo: LocalModelsRepo;
  fetch: typeof fetch;
  stallMs: number;
  progressIntervalMs?: number | undefined;
  modelsDir: () => string;
  checkFreeSpace: (dir: string, needed: number) => Promise<void>;
  emitProgress: (id: string, received: number, total: number | null, rate: number) => void;
}

const WRITE_BATCH = 1024 * 1024;

export class HttpTransfer {
  private readonly fetch: typeof fetch;
  private readonly stallMs: number;

  constructor(private readonly o: TransferOptions) {
    this.fetch = o.fetch;
    this.stallMs = o.stallMs;
  }

  async preflight(url: string): Promise<{ total: number | null; lfsSha256: string | null }> {
    let response: Response;
    try {
      // Manual redirects: Hugging Face puts the file's LFS sha256 in X-Linked-Etag on the redirect itself.
      let target = url;
      let lfs: string | null = null;
      let linkedSize: number | null = null;
      for (let hop = 0; ; hop++) {
        response = await this.fetch(target, { method: 'HEAD', redirect: 'manual' });
        const linked = response.headers.get('x-linked-etag')?.replace(/"/g, '') ?? null;
        if (linked && /^[0-9a-f]{64}$/i.test(linked)) lfs = linked.toLowerCase();
        const size = response.headers.get('x-linked-size');
        if (size) linkedSize = Number(size);
        const location = response.headers.get('location');
        if (response.status >= 300 && response.status < 400 && location && hop < 5) {
          target = new URL(location, target).toString();
          continue;
        }
        break;
      }
      // Some servers refuse HEAD; the GET will tell us the size then.
      if (response.status === 405 || response.status === 501) return { total: linkedSize, lfsSha256: lfs };
      if (!response.ok) throw httpFailure(response.status, url);
      const length = response.headers.get('content-length');
      return { total: linkedSize ?? (length ? Number(length) : null), lfsSha256: lfs };
    } catch (error) {
      if (isQuireError(error)) throw error;
      throw new DownloadError('server_gone', `Cannot reach ${new URL(url).host}: ${(error as Error).message}`, error);
    }
  }

  /** Transfers the rest of the file; resolves with the SHA-256 (hex) of the whole partial file as written. */
  async transfer(id: string, signal: AbortSignal, attempt: { responded: boolean }): Promise<string> {
    const row = this.require(id);
    const offset = existsSync(row.partial_file) ? (await stat(row.partial_file)).size : 0;
    // The bytes already here are hashed first (before the watchdog runs: a large partial file takes a while to read),
    // then every byte that arrives, in order, so the digest covers the whole file without reading it again.
    let hash = offset > 0 ? await hashPrefix(row.partial_file, offset) : createHash('sha256');
    const stall = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const armWatchdog = () => {
      clearTimeout(timer);
      timer = setTimeout(() => stall.abort('stalled'), this.stallMs);
    };
    const combined = AbortSignal.any([signal, stall.signal]);
    let file: FileHandle | undefined;
    let pending: Uint8Array[] = [];
    let pendingBytes = 0;
    let flush = async (): Promise<void> => undefined;
    try {
      armWatchdog();
      let response: Response;
      try {
        response = await this.fetch(row.url, {
          headers: {
            ...(offset > 0 ? { Range: `bytes=${offset}-` } : {}),
            ...(offset > 0 && row.etag ? { 'If-Range': row.etag } : {}),
          },
          signal: combined,
        });
      } catch (error) {
        throw this.transportError(error, signal, stall.signal, row.url);
      }
      attempt.responded = true;
      if (response.status === 416 && row.total_bytes !== null && offset === row.total_bytes) {
        await response.body?.cancel();
        return hash.digest('hex'); // everything is already here
      }
      if (!response.ok) {
        await response.body?.cancel();
        throw httpFailure(response.status, row.url);
      }
      const restart = offset > 0 && response.status !== 206;
      const start = restart ? 0 : offset;
      if (restart) hash = createHash('sha256');
      const length = Number(response.headers.get('content-length') ?? NaN);
      const total = Number.isFinite(length) ? start + length : row.total_bytes;
      this.o.repo.updateDownload(id, {
        total_bytes: total,
        etag: response.headers.get('etag'),
        received_bytes: start,
      });
      if (total !== null) await this.o.checkFreeSpace(this.o.modelsDir(), total - start);
      file = await openPrivateForWrite(row.partial_file, restart || offset === 0 ? 'truncate' : 'append');
      const handle = file;
      const reader = response.body!.getReader();
      let received = start;
      const meter = new RateMeter();
      let lastEmit = 0;
      let lastSave = Date.now();
      let lastFlush = Date.now();
      // Chunks are written in ~1 MiB batches (one syscall per network chunk cost a third of loopback throughput), and at
      // least every half second so a killed process loses little.
      flush = async () => {
        if (pending.length === 0) return;
        const batch = pending;
        pending = [];
        pendingBytes = 0;
        try {
          await handle.writev(batch);
        } catch (error) {
          if (errorCode(error) === 'ENOSPC')
            throw new DownloadError(
              'disk_full',
              'The disk filled up during the download; free some space and resume',
              error,
            );
          throw error;
        }
      };
      for (;;) {
        let chunk: ReadableStreamReadResult<Uint8Array>;
        try {
          chunk = await reader.read();
        } catch (error) {
          throw this.transportError(error, signal, stall.signal, row.url);
        }
        if (chunk.done) break;
        armWatchdog();
        hash.update(chunk.value);
        pending.push(chunk.value);
        pendingBytes += chunk.value.length;
        if (pendingBytes >= WRITE_BATCH || Date.now() - lastFlush > 500) {
          lastFlush = Date.now();
          try {
            await flush();
          } catch (error) {
            await reader.cancel().catch(() => undefined);
            throw error;
          }
        }
        received += chunk.value.length;
        meter.add(chunk.value.length);
        const now = Date.now();
        if (now - lastSave > 1000) {
          this.o.repo.updateDownload(id, { received_bytes: received });
          lastSave = now;
        }
        if (now - lastEmit >= (this.o.progressIntervalMs ?? 250)) {
          lastEmit = now;
          this.o.emitProgress(id, received, total, meter.rate());
        }
      }
      await flush();
      await file.sync();
      this.o.repo.updateDownload(id, { received_bytes: received });
      this.o.emitProgress(id, received, total, meter.rate());
      if (total !== null && received < total)
        throw new DownloadError('server_gone', `The server closed the connection after ${received} of ${total} bytes`);
      return hash.digest('hex');
    } finally {
      clearTimeout(timer);
      // Keep every byte that arrived (paused, dropped or stalled transfers resume after it).
      await flush().catch(() => undefined);
      await file?.close();
      const size = existsSync(row.partial_file) ? (await stat(row.partial_file)).size : 0;
      if (this.o.repo.download(id)) this.o.repo.updateDownload(id, { received_bytes: size });
    }
  }

  private transportError(error: unknown, signal: AbortSignal, stall: AbortSignal, url: string): unknown {
    if (signal.aborted) return error;
    if (stall.aborted)
      return new DownloadError(
        'stalled',
        `The download stalled: no data from ${new URL(url).host} for ${(this.stallMs / 1000).toFixed(1)} s. Resume to continue from where it stopped.`,
        error,
      );
    return new DownloadError(
      'server_gone',
      `The connection to ${new URL(url).host} was lost (${errorCode(error) ?? (error as Error).message})`,
      error,
    );
  }

  private require(id: string): DownloadRecord {
    const row = this.o.repo.download(id);
    if (!row) throw new NotFoundError('Download', id);
    return row;
  }
}

/** A running SHA-256 over the first `length` bytes of `file`. */
async function hashPrefix(file: string, length: number): Promise<Hash> {
  const hash = createHash('sha256');
  const stream = createReadStream(file, { start: 0, end: length - 1, highWaterMark: 1024 * 1024 });
  for await (const chunk of stream) hash.update(chunk as Buffer);
  return hash;
}

function errorCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let i = 0; i < 4 && current && typeof current === 'object'; i++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

function httpFailure(status: number, url: string): DownloadError {
  if (status === 404) return new DownloadError('not_found', `The model file was not found (HTTP 404): ${url}`);
  if (status === 401 || status === 403)
    return new DownloadError(
      'gated',
      `The repository is gated or private (HTTP ${status}): accept its licence on Hugging Face or pick another model`,
    );
  return new DownloadError('http_error', `The server answered HTTP ${status} for ${url}`);
}

/** Bytes per second over the last few seconds. */
class RateMeter {
  private samples: { at: number; bytes: number }[] = [];
  add(bytes: number): void {
    const at = Date.now();
    this.samples.push({ at, bytes });
    while (this.samples.length > 2 && at - this.samples[0]!.at > 3000) this.samples.shift();
  }
  rate(): number {
    if (this.samples.length < 2) return 0;
    const span = (this.samples.at(-1)!.at - this.samples[0]!.at) / 1000;
    const bytes = this.samples.slice(1).reduce((sum, s) => sum + s.bytes, 0);
    return span > 0 ? bytes / span : 0;
  }
}
