// The spend ledger: every call reserves its worst case inside the same IMMEDIATE transaction that checks the monthly
// budget (so concurrent calls, even from two processes, cannot jointly overspend), then settles to what the provider
// reported. What cannot be known (a cut stream, a crash) keeps counting at the reservation, never at $0. Month totals
// are SQLite's (a table kept by triggers), so every process reads the same exact figures without a cache.
import type { SpendMonth } from '../../src-preload/contract/spend';
import type { EventBus } from '../infra/event-bus';
import { intervalTicker, type Ticker } from '../infra/ticker';
import { BudgetExceededError } from '../errors';
import type { SpendSnapshot, SpendSource } from '../orchestrator/sources';
import type { Usage } from '../providers/spec';
import { readSnapshot, type Db } from '../store/database';
import { bootIdentity, isOwnerAlive, ownerOf } from '../store/owner';
import { StandingHoldsRepo } from '../store/repos/standing-holds-repo';
import { LedgerRepo, type LedgerEntry, type LedgerHead } from '../store/repos/ledger-repo';
import { immediate } from '../store/write';
import { groupCommitOf, type Committed, type GroupCommit } from '../store/group-commit';
import type { ChosenBy } from '../orchestrator/chosen-by';
import type { TaskWork } from '../orchestrator/routing-value';
import { Charge, type CallEnd, type ChargeBook, type ChargeCall, type Reservation } from './charge';
import { recoverStandingHolds, StandingHold } from './standing-hold';

export type { CallEnd, Reservation } from './charge';
import { calendarFor, type Calendar } from './calendar';
import { budgetMicros, heldMicros, toMicros, toUsd } from '../store/money';
import { usdLeftText, usdText } from '../../src-preload/contract/usd-text';
import { spendCsv, spendMonth, type CsvNames } from './spend-report';
import { runSpend, type RunSpend } from './run-spend';
import { ALERT_THRESHOLDS } from '../../src-preload/contract/constants';

/** How often the app looks whether a new month has begun. */
const MONTH_LOOK_MS = 60_000;

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
  /** Whether the process that owns an open reservation still runs (default: pid + start token, store/owner.ts). */
  isOwnerAlive?: (owner: { pid: number | null; token: string | null }) => boolean;
  /** The connection's group commit (default: its own, fsyncing the -wal file); tests hold its fsync. */
  groupCommit?: GroupCommit;
  /** This boot of the computer (default: store/owner.ts bootIdentity); tests play a restart with another. */
  boot?: string | null;
}

export interface ReserveRequest {
  runId: string | null;
  modelId: string;
  provider: string;
  task: string;
  worstCaseUsd: number;
  /** Who chose the model (Quire's routing or the writer); absent: not known, left out of "What routing was worth". */
  chosenBy?: ChosenBy | null | undefined;
  /**
   * Not taken out of the standing hold: the call is sent once its own row is on disk. A hold a power cut took is counted
   * as spent, but it cannot say for whom, so a call an app's cap limits must be on disk itself.
   */
  waitForDisk?: boolean;
}

/** Usage counts as reported only when the provider gave both counts; anything less is not a bill to settle to. */
function usageReported(usage: Usage | undefined): usage is Usage & { inputTokens: number; outputTokens: number } {
  return usage !== undefined && usage.inputTokens !== undefined && usage.outputTokens !== undefined;
}

interface Overrun {
  month: string;
  ledgerId: number;
  runId: string | null;
  modelId: string;
  reserved: number;
  charged: number;
}

/** A reservation, and whether it was taken out of this process's standing hold (on disk already: sent at once). */
interface Held extends Reservation {
  drawn: boolean;
}

interface HeldEvents<T> {
  value: T;
  changed: boolean;
  overruns: Overrun[];
  /** The months whose rows the write settled. */
  settledMonths: string[];
  /** The month's totals the write left, read under its write lock when it changed spend (for spend:updated). */
  totals: SpendSnapshot | undefined;
}

export class Ledger implements SpendSource {
  private readonly repo: LedgerRepo;
  private readonly calendar: Calendar;
  private readonly reserveTx;
  private readonly atomicTx;
  /** Inside {@link atomically}: spend events wait for the commit (nobody hears of a charge that could roll back). */
  private deferring = false;
  private pending = false;
  private overruns: Overrun[] = [];
  /** Months of the rows settled since the last announcement: their alerts are checked too (a call past midnight). */
  private readonly settledMonths = new Set<string>();
  private readonly group: GroupCommit;
  private readonly book: ChargeBook;
  private readonly holds: StandingHoldsRepo;
  private readonly standing: StandingHold;
  private readonly boot: string | null;

