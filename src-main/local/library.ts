// The installed-model library: verified GGUFs in the models folder, recorded in SQLite. Only files that passed
// validation (and, for downloads, their checksum) are ever listed or handed to the runtime.
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, existsSync, mkdirSync } from 'node:fs';
import { rename, rm, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { CatalogEntry, InstalledModel, ModelSpec } from '../../src-preload/contract';
import { InvalidInputError, LocalModelError, NotFoundError } from '../errors';
import type { CustomModelSink } from '../orchestrator/registry';
import type { LocalModelRecord, LocalModelsRepo } from '../store/repos/local-models-repo';
import { checkGgufFile, type GgufSummary } from './gguf-check';
import type { InstalledLookup } from './local-provider';
import type { LocalRuntime } from './runtime';

export interface ModelLibraryOptions {
  repo: LocalModelsRepo;
  modelsDir: () => string;
  catalog: () => CatalogEntry[];
  runtime: LocalRuntime;
  registry?: CustomModelSink;
  now?: () => Date;
}

export const PARTIAL_DIR = '.partial';

function librarySource(id: string): string {
  return `local:${id}`;
}

function slugify(text: string): string {
  const slug = text
    .toLowerCase()
    .replace(/\.gguf$/, '')
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 80);
  return slug || 'model';
}

export class ModelLibrary implements InstalledLookup {
  private readonly now: () => Date;

  constructor(private readonly options: ModelLibraryOptions) {
    this.now = options.now ?? (() => new Date());
  }

  modelsDir(): string {
    const dir = this.options.modelsDir();
    mkdirSync(join(dir, PARTIAL_DIR), { recursive: true });
    return dir;
  }

  catalogEntry(id: string): CatalogEntry | undefined {
    return this.options.catalog().find((entry) => entry.id === id);
  }

  installed(): InstalledModel[] {
    const resident = new Set(this.options.runtime.resident().map((r) => r.id));
    return this.options.repo
      .models()
      .filter((record) => existsSync(record.file))
      .map((record) => this.toInstalled(record, resident.has(record.catalog_id ?? record.id)));
  }

  get(id: string): LocalModelRecord | undefined {
    return this.options.repo.model(id);
  }

  /** For the runtime: an installed file by catalog id (or library id), only if it is on disk. */
  installedFile(catalogId: string): { path: string; bytes: number } | undefined {
    const record = this.options.repo.modelByCatalogId(catalogId);
    if (!record || !existsSync(record.file)) return undefined;
    return { path: record.file, bytes: record.size_bytes };
  }

  /** A library id that is free: the catalog id, else a slug of the name, suffixed when taken. */
  freeId(base: string, taken: (id: string) => boolean = () => false): string {
    const slug = slugify(base);
    const used = (id: string) => !!this.options.repo.model(id) || !!this.catalogEntry(id) || taken(id);
    if (!used(slug)) return slug;
    for (let i = 2; ; i++) if (!used(`${slug}-${i}`)) return `${slug}-${i}`;
  }

  /** Copies a GGUF from disk into the models folder after validating its header (never loads an unchecked file). */
  async importFile(path: string, name?: string): Promise<InstalledModel> {
    if (!existsSync(path)) throw new InvalidInputError(`No file at ${path}`, 'path');
    const summary = await checkGgufFile(path, basename(path));
    const id = this.freeId(name ?? summary.name ?? basename(path));
    const dir = this.modelsDir();
    const partial = join(dir, PARTIAL_DIR, `${id}.import`);
    const final = join(dir, `${id}.gguf`);
    const hash = createHash('sha256');
    const tap = new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        hash.update(chunk);
        callback(null, chunk);
      },
    });
    try {
      await pipeline(createReadStream(path), tap, createWriteStream(partial));
      await rename(partial, final);
    } catch (cause) {
      await rm(partial, { force: true });
      throw new LocalModelError(
        'invalid_file',
        `Could not copy ${path} into the models folder: ${(cause as Error).message}`,
        cause,
      );
    }
    const record = this.record(id, name ?? summary.name ?? basename(path), final, (await stat(final)).size, {
      sha256: hash.digest('hex'),
      verified_against: 'none',
      source: 'import',
      catalog_id: null,
      url: null,
      summary,
    });
    this.options.repo.insertModel(record);
    this.registerSpec(record);
    return this.toInstalled(record, false);
  }

  /** Records a downloaded, verified file (already renamed into place) and adds it to the registry if needed. */
  register(record: LocalModelRecord): InstalledModel {
    this.registerSpec(record);
    return this.toInstalled(record, false);
  }

  record(
    id: string,
    name: string,
    file: string,
    size: number,
    details: {
      sha256: string;
      verified_against: LocalModelRecord['verified_against'];
      source: LocalModelRecord['source'];
      catalog_id: string | null;
      url: string | null;
      summary: GgufSummary;
    },
  ): LocalModelRecord {
    return {
      id,
      name,
      file,
      size_bytes: size,
      sha256: details.sha256,
      verified_against: details.verified_against,
      source: details.source,
      catalog_id: details.catalog_id,
      url: details.url,
      architecture: details.summary.architecture,
      context_length: details.summary.context_length,
      added_at: this.now().toISOString(),
    };
  }

  async delete(id: string): Promise<void> {
    const record = this.options.repo.model(id);
    if (!record) throw new NotFoundError('Local model', id);
    await this.options.runtime.unload(record.catalog_id ?? record.id);
    this.options.repo.deleteModel(id);
    if (!record.catalog_id) this.options.registry?.removeCustomModels(librarySource(id));
    await rm(record.file, { force: true });
  }

  registryModelId(record: LocalModelRecord): string | null {
    if (record.catalog_id) return this.catalogEntry(record.catalog_id)?.registry_model_id ?? null;
    return librarySource(record.id);
  }

  private registerSpec(record: LocalModelRecord): void {
    if (record.catalog_id || !this.options.registry) return; // catalog models are in the shipped registry already
    const gb = record.size_bytes / 1e9;
    const spec: ModelSpec = {
      id: librarySource(record.id),
      display_name: record.name,
      provider: 'local',
      quality: 4,
      strengths: [],
      speed: gb < 2.5 ? 'fast' : 'medium',
      // The trained context; LocalStack.contextWindow gives what the memory budget lets the runtime open.
      context_window: record.context_length,
      pricing: { input_usd_per_mtok: 0, output_usd_per_mtok: 0 },
      capabilities: { json_output: true, vision: false, streaming: true },
      local: { catalog_id: record.id, size_class: gb < 3 ? 'small' : gb < 7 ? 'medium' : 'large' },
    };
    this.options.registry.upsertCustomModels(librarySource(record.id), [spec]);
  }

  private toInstalled(record: LocalModelRecord, resident: boolean): InstalledModel {
    return {
      id: record.id,
      name: record.name,
      file: record.file,
      size_bytes: record.size_bytes,
      sha256: record.sha256,
      verified_against: record.verified_against,
      source: record.source,
      catalog_id: record.catalog_id,
      registry_model_id: this.registryModelId(record),
      architecture: record.architecture,
      context_length: record.context_length,
      added_at: record.added_at,
      resident,
    };
  }
}
