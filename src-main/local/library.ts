// The installed-model library: verified GGUFs in the models folder, recorded in SQLite. Only files that passed
// validation (and, for downloads, their checksum) are ever listed or handed to the runtime.
import { createHash } from 'node:crypto';
import { existsSync, lstatSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { rm, stat, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { CatalogEntry, InstalledModel, ModelSpec } from '../../src-preload/contract';
import { CancelledError, ConflictError, LocalModelError, NotFoundError } from '../errors';
import type { CustomModelSink } from '../orchestrator/registry';
import type { LocalModelRecord, LocalModelsRepo } from '../store/repos/local-models-repo';
import { ggufStem } from './catalog';
import { checkGgufFile, type GgufSummary } from './gguf-check';
import { notGgufError } from './gguf-header';
import { ProbeVerdicts, type ModelProbe, type ProbeVerdict } from './probe';
import {
  assertRegularFile,
  ensurePartialDir,
  installFile,
  openPrivateForWrite,
  openRegularForRead,
  otherNames,
} from './model-files';
import type { InstalledLookup } from './local-provider';
import { assertModelRoom, defaultFreeSpace } from './model-room';
import type { LocalRuntime } from './runtime';
import { localModelId } from '../../src-preload/contract/model-ids';
import { currentOwner, isOwnerAlive, type Owner } from '../store/owner';

export interface ModelLibraryOptions {
  repo: LocalModelsRepo;
  modelsDir: () => string;
  catalog: () => CatalogEntry[];
  runtime: LocalRuntime;
  registry?: CustomModelSink;
  now?: () => Date;
  /** Test-loads models that are not SHA-256-verified catalog files in a child process first; none: no probing. */
  probe?: ModelProbe;
  /** A deleted model's file: whatever else reads it (the token counter's vocabulary) lets go of it. */
  onRemoved?: (file: string) => Promise<void>;
  /** Free bytes on the disk holding `dir`; default: statfs. */
  freeSpace?: (dir: string) => Promise<number>;
}

export const PARTIAL_DIR = '.partial';

/** A model that needs a test load whose test load has not ended (see unusableReason). */
export const NOT_TESTED_YET =
  "Quire hasn't finished test-loading this model (the test was cut off). It is tested again when Quire starts.";

/** Beside each upload's or import's partial copy: the process writing it, so a crash's leftover can be told apart. */
const OWNER_SUFFIX = '.owner';

/**
 * A partial copy with no owner file was left by a Quire from before owner files; one still being written is touched
 * every few moments, so one this old is a leftover.
 */
const UNOWNED_LEFTOVER_MS = 10 * 60 * 1000;

/** An import's steps after its copy: its header checked, then its test load. */
export type ImportStage = 'copying' | 'checking' | 'testing';

/** Who follows an import: told each step (and, while it copies, how many of its bytes are in), and able to stop it. */
export interface ImportWatch {
  signal?: AbortSignal;
  progress?: (stage: ImportStage, copied: number, total: number) => void;
}

/** What copyIn tells of its steps: an upload's total is not known to it. */
interface CopyWatch {
  signal?: AbortSignal | undefined;
  progress?: ((stage: ImportStage, copied: number) => void) | undefined;
}

/** The registry source of a library file's model, and that model's id. */
const librarySource = localModelId;

function exists(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
}

/** Refuses a stream at its first four bytes unless they say GGUF, before the rest of a large file is written. */
function ggufMagicGate(label: string): Transform {
  let head = Buffer.alloc(0);
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      if (head.length < 4) {
        head = Buffer.concat([head, chunk.subarray(0, 4 - head.length)]);
        if (head.length === 4 && head.toString('latin1') !== 'GGUF') {
          callback(notGgufError(label));
          return;
        }
      }
      callback(null, chunk);
    },
  });
}

function readOwner(file: string): Owner | undefined {
  try {
    const owner = JSON.parse(readFileSync(file, 'utf8')) as Partial<Owner>;
    return typeof owner.pid === 'number' ? { pid: owner.pid, token: owner.token ?? null } : undefined;
  } catch {
    return undefined;
  }
}

/** When a file was last written; a file gone meanwhile counts as written now (nothing left to remove). */
function mtimeMs(file: string): number {
  try {
    return statSync(file).mtimeMs;
  } catch {
    return Number.POSITIVE_INFINITY;
  }
}

function isRealDir(path: string): boolean {
  try {
    const info = lstatSync(path);
    return info.isDirectory() && !info.isSymbolicLink();
  } catch {
    return false;
  }
}

