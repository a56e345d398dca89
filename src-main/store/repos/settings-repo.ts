import type { Db } from '../database';

export interface SettingsRow {
  section: string;
  value: unknown;
}

/** Raw section storage; validation and defaults live in the settings service. */
export class SettingsRepo {
  private readonly selectAll;
  private readonly upsert;

  constructor(
    private readonly db: Db,
    private readonly now: () => Date,
  ) {
    this.selectAll = db.prepare<[], { section: string; value: string }>('SELECT section, value FROM settings');
    this.upsert = db.prepare<[string, string, string]>(
      `INSERT INTO settings (section, value, updated_at) VALUES (?, ?, ?)
       ON CONFLICT(section) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
    );
  }

  all(): SettingsRow[] {
    return this.selectAll.all().map((row) => ({ section: row.section, value: JSON.parse(row.value) as unknown }));
  }

  /** Writes every given section in one transaction: all or nothing. */
  write(sections: Record<string, unknown>): void {
    const at = this.now().toISOString();
    this.db.transaction(() => {
      for (const [section, value] of Object.entries(sections)) this.upsert.run(section, JSON.stringify(value), at);
    })();
  }
}
