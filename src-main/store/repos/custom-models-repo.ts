import { modelSpecSchema, type ModelSpec } from '../../../src-preload/contract';
import type { Db } from '../database';
import { immediate } from '../write';

/** Models a writer added, stored as validated JSON specs grouped by the source that added them. */
export class CustomModelsRepo {
  private readonly selectAll;
  private readonly deleteSource;
  private readonly insert;

  constructor(
    private readonly db: Db,
    private readonly now: () => Date,
  ) {
    this.selectAll = db.prepare<[], { spec: string }>('SELECT spec FROM custom_models ORDER BY position, id');
    this.deleteSource = db.prepare<[string]>('DELETE FROM custom_models WHERE source = ?');
    this.insert = db.prepare<[string, string, string, number, string]>(
      `INSERT INTO custom_models (id, source, spec, position, updated_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT(id) DO UPDATE SET source = excluded.source, spec = excluded.spec, position = excluded.position,
         updated_at = excluded.updated_at`,
    );
  }

  /** Rows that no longer match the schema (written by a newer Quire) are skipped rather than breaking the registry. */
  all(): ModelSpec[] {
    const specs: ModelSpec[] = [];
    for (const row of this.selectAll.all()) {
      const parsed = modelSpecSchema.safeParse(JSON.parse(row.spec));
      if (parsed.success) specs.push(parsed.data);
    }
    return specs;
  }

  /** Replaces everything `source` added with `specs`, in one transaction. */
  replaceSource(source: string, specs: readonly ModelSpec[]): void {
    const at = this.now().toISOString();
    const base = this.now().getTime();
    immediate(this.db, () => {
      this.deleteSource.run(source);
      specs.forEach((spec, i) => this.insert.run(spec.id, source, JSON.stringify(spec), base + i, at));
    })();
  }

  removeSource(source: string): void {
    this.deleteSource.run(source);
  }
}