function slugify(text: string): string {
  const slug = text
    .toLowerCase()
    .replace(/\.gguf$/, '')
    .replace(/[^a-z0-9._-]+/g, '-')
    // No leading dot: a file named ".x.gguf" is hidden in the Finder (and ".partial" is Quire's own folder).
    .replace(/^[-.]+|[-.]+$/g, '')
    .slice(0, 80);
  return slug || 'model';
}

/**
 * `work`, or a rejection as soon as `signal` aborts (with its reason): for steps that cannot themselves be stopped,
 * so a cancel or a quit need not wait for them.
 */
function unlessAborted<T>(work: Promise<T>, signal?: AbortSignal): Promise<T> {
  if (!signal) return work;
  if (signal.aborted) return Promise.reject(signal.reason as Error);
  let stop!: () => void;
  const aborted = new Promise<never>((_, reject) => {
    stop = () => reject(signal.reason as Error);
    signal.addEventListener('abort', stop, { once: true });
  });
  return Promise.race([work, aborted]).finally(() => signal.removeEventListener('abort', stop));
}

export class ModelLibrary implements InstalledLookup {
  private readonly now: () => Date;
  /**
   * Files being installed now, by SHA-256 (imports, uploads and downloads alike): the same bytes added twice at the same
   * moment would otherwise each pass the "already installed" check and make two full copies.
   */
  private readonly installing = new Map<string, Promise<unknown>>();
  /** Ids of imports being copied: taken from the moment they are chosen, before their partial copy is on disk. */
  private readonly importIds = new Set<string>();
  private readonly verdicts: ProbeVerdicts;
  /** Verdicts read once: installedFile is asked on every routing decision. */
  private verdictCache = new Map<string, ProbeVerdict | undefined>();

  constructor(private readonly options: ModelLibraryOptions) {
    this.now = options.now ?? (() => new Date());
    this.verdicts = new ProbeVerdicts(options.repo, () => this.modelsDir());
  }

  /**
   * Why a model may not be loaded (its test load crashed or failed, or has not ended yet), or null. A file that needs a
   * test load and has no verdict is never taken for a good one: its test load was cut off (a quit mid-import), or it
   * was added before test loads; probeUntested tests it.
   */
  unusableReason(record: LocalModelRecord): string | null {
    const verdict = this.verdictOf(record.sha256);
    if (verdict) return verdict.usable ? null : verdict.reason;
    return this.needsProbe(record) ? NOT_TESTED_YET : null;
  }

  private verdictOf(sha256: string): ProbeVerdict | undefined {
    if (!this.verdictCache.has(sha256)) this.verdictCache.set(sha256, this.verdicts.get(sha256));
    return this.verdictCache.get(sha256);
  }

  private needsProbe(record: Pick<LocalModelRecord, 'verified_against'>): boolean {
    return this.options.probe !== undefined && record.verified_against !== 'catalog';
  }

  /**
   * At start-up, in the background: test-loads, one at a time, the installed models that need a test load and have no
   * verdict. Resolves with how many it tested.
   */
  async probeUntested(): Promise<number> {
    let tested = 0;
    for (const record of this.options.repo.models()) {
      if (!this.needsProbe(record) || this.verdictOf(record.sha256) || !existsSync(record.file)) continue;
      await this.probeFile(record.file, record.sha256, false);
      tested++;
    }
    return tested;
  }

  /**
   * Before a file that is not a SHA-256-verified catalog file is offered for loading: a test load in a child process
   * (the probe). Its verdict is stored; an unusable model stays listed, with the reason, and is never loaded.
   */
  async probeFile(file: string, sha256: string, verified: boolean, signal?: AbortSignal): Promise<void> {
    if (verified || !this.options.probe) return;
    const verdict = await this.options.probe.probe(file, signal);
    // Stopped (a cancel, a quit): the child is ended, and nothing is known about the file.
    if (!verdict) throw signal?.reason instanceof Error ? signal.reason : new CancelledError();
    this.verdicts.set(sha256, verdict);
    this.verdictCache.set(sha256, verdict);
  }

