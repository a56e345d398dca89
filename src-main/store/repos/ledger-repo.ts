import type { Db } from '../database';
import type { Usage } from '../../orchestrator/usage';
import { preparedOnce } from './prepared';

export type LedgerState = 'reserved' | 'settled' | 'released' | 'orphaned';

export interface LedgerEntry {
  id: number;
  run_id: string | null;
  month: string;
  day: string;
  model_id: string;
  provider: string;
  task: string;
  state: LedgerState;
  reserved_micros: number;
  charged_micros: number | null;
  input_tokens: number | null;
  output_tokens: number | null;
  cached_input_tokens: number | null;
  cache_write_tokens: number | null;
  reasoning_tokens: number | null;
  duration_ms: number | null;
  note: string | null;
  created_at: string;
  settled_at: string | null;
}

export type NewReservation = Pick<
  LedgerEntry,
  'run_id' | 'month' | 'day' | 'model_id' | 'provider' | 'task' | 'reserved_micros' | 'created_at'
>;

/** What counts against the budget: settled charges, open and crash-left reservations; released rows count 0. */
const COUNTED = `CASE state WHEN 'settled' THEN charged_micros WHEN 'released' THEN 0 ELSE reserved_micros END`;

export interface MonthTotals {
  settled_micros: number;
  reserved_micros: number;
  orphaned_micros: number;
}

export interface GroupRow {
  key: string;
  provider: string;
  counted_micros: number;
  reserved_micros: number;
  calls: number;
  input_tokens: number;
  output_tokens: number;
}

/** Ledger writes made through any LedgerRepo on a connection (other connections show in PRAGMA data_version). */
const writesOn = new WeakMap<Db, { count: number }>();

/** Identifies the ledger's state: equal stamps mean no ledger row changed in between. */
export interface LedgerStamp {
  dataVersion: number;
  writes: number;
}

/** All ledger SQL, rows mapped here only. */
export class LedgerRepo {
  private readonly q: ReturnType<typeof preparedOnce>;
  private readonly writes: { count: number };

  constructor(db: Db) {
    this.q = preparedOnce(db);
    let writes = writesOn.get(db);
    if (!writes) writesOn.set(db, (writes = { count: 0 }));
    this.writes = writes;
  }

  writeCount(): number {
    return this.writes.count;
  }

  /** Cheap (one pragma read): lets callers cache month totals until this connection or another one writes. */
  stamp(): LedgerStamp {
    const dataVersion = this.q('PRAGMA data_version').pluck().get() as number;
    return { dataVersion, writes: this.writes.count };
  }

  insert(r: NewReservation, state: LedgerState = 'reserved'): number {
    this.writes.count++;
    const result = this.q(
      `INSERT INTO ledger (run_id, month, day, model_id, provider, task, state, reserved_micros, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(r.run_id, r.month, r.day, r.model_id, r.provider, r.task, state, r.reserved_micros, r.created_at);
    return Number(result.lastInsertRowid);
  }

  /** Moves an open (or crash-left) reservation to its final state; returns false when it was already final. */
  finish(
    id: number,
    state: 'settled' | 'released',
    charged: number,
    usage: Usage | undefined,
    durationMs: number | undefined,
    note: string | null,
    at: string,
  ): boolean {
    this.writes.count++;
    const result = this.q(
      `UPDATE ledger SET state = ?, charged_micros = ?, input_tokens = ?, output_tokens = ?, cached_input_tokens = ?,
           cache_write_tokens = ?, reasoning_tokens = ?, duration_ms = ?, note = ?, settled_at = ?
         WHERE id = ? AND state IN ('reserved', 'orphaned')`,
    ).run(
      state,
      charged,
      usage?.inputTokens ?? null,
      usage?.outputTokens ?? null,
      usage?.cachedInputTokens ?? null,
      usage?.cacheWriteTokens ?? null,
      usage?.reasoningTokens ?? null,
      durationMs ?? null,
      note,
      at,
      id,
    );
    return result.changes === 1;
  }

  get(id: number): LedgerEntry | undefined {
    return this.q<LedgerEntry>('SELECT * FROM ledger WHERE id = ?').get(id);
  }

  /** What closing a row needs to know (every call does this once: a narrow read). */
  head(id: number): Pick<LedgerEntry, 'month' | 'state' | 'reserved_micros'> | undefined {
    return this.q<Pick<LedgerEntry, 'month' | 'state' | 'reserved_micros'>>(
      'SELECT month, state, reserved_micros FROM ledger WHERE id = ?',
    ).get(id);
  }

  totals(month: string): MonthTotals {
    const row = this.q<{ settled: number | null; reserved: number | null; orphaned: number | null }>(
      `SELECT SUM(CASE WHEN state = 'settled' THEN charged_micros ELSE 0 END) AS settled,
                SUM(CASE WHEN state = 'reserved' THEN reserved_micros ELSE 0 END) AS reserved,
                SUM(CASE WHEN state = 'orphaned' THEN reserved_micros ELSE 0 END) AS orphaned
         FROM ledger WHERE month = ?`,
    ).get(month);
    return {
      settled_micros: row?.settled ?? 0,
      reserved_micros: row?.reserved ?? 0,
      orphaned_micros: row?.orphaned ?? 0,
    };
  }

  /** Marks reservations a previous process left open; they keep counting. */
  markOrphans(): number {
    this.writes.count++;
    return this.q(`UPDATE ledger SET state = 'orphaned', note = 'left open by a crash' WHERE state = 'reserved'`).run()
      .changes;
  }

  group(month: string, by: 'day' | 'model_id' | 'task'): GroupRow[] {
    return this.q<GroupRow>(
      `SELECT ${by} AS key, MIN(provider) AS provider, SUM(${COUNTED}) AS counted_micros,
                SUM(CASE WHEN state IN ('reserved', 'orphaned') THEN reserved_micros ELSE 0 END) AS reserved_micros,
                COUNT(*) AS calls, COALESCE(SUM(input_tokens), 0) AS input_tokens,
                COALESCE(SUM(output_tokens), 0) AS output_tokens
         FROM ledger WHERE month = ? GROUP BY ${by} ORDER BY ${by === 'day' ? 'key' : 'counted_micros DESC, key'}`,
    ).all(month);
  }

  entries(month: string): LedgerEntry[] {
    return this.q<LedgerEntry>('SELECT * FROM ledger WHERE month = ? ORDER BY id').all(month);
  }

  /** True the first time a (month, threshold) alert is claimed. */
  claimAlert(month: string, threshold: number, at: string): boolean {
    return (
      this.q('INSERT INTO spend_alerts (month, threshold, sent_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING').run(
        month,
        threshold,
        at,
      ).changes === 1
    );
  }
}