  constructor(private readonly options: LedgerOptions) {
    this.repo = new LedgerRepo(options.db);
    this.group = options.groupCommit ?? groupCommitOf(options.db);
    this.book = {
      close: (id, end) => this.close(id, end),
      recordLocal: (call, usage, durationMs) =>
        this.recordLocal(call, usage ?? { inputTokens: undefined, outputTokens: undefined }, durationMs),
      commit: (fn) => this.commit(fn),
    };
    this.calendar = calendarFor(options.timeZone);
    this.atomicTx = immediate(options.db, <T>(fn: () => T): T => fn());
    this.holds = new StandingHoldsRepo(options.db);
    this.boot = options.boot === undefined ? bootIdentity() : options.boot;
    this.standing = new StandingHold({
      repo: this.holds,
      group: this.group,
      owner: ownerOf(options.db),
      boot: this.boot,
      month: () => this.monthOf(this.options.now()),
      at: () => this.options.now().toISOString(),
      room: (month) => this.room(month),
      write: (fn) => this.write(fn),
    });
    this.reserveTx = immediate(
      options.db,
      (
        request: ReserveRequest,
        micros: number,
        at: Date,
        within: ((id: number) => void) | undefined,
        draw: boolean,
      ): Held => {
        const { month, day } = this.calendar(at);
        // A provider that already charged past its hold this month (it counts tokens above Quire's bound) is held at
        // that multiple: the overrun is counted in the month, and the next reservation sees it.
        const bound = micros;
        if (micros > 0) micros = heldMicros(micros, this.repo.overrunRatios(month).get(request.modelId) ?? 1);
        const budget = this.options.budgetUsd();
        // Taken out of the standing hold, the month counts what it counted: the budget check below is the same one.
        let drawn = draw && micros > 0 && this.standing.draw(month, micros);
        if (budget !== null && micros > 0) drawn = this.checkBudget(month, budget, micros) && drawn;
        const id = this.repo.insert({
          run_id: request.runId,
          month,
          day,
          model_id: request.modelId,
          provider: request.provider,
          task: request.task,
          reserved_micros: micros,
          bound_micros: micros === bound ? null : bound,
          created_at: at.toISOString(),
          chosen_by: request.chosenBy ?? null,
        });
        within?.(id);
        return { id, month, reservedUsd: toUsd(micros), drawn };
      },
    );
  }

  /** What `month` counts: settled charges (overruns included), orphans, calls' holds and every standing hold. */
  private counted(month: string): number {
    const totals = this.repo.totals(month);
    return totals.settled_micros + totals.reserved_micros + totals.orphaned_micros + this.holds.total(month);
  }

  /** Micro-USD of the budget `month` has not counted, leaving this process's standing hold out; null: no budget. */
  private room(month: string): number | null {
    const budget = this.options.budgetUsd();
    if (budget === null) return null;
    return budgetMicros(budget) - this.counted(month) + this.standing.own(month);
  }

  /**
   * Under the write lock: what the month counts plus this call, within the budget. A call that does not fit while this
   * process holds money ahead gets that money back first (false: the standing hold is given back).
   */
  private checkBudget(month: string, budget: number, micros: number): boolean {
    const cap = budgetMicros(budget);
    if (this.counted(month) + micros <= cap) return true;
    if (this.standing.own(month) > 0) {
      this.standing.giveBack(); // rolled back with the transaction should the call not fit even so
      if (this.counted(month) + micros <= cap) return false;
    }
    // Held ahead by a process that has gone since (a command line stopped with ^C): settled now, as at start-up.
    if (this.holds.total(month) > 0 && this.recoverHolds().settled > 0 && this.counted(month) + micros <= cap)
      return false;
    const totals = this.repo.totals(month);
    const left = Math.max(0, cap - this.counted(month));
    const overrun =
      totals.overrun_micros > 0
        ? ` (That includes ${usdText(toUsd(totals.overrun_micros))} that providers charged above what Quire held for their calls.)`
        : '';
    const others = this.holds.total(month);
    const ahead =
      others > 0
        ? ` (Quire running elsewhere on this Mac, the command line or a second copy, holds ${usdText(toUsd(others))} of it ahead for its calls, and gives that back within two minutes of its last call.)`
        : '';
    throw new BudgetExceededError(
      `This call could cost up to ${usdText(toUsd(micros))}, but only ${usdLeftText(toUsd(left))} of this month's ${usdText(budget)} budget is left.${overrun}${ahead}`,
    );
  }