  /**
   * At start-up: removes the partial copies of uploads and imports whose process is gone (a crash, a kill), so they
   * stop taking disk space and their names. Another Quire on the same data folder may be copying a file right now:
   * its copy is kept while its process lives. Downloads' `.gguf.part` files are resumable and kept, unless the
   * download was recorded (see installFile): a crash cut short an install there, and what it left is tidied too.
   */
  removeLeftovers(): void {
    const modelsDir = this.options.modelsDir();
    const partialDir = join(modelsDir, PARTIAL_DIR);
    // Nothing to do without the folder, and nothing to read through a link planted in its place.
    if (!isRealDir(partialDir)) return;
    const names = new Set(readdirSync(partialDir));
    const downloads = new Set(this.options.repo.downloads().map((row) => row.partial_file));
    const recorded = new Set(this.options.repo.models().map((record) => record.file));
    // A crash between an install's placing and its record: the file's new name in the models folder, recorded by
    // nothing, goes (the partial file keeps every byte: a download resumes from it).
    const unplace = (partial: string) => {
      for (const other of otherNames(partial, modelsDir)) if (!recorded.has(other)) rmSync(other, { force: true });
    };
    for (const name of names) {
      const file = join(partialDir, name);
      if (name.endsWith('.gguf.part')) {
        // A crash just after a download was recorded: its row went with the record, and its partial name is left as
        // a second name of the model's file (removing it frees nothing and loses nothing).
        if (downloads.has(file)) unplace(file);
        else if (otherNames(file, modelsDir).some((other) => recorded.has(other))) rmSync(file, { force: true });
      } else if (name.endsWith('.import')) {
        const owner = readOwner(file + OWNER_SUFFIX);
        const gone = owner ? !isOwnerAlive(owner) : this.now().getTime() - mtimeMs(file) > UNOWNED_LEFTOVER_MS;
        if (!gone) continue;
        unplace(file);
        rmSync(file, { force: true });
        rmSync(file + OWNER_SUFFIX, { force: true });
      } else if (name.endsWith(`.import${OWNER_SUFFIX}`) && !names.has(name.slice(0, -OWNER_SUFFIX.length))) {
        const owner = readOwner(file);
        if (!owner || !isOwnerAlive(owner)) rmSync(file, { force: true });
      }
    }
  }

  modelsDir(): string {
    const dir = this.options.modelsDir();
    ensurePartialDir(dir, PARTIAL_DIR);
    return dir;
  }

