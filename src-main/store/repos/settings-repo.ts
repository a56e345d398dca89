import type { Db } from '../database';
import { immediate } from '../write';
import { dataVersionOf } from './prepared';

export interface SettingsRow {
  section: string;
  value: unknown;
}

/** What is stored, as read: `raw` lets a reader tell "nothing changed" from a byte comparison, without parsing. */
export interface StoredSettings {
  rows: SettingsRow[];
  raw: string;
}

/** Per section, only the keys a change sets: merged into the stored section, never replacing it whole. */
export type SectionPatches = Record<string, Record<string, unknown>>;

/**
 * Raw section storage; validation and defaults live in the settings service. Another process (the CLI, a second host)
 * may write the same rows, so a change is a read-modify-write of only the keys it sets, under the write lock.
 */
export class SettingsRepo {
  private readonly selectAll;
  private readonly upsert;
  private readonly dataVersion;

  constructor(
    private readonly db: Db,
    private readonly now: () => Date,
  ) {
    this.selectAll = db.prepare<[], { section: string; value: string }>(
      'SELECT section, value FROM settings ORDER BY section',
    );
    this.upsert = db.prepare<[string, string, string]>(
      `INSERT INTO settings (section, value, updated_at) VALUES (?, ?, ?)
       ON CONFLICT(section) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
    );
    this.dataVersion = dataVersionOf(db);
  }

  all(): SettingsRow[] {
    return this.read().rows;
  }

  read(): StoredSettings {
    const rows = this.selectAll.all();
    return {
      rows: rows.map((row) => ({ section: row.section, value: JSON.parse(row.value) as unknown })),
      raw: rows.map((row) => `${row.section}\u0000${row.value}`).join('\u0001'),
    };
  }

  /** Changes when another connection (another process) commits anything: a cheap "look again" signal. */
  version(): number {
    return this.dataVersion();
  }

  /**
   * One IMMEDIATE transaction: `decide` sees the stored rows as they are now (no other writer can slip in) and returns
   * the keys to set per section (or throws: nothing is written). Each section is written as the stored object with
   * only those keys replaced, so a key another process set is never put back to a stale value.
   */
  update<T>(decide: (stored: StoredSettings) => { patches: SectionPatches; result: T }): T {
    const at = this.now().toISOString();
    return immediate(this.db, () => {
      const stored = this.read();
      const { patches, result } = decide(stored);
      for (const [section, keys] of Object.entries(patches)) {
        const current = stored.rows.find((row) => row.section === section)?.value;
        const base = current && typeof current === 'object' ? (current as Record<string, unknown>) : {};
        this.upsert.run(section, JSON.stringify({ ...base, ...keys }), at);
      }
      return result;
    })();
  }
}