  /**
   * Run once at start-up: reservations left open by a process that is gone are marked and keep counting; those of a
   * process still running (a second host, the CLI) are its own business. A gone process's standing hold goes back, or
   * counts as spent when the computer restarted since (ledger/standing-hold.ts). Returns how many holds keep counting.
   */
  markOrphans(): number {
    const alive = this.options.isOwnerAlive ?? isOwnerAlive;
    return immediate(this.options.db, () => this.repo.markOrphans(alive) + this.recoverHolds().counted)();
  }

  /** Inside a transaction: the standing holds of processes that are gone (ledger/standing-hold.ts). */
  private recoverHolds(): { settled: number; counted: number } {
    return recoverStandingHolds(this.holds, this.repo, {
      isAlive: this.options.isOwnerAlive ?? isOwnerAlive,
      boot: this.boot,
      place: (at) => this.calendar(new Date(at)),
    });
  }

  /**
   * Holds the worst case against the budget, or throws BudgetExceededError; BEGIN IMMEDIATE across processes.
   * `within` writes in the same transaction (the run row that owns the reservation: one commit, one fsync).
   */
  reserve(request: ReserveRequest, within?: (id: number) => void): Reservation {
    const { drawn: _, ...reservation } = this.reserveTx(
      request,
      toMicros(request.worstCaseUsd),
      this.options.now(),
      within,
      false,
    );
    this.changed();
    return reservation;
  }

  /**
   * Opens a cloud call's charge: its worst case held against the budget (or BudgetExceededError, nothing written),
   * with `within` (the run row that owns it) in the same transaction. Resolves once that has committed (every
   * process's budget check counts it); `charge.onDisk` settles once the call is covered on disk — at once when it was
   * taken out of this process's standing hold (ledger/standing-hold.ts), else when its commit is on disk — and nothing
   * may be sent to the provider before (the request is prepared meanwhile). Concurrent opens and closes share fsyncs
   * and transactions (store/group-commit.ts).
   */
  async open(request: ReserveRequest, within?: (id: number) => void): Promise<Charge> {
    const micros = toMicros(request.worstCaseUsd);
    const at = this.options.now();
    // Taken out of the standing hold, the call is covered on disk already: its commit starts no fsync of its own (the
    // settlement's covers it), and what it reserved is said at once.
    const { value: held, durable } = await this.committing(
      () => {
        const reserved = this.reserveTx(request, micros, at, within, request.waitForDisk !== true);
        this.changed();
        return reserved;
      },
      (reserved) => reserved.drawn,
    );
    if (micros > 0) this.standing.refill();
    const { drawn, ...reservation } = held;
    return new Charge(this.book, chargeCall(request), reservation, drawn ? Promise.resolve() : durable);
  }

  /** Settles once the standing hold's last top-up is on disk (or came to nothing): tests wait on it. */
  heldAhead(): Promise<void> {
    return this.standing.settled();
  }

  /** Quire is closing: what it held ahead goes back to the budget, and nothing is held ahead again. */
  giveBackHeldAhead(): void {
    this.standing.close();
  }

  /** A call that holds a reservation made already (a tournament reserves its members together). */
  async adopt(id: number, call: ChargeCall, within?: () => void): Promise<Charge> {
    const head = this.repo.head(id);
    if (within) await this.commit(within);
    else await this.group.durable();
    const reserved = head?.reserved_micros ?? 0;
    return new Charge(this.book, call, {
      id,
      month: head?.month ?? this.monthOf(this.options.now()),
      reservedUsd: toUsd(reserved),
    });
  }

  /** A local call: nothing to hold; it is recorded (tokens, time, $0) when it closes. */
  async openLocal(call: ChargeCall, within?: () => void): Promise<Charge> {
    if (within) await this.commit(within);
    return new Charge(this.book, call, null);
  }

  /**
   * Writes `fn` in one group-committed transaction (the run row of a call without a charge, say; while other calls are
   * committing, one transaction shared with theirs, each in a savepoint of its own) and resolves with its result once
   * it is on disk; spend events follow the disk, not the commit.
   */
  async commit<T>(fn: () => T): Promise<T> {
    const { value, durable } = await this.committing(fn);
    await durable;
    return value;
  }

