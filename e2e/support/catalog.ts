// A model catalog (QUIRE_CATALOG) whose files are served by a loopback file server, so catalog downloads run for real
// (transfer, checksum, test load) without the internet.
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CatalogEntry } from '../../src-preload/contract/models';
import type { FileRouteFaults, FileServer } from '../../test/support/file-server';

/** One catalog model: its entry's names, the GGUF file served for it, and the server's faults for that file. */
export interface ServedModel {
  id: string;
  display_name: string;
  /** The registry model it runs as (resources/models.json); null for a file Quire only lists. */
  registry_model_id: string | null;
  file: string;
  faults?: FileRouteFaults;
  /** The catalog gives no SHA-256 for the file, as the shipped catalog does not (Hugging Face's is used there). */
  unlisted?: boolean;
}

/** The shipped catalog's models (resources/catalog.json), each served as `file`. */
export function shippedModels(file: string, faults?: FileRouteFaults): ServedModel[] {
  const shipped = JSON.parse(readFileSync('resources/catalog.json', 'utf8')) as { models: CatalogEntry[] };
  return shipped.models.map((entry) => ({
    id: entry.id,
    display_name: entry.display_name,
    registry_model_id: entry.registry_model_id,
    file,
    ...(faults ? { faults } : {}),
  }));
}

/** Serves each model at /<id>.gguf and writes a catalog naming them (with their true size and SHA-256, unless `unlisted`); its path. */
export function serveCatalog(files: FileServer, models: ServedModel[]): string {
  const entries = models.map((model): CatalogEntry => {
    const bytes = readFileSync(model.file);
    files.route(`/${model.id}.gguf`, { file: model.file, ...(model.faults ? { faults: model.faults } : {}) });
    return {
      id: model.id,
      display_name: model.display_name,
      registry_model_id: model.registry_model_id,
      url: `${files.url}/${model.id}.gguf`,
      quantization: 'F32',
      size_bytes: statSync(model.file).size,
      sha256: model.unlisted ? null : createHash('sha256').update(bytes).digest('hex'),
      sha256_source: model.unlisted ? 'unverified_use_hf_lfs_oid' : 'verified',
      memory_estimate_mb: 64,
      context_length: 2048,
    };
  });
  const path = join(mkdtempSync(join(tmpdir(), 'quire-catalog-')), 'catalog.json');
  writeFileSync(path, JSON.stringify({ version: 1, models: entries }, null, 2));
  return path;
}
