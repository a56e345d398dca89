// Model downloads a writer can trust: Range-resuming HTTP into a partial file under the models folder, progress
// events, pause / resume / cancel, resume after a restart (SQLite row + partial file), a stall watchdog, a free-space
// check first, SHA-256 verified (catalog, the writer's value, or Hugging Face's LFS oid) and the GGUF header checked
// before an atomic rename registers it. Our own fetch rather than createModelDownloader: that one only compares sizes,
// cannot be told to give up on a silent server (it hangs ~12 minutes), and a cancelled download() resolves with the
// path of a file that does not exist.
import { createHash, type Hash } from 'node:crypto';
import { createReadStream, existsSync, statSync } from 'node:fs';
import { open, rename, rm, stat, statfs, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import type { DownloadInfo, DownloadInput } from '../../src-preload/contract';
import type { EventBus } from '../app/event-bus';
import type { Logger } from '../app/logger';
import { silentLogger } from '../app/logger';
import { DownloadError, InvalidInputError, NotFoundError, QuireError, isQuireError } from '../errors';
import type { DownloadRecord, LocalModelsRepo } from '../store/repos/local-models-repo';
import { downloadUrl, normalizeModelUrl } from './catalog';
import { checkGgufFile } from './gguf-check';
import { PARTIAL_DIR, type ModelLibrary } from './library';

export interface DownloadServiceOptions {
  repo: LocalModelsRepo;
  library: ModelLibrary;
  events: EventBus;
  fetch?: typeof fetch;
  /** Free bytes on the volume holding `dir`. */
  freeSpace?: (dir: string) => Promise<number>;
  /** No byte for this long → the transfer is aborted as stalled (and may be resumed). */
  stallMs?: number;
  /** Automatic resumes after a dropped connection that had made progress. */
  maxAutoResumes?: number;
  progressIntervalMs?: number;
  logger?: Logger;
}

const WRITE_BATCH = 1024 * 1024;

/** Room to leave on the disk beyond the file itself. */
const FREE_SPACE_MARGIN = 256 * 1024 * 1024;

interface Active {
  controller: AbortController;
  done: Promise<void>;
}

async function defaultFreeSpace(dir: string): Promise<number> {
  const s = await statfs(dir);
  return Number(s.bavail) * Number(s.bsize);
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

export class DownloadService {
  private readonly active = new Map<string, Active>();
  private readonly fetch: typeof fetch;
  private readonly freeSpace: (dir: string) => Promise<number>;
  private readonly stallMs: number;
  private readonly logger: Logger;

  constructor(private readonly options: DownloadServiceOptions) {
    this.fetch = options.fetch ?? fetch;
    this.freeSpace = options.freeSpace ?? defaultFreeSpace;
    this.stallMs = options.stallMs ?? 30_000;
    this.logger = options.logger ?? silentLogger;
  }

  /** After a restart: transfers that were running when the process died are paused with their true byte count. */
  recoverInterrupted(): void {
    for (const row of this.options.repo.downloads()) {
      const size = existsSync(row.partial_file) ? statSizeSync(row.partial_file) : 0;
      if (row.status === 'downloading' || row.status === 'verifying')
        this.options.repo.updateDownload(row.id, { status: 'paused', received_bytes: size });
      else if (row.received_bytes !== size) this.options.repo.updateDownload(row.id, { received_bytes: size });
    }
  }

  list(): DownloadInfo[] {
    return this.options.repo.downloads().map(toInfo);
  }

  get(id: string): DownloadInfo | undefined {
    const row = this.options.repo.download(id);
    return row ? toInfo(row) : undefined;
  }

  /** Checks and starts a download; returns once the transfer has begun (failures later arrive as download:failed). */
  async start(input: DownloadInput): Promise<DownloadInfo> {
    const library = this.options.library;
    let url: string;
    let name: string;
    let catalogId: string | null = null;
    let expected: string | null = null;
    let source: DownloadRecord['sha256_source'] = null;
    let id: string;
    if ('id' in input) {
      const entry = library.catalogEntry(input.id);
      if (!entry) throw new NotFoundError('Catalog model', input.id);
      url = downloadUrl(entry);
      name = entry.display_name;
      catalogId = entry.id;
      id = entry.id;
      if (entry.sha256) {
        expected = entry.sha256;
        source = 'catalog';
      }
      if (library.get(id)) throw new QuireError('conflict', `${entry.display_name} is already installed`);
    } else {
      url = normalizeModelUrl(input.url);
      const file = decodeURIComponent(new URL(url).pathname.split('/').pop() ?? '');
      if (!file.toLowerCase().endsWith('.gguf'))
        throw new InvalidInputError('The URL must point to a .gguf file', 'url');
      name = input.name ?? file.replace(/\.gguf$/i, '');
      const existing = this.options.repo.downloads().find((row) => row.url === url);
      if (existing) return this.resume(existing.id);
      id = library.freeId(name, (candidate) => !!this.options.repo.download(candidate));
      if (input.sha256) {
        expected = input.sha256;
        source = 'user';
      }
    }
    const row = this.options.repo.download(id);
    if (row) return this.resume(id);

    const head = await this.preflight(url);
    if (!expected && head.lfsSha256) {
      expected = head.lfsSha256;
      source = 'hf_lfs_oid';
    }
    const dir = library.modelsDir();
    if (head.total !== null) await this.checkFreeSpace(dir, head.total);
    this.options.repo.insertDownload({
      id,
      name,
      url,
      catalog_id: catalogId,
      partial_file: join(dir, PARTIAL_DIR, `${id}.gguf.part`),
      final_file: join(dir, `${id}.gguf`),
      expected_sha256: expected,
      sha256_source: source,
      total_bytes: head.total,
      received_bytes: 0,
      status: 'downloading',
    });
    this.launch(id);
    return this.get(id)!;
  }

  async pause(id: string): Promise<DownloadInfo> {
    const row = this.require(id);
    const active = this.active.get(id);
    if (row.status === 'verifying') return toInfo(row); // every byte is here; let the check finish
    if (active) {
      active.controller.abort('paused');
      await active.done;
    } else if (row.status === 'downloading') this.options.repo.updateDownload(id, { status: 'paused' });
    const info = this.get(id);
    if (!info) throw new QuireError('conflict', `${row.name} finished downloading before it could be paused`);
    return info;
  }

  async resume(id: string): Promise<DownloadInfo> {
    let row = this.require(id);
    const active = this.active.get(id);
    if (active) {
      if (row.status === 'downloading' || row.status === 'verifying') return toInfo(row);
      await active.done; // a transfer that just failed or paused is still unwinding
      row = this.require(id);
    }
    if (row.status === 'verifying' || this.active.has(id)) return toInfo(row);
    this.options.repo.updateDownload(id, { status: 'downloading', error_reason: null, error_message: null });
    this.launch(id);
    return this.get(id)!;
  }

  async cancel(id: string): Promise<void> {
    const row = this.require(id);
    const active = this.active.get(id);
    if (active) {
      active.controller.abort('cancelled');
      await active.done;
    }
    await rm(row.partial_file, { force: true });
    this.options.repo.deleteDownload(id);
  }

  /** Stops every transfer (kept as paused, resumable after restart). */
  async close(): Promise<void> {
    await Promise.all([...this.active.keys()].map((id) => this.pause(id).catch(() => undefined)));
  }

  /** Resolves when the transfer for `id` settles (tests, shutdown). */
  settled(id: string): Promise<void> {
    return this.active.get(id)?.done ?? Promise.resolve();
  }

  private require(id: string): DownloadRecord {
    const row = this.options.repo.download(id);
    if (!row) throw new NotFoundError('Download', id);
    return row;
  }

  private async preflight(url: string): Promise<{ total: number | null; lfsSha256: string | null }> {
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

  private async checkFreeSpace(dir: string, needed: number): Promise<void> {
    const free = await this.freeSpace(dir);
    if (free < needed + FREE_SPACE_MARGIN)
      throw new DownloadError(
        'disk_full',
        `Not enough free disk space: the model needs ${gb(needed)} GB and ${gb(free)} GB is free in ${dir}`,
      );
  }

  private launch(id: string): void {
    const controller = new AbortController();
    const done = this.run(id, controller.signal).finally(() => this.active.delete(id));
    this.active.set(id, { controller, done });
  }

  private async run(id: string, signal: AbortSignal): Promise<void> {
    try {
      let resumes = 0;
      for (;;) {
        const before = this.require(id).received_bytes;
        const attempt = { responded: false };
        try {
          await this.transfer(id, signal, attempt);
          break;
        } catch (error) {
          const row = this.require(id);
          // A connection that dropped mid-body is resumed automatically (bytes the stream had buffered may be lost,
          // so "no progress" does not mean the server is gone); a refused connection is reported at once.
          const dropped = attempt.responded || row.received_bytes > before;
          const retry =
            error instanceof DownloadError &&
            error.reason === 'server_gone' &&
            dropped &&
            resumes < (this.options.maxAutoResumes ?? 3) &&
            !signal.aborted;
          if (!retry) throw error;
          resumes++;
          this.logger.warn(`Download ${id}: connection dropped, resuming from byte ${row.received_bytes}`);
        }
      }
      await this.finish(id);
    } catch (error) {
      if (signal.aborted && (signal.reason === 'paused' || signal.reason === 'cancelled')) {
        if (signal.reason === 'paused') this.options.repo.updateDownload(id, { status: 'paused' });
        return;
      }
      this.fail(id, error);
    }
  }

  private fail(id: string, error: unknown): void {
    const row = this.options.repo.download(id);
    if (!row) return;
    const failure =
      error instanceof DownloadError
        ? error
        : new DownloadError('http_error', `Download failed: ${(error as Error).message ?? String(error)}`, error);
    this.options.repo.updateDownload(id, {
      status: 'failed',
      error_reason: failure.reason,
      error_message: failure.message,
    });
    this.logger.warn(`Download ${id} failed: ${failure.message}`);
    this.options.events.emit('download:failed', {
      id,
      name: row.name,
      reason: failure.reason,
      message: failure.message,
      retryable: failure.retryable,
    });
  }

  private async transfer(id: string, signal: AbortSignal, attempt: { responded: boolean }): Promise<void> {
    const row = this.require(id);
    const offset = existsSync(row.partial_file) ? (await stat(row.partial_file)).size : 0;
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
        return; // everything is already here
      }
      if (!response.ok) {
        await response.body?.cancel();
        throw httpFailure(response.status, row.url);
      }
      const restart = offset > 0 && response.status !== 206;
      const start = restart ? 0 : offset;
      const length = Number(response.headers.get('content-length') ?? NaN);
      const total = Number.isFinite(length) ? start + length : row.total_bytes;
      this.options.repo.updateDownload(id, {
        total_bytes: total,
        etag: response.headers.get('etag'),
        received_bytes: start,
      });
      if (total !== null) await this.checkFreeSpace(this.options.library.modelsDir(), total - start);
      file = await open(row.partial_file, restart || offset === 0 ? 'w' : 'a');
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
          this.options.repo.updateDownload(id, { received_bytes: received });
          lastSave = now;
        }
        if (now - lastEmit >= (this.options.progressIntervalMs ?? 250)) {
          lastEmit = now;
          this.emitProgress(id, received, total, meter.rate());
        }
      }
      await flush();
      await file.sync();
      this.options.repo.updateDownload(id, { received_bytes: received });
      this.emitProgress(id, received, total, meter.rate());
      if (total !== null && received < total)
        throw new DownloadError('server_gone', `The server closed the connection after ${received} of ${total} bytes`);
    } finally {
      clearTimeout(timer);
      // Keep every byte that arrived (paused, dropped or stalled transfers resume after it).
      await flush().catch(() => undefined);
      await file?.close();
      const size = existsSync(row.partial_file) ? (await stat(row.partial_file)).size : 0;
      if (this.options.repo.download(id)) this.options.repo.updateDownload(id, { received_bytes: size });
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

  private emitProgress(id: string, received: number, total: number | null, rate: number): void {
    this.options.events.emit('download:progress', {
      id,
      received,
      total,
      bytes_per_s: Math.round(rate),
      eta_s: total !== null && rate > 0 ? Math.ceil((total - received) / rate) : null,
    });
  }

  /** Hash, check the header, rename into place, register; a file that fails any step is deleted, never offered. */
  private async finish(id: string): Promise<void> {
    const row = this.require(id);
    this.options.repo.updateDownload(id, { status: 'verifying' });
    const sha256 = await hashFile(row.partial_file);
    if (row.expected_sha256 && sha256 !== row.expected_sha256) {
      await rm(row.partial_file, { force: true });
      this.options.repo.updateDownload(id, { received_bytes: 0 });
      throw new DownloadError(
        'checksum_mismatch',
        `The downloaded file is corrupt: its SHA-256 ${sha256.slice(0, 12)}… does not match the expected ${row.expected_sha256.slice(0, 12)}… (${row.sha256_source}). It was deleted; download it again.`,
      );
    }
    let summary;
    try {
      summary = await checkGgufFile(row.partial_file, row.name);
    } catch (error) {
      await rm(row.partial_file, { force: true });
      this.options.repo.updateDownload(id, { received_bytes: 0 });
      throw new DownloadError('invalid_file', (error as Error).message, error);
    }
    await rename(row.partial_file, row.final_file);
    const library = this.options.library;
    const record = library.record(id, row.name, row.final_file, (await stat(row.final_file)).size, {
      sha256,
      verified_against: row.sha256_source ?? 'none',
      source: row.catalog_id ? 'catalog' : 'url',
      catalog_id: row.catalog_id,
      url: row.url,
      summary,
    });
    this.options.repo.completeDownload(id, record);
    const model = library.register(record);
    this.options.events.emit('download:done', { id, name: row.name, model });
  }
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

export async function hashFile(file: string): Promise<string> {
  const hash: Hash = createHash('sha256');
  for await (const chunk of createReadStream(file, { highWaterMark: 1024 * 1024 })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

function statSizeSync(file: string): number {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
}

function gb(bytes: number): string {
  return (bytes / 1e9).toFixed(1);
}

function toInfo(row: DownloadRecord): DownloadInfo {
  return {
    id: row.id,
    name: row.name,
    url: row.url,
    catalog_id: row.catalog_id,
    status: row.status,
    received: row.received_bytes,
    total: row.total_bytes,
    error: row.error_reason ? { reason: row.error_reason, message: row.error_message ?? '' } : null,
  };
}
