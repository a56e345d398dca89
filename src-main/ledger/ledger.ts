// The spend ledger: every call reserves its worst case inside the same IMMEDIATE transaction that checks the monthly
// budget (so concurrent calls, even from two processes, cannot jointly overspend), then settles to what the provider
// reported. What cannot be known (a cut stream, a crash) keeps counting at the reservation, never at $0.
import type { SpendMonth } from '../../src-preload/contract/spend';
import type { EventBus } from '../infra/event-bus';
import { BudgetExceededError } from '../errors';
import type { SpendSnapshot, SpendSource } from '../orchestrator/sources';
import type { Usage } from '../providers/spec';
import type { Db } from '../store/database';
import { LedgerRepo, type LedgerEntry, type LedgerStamp, type MonthTotals } from '../store/repos/ledger-repo';
import { calendarFor, type Calendar } from './calendar';
import { toMicros, toUsd } from '../store/money';
import { spendCsv, spendMonth } from './spend-report';
import { ALERT_THRESHOLDS } from '../../src-preload/contract/constants';

export interface LedgerOptions {
  db: Db;
  now: () => Date;
  /** The monthly budget in USD now; null = unlimited. */
  budgetUsd: () => number | null;
  events?: EventBus;
  /** IANA zone the writer's months follow; undefined = the process's zone. */
  timeZone?: string;
  /**
   * Whether budget alerts are raised (the writer's "Track spending" setting). Reservations, settlements and the budget
   * check never depend on it: they are how Quire keeps the budget.
   */
  alertsEnabled?: () => boolean;
}

export interface ReserveRequest {
  runId: string | null;
  modelId: string;
  provider: string;
  task: string;
  worstCaseUsd: number;
}

export interface Reservation {
  id: number;
  month: string;
  reservedUsd: number;
}

/** How a call ended, for {@link Ledger.close}. */
export interface CallEnd {
  /** The provider's own counts; undefined, or a count missing, when it did not report them. */
  usage?: Usage | undefined;
  /** Prices reported usage (A's costUsd for the model called). */
  price: (usage: Usage) => number;
  /** The provider is known to have billed nothing (an HTTP error answer, a refused connection, a breaker). */
  unbilled?: boolean;
  note?: string | null;
  durationMs?: number;
}

/** Usage counts as reported only when the provider gave both counts; anything less is not a bill to settle to. */
function usageReported(usage: Usage | undefined): usage is Usage & { inputTokens: number; outputTokens: number } {
  return usage !== undefined && usage.inputTokens !== undefined && usage.outputTokens !== undefined;
}

interface TotalsEntry {
  month: string;
  stamp: LedgerStamp;
  totals: MonthTotals;
}

export class Ledger implements SpendSource {
  private readonly repo: LedgerRepo;
  private readonly calendar: Calendar;
  private readonly reserveTx;
  private readonly atomicTx;
  /**
   * A month's committed totals as of a ledger stamp. Kept exact without rescanning the month: each write through this
   * ledger applies its own effect when nothing else changed the ledger since (here or in another process).
   */
  private cache: TotalsEntry | null = null;
  /** Inside {@link atomically}: what the cache becomes if the transaction commits (undefined: nothing written). */
  private staged: TotalsEntry | null | undefined = undefined;
  /** Inside {@link atomically}: spend events wait for the commit. */
  private deferDepth = 0;
  private deferred = false;

  constructor(private readonly options: LedgerOptions) {
    this.repo = new LedgerRepo(options.db);
    this.calendar = calendarFor(options.timeZone);
    this.atomicTx = options.db.transaction(<T>(fn: () => T): T => fn());
    this.reserveTx = options.db.transaction(
      (request: ReserveRequest, micros: number, at: Date, within: ((id: number) => void) | undefined) => {
        const { month, day } = this.calendar(at);
        const budget = this.options.budgetUsd();
        // Under the write lock: the cached totals when still exact, else a scan of the month.
        const totals = this.totals(month);
        if (budget !== null && micros > 0) {
          const counted = totals.settled_micros + totals.reserved_micros + totals.orphaned_micros;
          const budgetMicros = Math.floor(budget * 1_000_000 + 1e-6);
          if (counted + micros > budgetMicros) {
            const left = Math.max(0, budgetMicros - counted);
            throw new BudgetExceededError(
              `This call could cost up to $${toUsd(micros).toFixed(4)}, but only $${toUsd(left).toFixed(4)} of this month's $${budget.toFixed(2)} budget is left.`,
            );
          }
        }
        const id = this.repo.insert({
          run_id: request.runId,
          month,
          day,
          model_id: request.modelId,
          provider: request.provider,
          task: request.task,
          reserved_micros: micros,
          created_at: at.toISOString(),
        });
        within?.(id);
        const after = { ...totals, reserved_micros: totals.reserved_micros + micros };
        return { reservation: { id, month, reservedUsd: toUsd(micros) }, after, stamp: this.repo.stamp() };
      },
    );
  }

