// Rows of local_models and downloads (migration 004) mapped to domain types in one place.
import type { DownloadStatus, InstalledModel } from '../../../src-preload/contract';
import type { Db } from '../database';
import { immediate } from '../write';
import { dataVersionOf } from './prepared';

// Captured at load: a test's fake timers must not freeze the "once per turn" clock below.
const nextTurn = setImmediate;

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

/** How a file's test load in a child process ended (src-main/local/probe.ts). */
export type ProbeVerdict = { usable: true } | { usable: false; reason: string };

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
   * Asked for every local registry model on every decision (several per run), so answered from the rows held in
   * memory: read again when this connection changed them, or when SQLite's data_version says another connection did
   * (asked at most once per event-loop turn: another process's import is seen from the next turn).
   */
  private rows: { byCatalog: Map<string, LocalModelRecord>; byId: Map<string, LocalModelRecord> } | null = null;
  private seenVersion = -1;
  private checkedThisTurn = false;

  /** A row with that catalog id first (the earliest stored), else the row with that library id. */
  modelByCatalogId(catalogId: string): LocalModelRecord | undefined {
    const rows = this.heldRows();
    return rows.byCatalog.get(catalogId) ?? rows.byId.get(catalogId);
  }

  private heldRows(): NonNullable<LocalModelsRepo['rows']> {
    if (this.rows && this.checkedThisTurn) return this.rows;
    this.checkedThisTurn = true;
    nextTurn(() => (this.checkedThisTurn = false));
    const version = dataVersionOf(this.db)();
    if (this.rows && version === this.seenVersion) return this.rows;
    this.seenVersion = version;
    const byCatalog = new Map<string, LocalModelRecord>();
    const byId = new Map<string, LocalModelRecord>();
    for (const row of this.db
      .prepare<[], LocalModelRecord>(`SELECT ${MODEL_COLUMNS} FROM local_models ORDER BY rowid`)
      .all()) {
      byId.set(row.id, row);
      if (row.catalog_id !== null && !byCatalog.has(row.catalog_id)) byCatalog.set(row.catalog_id, row);
    }
    return (this.rows = { byCatalog, byId });
  }

  insertModel(record: LocalModelRecord): void {
    this.rows = null;
    this.db
      .prepare(
        `INSERT INTO local_models (${MODEL_COLUMNS}) VALUES (@id, @name, @file, @size_bytes, @sha256, @verified_against, @source, @catalog_id, @url, @architecture, @context_length, @added_at)`,
      )
      .run(record);
  }

  deleteModel(id: string): void {
    this.rows = null;
    this.db.prepare('DELETE FROM local_models WHERE id = ?').run(id);
  }

  /** The stored outcome of a file's test load (probe.ts), by its SHA-256. */
  probeVerdict(sha256: string): ProbeVerdict | undefined {
    const row = this.db
      .prepare<[string], { usable: number; reason: string | null }>(
        'SELECT usable, reason FROM probe_verdicts WHERE sha256 = ?',
      )
      .get(sha256);
    if (!row) return undefined;
    return row.usable ? { usable: true } : { usable: false, reason: row.reason ?? '' };
  }

  setProbeVerdict(sha256: string, verdict: ProbeVerdict): void {
    this.db
      .prepare(
        `INSERT INTO probe_verdicts (sha256, usable, reason, probed_at) VALUES (?, ?, ?, ?)
           ON CONFLICT (sha256) DO UPDATE SET usable = excluded.usable, reason = excluded.reason,
             probed_at = excluded.probed_at`,
      )
      .run(sha256, verdict.usable ? 1 : 0, verdict.usable ? null : verdict.reason, this.now().toISOString());
  }

  /** A catalog model's file checksum learned here (migration 029), when the catalog lists none. */
  catalogChecksum(catalogId: string): string | undefined {
    return this.db
      .prepare<[string], { sha256: string }>('SELECT sha256 FROM catalog_checksums WHERE catalog_id = ?')
      .get(catalogId)?.sha256;
  }

  setCatalogChecksum(catalogId: string, sha256: string): void {
    this.db
      .prepare(
        `INSERT INTO catalog_checksums (catalog_id, sha256, learned_at) VALUES (?, ?, ?)
           ON CONFLICT (catalog_id) DO UPDATE SET sha256 = excluded.sha256, learned_at = excluded.learned_at`,
      )
      .run(catalogId, sha256, this.now().toISOString());
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
