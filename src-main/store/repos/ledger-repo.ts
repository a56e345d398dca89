import type { Db } from '../database';
import type { Usage } from '../../orchestrator/usage';
import { ownerOf, type Owner } from '../owner';
import { dataVersionOf, preparedOnce } from './prepared';
import type { ChosenBy } from '../../orchestrator/chosen-by';
import { HELD_AHEAD_ID } from '../../../src-preload/contract/model-ids';

/**
 * A rollup row's calls, as the month's tables count them: what a process held ahead when the Mac stopped (its row
 * counted as spent, standing-hold.ts) is money, not a call.
 */
export const CALLS = `CASE model_id WHEN '${HELD_AHEAD_ID}' THEN 0 ELSE calls END`;

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
  overrun_micros: number;
  /** The call's bound before its hold was raised for the model's overruns this month (null: the hold is the bound). */
  bound_micros: number | null;
  owner_pid: number | null;
  owner_token: string | null;
  /** Who chose the call's model (orchestrator/chosen-by.ts); null for a row written before Quire recorded it. */
  chosen_by: ChosenBy | null;
}

/** A call's charge as a run's spend sums it. */
export type RunCharge = Pick<
  LedgerEntry,
  'state' | 'reserved_micros' | 'charged_micros' | 'input_tokens' | 'output_tokens'
>;

export type LedgerHead = Pick<LedgerEntry, 'month' | 'state' | 'reserved_micros' | 'run_id' | 'model_id'>;

export type NewReservation = Pick<
  LedgerEntry,
  'run_id' | 'month' | 'day' | 'model_id' | 'provider' | 'task' | 'reserved_micros' | 'created_at'
> &
  Partial<Pick<LedgerEntry, 'bound_micros' | 'chosen_by' | 'note'>>;

export interface MonthTotals {
  settled_micros: number;
  reserved_micros: number;
  orphaned_micros: number;
  /** Of settled_micros: what settlements charged above their reservations. */
  overrun_micros: number;
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

export interface ChoiceRow {
  task: string;
  chosen_by: ChosenBy | 'unknown';
  counted_micros: number;
  calls: number;
  input_tokens: number;
  output_tokens: number;
  /** Of those calls, the ones whose usage was never reported (open, orphaned, kept at their hold), and what they count. */
  unpriced_calls: number;
  unpriced_micros: number;
}

/**
 * Overrun writes made on each connection (each counts up when a settlement above its hold is written there, committed
 * or not). With PRAGMA data_version, which moves when another connection commits, it says when the overrun multiples
 * read before may have changed.
 */
const overrunWrites = new WeakMap<Db, { n: number }>();

/** All ledger SQL, rows mapped here only. */
export class LedgerRepo {
  private readonly q: ReturnType<typeof preparedOnce>;
  private readonly owner: Owner;
  private readonly writes: { n: number };
  private readonly dataVersion: () => number;
  /** The month's overrun multiples as last read, and what they were read against. */
  private ratios: { month: string; version: number; writes: number; byModel: ReadonlyMap<string, number> } | null =
    null;

  constructor(private readonly db: Db) {
    this.q = preparedOnce(db);
    this.owner = ownerOf(db);
    let writes = overrunWrites.get(db);
    if (!writes) overrunWrites.set(db, (writes = { n: 0 }));
    this.writes = writes;
    this.dataVersion = dataVersionOf(db);
  }

