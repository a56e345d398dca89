// Rows of local_models and downloads (migration 004) mapped to domain types in one place.
import type { DownloadStatus, InstalledModel } from '../../../src-preload/contract';
import type { Statement } from 'better-sqlite3';
import type { Db } from '../database';
import { immediate } from '../write';

/** A local_models row: the contract's InstalledModel as stored (with its source URL), before runtime facts. */
export interface LocalModelRecord extends Omit<InstalledModel, 'registry_model_id' | 'resident'> {
  url: string | null;
}

export interface DownloadRecord {
  id: string;
  name: string;
  url: string;
  catalog_id: string | null;
  partial_file: string;
  final_file: string;
  expected_sha256: string | null;
  sha256_source: 'catalog' | 'hf_lfs_oid' | 'user' | null;
  total_bytes: number | null;
  received_bytes: number;
  etag: string | null;
  status: DownloadStatus;
  error_reason: string | null;
  error_message: string | null;
  created_at: string;
  updated_at: string;
}

const MODEL_COLUMNS =
  'id, name, file, size_bytes, sha256, verified_against, source, catalog_id, url, architecture, context_length, added_at';
const DOWNLOAD_COLUMNS =
  'id, name, url, catalog_id, partial_file, final_file, expected_sha256, sha256_source, total_bytes, received_bytes, etag, status, error_reason, error_message, created_at, updated_at';

export class LocalModelsRepo {
  constructor(
    private readonly db: Db,
    private readonly now: () => Date,
  ) {}

  models(): LocalModelRecord[] {
    return this.db.prepare<[], LocalModelRecord>(`SELECT ${MODEL_COLUMNS} FROM local_models ORDER BY added_at`).all();
  }

  model(id: string): LocalModelRecord | undefined {
    return this.db
      .prepare<[string], LocalModelRecord>(`SELECT ${MODEL_COLUMNS} FROM local_models WHERE id = ?`)
      .get(id);
  }

  /**
   * Asked for every local registry model on every decision, so prepared once and split in two plain lookups rather
   * than one `catalog_id = ? OR id = ? ORDER BY …` query. A row with that catalog id first, else the row with that
   * library id.
   */
  private byCatalog: Statement<[string], LocalModelRecord> | undefined;
  private byId: Statement<[string], LocalModelRecord> | undefined;

  modelByCatalogId(catalogId: string): LocalModelRecord | undefined {
    this.byCatalog ??= this.db.prepare<[string], LocalModelRecord>(
      `SELECT ${MODEL_COLUMNS} FROM local_models WHERE catalog_id = ? LIMIT 1`,
    );
    this.byId ??= this.db.prepare<[string], LocalModelRecord>(`SELECT ${MODEL_COLUMNS} FROM local_models WHERE id = ?`);
    return this.byCatalog.get(catalogId) ?? this.byId.get(catalogId);
  }

  insertModel(record: LocalModelRecord): void {
    this.db
      .prepare(
        `INSERT INTO local_models (${MODEL_COLUMNS}) VALUES (@id, @name, @file, @size_bytes, @sha256, @verified_against, @source, @catalog_id, @url, @architecture, @context_length, @added_at)`,
      )
      .run(record);
  }

  deleteModel(id: string): void {
    this.db.prepare('DELETE FROM local_models WHERE id = ?').run(id);
  }

  downloads(): DownloadRecord[] {
    return this.db.prepare<[], DownloadRecord>(`SELECT ${DOWNLOAD_COLUMNS} FROM downloads ORDER BY created_at`).all();
  }

  download(id: string): DownloadRecord | undefined {
    return this.db.prepare<[string], DownloadRecord>(`SELECT ${DOWNLOAD_COLUMNS} FROM downloads WHERE id = ?`).get(id);
  }

  insertDownload(
    record: Omit<DownloadRecord, 'created_at' | 'updated_at' | 'error_reason' | 'error_message' | 'etag'>,
  ): void {
    const at = this.now().toISOString();
    this.db
      .prepare(
        `INSERT INTO downloads (${DOWNLOAD_COLUMNS}) VALUES (@id, @name, @url, @catalog_id, @partial_file, @final_file, @expected_sha256, @sha256_source, @total_bytes, @received_bytes, NULL, @status, NULL, NULL, @at, @at)`,
      )
      .run({ ...record, at });
  }

  updateDownload(
    id: string,
    patch: Partial<
      Pick<
        DownloadRecord,
        | 'status'
        | 'received_bytes'
        | 'total_bytes'
        | 'etag'
        | 'expected_sha256'
        | 'sha256_source'
        | 'error_reason'
        | 'error_message'
      >
    >,
  ): void {
    const keys = Object.keys(patch) as (keyof typeof patch)[];
    if (keys.length === 0) return;
    const sets = keys.map((key) => `${key} = @${key}`).join(', ');
    this.db
      .prepare(`UPDATE downloads SET ${sets}, updated_at = @updated_at WHERE id = @id`)
      .run({ ...patch, id, updated_at: this.now().toISOString() });
  }

  deleteDownload(id: string): void {
    this.db.prepare('DELETE FROM downloads WHERE id = ?').run(id);
  }

  /** Registers a verified file and closes its download in one transaction. */
  completeDownload(id: string, record: LocalModelRecord): void {
    immediate(this.db, () => {
      this.insertModel(record);
      this.deleteDownload(id);
    })();
  }
}