  /**
   * {@link commit} resolving at the commit: `durable` settles once it is on disk, and its spend events follow that.
   * When `covered` says the write moved only money already on disk (a call taken out of the standing hold), its commit
   * rides the next fsync another write starts, and its spend events follow the commit.
   */
  private async committing<T>(fn: () => T, covered?: (value: T) => boolean): Promise<Committed<T>> {
    if (this.deferring) return { value: fn(), durable: Promise.resolve() };
    const rides = covered ? (written: HeldEvents<T>) => covered(written.value) : undefined;
    const { value: written, durable } = await this.group.queue(() => this.holdingEvents(fn), { rides });
    const announce = () => {
      try {
        this.announce(written);
      } catch {
        // The write is committed; an alert that could not be claimed now (the file busy) is claimed at the next change.
      }
    };
    if (rides?.(written)) {
      announce();
      // Nothing waits on it: a failed fsync is heard by the settlement's own wait, which meets the same disk.
      durable.catch(() => undefined);
      return { value: written.value, durable };
    }
    return { value: written.value, durable: durable.then(announce) };
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
    if (usageReported(end.usage))
      return this.settle(id, end.price(end.usage), end.usage, end.durationMs, end.note ?? null);
    return this.keepReservation(id, end.note ?? 'provider reported no usage', end.durationMs);
  }

  /**
   * Runs `fn` in one IMMEDIATE transaction (one commit) and announces spend changes after it commits, not before: a
   * settle and the run row it belongs to are stored together, and nobody is told about a charge that could still roll
   * back. Waits for (and retries past) another process's lock, so a billed call's settlement is not lost to it.
   */
  atomically<T>(fn: () => T): T {
    if (this.deferring) return fn();
    const written = this.atomicTx(() => this.holdingEvents(fn)) as HeldEvents<T>;
    this.announce(written);
    return written.value;
  }

  /**
   * Runs `write` inside the caller's transaction with spend events held back (a failed write announces nothing); says
   * what to announce after the commit, with the month's totals read while the write lock is still held (no read
   * transaction of their own after it).
   */
  private holdingEvents<T>(write: () => T): HeldEvents<T> {
    this.deferring = true;
    try {
      const value = write();
      const totals = this.pending && this.options.events ? this.snapshot(this.options.now()) : undefined;
      return { value, changed: this.pending, overruns: this.overruns, settledMonths: [...this.settledMonths], totals };
    } finally {
      this.deferring = false;
      this.pending = false;
      this.overruns = [];
      this.settledMonths.clear();
    }
  }

  private announce(held: HeldEvents<unknown>): void {
    if (!held.changed) return;
    this.overruns.push(...held.overruns);
    for (const month of held.settledMonths) this.settledMonths.add(month);
    this.changed(held.totals);
  }

  /**
   * Settles to the provider's own counts. A billed call (any tokens) never records $0. A charge above the reservation
   * (the provider counted more than Quire's bound) is charged in full, recorded as an overrun and announced: it counts
   * in the month's spend, so the next reservation sees it.
   */
  settle(id: number, costUsd: number, usage: Usage, durationMs?: number, note: string | null = null): number {
    const row = this.repo.head(id);
    let micros = toMicros(costUsd);
    const billed = (usage.inputTokens ?? 0) + (usage.outputTokens ?? 0) > 0;
    if (billed && micros === 0 && (row?.reserved_micros ?? 0) > 0) micros = 1;
    const reserved = row?.reserved_micros ?? 0;
    const overrun = reserved > 0 && micros > reserved ? micros - reserved : 0;
    if (row) this.settledMonths.add(row.month);
    if (this.finish(row, id, 'settled', micros, usage, durationMs, note, overrun) && overrun > 0 && row) {
      this.overruns.push({
        month: row.month,
        ledgerId: id,
        runId: row.run_id,
        modelId: row.model_id,
        reserved,
        charged: micros,
      });
    }
    this.changed();
    return toUsd(micros);
  }

  /** The provider may have billed but did not say how much (cut stream, abort, timeout): charge the reservation. */
  keepReservation(id: number, note: string, durationMs?: number): number {
    const row = this.repo.head(id);
    const reserved = row?.reserved_micros ?? 0;
    if (row) this.settledMonths.add(row.month);
    this.finish(row, id, 'settled', reserved, undefined, durationMs, note);
    this.changed();
    return toUsd(reserved);
  }

