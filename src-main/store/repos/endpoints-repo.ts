import type { EndpointInput } from '../../../src-preload/contract/providers';
import type { Db } from '../database';

export interface EndpointRow {
  id: string;
  /** The writer's name for a custom endpoint; null: named by its id. */
  name: string | null;
  kind: EndpointInput['kind'];
  base_url: string;
  builtin: boolean;
  models: EndpointInput['models'];
}

/** Custom endpoints and built-in base-URL overrides; keys are never stored here. */
export class EndpointsRepo {
  /** Read on every decision (availability) and run: kept in memory, dropped on every write. */
  private cache: EndpointRow[] | null = null;

  constructor(
    private readonly db: Db,
    private readonly now: () => Date,
  ) {}

  all(): EndpointRow[] {
    this.cache ??= this.db
      .prepare<
        [],
        {
          id: string;
          name: string | null;
          kind: EndpointRow['kind'];
          base_url: string;
          builtin: number;
          models_json: string;
        }
      >('SELECT id, name, kind, base_url, builtin, models_json FROM provider_endpoints ORDER BY builtin DESC, id')
      .all()
      .map((r) => ({
        id: r.id,
        name: r.name,
        kind: r.kind,
        base_url: r.base_url,
        builtin: r.builtin === 1,
        models: JSON.parse(r.models_json) as EndpointRow['models'],
      }));
    return this.cache;
  }

  get(id: string, builtin: boolean): EndpointRow | undefined {
    return this.all().find((e) => e.id === id && e.builtin === builtin);
  }

  save(row: EndpointRow): void {
    this.db
      .prepare(
        `INSERT INTO provider_endpoints (id, name, kind, base_url, builtin, models_json, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT(id) DO UPDATE SET name = excluded.name, kind = excluded.kind, base_url = excluded.base_url,
           builtin = excluded.builtin, models_json = excluded.models_json, updated_at = excluded.updated_at`,
      )
      .run(
        row.id,
        row.name,
        row.kind,
        row.base_url,
        row.builtin ? 1 : 0,
        JSON.stringify(row.models),
        this.now().toISOString(),
      );
    this.cache = null;
  }

  delete(id: string): boolean {
    this.cache = null;
    return this.db.prepare('DELETE FROM provider_endpoints WHERE id = ?').run(id).changes === 1;
  }
}
