import type { Statement } from 'better-sqlite3';
import type { Db } from '../database';

/** Prepares each SQL text once on `db`: preparing is a measurable share of a run's overhead. */
export function preparedOnce(db: Db): <R = unknown>(sql: string) => Statement<unknown[], R> {
  const statements = new Map<string, Statement>();
  return <R = unknown>(sql: string): Statement<unknown[], R> => {
    let statement = statements.get(sql);
    if (!statement) {
      statement = db.prepare(sql);
      statements.set(sql, statement);
    }
    return statement as Statement<unknown[], R>;
  };
}

const dataVersions = new WeakMap<Db, () => number>();

/**
 * SQLite's data_version on `db`: it moves when another connection (another process) commits, never for this one's own
 * commits. A cheap "look again" for what a repo holds in memory; one statement per connection, shared by every repo.
 */
export function dataVersionOf(db: Db): () => number {
  let version = dataVersions.get(db);
  if (!version) {
    const statement = db.prepare<[], number>('PRAGMA data_version').pluck();
    dataVersions.set(db, (version = () => statement.get() as number));
  }
  return version;
}
