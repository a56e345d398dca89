// A standing hold: money this process holds against the month's budget ahead of its cloud calls, so that a call need
// not wait for its own reservation's fsync before it is sent (on a Mac an fsync is F_FULLFSYNC: milliseconds).
//
// Why that keeps every promise the ledger makes:
// - A call takes its reservation out of the hold in the one commit that writes its own row (and checks the budget,
//   which counts every process's hold): the month counts exactly what it counted before, so no budget is crossed.
// - Only the part of the hold that is on disk is drawn on. Commits reach the write-ahead log in order and an fsync
//   keeps a prefix of them, so whatever a crash keeps, the hold on disk plus the call rows kept cover every call sent.
// - After an app crash the computer kept every committed page: each call sent has its row, and what is left of the
//   hold is released. After a power cut or a restart (another boot), what was left of it is counted as spent: calls
//   sent from it may have lost their rows, and Quire cannot tell which (an honest upper bound, never $0).
// - A settlement is still durable before the caller hears of it (Charge.close): only the wait before sending goes.
//   The call's own commit starts no fsync either (store/group-commit.ts, `rides`): the settlement's covers both.
// - A call an app's monthly cap limits is never drawn from the hold (ReserveRequest.waitForDisk): a hold a power cut
//   took is counted against the month, but it cannot say which app it was for, so such a call waits for its own row.
// The hold is topped up after calls, in a commit of its own off their path, and given back when Quire closes, when it
// has been idle a while, and whenever a call needs the budget it holds.
import type { GroupCommit } from '../store/group-commit';
import type { Owner } from '../store/owner';
import type { LedgerRepo } from '../store/repos/ledger-repo';
import type { StandingHoldsRepo } from '../store/repos/standing-holds-repo';
import { HELD_AHEAD_ID } from '../../src-preload/contract/model-ids';

/** At most $1 is held ahead. */
const MOST_MICROS = 1_000_000;
/** Enough for this many calls as large as the largest this process has opened. */
const CALLS_AHEAD = 32;
/** Never more than this share of the budget left. */
const SHARE_OF_ROOM = 0.1;

export interface StandingHoldOptions {
  repo: StandingHoldsRepo;
  group: GroupCommit;
  owner: Owner;
  /** This boot of the computer (store/owner.ts bootIdentity); null when it cannot be told. */
  boot: string | null;
  month: () => string;
  at: () => string;
  /** Micro-USD of `month`'s budget not yet counted, leaving this process's hold out; null: no budget. */
  room: (month: string) => number | null;
  /** One write of its own (its own IMMEDIATE transaction, or part of the caller's). */
  write: (fn: () => void) => void;
}

export class StandingHold {
  private id: number | null = null;
  /** Top-ups committed but not yet on disk: not drawn on until they are. */
  private unsynced = 0;
  private largest = 0;
  private topping: Promise<void> | null = null;
  private usedSinceLook = false;
  private closed = false;

  constructor(private readonly o: StandingHoldOptions) {}

  /**
   * Inside a reservation's transaction: takes `micros` out of the hold when the part of it on disk covers them (and
   * says so); false leaves the hold as it was.
   */
  draw(month: string, micros: number): boolean {
    this.largest = Math.max(this.largest, micros);
    if (this.id === null) return false;
    const held = this.o.repo.held(this.id, month);
    if (held - this.unsynced < micros) return false;
    this.o.repo.set(this.id, held - micros);
    return true;
  }

  /** Inside a reservation's transaction: what this process holds in `month`. */
  own(month: string): number {
    return this.id === null ? 0 : this.o.repo.held(this.id, month);
  }

  /** Inside a reservation's transaction that needs what the hold keeps: all of it back to the budget. */
  giveBack(): void {
    if (this.id !== null) this.o.repo.set(this.id, 0);
  }

  /**
   * After a cloud call opened: tops the hold up when less than half of what it should hold is left, in a commit of its
   * own after the call is on its way. Drawn on once that commit is on disk.
   */
  refill(): void {
    this.usedSinceLook = true;
    if (this.topping || this.closed) return;
    this.topping = new Promise<void>((resolve) =>
      setImmediate(() => {
        const done = () => {
          this.topping = null;
          resolve();
        };
        this.topUp().then(done, done);
      }),
    );
  }

