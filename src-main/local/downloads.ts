// Model downloads a writer can trust: Range-resuming HTTP into a partial file under the models folder, progress
// events, pause / resume / cancel, resume after a restart (SQLite row + partial file), a stall watchdog, a free-space
// check first, SHA-256 verified (catalog, the writer's value, or Hugging Face's LFS oid) and the GGUF header checked
// before an atomic rename registers it. Our own HTTP client rather than createModelDownloader: that one only compares sizes,
// cannot be told to give up on a silent server (it hangs ~12 minutes), and a cancelled download() resolves with the
// path of a file that does not exist. The HTTP transfer itself is download-transfer.ts.
import { existsSync, statSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import type { CatalogEntry, DownloadInfo, DownloadInput } from '../../src-preload/contract';
import type { EventBus } from '../infra/event-bus';
import type { Logger } from '../infra/logger';
import { silentLogger } from '../infra/logger';
import {
  ConflictError,
  DownloadError,
  InvalidInputError,
  LocalModelError,
  NotFoundError,
  QuireError,
  isQuireError,
} from '../errors';
import type { DownloadRecord, LocalModelRecord, LocalModelsRepo } from '../store/repos/local-models-repo';
import { bytesText } from '../../src-preload/contract/bytes-text';
import { downloadUrl, ggufStem, normalizeModelUrl, urlFileName } from './catalog';
import { finishDownload, type EarlyCheck } from './download-finish';
import { checkGgufHeaderFile } from './gguf-check';
import { HttpTransfer, STALL_MS } from './download-transfer';
import { PARTIAL_DIR, type ModelLibrary } from './library';
import { defaultFreeSpace, FREE_SPACE_MARGIN } from './model-room';

export { defaultFreeSpace, FREE_SPACE_MARGIN };

export interface DownloadServiceOptions {
  repo: LocalModelsRepo;
  library: ModelLibrary;
  events: EventBus;
  /** Free bytes on the volume holding `dir`. */
  freeSpace?: (dir: string) => Promise<number>;
  /** No byte for this long → the transfer is aborted as stalled (and may be resumed). */
  stallMs?: number;
  /** Automatic resumes after a dropped connection that had made progress. */
  maxAutoResumes?: number;
  progressIntervalMs?: number;
  logger?: Logger;
}

/** File-system errors that mean the models folder is gone, read-only or closed to Quire. */
const FOLDER_ERRORS: ReadonlySet<string> = new Set(['EACCES', 'EPERM', 'EROFS', 'ENOENT', 'ENOTDIR', 'EISDIR']);

interface Active {
  controller: AbortController;
  done: Promise<void>;
}

export class DownloadService {
  private readonly active = new Map<string, Active>();
  /**
   * Starts that have no row yet, by `id:` and `url:` key, with the name to tell: a start asks the server for the size
   * before it writes its row, and a second start of the same download meanwhile must hear that it is already
   * downloading (not fail on the row the first one writes), and two different ones must not pick the same id.
   */
  private readonly starting = new Map<string, string>();
  private readonly freeSpace: (dir: string) => Promise<number>;
  private readonly logger: Logger;
  private readonly http: HttpTransfer;

  constructor(private readonly options: DownloadServiceOptions) {
    this.freeSpace = options.freeSpace ?? defaultFreeSpace;
    this.logger = options.logger ?? silentLogger;
    this.http = new HttpTransfer({
      repo: options.repo,
      stallMs: options.stallMs ?? STALL_MS,
      progressIntervalMs: options.progressIntervalMs,
      modelsDir: () => options.library.modelsDir(),
      checkFreeSpace: (dir, needed) => this.checkFreeSpace(dir, needed),
      emitProgress: (id, received, total, rate) => this.emitProgress(id, received, total, rate),
    });
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

  /** The installed model with this catalog entry's very file, when its SHA-256 is known. */
  sameFileAs(entry: CatalogEntry): LocalModelRecord | undefined {
    // A checksum the catalog does not list may have been learned here (Hugging Face's on a start, the bytes' own when a
    // download found an installed model with them), and kept: a reload or a restart still shows why the download
    // went, and a second click fetches nothing.
    const sha256 = entry.sha256 ?? this.options.repo.catalogChecksum(entry.id);
    return sha256 ? this.options.library.sameFile(sha256) : undefined;
  }

  /** Checks and starts a download; returns once the transfer has begun (failures later arrive as download:failed). */
  async start(input: DownloadInput): Promise<DownloadInfo> {
    const claimed: string[] = [];
    const claim = (key: string, name: string) => {
      const first = this.starting.get(key);
      if (first !== undefined) throw new ConflictError(`${first} is already downloading; it is in the downloads list`);
      this.starting.set(key, name);
      claimed.push(key);
    };
    try {
      return await this.begin(input, claim);
    } finally {
      for (const key of claimed) this.starting.delete(key);
    }
  }

  private async begin(input: DownloadInput, claim: (key: string, name: string) => void): Promise<DownloadInfo> {
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
      claim(`id:${id}`, name);
      claim(`url:${url}`, name);
      if (entry.sha256) {
        expected = entry.sha256;
        source = 'catalog';
      }
      const record = library.get(id);
      if (record) await this.forgetRemoved(record, entry.display_name);
      refuseSame(this.sameFileAs(entry));
      const row = this.options.repo.download(id);
      if (row) return this.again(row, null);
    } else {
      url = normalizeModelUrl(input.url);
      const file = urlFileName(url);
      if (!file.toLowerCase().endsWith('.gguf'))
        throw new InvalidInputError('The URL must point to a .gguf file', 'url');
      name = input.name ?? ggufStem(file);
      claim(`url:${url}`, name);
      const existing = this.options.repo.downloads().find((row) => row.url === url);
      // A failed download asked for again starts afresh with this request's name and checksum (the writer may have
      // corrected a wrong SHA-256); anything else is the same download.
      if (existing && existing.status === 'failed') await this.cancel(existing.id);
      else if (existing) return this.again(existing, input.sha256 ?? null);
      id = library.freeId(name, (candidate) => this.starting.has(`id:${candidate}`));
      claim(`id:${id}`, name);
      if (input.sha256) {
        expected = input.sha256;
        source = 'user';
      }
    }

    const head = await this.http.preflight(url).catch((error: unknown) => {
      // The writer reads what happened and the step; the log keeps the system's words.
      const cause = (error as { cause?: unknown }).cause;
      if (cause instanceof Error) this.logger.warn(`Download of ${url} could not start: ${cause.message}`);
      throw catalogId ? inCatalogWords(error, name) : error;
    });
    if (!expected && head.lfsSha256) {
      expected = head.lfsSha256;
      source = 'hf_lfs_oid';
      if (catalogId) this.options.repo.setCatalogChecksum(catalogId, expected);
    }
    // The same bytes installed already: said now, rather than after the whole file is fetched.
    if (expected) refuseSame(library.sameFile(expected));
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

  /**
   * A catalog model asked for again while it has a record: refused while its file is there, else the record is
   * forgotten (the file was removed outside Quire, in the Finder), so the download can bring it back rather than be
   * refused as "already installed" for good. Unless its whole folder is gone while still the models folder: a disk
   * not connected, whose file would be found again once it is.
   */
  private async forgetRemoved(record: LocalModelRecord, name: string): Promise<void> {
    if (existsSync(record.file)) throw new QuireError('conflict', `${name} is already installed`);
    const folder = dirname(record.file);
    if (!existsSync(folder) && resolve(folder) === resolve(this.options.library.modelsDirSetting()))
      throw new ConflictError(
        `${name} is in ${folder}, which is not there now. Connect the disk it is on, or choose another models folder ` +
          'in Settings → Local models, then download it again.',
        true,
      );
    await this.options.library.delete(record.id);
  }

  /** The same file asked for again: a running download says so; a paused or failed one resumes. */
  private async again(row: DownloadRecord, sha256: string | null): Promise<DownloadInfo> {
    if (this.active.has(row.id) && (row.status === 'downloading' || row.status === 'verifying')) {
      const done = row.total_bytes ? ` (${Math.floor((row.received_bytes / row.total_bytes) * 100)} % done)` : '';
      throw new ConflictError(`${row.name} is already downloading${done}; it is in the downloads list`);
    }
    if (sha256 && sha256 !== row.expected_sha256)
      this.options.repo.updateDownload(row.id, { expected_sha256: sha256, sha256_source: 'user' });
    return this.resume(row.id);
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

  /**
   * Stops every transfer, and every finish step too (a pause during one is otherwise left to end): each is kept as
   * paused, resumable after restart. A finish step stopped before its record leaves the whole partial file and nothing
   * in the models folder, so the resume checks it again without fetching a byte.
   */
  async close(): Promise<void> {
    const running = [...this.active.values()];
    for (const { controller } of running) controller.abort('paused');
    await Promise.all(running.map(({ done }) => done));
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

  private async checkFreeSpace(dir: string, needed: number): Promise<void> {
    const free = await this.freeSpace(dir);
    if (free < needed + FREE_SPACE_MARGIN)
      throw new DownloadError(
        'disk_full',
        `Not enough free disk space in ${dir}: the model needs ${bytesText(needed)} and Quire keeps ${bytesText(FREE_SPACE_MARGIN)} free beside it, but only ${bytesText(free)} is free. Free up at least ${bytesText(needed + FREE_SPACE_MARGIN - free)} on that disk, or choose another models folder in Settings, then download it again.`,
        { advised: true },
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
      let transferred: { sha256: string; bytes: number };
      let early: EarlyCheck | undefined;
      for (;;) {
        const before = this.require(id).received_bytes;
        const attempt = { responded: false };
        // The GGUF check starts as soon as the header is on disk (this attempt's: a restart rewrites it).
        early = undefined;
        try {
          transferred = await this.http.transfer(id, signal, attempt, (size) => {
            const row = this.require(id);
            const check = checkGgufHeaderFile(row.partial_file, row.name, size);
            check.catch(() => undefined); // checked again at the end
            early = { size, check };
          });
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
      await finishDownload(
        { ...this.options, require: (row) => this.require(row) },
        id,
        transferred,
        early,
        signal,
      ).catch((error: unknown) => {
        const catalogId = this.options.repo.download(id)?.catalog_id;
        if (error instanceof DownloadError && error.reason === 'already_installed' && catalogId)
          this.options.repo.setCatalogChecksum(catalogId, transferred.sha256);
        throw error;
      });
    } catch (error) {
      if (signal.aborted && (signal.reason === 'paused' || signal.reason === 'cancelled')) {
        if (signal.reason === 'paused') this.options.repo.updateDownload(id, { status: 'paused' });
        return;
      }
      // Bytes that are not the file announced (more than its declared size) have nothing to resume.
      const partial = this.options.repo.download(id)?.partial_file;
      if (partial && error instanceof DownloadError && error.reason === 'invalid_file')
        await rm(partial, { force: true }).catch(() => undefined);
      this.fail(id, error);
    }
  }

  private fail(id: string, error: unknown): void {
    const row = this.options.repo.download(id);
    if (!row) return;
    const failed = error instanceof DownloadError ? error : asDownloadError(error, dirname(row.final_file));
    const failure = row.catalog_id ? inCatalogWords(failed, row.name) : failed;
    // A file already installed leaves nothing to resume or retry: the download goes from the list, with its reason said.
    // A record that cannot be written (the disk full under the library too) is logged; the writer is still told, and
    // nothing is thrown at the process (at the next start the download shows as interrupted, resumable).
    try {
      if (failure.reason === 'already_installed') this.options.repo.deleteDownload(id);
      else
        this.options.repo.updateDownload(id, {
          status: 'failed',
          error_reason: failure.reason,
          error_message: failure.message,
        });
    } catch (error) {
      this.logger.warn(`Download ${id}: its failure could not be recorded (${(error as Error).message})`);
    }
    // The writer is told what happened; the log keeps what caused it (a failed record's database error, the system's
    // own words for a folder it could not write to).
    const cause =
      failure.cause instanceof Error && failure.cause.message !== failure.message ? ` (${failure.cause.message})` : '';
    this.logger.warn(`Download ${id} failed: ${failure.message}${cause}`);
    this.options.events.emit('download:failed', {
      id,
      name: row.name,
      reason: failure.reason,
      message: failure.message,
      retryable: failure.retryable,
    });
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
}

/**
 * A failure that is not the transfer's own, in the writer's words: another of Quire's errors keeps its words (and its
 * step); a file-system error says which folder and what to do; anything else, that the download stopped. The
 * system's own words go with it as its cause, for the log.
 */
function asDownloadError(error: unknown, modelsDir: string): DownloadError {
  if (isQuireError(error))
    return new DownloadError(
      error instanceof LocalModelError && error.reason === 'invalid_file' ? 'invalid_file' : 'http_error',
      error.message,
      { cause: error, advised: error.advised },
    );
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOSPC')
    return new DownloadError(
      'disk_full',
      'The disk filled up during the download. Free some space on it, then resume.',
      {
        cause: error,
        advised: true,
      },
    );
  if (code !== undefined && FOLDER_ERRORS.has(code))
    return new DownloadError(
      'http_error',
      `Quire could not save the download in your models folder (${modelsDir}). Check that ` +
        'the folder is still there and that Quire may write to it, or choose another models folder in Settings → ' +
        'Local models, then resume.',
      { cause: error, advised: true },
    );
  return new DownloadError(
    'http_error',
    'The download stopped because of an unexpected problem on this Mac. Resume to try again; if it keeps happening, restart Quire.',
    { cause: error, advised: true },
  );
}

/**
 * A catalog model's file gone from its server, said as what it is: the address is Quire's catalog's, so "check the
 * URL" would send the writer nowhere.
 */
function inCatalogWords<E>(error: E, name: string): E | DownloadError {
  if (!(error instanceof DownloadError) || error.reason !== 'not_found') return error;
  return new DownloadError(
    'not_found',
    `${name} is no longer where Quire's catalog says it is (the server answered that the file is not there). ` +
      'Choose another model from the catalog; a newer Quire may list this one where it is now.',
    { cause: error, advised: true },
  );
}

function refuseSame(same: LocalModelRecord | undefined): void {
  if (same) throw new ConflictError(`${same.name} is already installed (same file).`, true);
}

function statSizeSync(file: string): number {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
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