  /** The call failed in a way that bills nothing (an HTTP error answer, a refused connection). */
  release(id: number, note: string, durationMs?: number): void {
    this.finish(this.repo.head(id), id, 'released', 0, undefined, durationMs, note);
    this.changed();
  }

  private finish(
    row: LedgerHead | undefined,
    id: number,
    state: 'settled' | 'released',
    charged: number,
    usage: Usage | undefined,
    durationMs: number | undefined,
    note: string | null,
    overrun = 0,
  ): boolean {
    if (!row) return false;
    const at = this.options.now().toISOString();
    // A single autocommit UPDATE outside atomically(): it takes the write lock itself, waiting out the busy timeout.
    return this.write(() => this.repo.finish(id, state, charged, usage, durationMs, note, at, overrun));
  }

  /** One write: inside a caller's transaction as is, else its own IMMEDIATE transaction (waited for, retried). */
  private write<T>(fn: () => T): T {
    return this.options.db.inTransaction ? fn() : (this.atomicTx(fn) as T);
  }

  /** Local runs are recorded too (tokens and duration, $0) so local-versus-cloud comparisons are honest. */
  recordLocal(request: Omit<ReserveRequest, 'worstCaseUsd'>, usage: Usage, durationMs: number): void {
    const at = this.options.now();
    const { month, day } = this.calendar(at);
    this.write(() => {
      const id = this.repo.insert({
        ...request,
        run_id: request.runId,
        model_id: request.modelId,
        month,
        day,
        reserved_micros: 0,
        created_at: at.toISOString(),
        chosen_by: request.chosenBy ?? null,
      });
      this.repo.finish(id, 'settled', 0, usage, durationMs, 'local', at.toISOString());
    });
  }

  /**
   * Who chose the model of the first call of the runs whose ids start with `prefix` (a run in parts: one decision for
   * all its parts, which a resumed run goes on with); null when none was recorded.
   */
  chosenUnder(prefix: string): ChosenBy | null {
    return this.repo.chosenUnder(prefix);
  }

  /** Micro-USD charged to the runs whose ids start with `prefix` (ending in "/"): see LedgerRepo.chargedUnder. */
  chargedUnder(prefix: string): number {
    return this.repo.chargedUnder(prefix);
  }

  entry(id: number): LedgerEntry | undefined {
    return this.repo.get(id);
  }

  /** The rows of a run's calls, in order: what each was held at, charged and counted. */
  ofRun(runId: string): LedgerEntry[] {
    return this.repo.ofRun(runId);
  }

  /** What a run's calls came to, all of them: its cost and tokens as the ledger has them. */
  runSpend(runId: string): RunSpend {
    return runSpend(this.repo.chargesOfRun(runId));
  }

  monthOf(at: Date): string {
    return this.calendar(at).month;
  }

  /**
   * Announces the month's spend again when a new month begins while the app is open (in the time zone months are
   * counted in), so every window's "This month" moves to it; it kept last month's figures until a call settled. Looks on
   * `ticker` (a minute apart by default: a timer set for the month's first instant would outlast setTimeout's 24.8-day
   * limit and a sleeping laptop); returns its stop.
   */
  watchMonth(ticker: Ticker = intervalTicker, ms = MONTH_LOOK_MS): () => void {
    let month = this.monthOf(this.options.now());
    return ticker(() => {
      this.standing.look();
      const now = this.monthOf(this.options.now());
      if (now === month) return;
      month = now;
      try {
        this.changed();
      } catch {
        // A busy or closing database: the next change announces the month.
      }
    }, ms);
  }

  /**
   * The multiples reservations are held at now, by model: the largest charged/reserved ratio of each model's overruns
   * this month (a model without any is not listed: 1). A run's bound, its quote and an app's cap hold count each call
   * at what its reservation will be.
   */
  overrunRatios(): ReadonlyMap<string, number> {
    return this.repo.overrunRatios(this.calendar(this.options.now()).month);
  }

  snapshot(now: Date): SpendSnapshot {
    return this.monthSnapshot(this.calendar(now).month);
  }

  private monthSnapshot(month: string): SpendSnapshot {
    const t = this.repo.totals(month);
    return { month, spent_usd: toUsd(t.settled_micros + t.orphaned_micros), reserved_usd: toUsd(t.reserved_micros) };
  }