  /** Settles once no top-up is on its way to disk (tests wait on it; nothing else has to). */
  settled(): Promise<void> {
    return this.topping ?? Promise.resolve();
  }

  /** Each minute (the ledger's month look): a hold no call opened with since the last look is given back. */
  look(): void {
    if (!this.usedSinceLook) this.release();
    this.usedSinceLook = false;
  }

  /** Quire is closing: the hold goes back, and none is taken again. */
  close(): void {
    this.closed = true;
    this.release();
  }

  private release(): void {
    const id = this.id;
    if (id === null) return;
    try {
      this.o.write(() => this.o.repo.remove(id));
      this.id = null;
    } catch {
      // The file busy or closing: the hold stays counted, and start-up recovery gives it back.
    }
  }

  /** What the hold should be in `month`: a tenth of the budget left at most, and no more than calls need. */
  private target(month: string): number {
    const room = this.o.room(month);
    const cap = room === null ? MOST_MICROS : Math.floor(Math.max(0, room) * SHARE_OF_ROOM);
    return Math.min(MOST_MICROS, cap, CALLS_AHEAD * this.largest);
  }

  private wanted(month: string): { held: number; target: number } | null {
    const held = this.own(month);
    const target = this.target(month);
    return held >= target / 2 && held <= target ? null : { held, target };
  }

  private async topUp(): Promise<void> {
    if (this.closed) return;
    const month = this.o.month();
    if (!this.wanted(month)) return;
    let grown = 0;
    let durable: Promise<void>;
    try {
      ({ durable } = this.o.group.write(() => {
        const want = this.wanted(month); // again, under the write lock: another process may have spent meanwhile
        if (!want) return;
        if (this.id !== null && this.o.repo.held(this.id, month) === 0) {
          this.o.repo.remove(this.id); // last month's, or given back
          this.id = null;
        }
        if (this.id === null) this.id = this.o.repo.insert(month, want.target, this.o.owner, this.o.boot, this.o.at());
        else this.o.repo.set(this.id, want.target);
        grown = want.target - want.held;
      }));
    } catch {
      return; // the file busy or failing: calls keep reserving on their own
    }
    if (grown <= 0) return; // smaller (the budget left shrank): covered by what was on disk already
    this.unsynced += grown;
    try {
      await durable;
      this.unsynced -= grown;
    } catch {
      // Never on disk: that part is never drawn on (the calls' own commits meet the same disk and fail alone).
    }
  }
}

/**
 * Start-up: the holds of processes that are gone. After an app crash (this boot) every call sent from one has its row:
 * the rest goes back. From another boot (a power cut, a restart, or a boot that cannot be told), what was left is
 * counted as spent, as a call row of its own that names what happened. Says how many holds it settled, and how many
 * of them it counted as spent.
 */
export function recoverStandingHolds(
  holds: StandingHoldsRepo,
  ledger: LedgerRepo,
  o: {
    isAlive: (owner: { pid: number | null; token: string | null }) => boolean;
    boot: string | null;
    place: (at: string) => { month: string; day: string };
  },
): { settled: number; counted: number } {
  let settled = 0;
  let counted = 0;
  for (const hold of holds.all()) {
    if (o.isAlive({ pid: hold.owner_pid, token: hold.owner_token })) continue;
    const sameBoot = hold.boot_id !== null && hold.boot_id === o.boot;
    if (!sameBoot && hold.micros > 0) {
      const { day } = o.place(hold.created_at);
      ledger.insert(
        {
          run_id: null,
          month: hold.month,
          day: day.startsWith(hold.month) ? day : `${hold.month}-01`,
          model_id: HELD_AHEAD_ID,
          provider: 'quire',
          task: HELD_AHEAD_ID,
          reserved_micros: hold.micros,
          created_at: hold.created_at,
          note: 'held ahead for calls when the computer stopped (a power cut or a restart): counted as spent, since calls sent from it may not have been recorded',
        },
        'orphaned',
      );
      counted++;
    }
    holds.remove(hold.id);
    settled++;
  }
  return { settled, counted };
}
