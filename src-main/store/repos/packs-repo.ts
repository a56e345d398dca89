import type { Pack } from '../../../src-preload/contract';
import type { Db } from '../database';

interface PackRow {
  name: string;
  display_name: string;
  description: string;
  tasks: string;
}

function toPack(row: PackRow): Pack {
  return {
    name: row.name,
    display_name: row.display_name,
    description: row.description,
    builtin: false,
    tasks: JSON.parse(row.tasks) as Record<string, string>,
  };
}

/** The writer's own model packs. */
export class PacksRepo {
  private readonly selectAll;
  private readonly selectOne;
  private readonly upsert;
  private readonly remove;

  constructor(
    db: Db,
    private readonly now: () => Date,
  ) {
    this.selectAll = db.prepare<[], PackRow>(
      'SELECT name, display_name, description, tasks FROM custom_packs ORDER BY name',
    );
    this.selectOne = db.prepare<[string], PackRow>(
      'SELECT name, display_name, description, tasks FROM custom_packs WHERE name = ?',
    );
    this.upsert = db.prepare<[string, string, string, string, string]>(
      `INSERT INTO custom_packs (name, display_name, description, tasks, updated_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT(name) DO UPDATE SET display_name = excluded.display_name, description = excluded.description,
         tasks = excluded.tasks, updated_at = excluded.updated_at`,
    );
    this.remove = db.prepare<[string]>('DELETE FROM custom_packs WHERE name = ?');
  }

  all(): Pack[] {
    return this.selectAll.all().map(toPack);
  }

  get(name: string): Pack | undefined {
    const row = this.selectOne.get(name);
    return row ? toPack(row) : undefined;
  }

  save(pack: Pack): void {
    this.upsert.run(
      pack.name,
      pack.display_name,
      pack.description,
      JSON.stringify(pack.tasks),
      this.now().toISOString(),
    );
  }

  delete(name: string): boolean {
    return this.remove.run(name).changes > 0;
  }
}