  /** The month as the Spend screen reads it, against the budget it had (this month's: the one in force now). */
  month(month: string): SpendMonth {
    const budget = this.budgetOf(month);
    return spendMonth(this.repo, month, budget ?? null, budget !== undefined);
  }

  /**
   * The budget `month` had: the one in force now for this month (and any later), a month gone by its own as noted
   * (null: none), undefined when it is from before Quire noted budgets.
   */
  private budgetOf(month: string): number | null | undefined {
    if (month >= this.calendar(this.options.now()).month) return this.options.budgetUsd();
    const kept = this.repo.budgetOf(month);
    if (!kept.recorded) return undefined;
    return kept.micros === null ? null : toUsd(kept.micros);
  }

  /**
   * Notes the budget in force now as this month's, so that once the month is gone it is read against it, not against
   * whatever is set later. Called when Quire starts and whenever the settings change; writes only when the month
   * would read another budget.
   */
  noteBudget(): void {
    const at = this.options.now();
    const month = this.calendar(at).month;
    const budget = this.options.budgetUsd();
    const micros = budget === null ? null : toMicros(budget);
    const kept = this.repo.budgetOf(month);
    if (kept.recorded && kept.micros === micros) return;
    this.write(() => this.repo.noteBudget(month, micros, at.toISOString()));
  }

  /** The month's work by task and by who chose its models: what "What routing was worth" compares (and not). */
  work(month: string): TaskWork[] {
    return this.repo.choices(month).map((row) => ({
      task: row.task,
      chosen_by: row.chosen_by,
      calls: row.calls,
      input_tokens: row.input_tokens,
      output_tokens: row.output_tokens,
      spend_usd: toUsd(row.counted_micros),
      unpriced_calls: row.unpriced_calls,
      unpriced_usd: toUsd(row.unpriced_micros),
    }));
  }

  /**
   * The month's rows as CSV, read page by page with the event loop free in between (other calls are not held up), all
   * from one snapshot: the rows add up to the month as it stood when the export began.
   */
  exportCsv(month: string, names?: CsvNames): Promise<{ filename: string; csv: string }> {
    return readSnapshot(this.options.db, (snapshot) => spendCsv(new LedgerRepo(snapshot), month, names));
  }

  /** Spend changed: spend:updated (with `totals` when they were read already), overruns and budget alerts. */
  private changed(totals?: SpendSnapshot): void {
    if (this.deferring) {
      this.pending = true;
      return;
    }
    const overruns = this.overruns;
    this.overruns = [];
    const settledIn = [...this.settledMonths];
    this.settledMonths.clear();
    const events = this.options.events;
    if (!events) return;
    const now = this.options.now();
    const snapshot = totals ?? this.snapshot(now);
    const current = this.options.budgetUsd();
    events.emit('spend:updated', { ...snapshot, budget_usd: current });
    // An overrun is a broken promise ("never past the budget"): always told, whatever the alerts setting.
    for (const o of overruns) {
      events.emit('spend:overrun', {
        month: o.month,
        ledger_id: o.ledgerId,
        run_id: o.runId,
        model_id: o.modelId,
        reserved_usd: toUsd(o.reserved),
        charged_usd: toUsd(o.charged),
        overrun_usd: toUsd(o.charged - o.reserved),
        budget_usd: current,
      });
    }
    if (!(this.options.alertsEnabled?.() ?? true)) return;
    // A call settled just after midnight on the 1st adds to last month: that month's alerts are its own.
    const earlier = settledIn.filter((month) => month !== snapshot.month).map((month) => this.monthSnapshot(month));
    for (const month of [snapshot, ...earlier]) {
      // Last month's call is held to last month's budget (noted; today's when none was).
      const budget = month === snapshot ? current : (this.budgetOf(month.month) ?? current);
      if (budget === null || budget <= 0) continue;
      const spentPct = (month.spent_usd / budget) * 100;
      for (const threshold of ALERT_THRESHOLDS) {
        if (spentPct + 1e-9 >= threshold && this.repo.claimAlert(month.month, threshold, now.toISOString())) {
          events.emit('spend:alert', { month: month.month, threshold, spent_usd: month.spent_usd, budget_usd: budget });
        }
      }
    }
  }
}

function chargeCall(request: ReserveRequest): ChargeCall {
  return {
    runId: request.runId,
    modelId: request.modelId,
    provider: request.provider,
    task: request.task,
    chosenBy: request.chosenBy,
  };
}
