// A standing hold lets a cloud call go without waiting for its own reservation's fsync, and keeps every ledger promise:
// the budget counts it, only what is on disk is drawn on, and a crash or a power cut never counts less than was sent.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { HELD_AHEAD_ID } from '../../src-preload/contract/model-ids';
import { openDatabase, type Db } from '../store/database';
import { groupCommitOf } from '../store/group-commit';
import { setOwner, startTokenOf } from '../store/owner';
import { useTempDir } from '../../test/support/temp-dir';
import { heldDisk, type HeldDisk } from '../../test/support/held-disk';
import { deadPid, liveProcess } from '../../test/support/processes';
import type { Charge } from './charge';
import { EventBus } from '../infra/event-bus';
import { Ledger } from './ledger';

const tempDir = useTempDir();
const call = { runId: 'r', modelId: 'm', provider: 'p', task: 't' };
const now = () => new Date('2026-03-15T12:00:00Z');

function ledgerOn(db: Db, d: HeldDisk, o: { budget?: number | null; boot?: string } = {}) {
  return new Ledger({
    db,
    now,
    budgetUsd: () => (o.budget === undefined ? null : o.budget),
    groupCommit: groupCommitOf(db, { sync: d.sync }),
    boot: o.boot ?? 'boot-1',
  });
}

function setup(o: { budget?: number | null } = {}) {
  const file = join(tempDir(), 'q.sqlite');
  const db = openDatabase(file);
  const d = heldDisk();
  return { file, db, d, ledger: ledgerOn(db, d, o) };
}

/** Whether the charge may be sent now: its cover on disk, after every queued turn has run. */
async function coveredNow(charge: Charge): Promise<boolean> {
  let covered = false;
  void charge.onDisk.then(() => (covered = true));
  for (let turn = 0; turn < 10; turn++) await new Promise((resolve) => setImmediate(resolve));
  return covered;
}

const held = (db: Db) => db.prepare('SELECT COALESCE(SUM(micros), 0) FROM standing_holds').pluck().get() as number;