  /** Run once at start-up: reservations a crashed process left open are marked and keep counting. */
  markOrphans(): number {
    this.cache = null;
    return this.repo.markOrphans();
  }

  /**
   * Holds the worst case against the budget, or throws BudgetExceededError; BEGIN IMMEDIATE across processes.
   * `within` writes in the same transaction (the run row that owns the reservation: one commit, one fsync).
   */
  reserve(request: ReserveRequest, within?: (id: number) => void): Reservation {
    const { reservation, after, stamp } = this.reserveTx.immediate(
      request,
      toMicros(request.worstCaseUsd),
      this.options.now(),
      within,
    );
    // Committed (not nested in a caller's transaction that could still roll back): the totals are exact.
    this.cache = this.options.db.inTransaction ? null : { month: reservation.month, stamp, totals: after };
    this.changed();
    return reservation;
  }

  /**
   * The one rule for closing a call's reservation, whether it finished, broke mid-stream or was aborted: charge the
   * usage the provider reported; where it reported none (a cut stream, a timeout, an abort), keep the reservation —
   * never $0 and never less than what may have been billed; release it only when the provider is known to have billed
   * nothing. Returns the USD charged.
   */
  close(id: number, end: CallEnd): number {
    if (end.unbilled) {
      this.release(id, end.note ?? 'not billed', end.durationMs);
      return 0;
    }
    if (usageReported(end.usage)) return this.settle(id, end.price(end.usage), end.usage, end.durationMs);
    return this.keepReservation(id, end.note ?? 'provider reported no usage', end.durationMs);
  }

  /**
   * Runs `fn` in one transaction (one commit) and announces spend changes after it commits, not before: a settle and
   * the run row it belongs to are stored together, and nobody is told about a charge that could still roll back.
   */
  atomically<T>(fn: () => T): T {
    if (this.deferDepth > 0) return fn();
    this.deferDepth = 1;
    let result: T;
    try {
      result = this.atomicTx(fn) as T;
    } catch (error) {
      this.deferred = false;
      this.staged = undefined;
      this.cache = null;
      throw error;
    } finally {
      this.deferDepth = 0;
    }
    if (this.staged !== undefined) this.cache = this.options.db.inTransaction ? null : this.staged;
    this.staged = undefined;
    if (this.deferred) {
      this.deferred = false;
      this.changed();
    }
    return result;
  }

  /** Settles to the provider's own counts. A billed call (any tokens) never records $0. */
  settle(id: number, costUsd: number, usage: Usage, durationMs?: number): number {
    const row = this.repo.head(id);
    let micros = toMicros(costUsd);
    const billed = (usage.inputTokens ?? 0) + (usage.outputTokens ?? 0) > 0;
    if (billed && micros === 0 && (row?.reserved_micros ?? 0) > 0) micros = 1;
    this.finish(row, id, 'settled', micros, usage, durationMs, null);
    return toUsd(micros);
  }

  /** The provider may have billed but did not say how much (cut stream, abort, timeout): charge the reservation. */
  keepReservation(id: number, note: string, durationMs?: number): number {
    const row = this.repo.head(id);
    const reserved = row?.reserved_micros ?? 0;
    this.finish(row, id, 'settled', reserved, undefined, durationMs, note);
    return toUsd(reserved);
  }

  /** The call failed in a way that bills nothing (an HTTP error answer, a refused connection). */
  release(id: number, note: string, durationMs?: number): void {
    this.finish(this.repo.head(id), id, 'released', 0, undefined, durationMs, note);
  }

