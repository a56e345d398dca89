// The HTTP side of a model download: a HEAD preflight (size, Hugging Face's LFS sha256 on the redirect) and one
// Range-resuming transfer into the partial file, batched writes, a stall watchdog and progress, and the file's SHA-256
// computed while the bytes arrive (after re-reading the bytes a resumed transfer starts from). DownloadService decides
// when to run, resume, verify and register.
//
// The requests themselves are download-http.ts: the body arrives in batches of up to BATCH_BYTES, each hashed and
// written once, with no promise or object per network chunk.
import { createHash, type Hash } from 'node:crypto';
import { createReadStream, existsSync } from 'node:fs';
import { stat, type FileHandle } from 'node:fs/promises';
import { DownloadError, NotFoundError, isQuireError } from '../errors';
import type { DownloadRecord, LocalModelsRepo } from '../store/repos/local-models-repo';
import { BATCH_BYTES, openRequest, type RawRequest, type ResponseHead } from './download-http';
import { openPrivateForWrite } from './model-files';
import { bytesText } from '../../src-preload/contract/bytes-text';

export interface TransferOptions {
  repo: LocalModelsRepo;
  stallMs: number;
  progressIntervalMs?: number | undefined;
  modelsDir: () => string;
  checkFreeSpace: (dir: string, needed: number) => Promise<void>;
  emitProgress: (id: string, received: number, total: number | null, rate: number) => void;
}

/** Socket errors of a connection that never opened (the server refused it, or its name or route is unknown). */
const NEVER_CONNECTED: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETDOWN',
]);

/** Bytes handed to writes not yet finished before the socket is paused (a disk slower than the network). */
const MAX_QUEUED = 4 * BATCH_BYTES;
/** Bytes on disk before `headerWritten`: more than a GGUF header with a large vocabulary takes. */
const EARLY_HEADER_BYTES = 16 * 1024 * 1024;

/** How long a download, or the will-it-fit check's reads, may go without data before it is given up as stalled. */
export const STALL_MS = 30_000;

export class HttpTransfer {
  private readonly stallMs: number;

  constructor(private readonly o: TransferOptions) {
    this.stallMs = o.stallMs;
  }