describe('a standing hold', () => {
  it('the first call waits for its own commit; once the hold is on disk the next calls go at once, counted the same', async () => {
    const { db, d, ledger } = setup({ budget: 10 });
    const first = await ledger.open({ ...call, worstCaseUsd: 0.01 });
    await first.onDisk;
    await ledger.heldAhead();
    // 32 calls the size of the largest opened, under a tenth of the budget left and $1.
    expect(held(db)).toBe(320_000);
    d.hold();
    const second = await ledger.open({ ...call, worstCaseUsd: 0.01 });
    expect(await coveredNow(second)).toBe(true);
    // Moved from the hold to the call: the month counts what it did before the call.
    expect(held(db)).toBe(310_000);
    expect(ledger.snapshot(now()).reserved_usd).toBe(0.02);
    // A call larger than the hold's part on disk waits for its own commit, as before.
    const large = await ledger.open({ ...call, worstCaseUsd: 0.5 });
    expect(await coveredNow(large)).toBe(false);
    d.release();
    await large.onDisk;
  });

  it("a call taken out of the hold starts no fsync of its own: its settlement's covers it, and what it holds is said at once", async () => {
    const db = openDatabase(join(tempDir(), 'q.sqlite'));
    const d = heldDisk();
    let syncs = 0;
    const events = new EventBus();
    const reserved: number[] = [];
    events.subscribe((e) => e.name === 'spend:updated' && reserved.push(e.payload.reserved_usd));
    const ledger = new Ledger({
      db,
      now,
      events,
      budgetUsd: () => 10,
      groupCommit: groupCommitOf(db, { sync: () => (syncs++, d.sync()) }),
      boot: 'boot-1',
    });
    const first = await ledger.open({ ...call, worstCaseUsd: 0.01 });
    await first.onDisk;
    await first.close({ usage: { inputTokens: 10, outputTokens: 10 }, price: () => 0.001 });
    await ledger.heldAhead();
    d.hold();
    const before = syncs;
    reserved.length = 0;
    const second = await ledger.open({ ...call, worstCaseUsd: 0.01 });
    expect(await coveredNow(second)).toBe(true);
    // Nothing has started to go to disk for it (on a Mac each fsync is an F_FULLFSYNC), and its hold is shown already.
    expect(syncs).toBe(before);
    expect(reserved).toEqual([0.01]);
    let closed = false;
    const closing = second.close({ usage: { inputTokens: 10, outputTokens: 10 }, price: () => 0.002 });
    void closing.then(() => (closed = true));
    for (let turn = 0; turn < 10; turn++) await new Promise((resolve) => setImmediate(resolve));
    // The settlement waits for one fsync, which covers the reservation's commit too.
    expect(syncs).toBe(before + 1);
    expect(closed).toBe(false);
    d.release();
    expect(await closing).toBe(0.002);
    expect(syncs).toBe(before + 1);
    db.close();
  });

  it("a call taken out of the hold whose settlement's fsync fails: its close says so, and nothing else is left failing unheard", async () => {
    const { db, d, ledger } = setup({ budget: 10 });
    const first = await ledger.open({ ...call, worstCaseUsd: 0.01 });
    await first.onDisk;
    await ledger.heldAhead();
    const second = await ledger.open({ ...call, worstCaseUsd: 0.01 });
    expect(await coveredNow(second)).toBe(true);
    d.failNextSync();
    await expect(second.close({ usage: { inputTokens: 10, outputTokens: 10 }, price: () => 0.002 })).rejects.toThrow(
      'EIO',
    );
    db.close();
  });

  it('a top-up not yet on disk is not drawn on', async () => {
    const { db, d, ledger } = setup();
    d.hold();
    const first = await ledger.open({ ...call, worstCaseUsd: 0.01 });
    // The top-up commits after the first call opens; its fsync waits with the call's.
    await new Promise((resolve) => setImmediate(resolve));
    expect(held(db)).toBe(320_000);
    const second = await ledger.open({ ...call, worstCaseUsd: 0.01 });
    expect(await coveredNow(first)).toBe(false);
    expect(await coveredNow(second)).toBe(false);
    d.release();
    await Promise.all([first.onDisk, second.onDisk, ledger.heldAhead()]);
    d.hold();
    const third = await ledger.open({ ...call, worstCaseUsd: 0.01 });
    expect(await coveredNow(third)).toBe(true);
    d.release();
  });

  it('every budget check counts it; a call that needs what the hold keeps gets it back, and nothing is crossed', async () => {
    const { db, ledger } = setup({ budget: 1 });
    await (
      await ledger.open({ ...call, worstCaseUsd: 0.05 })
    ).onDisk;
    await ledger.heldAhead();
    expect(held(db)).toBe(95_000); // a tenth of the $0.95 left
    // $0.05 spent + $0.095 ahead + $0.90 would cross $1: the hold goes back, and the call fits.
    const large = await ledger.open({ ...call, worstCaseUsd: 0.9 });
    await large.onDisk;
    expect(held(db)).toBe(0);
    expect(ledger.snapshot(now()).reserved_usd).toBeCloseTo(0.95, 9);
    await expect(ledger.open({ ...call, worstCaseUsd: 0.06 })).rejects.toThrow(/only \$0\.05 /);
  });

  it("another process's hold counts against this one's budget, and the refusal says whose it is", async () => {
    const { file, db, ledger } = setup({ budget: 1 });
    const live = await liveProcess();
    const theirs = openDatabase(file);
    try {
      setOwner(theirs, { pid: live.pid, token: startTokenOf(live.pid) ?? null });
      const other = ledgerOn(theirs, heldDisk(), { budget: 1 });
      await (
        await other.open({ ...call, worstCaseUsd: 0.05 })
      ).onDisk;
      await other.heldAhead();
      expect(held(db)).toBe(95_000);
      await expect(ledger.open({ ...call, worstCaseUsd: 0.9 })).rejects.toThrow(
        "This call could cost up to $0.90, but only $0.855 of this month's $1.00 budget is left. (Quire running elsewhere on this Mac, the command line or a second copy, holds $0.095 of it ahead for its calls, and gives that back within two minutes of its last call.)",
      );
      other.giveBackHeldAhead();
      await expect(ledger.open({ ...call, worstCaseUsd: 0.9 })).resolves.toBeDefined();
    } finally {
      theirs.close();
      await live.stop();
    }
  });

  it('the hold of a process that has gone since (a command line stopped with ^C) does not turn a call away', async () => {
    const { file, db, ledger } = setup({ budget: 1 });
    const theirs = openDatabase(file);
    setOwner(theirs, { pid: deadPid(), token: null });
    const gone = ledgerOn(theirs, heldDisk(), { budget: 1 });
    await (
      await gone.open({ ...call, worstCaseUsd: 0.05 })
    ).onDisk;
    await gone.heldAhead();
    theirs.close();
    expect(held(db)).toBe(95_000);
    // $0.05 + $0.095 + $0.90 would cross $1; the gone process's calls all have their rows (this boot): it goes back.
    await expect(ledger.open({ ...call, worstCaseUsd: 0.9 })).resolves.toBeDefined();
    expect(held(db)).toBe(0);
  });

  it('is given back when no call opened between two looks, and when Quire closes', async () => {
    const { db, ledger } = setup();
    let look = () => {};
    ledger.watchMonth((fn) => ((look = fn), () => undefined));
    await (
      await ledger.open({ ...call, worstCaseUsd: 0.01 })
    ).onDisk;
    await ledger.heldAhead();
    look();
    expect(held(db)).toBe(320_000);
    look();
    expect(held(db)).toBe(0);
    await (
      await ledger.open({ ...call, worstCaseUsd: 0.01 })
    ).onDisk;
    await ledger.heldAhead();
    expect(held(db)).toBe(320_000);
    ledger.giveBackHeldAhead();
    expect(held(db)).toBe(0);
    // Closed: none is taken again.
    await (
      await ledger.open({ ...call, worstCaseUsd: 0.01 })
    ).onDisk;
    await ledger.heldAhead();
    expect(held(db)).toBe(0);
  });

  for (const restart of [false, true]) {
    it(
      restart
        ? 'after a power cut or restart, what was left of a gone process’s hold counts as spent, named for the writer'
        : 'after an app crash (the same boot), what was left of a gone process’s hold goes back',
      async () => {
        const file = join(tempDir(), 'q.sqlite');
        const first = openDatabase(file);
        setOwner(first, { pid: deadPid(), token: null });
        const crashed = ledgerOn(first, heldDisk(), { budget: 5 });
        const sent = await crashed.open({ ...call, worstCaseUsd: 0.01 });
        await sent.onDisk;
        await crashed.heldAhead();
        const ahead = held(first);
        first.close(); // no giveBack: the process is gone
        const db = openDatabase(file);
        const ledger = ledgerOn(db, heldDisk(), { budget: 5, boot: restart ? 'boot-2' : 'boot-1' });
        expect(ledger.markOrphans()).toBe(restart ? 2 : 1);
        expect(held(db)).toBe(0);
        const month = ledger.month('2026-03');
        if (!restart) {
          expect(month.orphaned_usd).toBe(0.01);
        } else {
          expect(month.orphaned_usd).toBeCloseTo(0.01 + ahead / 1e6, 9);
          expect(ledger.entry(2)).toMatchObject({
            model_id: HELD_AHEAD_ID,
            task: HELD_AHEAD_ID,
            state: 'orphaned',
            reserved_micros: ahead,
            note: expect.stringMatching(/^held ahead for calls when the computer stopped/),
          });
        }
        db.close();
      },
    );
  }

  it('a hold of last month is not drawn on in this one', async () => {
    let at = new Date('2026-03-31T23:59:00Z');
    const db = openDatabase(join(tempDir(), 'q.sqlite'));
    const d = heldDisk();
    const ledger = new Ledger({
      db,
      now: () => at,
      budgetUsd: () => null,
      groupCommit: groupCommitOf(db, { sync: d.sync }),
      boot: 'boot-1',
      timeZone: 'UTC',
    });
    await (
      await ledger.open({ ...call, worstCaseUsd: 0.01 })
    ).onDisk;
    await ledger.heldAhead();
    at = new Date('2026-04-01T00:00:30Z');
    d.hold();
    const april = await ledger.open({ ...call, worstCaseUsd: 0.01 });
    expect(await coveredNow(april)).toBe(false);
    d.release();
    await Promise.all([april.onDisk, ledger.heldAhead()]);
    expect(db.prepare('SELECT month, micros FROM standing_holds').all()).toEqual([
      { month: '2026-04', micros: 320_000 },
    ]);
  });
});
