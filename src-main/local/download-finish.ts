// The end of a download: the file is hashed against the expected SHA-256, its GGUF header checked (while the file is
// flushed to the disk), test-loaded, then placed in the models folder and recorded in the library; a file that fails
// a check is deleted, never offered. Until the record, the partial file stays whole: a quit, a cancel or a crash
// during the finish leaves a download to resume (without fetching a byte again) or to cancel, never a file in the
// models folder that no record points at.
import { rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { EventBus } from '../infra/event-bus';
import { DownloadError } from '../errors';
import type { DownloadRecord, LocalModelRecord, LocalModelsRepo } from '../store/repos/local-models-repo';
import { ggufStem, urlFileName } from './catalog';
import { checkGgufHeaderFile, type HeaderSummary } from './gguf-check';
import type { ModelLibrary } from './library';
import { installFile, openPrivateForWrite } from './model-files';

/** The GGUF check begun during the transfer, once the header was on disk, for a file of `size` bytes. */
export interface EarlyCheck {
  size: number;
  check: Promise<HeaderSummary>;
}

export interface FinishDeps {
  repo: LocalModelsRepo;
  library: ModelLibrary;
  events: EventBus;
  require: (id: string) => DownloadRecord;
}

/**
 * Check the hash, the header, test-load, place, record; a file that fails a check is deleted, never offered.
 * `transferred` is the digest the transfer computed as the bytes arrived and the file's size. Once `signal` aborts
 * (a pause when quitting, a cancel) it stops at the next step, the test load included, and the partial file is left
 * as it is.
 */
export async function finishDownload(
  deps: FinishDeps,
  id: string,
  transferred: { sha256: string; bytes: number },
  early: EarlyCheck | undefined,
  signal: AbortSignal,
): Promise<void> {
  const row = deps.require(id);
  deps.repo.updateDownload(id, { status: 'verifying', received_bytes: transferred.bytes });
  // On the disk (fsync) before it is renamed and recorded, so a crash never leaves a registered model half-written;
  // the checks below read it from the page cache meanwhile.
  const synced = syncFile(row.partial_file);
  const settled = synced.then(
    () => undefined,
    () => undefined,
  );
  const sha256 = transferred.sha256;
  if (row.expected_sha256 && sha256 !== row.expected_sha256) {
    await settled;
    await rm(row.partial_file, { force: true });
    deps.repo.updateDownload(id, { received_bytes: 0 });
    const got = sha256.slice(0, 12);
    const expected = row.expected_sha256.slice(0, 12);
    // The writer's own checksum may be the mistake (a typo, another file's); a catalog's or the server's is not theirs.
    throw new DownloadError(
      'checksum_mismatch',
      row.sha256_source === 'user'
        ? `The downloaded file does not match the SHA-256 checksum you entered (it is ${got}…, you entered ${expected}…). It was deleted: check the checksum, or the URL, then download it again.`
        : `The downloaded file is corrupt: it is not the file ${row.sha256_source === 'catalog' ? "Quire's catalog" : 'Hugging Face'} lists (its checksum differs), so Quire deleted it. Download it again; if it fails the same way, the file on the server may have changed.`,
      { advised: true },
    );
  }
  let summary;
  try {
    // The check begun while the file arrived counts if it passed for the size the file has; otherwise it runs now.
    const begun = early && early.size === transferred.bytes ? await early.check.catch(() => null) : null;
    summary = begun ?? (await checkGgufHeaderFile(row.partial_file, row.name));
  } catch (error) {
    await settled;
    await rm(row.partial_file, { force: true });
    deps.repo.updateDownload(id, { received_bytes: 0 });
    throw new DownloadError('invalid_file', (error as Error).message, { cause: error });
  }
  await synced;
  const library = deps.library;
  const outcome = await library.installOnce(
    sha256,
    async () => {
      // On the partial file: a large model's test load takes minutes, and a quit or a cancel meanwhile ends it and
      // finds nothing placed yet.
      await library.probeFile(row.partial_file, sha256, row.sha256_source === 'catalog', signal);
      return install(deps, row, sha256, transferred.bytes, summary, signal);
    },
    signal,
  );
  if ('same' in outcome) {
    await rm(row.partial_file, { force: true });
    throw new DownloadError('already_installed', `${outcome.same.name} is already installed (same file).`);
  }
  const record = outcome.installed;
  const model = library.register(record);
  deps.events.emit('download:done', { id, name: record.name, model });
}

/** Places the checked partial file under a free name and records it, with the download closed in the same commit. */
async function install(
  deps: FinishDeps,
  row: DownloadRecord,
  sha256: string,
  size: number,
  summary: HeaderSummary,
  signal: AbortSignal,
): Promise<LocalModelRecord> {
  const library = deps.library;
  // The download's id, unless a model has it already (an earlier Quire let an import take a download's id): the next
  // free one then, rather than a record that cannot be written.
  const modelId = library.get(row.id) ? library.freeId(row.id) : row.id;
  let record!: LocalModelRecord;
  // Never over a file that appeared under the planned name meanwhile: the next free name instead.
  await installFile(row.partial_file, dirname(row.final_file), modelId, (final) => {
    // The last moment a cancel or a quit undoes it: once recorded, the model is installed.
    signal.throwIfAborted();
    // A catalog model's name is the catalog's; a file from a URL must not share its name with another model.
    const name = row.catalog_id ? row.name : library.distinctName(row.name, ggufStem(urlFileName(row.url)));
    record = library.record(modelId, name, final, size, {
      sha256,
      verified_against: row.sha256_source ?? 'none',
      source: row.catalog_id ? 'catalog' : 'url',
      catalog_id: row.catalog_id,
      url: row.url,
      summary,
    });
    try {
      deps.repo.completeDownload(row.id, record);
    } catch (cause) {
      throw new DownloadError(
        'http_error',
        `${row.name} was downloaded and checked, but Quire could not add it to your models. Every byte is kept: resume the download to try again.`,
        { cause, advised: true },
      );
    }
  });
  return record;
}

async function syncFile(file: string): Promise<void> {
  const handle = await openPrivateForWrite(file, 'append');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