  /** The models folder as set, without making it: a disk that is not connected is not to be made on this Mac's. */
  modelsDirSetting(): string {
    return this.options.modelsDir();
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

  /**
   * The installed model whose file has these bytes, if any: adding the same file again (a second upload, an import
   * of the file already in the models folder, a URL download of it) would only make a full copy under a new name.
   */
  sameFile(sha256: string): LocalModelRecord | undefined {
    return this.options.repo.models().find((record) => record.sha256 === sha256 && existsSync(record.file));
  }

  get(id: string): LocalModelRecord | undefined {
    return this.options.repo.model(id);
  }

  /** For the runtime: an installed file by catalog id (or library id), only if it is on disk. */
  installedFile(catalogId: string): { path: string; bytes: number } | undefined {
    const record = this.options.repo.modelByCatalogId(catalogId);
    if (!record || !existsSync(record.file) || this.unusableReason(record)) return undefined;
    return { path: record.file, bytes: record.size_bytes };
  }

  /**
   * An installed file (on disk) that is not loaded: its test load failed, or has not ended (see unusableReason).
   */
  unusable(catalogId: string): boolean {
    const record = this.options.repo.modelByCatalogId(catalogId);
    return record !== undefined && existsSync(record.file) && this.unusableReason(record) !== null;
  }

  /**
   * A library id that is free: the catalog id, else a slug of the name, suffixed when taken — by a record, a catalog
   * entry, a download (a failed or paused one is installed under its id once it is resumed), `taken`, or any file in the
   * models folder (the writer's own files included) that it would be stored as.
   */
  freeId(base: string, taken: (id: string) => boolean = () => false): string {
    const slug = slugify(base);
    const dir = this.options.modelsDir();
    const onDisk = (id: string) =>
      [
        join(dir, `${id}.gguf`),
        join(dir, PARTIAL_DIR, `${id}.import`),
        join(dir, PARTIAL_DIR, `${id}.import${OWNER_SUFFIX}`),
        join(dir, PARTIAL_DIR, `${id}.gguf.part`),
      ].some(exists);
    const used = (id: string) =>
      !!this.options.repo.model(id) ||
      !!this.catalogEntry(id) ||
      !!this.options.repo.download(id) ||
      this.importIds.has(id) ||
      taken(id) ||
      onDisk(id);
    if (!used(slug)) return slug;
    for (let i = 2; ; i++) if (!used(`${slug}-${i}`)) return `${slug}-${i}`;
  }

  /**
   * Copies a GGUF from disk into the models folder after validating its header (never loads an unchecked file). Only
   * a regular file is read; the copy is written under a name nothing else has, never through a symlink.
   */
  async importFile(path: string, name?: string, { signal, progress }: ImportWatch = {}): Promise<InstalledModel> {
    const { size } = await assertRegularFile(path);
    const label = basename(path);
    const checked = await checkGgufFile(path, label);
    await assertModelRoom(this.modelsDir(), size, this.options.freeSpace ?? defaultFreeSpace, 'import it again');
    return this.copyIn(
      name ?? checked.name ?? basename(path),
      label,
      name,
      async () => (await openRegularForRead(path)).createReadStream(),
      (message) => new LocalModelError('invalid_file', `Could not copy ${path} into the models folder: ${message}`),
      { signal, progress: progress && ((stage, copied) => progress(stage, copied, size)) },
    );
  }

  /**
   * Streams an uploaded GGUF (the browser host's upload) into the models folder: bytes go straight to a private file
   * in `.partial/` as they arrive, so a model of any size never sits in memory. A body that does not start like a GGUF
   * is refused at its first bytes; the whole copy then gets the same header checks and test load as an import. A
   * failed, refused or interrupted upload leaves nothing behind.
   */
  importStream(body: Readable, fileName: string, name?: string, gone?: AbortSignal): Promise<InstalledModel> {
    const label = basename(fileName) || 'the uploaded file';
    // The page went away or the writer pressed Stop once every byte was in: the checks and the test load stop.
    const stop = new AbortController();
    gone?.addEventListener(
      'abort',
      () =>
        stop.abort(
          new CancelledError(
            `You stopped the upload of ${label} while Quire checked it: nothing was added to your models.`,
          ),
        ),
      { once: true },
    );
    return this.copyIn(
      name ?? label,
      label,
      name,
      async () => body,
      (message) =>
        body.destroyed && !body.readableEnded
          ? new CancelledError(`The upload of ${label} stopped before the whole file arrived; nothing was kept.`)
          : new LocalModelError('invalid_file', `Could not save ${label} in the models folder: ${message}`),
      { signal: stop.signal },
    );
  }

  /**
   * Runs `install` for a file with these bytes unless a model has them already: then resolves with that model. The same
   * bytes being installed at this moment (a second import, an import and a download) are waited for first, then asked
   * about again: one model is made, and if the first install failed the second goes ahead.
   */
  async installOnce<T>(
    sha256: string,
    install: () => Promise<T>,
    signal?: AbortSignal,
  ): Promise<{ installed: T } | { same: LocalModelRecord }> {
    for (;;) {
      const same = this.sameFile(sha256);
      if (same) return { same };
      const other = this.installing.get(sha256);
      if (!other) break;
      await unlessAborted(
        other.then(
          () => undefined,
          () => undefined,
        ),
        signal,
      );
    }
    // Claimed in the same turn as the checks above: nothing else runs in between.
    const work = install();
    this.installing.set(sha256, work);
    try {
      return { installed: await work };
    } finally {
      if (this.installing.get(sha256) === work) this.installing.delete(sha256);
    }
  }

  /**
   * The copy, its checks, the test load, its placement under a free name and the record: shared by both doors in. The
   * test load runs on the partial copy, before anything is placed, so a quit during it (a large model takes minutes)
   * leaves no file in the models folder, only the partial copy removeLeftovers clears.
   */
  private async copyIn(
    base: string,
    label: string,
    name: string | undefined,
    source: () => Promise<Readable>,
    failure: (message: string) => Error,
    watch: CopyWatch = {},
  ): Promise<InstalledModel> {
    const dir = this.modelsDir();
    // Held for the whole import: two imports at the same moment (the same file twice) never pick one id.
    const id = this.freeId(base);
    this.importIds.add(id);
    try {
      return await this.copyInAs(id, dir, label, name, source, failure, watch);
    } finally {
      this.importIds.delete(id);
    }
  }

  private async copyInAs(
    id: string,
    dir: string,
    label: string,
    name: string | undefined,
    source: () => Promise<Readable>,
    failure: (message: string) => Error,
    { signal, progress }: CopyWatch,
  ): Promise<InstalledModel> {
    const partial = join(dir, PARTIAL_DIR, `${id}.import`);
    const ownerFile = partial + OWNER_SUFFIX;
    const hash = createHash('sha256');
    let copied = 0;
    const tap = new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        hash.update(chunk);
        copied += chunk.length;
        callback(null, chunk);
        progress?.('copying', copied);
      },
    });
    try {
      // The owner first: a partial copy seen without one is never this process's work in progress.
      await writeFile(ownerFile, JSON.stringify(currentOwner()), { mode: 0o600, flag: 'wx' });
    } catch (cause) {
      throw Object.assign(failure((cause as Error).message), { cause });
    }
    try {
      const target = await openPrivateForWrite(partial, 'create');
      progress?.('copying', 0);
      await pipeline(
        await source(),
        ggufMagicGate(label),
        tap,
        target.createWriteStream(),
        ...(signal ? [{ signal }] : []),
      );
      // What is installed is the copy: check the copy, in case the source changed while it was read.
      progress?.('checking', copied);
      const summary = await checkGgufFile(partial, label);
      const sha256 = hash.digest('hex');
      const outcome = await this.installOnce(
        sha256,
        async () => {
          progress?.('testing', copied);
          await this.probeFile(partial, sha256, false, signal);
          // Stopped at the end of the test load: the writer asked for nothing to be added.
          signal?.throwIfAborted();
          const size = (await stat(partial)).size;
          let record!: LocalModelRecord;
          await installFile(partial, dir, id, (final) => {
            // Two models shown under one name could not be told apart in any list: the second is qualified by its
            // file. Chosen at the record, so two imports finishing together cannot both take one name.
            const stem = ggufStem(label);
            const shown = this.distinctName(name ?? summary.name ?? stem, stem);
            record = this.record(id, shown, final, size, {
              sha256,
              verified_against: 'none',
              source: 'import',
              catalog_id: null,
              url: null,
              summary,
            });
            try {
              this.options.repo.insertModel(record);
            } catch (cause) {
              throw new LocalModelError(
                'invalid_file',
                `${label} was copied and checked, but Quire could not add it to your models; nothing was kept. Add it again.`,
                { cause, advised: true },
              );
            }
          });
          return record;
        },
        signal,
      );
      if ('same' in outcome) throw new ConflictError(`${outcome.same.name} is already installed (same file).`, true);
      this.registerSpec(outcome.installed);
      return this.toInstalled(outcome.installed, false);
    } catch (cause) {
      await rm(partial, { force: true });
      // The stream's own AbortError says nothing a writer asked about; the reason the import was stopped does.
      if (signal?.aborted) throw signal.reason as Error;
      if (cause instanceof LocalModelError || cause instanceof ConflictError) throw cause;
      throw Object.assign(failure((cause as Error).message), { cause });
    } finally {
      // After the partial copy is gone (placed or removed), never before: see removeLeftovers.
      await rm(ownerFile, { force: true });
    }
  }

  /**
   * A name no installed model has (compared without case or outer spaces): `wanted` itself, else `wanted (qualifier)`
   * (the file's own name, which tells two quantizations of one model apart), else `wanted (2)`, `(3)`…
   */
  distinctName(wanted: string, qualifier: string): string {
    const key = (name: string) => name.trim().toLowerCase();
    const taken = new Set(this.options.repo.models().map((model) => key(model.name)));
    const free = (name: string) => !taken.has(key(name));
    if (free(wanted)) return wanted;
    const qualified = `${wanted} (${qualifier})`;
    if (qualifier.trim() && key(qualifier) !== key(wanted) && free(qualified)) return qualified;
    for (let i = 2; ; i++) if (free(`${wanted} (${i})`)) return `${wanted} (${i})`;
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
      summary: Pick<GgufSummary, 'architecture' | 'context_length'>;
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
    const runtimeId = record.catalog_id ?? record.id;
    // Pulling the file from under a run would fail it with "not installed"; the writer decides instead.
    if (this.options.runtime.inUse(runtimeId))
      throw new ConflictError(
        `${record.name} is running a task. Stop it, or wait for it to finish, then delete it.`,
        true,
      );
    // Not installed from here on (no await since the check above): a task asked for it now hears so, rather than
    // loading the file while it is being removed.
    this.options.repo.deleteModel(id);
    if (!record.catalog_id) this.options.registry?.removeCustomModels(librarySource(id));
    await this.options.runtime.unload(runtimeId);
    await this.options.onRemoved?.(record.file);
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
      unusable: this.unusableReason(record),
    };
  }
}