  insert(r: NewReservation, state: LedgerState = 'reserved'): number {
    const result = this.q(
      `INSERT INTO ledger (run_id, month, day, model_id, provider, task, state, reserved_micros, bound_micros,
           created_at, owner_pid, owner_token, chosen_by, note)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(
      r.run_id,
      r.month,
      r.day,
      r.model_id,
      r.provider,
      r.task,
      state,
      r.reserved_micros,
      r.bound_micros ?? null,
      r.created_at,
      this.owner.pid,
      this.owner.token,
      r.chosen_by ?? null,
      r.note ?? null,
    );
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
    overrun = 0,
  ): boolean {
    const result = this.q(
      `UPDATE ledger SET state = ?, charged_micros = ?, overrun_micros = ?, input_tokens = ?, output_tokens = ?,
           cached_input_tokens = ?, cache_write_tokens = ?, reasoning_tokens = ?, duration_ms = ?, note = ?,
           settled_at = ?
         WHERE id = ? AND state IN ('reserved', 'orphaned')`,
    ).run(
      state,
      charged,
      overrun,
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
    if (overrun > 0) this.writes.n++;
    return result.changes === 1;
  }

  /**
   * What the month counts for the calls of runs whose ids start with `prefix` (a run in parts: `<id>/part/`), every
   * call counted — a part stopped and asked again has two: each settled charge, and the hold of a call still open or
   * left open by a crash (orphaned: it may have been billed), as runs-repo's markInterrupted counts a run. A range on
   * the run_id index, not a scan.
   */
  chargedUnder(prefix: string): number {
    // The prefix ends in "/": every id under it sorts before the same prefix ending in "0" ("/" + 1).
    const upper = `${prefix.slice(0, -1)}0`;
    return this.q<number>(
      `SELECT COALESCE(SUM(CASE WHEN state IN ('reserved', 'orphaned') THEN reserved_micros
                                ELSE COALESCE(charged_micros, 0) END), 0)
         FROM ledger WHERE run_id >= ? AND run_id < ?`,
    )
      .pluck()
      .get(prefix, upper)!;
  }

  /** Who chose the model of the first call under `prefix` (as chargedUnder ranges over it); null when not recorded. */
  chosenUnder(prefix: string): ChosenBy | null {
    const upper = `${prefix.slice(0, -1)}0`;
    return (
      this.q<ChosenBy | null>('SELECT chosen_by FROM ledger WHERE run_id >= ? AND run_id < ? ORDER BY id LIMIT 1')
        .pluck()
        .get(prefix, upper) ?? null
    );
  }

  get(id: number): LedgerEntry | undefined {
    return this.q<LedgerEntry>('SELECT * FROM ledger WHERE id = ?').get(id);
  }

  /** A run's calls, in the order they were reserved (on the run_id index). */
  ofRun(runId: string): LedgerEntry[] {
    return this.q<LedgerEntry>('SELECT * FROM ledger WHERE run_id = ? ORDER BY id').all(runId);
  }

  /**
   * What a run's calls were charged, only the columns that sum needs (run-spend.ts): the gateway reads it for every call
   * it answers, and a whole row (its dates, ids and notes made into strings) took ~4× as long.
   */
  chargesOfRun(runId: string): RunCharge[] {
    return this.q<RunCharge>(
      'SELECT state, reserved_micros, charged_micros, input_tokens, output_tokens FROM ledger WHERE run_id = ?',
    ).all(runId);
  }

  /** What closing a row needs to know (every call does this once: a narrow read). */
  head(id: number): LedgerHead | undefined {
    return this.q<LedgerHead>('SELECT month, state, reserved_micros, run_id, model_id FROM ledger WHERE id = ?').get(
      id,
    );
  }

  /** The month's totals, kept by triggers on every write from any process (migration 008): one row, no scan. */
  totals(month: string): MonthTotals {
    return (
      this.q<MonthTotals>(
        `SELECT settled_micros, reserved_micros, orphaned_micros, overrun_micros FROM ledger_month_totals WHERE month = ?`,
      ).get(month) ?? { settled_micros: 0, reserved_micros: 0, orphaned_micros: 0, overrun_micros: 0 }
    );
  }

  /**
   * Marks open reservations whose owning process is gone; they keep counting. A live process's (another host, the
   * CLI) are left alone. Reads only the open rows (a partial index).
   */
  markOrphans(isAlive: (owner: { pid: number | null; token: string | null }) => boolean): number {
    const owners = this.q<{ pid: number | null; token: string | null }>(
      `SELECT DISTINCT owner_pid AS pid, owner_token AS token FROM ledger WHERE state = 'reserved'`,
    ).all();
    let changed = 0;
    for (const owner of owners) {
      if (isAlive(owner)) continue;
      changed += this.q(
        `UPDATE ledger SET state = 'orphaned', note = 'left open by a crash'
           WHERE state = 'reserved' AND owner_pid IS ? AND owner_token IS ?`,
      ).run(owner.pid, owner.token).changes;
    }
    return changed;
  }

  /** This month's overruns by model: calls where the provider charged more than was held, and how much more. */
  overruns(month: string): { model_id: string; calls: number; overrun_micros: number }[] {
    return this.q<{ model_id: string; calls: number; overrun_micros: number }>(
      `SELECT model_id, COUNT(*) AS calls, SUM(overrun_micros) AS overrun_micros FROM ledger
         WHERE month = ? AND overrun_micros > 0 GROUP BY model_id ORDER BY overrun_micros DESC, model_id`,
    ).all(month);
  }

  /**
   * The largest charged/bound ratio among the overruns of this month and the one before of each model that has any
   * (usually none; a model not listed is held at 1): the provider has shown it counts that much more than Quire's
   * bound, so the next holds for it are that much larger — also on the 1st, when what it showed last night is in last
   * month's rows. Against the bound, not the hold: a hold already raised by an earlier overrun would make the
   * ratios not compound. Every run asks several times (its quote, its bound, its hold), so the read is kept until an
   * overrun is written on this connection or another connection commits anything; never kept from inside a
   * transaction, whose writes may still roll back.
   */
  overrunRatios(month: string): ReadonlyMap<string, number> {
    const version = this.dataVersion();
    const kept = this.ratios;
    if (kept && kept.month === month && kept.version === version && kept.writes === this.writes.n) return kept.byModel;
    const rows = this.q<{ model_id: string; ratio: number }>(
      `SELECT model_id, MAX(CAST(charged_micros AS REAL) / COALESCE(bound_micros, reserved_micros)) AS ratio FROM ledger
         WHERE month IN (?, ?) AND overrun_micros > 0 AND COALESCE(bound_micros, reserved_micros) > 0
         GROUP BY model_id`,
    ).all(month, monthBefore(month));
    const byModel = new Map(rows.filter((r) => r.ratio > 1).map((r) => [r.model_id, r.ratio]));
    this.ratios = this.db.inTransaction ? null : { month, version, writes: this.writes.n, byModel };
    return byModel;
  }

  /**
   * By day, model or task, from the rollup the triggers keep (a month's groups, not its rows). reserved_micros is what
   * calls in flight hold; a crash's leftover holds are in counted_micros only, as spent (migration 015).
   */
  group(month: string, by: 'day' | 'model_id' | 'task' | 'provider'): GroupRow[] {
    return this.q<GroupRow>(
      `SELECT ${by} AS key, MIN(provider) AS provider, SUM(counted_micros) AS counted_micros,
                SUM(open_micros) AS reserved_micros, SUM(${CALLS}) AS calls, SUM(input_tokens) AS input_tokens,
                SUM(output_tokens) AS output_tokens
         FROM ledger_rollup WHERE month = ? AND calls > 0
         GROUP BY ${by} ORDER BY ${by === 'day' ? 'key' : 'counted_micros DESC, key'}`,
    ).all(month);
  }

  /**
   * The month's calls by task and by who chose their models ('unknown': rows written before that was recorded), from
   * the rollup migrations 025 and 026's triggers keep; counted_micros as the budget counts them.
   */
  choices(month: string): ChoiceRow[] {
    return this.q<ChoiceRow>(
      `SELECT task, chosen_by, counted_micros, calls, input_tokens, output_tokens, unpriced_calls, unpriced_micros
         FROM ledger_choice_rollup WHERE month = ? AND calls > 0 ORDER BY counted_micros DESC, task, chosen_by`,
    ).all(month);
  }

  entries(month: string): LedgerEntry[] {
    return this.q<LedgerEntry>('SELECT * FROM ledger WHERE month = ? ORDER BY id').all(month);
  }

  /** A page of a month's rows after `afterId`, in id order (the export reads a month page by page). */
  page(month: string, afterId: number, limit: number): (LedgerEntry & { app: string | null })[] {
    // With the name of the app whose gateway call it was (a run of Quire's own has none).
    return this.q<LedgerEntry & { app: string | null }>(
      `SELECT ledger.*, gateway_tokens.name AS app FROM ledger
         LEFT JOIN gateway_runs ON gateway_runs.run_id = ledger.run_id
         LEFT JOIN gateway_tokens ON gateway_tokens.id = gateway_runs.token_id
        WHERE ledger.month = ? AND ledger.id > ? ORDER BY ledger.id LIMIT ?`,
    ).all(month, afterId, limit);
  }

  /**
   * The budget `month` had (migration 027): its own row, else that of the latest month before it; `recorded` false
   * when no month at or before it has one (from before Quire kept budgets). micros null: no budget.
   */
  budgetOf(month: string): { recorded: boolean; micros: number | null } {
    const row = this.q<{ budget_micros: number | null }>(
      'SELECT budget_micros FROM month_budgets WHERE month <= ? ORDER BY month DESC LIMIT 1',
    ).get(month);
    return row ? { recorded: true, micros: row.budget_micros } : { recorded: false, micros: null };
  }

  /** Records `micros` as the budget of `month` (the last one set in a month is the month's). */
  noteBudget(month: string, micros: number | null, at: string): void {
    this.q(
      `INSERT INTO month_budgets (month, budget_micros, set_at) VALUES (?, ?, ?)
         ON CONFLICT (month) DO UPDATE SET budget_micros = excluded.budget_micros, set_at = excluded.set_at`,
    ).run(month, micros, at);
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

/** "2026-01" for "2026-02", "2025-12" for "2026-01". */
function monthBefore(month: string): string {
  const [year, m] = month.split('-').map(Number) as [number, number];
  return m === 1 ? `${year - 1}-12` : `${year}-${String(m - 1).padStart(2, '0')}`;
}