  async preflight(url: string): Promise<{ total: number | null; lfsSha256: string | null }> {
    // A server that takes the connection but never answers is given up on like a stalled transfer.
    const timeout = AbortSignal.timeout(this.stallMs);
    try {
      // Redirects one at a time: Hugging Face puts the file's LFS sha256 in X-Linked-Etag on the redirect itself.
      let lfs: string | null = null;
      let linkedSize: number | null = null;
      const { request, head } = await openRequest(url, 'HEAD', {}, timeout, (hop) => {
        const linked = hop.headers.get('x-linked-etag')?.replace(/"/g, '') ?? null;
        if (linked && /^[0-9a-f]{64}$/i.test(linked)) lfs = linked.toLowerCase();
        const size = hop.headers.get('x-linked-size');
        if (size) linkedSize = Number(size);
      });
      request.destroy();
      const status = head.status;
      // Some servers refuse HEAD; the GET will tell us the size then.
      if (status === 405 || status === 501) return { total: linkedSize, lfsSha256: lfs };
      if (status < 200 || status >= 300) throw httpFailure(status, url);
      const length = head.headers.get('content-length');
      return { total: linkedSize ?? (length ? Number(length) : null), lfsSha256: lfs };
    } catch (error) {
      if (isQuireError(error)) throw error;
      // The socket's own words ("connect ECONNREFUSED …") stay with the error as its cause, for the log.
      const host = new URL(url).host;
      throw new DownloadError(
        'server_gone',
        timeout.aborted
          ? `${host} gave no answer within ${(this.stallMs / 1000).toFixed(1)} s. Check your internet connection, then try again.`
          : `Quire can't reach ${host}. Check your internet connection, then try again.`,
        { cause: error, advised: true },
      );
    }
  }

  /**
   * Transfers the rest of the file; resolves with the SHA-256 (hex) of the whole partial file as written and its size.
   * The row's byte count is left to the caller on success (one commit with the next status), kept here otherwise.
   */
  async transfer(
    id: string,
    signal: AbortSignal,
    attempt: { responded: boolean },
    headerWritten?: (size: number) => void,
  ): Promise<{ sha256: string; bytes: number }> {
    const row = this.require(id);
    let offset = existsSync(row.partial_file) ? (await stat(row.partial_file)).size : 0;
    // With nothing to tell whether the server still has the file these bytes came from, and no checksum to catch a
    // file made of two versions, the partial file is not resumed: it is downloaded again from its first byte.
    if (offset > 0 && !row.etag && !row.expected_sha256) offset = 0;
    // The bytes already here are hashed first (before the watchdog runs: a large partial file takes a while to read),
    // then every byte that arrives, in order, so the digest covers the whole file without reading it again.
    let hash = offset > 0 ? await hashPrefix(row.partial_file, offset) : createHash('sha256');
    const stall = new AbortController();
    // One timer, re-armed in place on every read (refresh), fires only after stallMs without a byte.
    const timer = setTimeout(() => stall.abort('stalled'), this.stallMs);
    const combined = AbortSignal.any([signal, stall.signal]);
    let file: FileHandle | undefined;
    let get: RawRequest | undefined;
    let writes: Promise<void> = Promise.resolve();
    let syncing: Promise<void> | undefined;
    let transferred = false;
    try {
      let head: ResponseHead;
      for (;;) {
        try {
          ({ request: get, head } = await openRequest(
            row.url,
            'GET',
            // If-Range: the rest of the file if it is still the version stored, the whole of the new one otherwise.
            offset > 0 ? { Range: `bytes=${offset}-`, ...(row.etag ? { 'If-Range': row.etag } : {}) } : {},
            combined,
          ));
        } catch (error) {
          throw this.transportError(error, signal, stall.signal, row.url);
        }
        attempt.responded = true;
        if (offset === 0) break;
        const answer = resumeAnswer(head, offset, row);
        if (answer === 'read') break;
        if (answer === 'complete') {
          this.o.repo.updateDownload(id, { total_bytes: offset });
          transferred = true;
          return { sha256: hash.digest('hex'), bytes: offset }; // everything is already here
        }
        // The partial file cannot be trusted to be the start of this file: it is replaced by the whole file, asked
        // for once more without Range (a single retry: offset 0 leaves the loop on the next answer).
        get.destroy();
        offset = 0;
        hash = createHash('sha256');
      }
      const body = get;
      if (head.status < 200 || head.status >= 300) throw httpFailure(head.status, row.url);
      // A 200 to a Range request is the whole file, from its first byte.
      const restart = offset > 0 && head.status !== 206;
      const start = restart ? 0 : offset;
      if (restart) hash = createHash('sha256');
      const length = Number(head.headers.get('content-length') ?? NaN);
      const total = Number.isFinite(length) ? start + length : row.total_bytes;
      this.o.repo.updateDownload(id, { total_bytes: total, etag: validator(head), received_bytes: start });
      if (total !== null) await this.o.checkFreeSpace(this.o.modelsDir(), total - start);
      file = await openPrivateForWrite(row.partial_file, restart || offset === 0 ? 'truncate' : 'append');
      const handle = file;
      let received = start;
      let queued = 0;
      let written = start;
      // Once the first 16 MiB (any GGUF header) are on disk, the caller may check the header while the rest arrives.
      let early = headerWritten && total !== null ? Math.min(total, EARLY_HEADER_BYTES) : Infinity;
      let stepFailure: unknown;
      /** Past the size the server declared: it is not sending the file it announced (or it would never stop). */
      let overflow: DownloadError | undefined;
      const meter = new RateMeter(start);
      const progressEvery = this.o.progressIntervalMs ?? 250;
      let lastEmit = 0;
      let lastSave = Date.now();
      const stop = () => body.destroy(new Error(String(combined.reason ?? 'aborted')));
      combined.addEventListener('abort', stop);
      try {
        if (combined.aborted) stop();
        await body.body({
          // Per read: the watchdog, the count, progress now and then.
          read: (bytes) => {
            timer.refresh();
            received += bytes;
            if (total !== null && received > total && !overflow) {
              overflow = new DownloadError(
                'invalid_file',
                `${new URL(row.url).host} sent more than the ${bytesText(total)} it said the file is, so Quire stopped the download: it is not the file it announced. Nothing was kept; check the address, or get the model from another source.`,
                { advised: true },
              );
              body.destroy(overflow);
              return;
            }
            const now = Date.now();
            if (now - lastSave > 1000) {
              this.o.repo.updateDownload(id, { received_bytes: received });
              lastSave = now;
            }
            if (now - lastEmit >= progressEvery) {
              lastEmit = now;
              this.o.emitProgress(id, received, total, meter.rate(received, now));
            }
          },
          // Per batch (up to BATCH_BYTES, at least every half second): hashed, then one write after the ones before it.
          batch: (bytes) => {
            hash.update(bytes);
            queued += bytes.length;
            // Whatever fails in a batch's step (the write, the header callback) ends the transfer at once with that
            // failure: a chain left rejected would write and release nothing more, and the paused socket would end
            // as a stall.
            writes = writes.then(async () => {
              if (stepFailure) return;
              try {
                await writeAll(handle, bytes);
                queued -= bytes.length;
                written += bytes.length;
                if (written >= early) {
                  early = Infinity;
                  headerWritten!(total!);
                }
              } catch (error) {
                stepFailure = error;
                body.destroy(error as Error);
                return;
              }
              body.release(bytes);
              if (queued < MAX_QUEUED) body.resume();
              // Write-behind: one fdatasync kept in flight while the next bytes arrive and are written, so the fsync
              // before the file is offered has little left to do (measured: end to end 0.48 → 0.64 of curl right
              // after curl's own 53 MB were written, 0.54 when syncing every 4 MiB). A failure here is the write's:
              // a later fsync on another descriptor would not report it again.
              if (!syncing) {
                syncing = handle
                  .datasync()
                  .catch((error: unknown) => {
                    stepFailure ??= error;
                    body.destroy(error as Error);
                  })
                  .finally(() => (syncing = undefined));
              }
            });
            if (queued >= MAX_QUEUED) body.pause(); // a disk slower than the network
          },
        });
      } catch (error) {
        await writes;
        await syncing;
        if (stepFailure) throw diskError(stepFailure);
        if (overflow) throw overflow;
        throw this.transportError(error, signal, stall.signal, row.url);
      } finally {
        combined.removeEventListener('abort', stop);
      }
      await writes;
      await syncing;
      if (stepFailure) throw diskError(stepFailure);
      this.o.emitProgress(id, received, total, meter.rate(received, Date.now()));
      if (total !== null && received < total)
        throw new DownloadError(
          'server_gone',
          `${new URL(row.url).host} closed the connection after ${bytesText(received)} of ${bytesText(total)}. Resume to continue from where it stopped.`,
          { advised: true },
        );
      transferred = true;
      return { sha256: hash.digest('hex'), bytes: received };
    } finally {
      clearTimeout(timer);
      get?.destroy();
      // Keep every byte that arrived (paused, dropped or stalled transfers resume after it).
      await writes;
      await syncing;
      await file?.close();
      const size = existsSync(row.partial_file) ? (await stat(row.partial_file)).size : 0;
      if (!transferred && this.o.repo.download(id)) this.o.repo.updateDownload(id, { received_bytes: size });
    }
  }

  private transportError(error: unknown, signal: AbortSignal, stall: AbortSignal, url: string): unknown {
    if (signal.aborted || error instanceof DownloadError) return error;
    if (stall.aborted)
      return new DownloadError(
        'stalled',
        `The download stalled: no data from ${new URL(url).host} for ${(this.stallMs / 1000).toFixed(1)} s. Resume to continue from where it stopped.`,
        { cause: error, advised: true },
      );
    // Refused, unknown host or no route: never connected; anything else broke a connection that was open. The
    // system's words (ECONNRESET, "socket hang up") stay with the error as its cause, for the log.
    const host = new URL(url).host;
    const code = errorCode(error);
    const never = code !== undefined && NEVER_CONNECTED.has(code);
    return new DownloadError(
      'server_gone',
      never
        ? `Quire can't reach ${host}. Check your internet connection, then resume.`
        : `The connection to ${host} was lost. Check your internet connection, then resume.`,
      { cause: error, advised: true },
    );
  }

  private require(id: string): DownloadRecord {
    const row = this.o.repo.download(id);
    if (!row) throw new NotFoundError('Download', id);
    return row;
  }
}

/**
 * What identifies the version of the file a response carries, sent back in If-Range and stored in the row's `etag`: a
 * strong ETag, else Last-Modified (If-Range takes either as it came; a weak ETag may not be used in it).
 */
function validator(head: ResponseHead): string | null {
  const etag = head.headers.get('etag');
  if (etag && !etag.startsWith('W/')) return etag;
  return head.headers.get('last-modified') ?? null;
}

/**
 * What the answer to a Range request from `offset` (the partial file's size) means for the partial file:
 * - `read` a 206 that is provably the rest of the same file (the stored validator, Content-Range from our offset with
 *   the stored size; a proxy or CDN may ignore If-Range and send the rest of another version, which joined to the old
 *   bytes makes a file that is neither), and any answer other than 206 or 416 (a 200 is the whole file from its first
 *   byte; an error status is reported);
 * - `complete` a 416 whose size is exactly what is on disk: everything is here (a Content-Length that promised more
 *   than the file holds ends so); the caller's checksum and GGUF checks still verify it;
 * - `refetch` any other 206 or 416: the partial file is not the start of this file, which is asked for whole again.
 */
function resumeAnswer(head: ResponseHead, offset: number, row: DownloadRecord): 'read' | 'complete' | 'refetch' {
  if (head.status === 416) {
    const size = /^bytes \*\/(\d+)$/.exec(head.headers.get('content-range') ?? '');
    return size && Number(size[1]) === offset ? 'complete' : 'refetch';
  }
  if (head.status !== 206) return 'read';
  const range = /^bytes (\d+)-\d+\/(\d+|\*)$/.exec(head.headers.get('content-range') ?? '');
  const sameFile = validator(head) === row.etag;
  const fromOffset = !!range && Number(range[1]) === offset;
  const sameSize = row.total_bytes === null || range?.[2] === String(row.total_bytes);
  return sameFile && fromOffset && sameSize ? 'read' : 'refetch';
}

/** A running SHA-256 over the first `length` bytes of `file`. */
async function hashPrefix(file: string, length: number): Promise<Hash> {
  const hash = createHash('sha256');
  const stream = createReadStream(file, { start: 0, end: length - 1, highWaterMark: 1024 * 1024 });
  for await (const chunk of stream) hash.update(chunk as Buffer);
  return hash;
}

async function writeAll(handle: FileHandle, bytes: Buffer): Promise<void> {
  for (let done = 0; done < bytes.length;) done += (await handle.write(bytes, done, bytes.length - done)).bytesWritten;
}

function diskError(error: unknown): unknown {
  if (errorCode(error) === 'ENOSPC')
    return new DownloadError(
      'disk_full',
      'The disk filled up during the download. Free some space on it, then resume.',
      { cause: error, advised: true },
    );
  return error;
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

function isHuggingFace(url: string): boolean {
  const host = new URL(url).hostname;
  return host === 'huggingface.co' || host.endsWith('.huggingface.co') || host === 'hf.co';
}

/** A server's refusal of a model file, by its HTTP status, in the writer's words (also the fit check's). */
export function httpFailure(status: number, url: string): DownloadError {
  if (status === 404) return new DownloadError('not_found', `The model file was not found (HTTP 404): ${url}`);
  if ((status === 401 || status === 403) && isHuggingFace(url))
    return new DownloadError(
      'gated',
      `The repository is gated or private (HTTP ${status}): accept its licence on Hugging Face, or pick another model.`,
      { advised: true },
    );
  if (status === 401 || status === 403)
    return new DownloadError(
      'gated',
      `The server refused the file (HTTP ${status}): it may need a sign-in or permission Quire does not have. Check the URL, or download the file yourself and add it from disk.`,
      { advised: true },
    );
  const host = new URL(url).host;
  if (status >= 500)
    return new DownloadError(
      'http_error',
      `${host} had a problem on its side and could not send the file (HTTP ${status}). Try again in a few minutes.`,
      { advised: true },
    );
  return new DownloadError(
    'http_error',
    `${host} did not send the file (HTTP ${status}). Check the URL, or try again later.`,
    { advised: true },
  );
}

/** Bytes per second over the last few seconds, from the byte count at each reading (kept at most every 250 ms). */
class RateMeter {
  private samples: { at: number; bytes: number }[];
  constructor(start: number) {
    this.samples = [{ at: Date.now(), bytes: start }];
  }
  rate(received: number, at: number): number {
    const last = this.samples.at(-1)!;
    if (at - last.at >= 250) this.samples.push({ at, bytes: received });
    while (this.samples.length > 2 && at - this.samples[0]!.at > 3000) this.samples.shift();
    const first = this.samples[0]!;
    const span = (at - first.at) / 1000;
    return span >= 0.1 ? (received - first.bytes) / span : 0; // a shorter span says little
  }
}