  private finish(
    row: Pick<LedgerEntry, 'month' | 'state' | 'reserved_micros'> | undefined,
    id: number,
    state: 'settled' | 'released',
    charged: number,
    usage: Usage | undefined,
    durationMs: number | undefined,
    note: string | null,
  ): void {
    const at = this.options.now().toISOString();
    this.write(
      () => this.repo.finish(id, state, charged, usage, durationMs, note, at),
      (totals, month, changed) => {
        if (!changed || !row || row.month !== month) return totals;
        const next = { ...totals };
        if (row.state === 'reserved') next.reserved_micros -= row.reserved_micros;
        else if (row.state === 'orphaned') next.orphaned_micros -= row.reserved_micros;
        if (state === 'settled') next.settled_micros += charged;
        return next;
      },
    );
    this.changed();
  }

  /** One ledger write that keeps the cached totals exact (its effect applied) or forgets them. */
  private write<T>(fn: () => T, effect: (totals: MonthTotals, month: string, result: T) => MonthTotals): T {
    const base = this.staged !== undefined ? this.staged : this.cache;
    const writesBefore = this.repo.writeCount();
    const result = fn();
    let next: TotalsEntry | null = null;
    if (base && base.stamp.writes === writesBefore) {
      // Read after our write: an unchanged data_version means no other connection committed since the cache.
      const stamp = this.repo.stamp();
      if (stamp.dataVersion === base.stamp.dataVersion) {
        next = { month: base.month, stamp, totals: effect(base.totals, base.month, result) };
      }
    }
    if (this.deferDepth > 0) this.staged = next;
    else this.cache = this.options.db.inTransaction ? null : next;
    return result;
  }

  /** Local runs are recorded too (tokens and duration, $0) so local-versus-cloud comparisons are honest. */
  recordLocal(request: Omit<ReserveRequest, 'worstCaseUsd'>, usage: Usage, durationMs: number): void {
    const at = this.options.now();
    const { month, day } = this.calendar(at);
    // $0 rows: the month's totals do not move.
    this.write(
      () => {
        const id = this.repo.insert({
          ...request,
          run_id: request.runId,
          model_id: request.modelId,
          month,
          day,
          reserved_micros: 0,
          created_at: at.toISOString(),
        });
        this.repo.finish(id, 'settled', 0, usage, durationMs, 'local', at.toISOString());
      },
      (totals) => totals,
    );
  }

  entry(id: number): LedgerEntry | undefined {
    return this.repo.get(id);
  }

  monthOf(at: Date): string {
    return this.calendar(at).month;
  }

  snapshot(now: Date): SpendSnapshot {
    const month = this.calendar(now).month;
    const t = this.totals(month);
    return { month, spent_usd: toUsd(t.settled_micros + t.orphaned_micros), reserved_usd: toUsd(t.reserved_micros) };
  }

  month(month: string): SpendMonth {
    return spendMonth(this.repo, month, this.options.budgetUsd());
  }

  exportCsv(month: string): { filename: string; csv: string } {
    return spendCsv(this.repo, month);
  }

  /**
   * Month totals, from the cache while no ledger row changed since it was taken; else a scan, cached when it reads
   * committed state (outside a transaction).
   */
  private totals(month: string): MonthTotals {
    const stamp = this.repo.stamp();
    const c = this.cache;
    if (c && c.month === month && c.stamp.dataVersion === stamp.dataVersion && c.stamp.writes === stamp.writes) {
      return c.totals;
    }
    const totals = this.repo.totals(month);
    if (!this.options.db.inTransaction) this.cache = { month, stamp, totals };
    return totals;
  }

  private changed(): void {
    const events = this.options.events;
    if (!events) return;
    if (this.deferDepth > 0) {
      this.deferred = true;
      return;
    }
    const now = this.options.now();
    const snapshot = this.snapshot(now);
    const budget = this.options.budgetUsd();
    events.emit('spend:updated', { ...snapshot, budget_usd: budget });
    if (budget === null || budget <= 0 || !(this.options.alertsEnabled?.() ?? true)) return;
    const spentPct = (snapshot.spent_usd / budget) * 100;
    for (const threshold of ALERT_THRESHOLDS) {
      if (spentPct + 1e-9 >= threshold && this.repo.claimAlert(snapshot.month, threshold, now.toISOString())) {
        events.emit('spend:alert', {
          month: snapshot.month,
          threshold,
          spent_usd: snapshot.spent_usd,
          budget_usd: budget,
        });
      }
    }
  }
}
