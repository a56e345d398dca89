// The end of a download: the file is hashed against the expected SHA-256, its GGUF header checked (while the file is
// flushed to the disk), renamed into the models folder and registered in the library; a file that fails any step is
// deleted, never offered.
import { rm, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { EventBus } from '../infra/event-bus';
import { DownloadError } from '../errors';
import type { DownloadRecord, LocalModelsRepo } from '../store/repos/local-models-repo';
import { ggufStem, urlFileName } from './catalog';
import { checkGgufHeaderFile, type HeaderSummary } from './gguf-check';
import type { ModelLibrary } from './library';
import { openPrivateForWrite, placeFile } from './model-files';

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
 * Check the hash, the header, rename into place, register; a file that fails any step is deleted, never offered.
 * `transferred` is the digest the transfer computed as the bytes arrived and the file's size.
 */
export async function finishDownload(
  deps: FinishDeps,
  id: string,
  transferred: { sha256: string; bytes: number },
  early?: EarlyCheck,
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
        : `The downloaded file is corrupt: its SHA-256 ${got}… does not match the expected ${expected}…. It was deleted; download it again.`,
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
  const same = deps.library.sameFile(sha256);
  if (same) {
    await rm(row.partial_file, { force: true });
    throw new DownloadError('already_installed', `${same.name} is already installed (same file).`);
  }
  // Never over a file that appeared under the planned name meanwhile: the next free name instead.
  const final = await placeFile(row.partial_file, dirname(row.final_file), id);
  const library = deps.library;
  await library.probeFile(final, sha256, row.sha256_source === 'catalog');
  // A catalog model's name is the catalog's; a file from a URL must not share its name with another model.
  const name = row.catalog_id ? row.name : library.distinctName(row.name, ggufStem(urlFileName(row.url)));
  const record = library.record(id, name, final, (await stat(final)).size, {
    sha256,
    verified_against: row.sha256_source ?? 'none',
    source: row.catalog_id ? 'catalog' : 'url',
    catalog_id: row.catalog_id,
    url: row.url,
    summary,
  });
  deps.repo.completeDownload(id, record);
  const model = library.register(record);
  deps.events.emit('download:done', { id, name, model });
}

async function syncFile(file: string): Promise<void> {
  const handle = await openPrivateForWrite(file, 'append');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
