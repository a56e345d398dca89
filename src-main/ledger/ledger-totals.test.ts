// Month totals and the month's groups come from SQLite (migration 008's triggers), not from a cache: whatever mix of
// writes, from however many connections, they equal a scan of the rows. Overruns are recorded and counted; the open
// reservations of a live process are not taken for a crash's.
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { PushedEvent } from '../../src-preload/contract';
import { mulberry32 } from '../orchestrator/random';
import { EventBus } from '../infra/event-bus';
import { openDatabase, type Db } from '../store/database';
import { MIGRATIONS } from '../store/migrations';
import { setOwner, startTokenOf } from '../store/owner';
import { liveProcess } from '../../test/support/processes';
import { useTempDir } from '../../test/support/temp-dir';
import { Ledger } from './ledger';
import { routingValue } from '../orchestrator/routing-value';
import { inputs, registryPrice } from '../../test/support/decision-fixtures';
import { BudgetExceededError } from '../errors';

const tempDir = useTempDir();
const now = () => new Date('2026-03-15T12:00:00Z');
const open: Db[] = [];
afterEach(() => {
  for (const db of open.splice(0)) db.close();
});
function db(file: string, migrations = MIGRATIONS): Db {
  const d = openDatabase(file, migrations);
  open.push(d);
  return d;
}

/** A call whose usage was never reported: in flight, left by a crash, or settled at its reservation (migration 026). */
const UNPRICED = `(state IN ('reserved', 'orphaned') OR (state = 'settled' AND (input_tokens IS NULL OR output_tokens IS NULL)))`;

const hasUnpriced = (d: Db) =>
  d.prepare(`SELECT 1 FROM pragma_table_info('ledger_choice_rollup') WHERE name = 'unpriced_calls'`).get() !==
  undefined;

/** The month's totals and groups recomputed from the rows, the way the old code scanned them. */
function scan(d: Db, month: string) {
  const totals = d
    .prepare(
      `SELECT COALESCE(SUM(CASE WHEN state = 'settled' THEN charged_micros ELSE 0 END), 0) AS settled_micros,
              COALESCE(SUM(CASE WHEN state = 'reserved' THEN reserved_micros ELSE 0 END), 0) AS reserved_micros,
              COALESCE(SUM(CASE WHEN state = 'orphaned' THEN reserved_micros ELSE 0 END), 0) AS orphaned_micros,
              COALESCE(SUM(overrun_micros), 0) AS overrun_micros
         FROM ledger WHERE month = ?`,
    )
    .get(month);
  const groups = (by: string) =>
    d
      .prepare(
        `SELECT ${by} AS key, MIN(provider) AS provider,
                SUM(CASE state WHEN 'settled' THEN charged_micros WHEN 'released' THEN 0 ELSE reserved_micros END)
                  AS counted_micros,
                SUM(CASE WHEN state = 'reserved' THEN reserved_micros ELSE 0 END) AS reserved_micros,
                SUM(state <> 'released' OR duration_ms IS NOT NULL) AS calls,
                COALESCE(SUM(input_tokens), 0) AS input_tokens,
                COALESCE(SUM(output_tokens), 0) AS output_tokens
           FROM ledger WHERE month = ? GROUP BY ${by} HAVING calls > 0 ORDER BY key`,
      )
      .all(month);
  // Who chose the model, by task (migration 025): a row with none is not known.
  const choices = d
    .prepare(
      `SELECT task, COALESCE(chosen_by, 'unknown') AS chosen_by,
              SUM(CASE state WHEN 'settled' THEN charged_micros WHEN 'released' THEN 0 ELSE reserved_micros END)
                AS counted_micros,
              SUM(state <> 'released' OR duration_ms IS NOT NULL) AS calls,
              COALESCE(SUM(input_tokens), 0) AS input_tokens, COALESCE(SUM(output_tokens), 0) AS output_tokens${
                hasUnpriced(d)
                  ? `, SUM(${UNPRICED}) AS unpriced_calls,
                     SUM(CASE WHEN ${UNPRICED} THEN (CASE state WHEN 'settled' THEN charged_micros ELSE reserved_micros END)
                              ELSE 0 END) AS unpriced_micros`
                  : ''
              }
         FROM ledger WHERE month = ? GROUP BY task, COALESCE(chosen_by, 'unknown') HAVING calls > 0
         ORDER BY task, chosen_by`,
    )
    .all(month);
  return { totals, day: groups('day'), model_id: groups('model_id'), task: groups('task'), choices };
}

function fromTriggers(d: Db, month: string) {
  const totals = d
    .prepare(
      'SELECT settled_micros, reserved_micros, orphaned_micros, overrun_micros FROM ledger_month_totals WHERE month = ?',
    )
    .get(month) ?? { settled_micros: 0, reserved_micros: 0, orphaned_micros: 0, overrun_micros: 0 };
  const groups = (by: string) =>
    d
      .prepare(
        `SELECT ${by} AS key, MIN(provider) AS provider, SUM(counted_micros) AS counted_micros,
                SUM(open_micros) AS reserved_micros, SUM(calls) AS calls, SUM(input_tokens) AS input_tokens,
                SUM(output_tokens) AS output_tokens
           FROM ledger_rollup WHERE month = ? AND calls > 0 GROUP BY ${by} ORDER BY key`,
      )
      .all(month);
  // Not in a schema before migration 025 (the older migrations' tests read theirs), nor its unpriced part before 026.
  const unpriced = hasUnpriced(d) ? ', unpriced_calls, unpriced_micros' : '';
  const choices = d.prepare(`SELECT 1 FROM sqlite_master WHERE name = 'ledger_choice_rollup'`).get()
    ? d
        .prepare(
          `SELECT task, chosen_by, counted_micros, calls, input_tokens, output_tokens${unpriced} FROM ledger_choice_rollup
             WHERE month = ? AND calls > 0 ORDER BY task, chosen_by`,
        )
        .all(month)
    : undefined;
  return { totals, day: groups('day'), model_id: groups('model_id'), task: groups('task'), choices };
}

describe('month totals kept by SQLite', () => {
  it('equal a scan of the rows after any seeded mix of reserve, settle, overrun, keep, release, local, rollback and orphaning, from two connections', () => {
    const file = join(tempDir(), 'q.sqlite');
    const a = db(file);
    const b = db(file);
    const random = mulberry32(7);
    const days = ['2026-03-01T10:00:00Z', '2026-03-15T12:00:00Z', '2026-04-02T09:00:00Z'];
    let at = new Date(days[0]!);
    const ledgers = [a, b].map((d) => new Ledger({ db: d, now: () => at, budgetUsd: () => null, timeZone: 'UTC' }));
    const open: { ledger: Ledger; id: number }[] = [];
    for (let i = 0; i < 400; i++) {
      at = new Date(days[Math.floor(random() * days.length)]!);
      const ledger = ledgers[Math.floor(random() * 2)]!;
      const call = {
        runId: `r${i}`,
        modelId: ['m1', 'm2', 'm3'][Math.floor(random() * 3)]!,
        provider: random() < 0.5 ? 'p' : 'q',
        task: ['t1', 't2'][Math.floor(random() * 2)]!,
        chosenBy: (['quire', 'writer', undefined] as const)[Math.floor(random() * 3)],
      };
      const op = random();
      if (op < 0.35 || open.length === 0) {
        open.push({ ledger, id: ledger.reserve({ ...call, worstCaseUsd: Math.round(random() * 1e4) / 1e6 }).id });
      } else if (op < 0.75) {
        const { ledger: l, id } = open.splice(Math.floor(random() * open.length), 1)[0]!;
        const usage = { inputTokens: Math.floor(random() * 500), outputTokens: Math.floor(random() * 50) };
        const kind = random();
        if (kind < 0.5)
          l.settle(id, (Math.round(random() * 2e4) + 1) / 1e6, usage); // sometimes above the hold
        else if (kind < 0.7) l.keepReservation(id, 'cut');
        else if (kind < 0.78) l.release(id, 'HTTP 500', 40);
        else if (kind < 0.85) l.release(id, 'never sent');
        else {
          expect(() =>
            l.atomically(() => {
              l.settle(id, 0.001, usage);
              throw new Error('the run row could not be stored');
            }),
          ).toThrow();
          open.push({ ledger: l, id });
        }
      } else if (op < 0.9) {
        ledger.recordLocal({ ...call, provider: 'local' }, { inputTokens: 10, outputTokens: 3 }, 5);
      } else {
        a.prepare(`UPDATE ledger SET state = 'orphaned' WHERE id = ?`).run(open.pop()!.id);
      }
    }
    for (const month of ['2026-03', '2026-04']) expect(fromTriggers(b, month)).toEqual(scan(a, month));
    expect((scan(a, '2026-03').totals as { overrun_micros: number }).overrun_micros).toBeGreaterThan(0);
  });

  it('counts a released hold as a call only when a call was made: an error answer is one, a hold given back unused is not', () => {
    const d = db(join(tempDir(), 'q.sqlite'));
    const ledger = new Ledger({ db: d, now, budgetUsd: () => null, timeZone: 'UTC' });
    const call = { runId: 'r1', modelId: 'm', provider: 'p', task: 't' };
    const answered = ledger.reserve({ ...call, worstCaseUsd: 0.01 });
    ledger.settle(answered.id, 0.002, { inputTokens: 100, outputTokens: 10 }, 900);
    // The provider answered HTTP 500 after 40 ms: a call, billed nothing.
    ledger.release(ledger.reserve({ ...call, worstCaseUsd: 0.01 }).id, 'HTTP 500', 40);
    // A tournament's repair hold that no member needed, and a call stopped before it was sent: no call was made.
    ledger.release(ledger.reserve({ ...call, worstCaseUsd: 0.01 }).id, 'no repair needed');
    ledger.release(ledger.reserve({ ...call, worstCaseUsd: 0.01 }).id, 'stopped before it was sent');
    const month = ledger.month('2026-03');
    expect(month.by_model).toEqual([expect.objectContaining({ key: 'm', calls: 2, spend_usd: 0.002 })]);
    expect(month.by_task).toEqual([expect.objectContaining({ key: 't', calls: 2 })]);
    expect(month.daily.find((g) => g.day === '2026-03-15')?.calls).toBe(2);
  });

  it('stops counting the unused holds already written when migration 013 runs (its triggers counted every row)', () => {
    const file = join(tempDir(), 'q.sqlite');
    const before = db(
      file,
      MIGRATIONS.filter((m) => m.version < 13),
    );
    // Rows as the code of that schema wrote them: a hold, then its end (its own SQL, which later columns are not in).
    const oldRow = (
      modelId: string,
      state: string,
      charged: number,
      durationMs: number | null,
      note: string | null,
    ) => {
      const id = before
        .prepare(
          `INSERT INTO ledger (run_id, month, day, model_id, provider, task, state, reserved_micros, created_at)
             VALUES ('r1', '2026-03', '2026-03-15', ?, 'p', 't', 'reserved', 10000, '2026-03-15T12:00:00.000Z')`,
        )
        .run(modelId).lastInsertRowid;
      before
        .prepare(
          `UPDATE ledger SET state = ?, charged_micros = ?, duration_ms = ?, note = ?,
             settled_at = '2026-03-15T12:00:01.000Z' WHERE id = ?`,
        )
        .run(state, charged, durationMs, note, id);
    };
    oldRow('m', 'settled', 2000, 900, null);
    oldRow('m', 'released', 0, 40, 'HTTP 500');
    oldRow('m', 'released', 0, null, 'no repair needed');
    oldRow('unused', 'released', 0, null, 'verification skipped');
    expect(fromTriggers(before, '2026-03').model_id).toHaveLength(2);
    before.close();
    open.splice(open.indexOf(before), 1);
    const after = db(file);
    expect(fromTriggers(after, '2026-03')).toEqual(scan(after, '2026-03'));
    expect(new Ledger({ db: after, now, budgetUsd: () => null }).month('2026-03').by_model).toEqual([
      expect.objectContaining({ key: 'm', calls: 2 }),
    ]);
  });

  it('counts a hold left by a crash as spent in every view of the month, and only holds of calls in flight as reserved', () => {
    // The audit's case: the gauge counted a crash's hold as spent while the chart and the tables showed it reserved.
    const d = db(join(tempDir(), 'q.sqlite'));
    const ledger = new Ledger({ db: d, now, budgetUsd: () => 5 });
    const call = { runId: 'r1', modelId: 'm', provider: 'p', task: 't' };
    ledger.settle(ledger.reserve({ ...call, worstCaseUsd: 2 }).id, 1, { inputTokens: 100, outputTokens: 10 });
    const crashed = ledger.reserve({ ...call, worstCaseUsd: 0.5 });
    d.prepare(`UPDATE ledger SET state = 'orphaned' WHERE id = ?`).run(crashed.id);
    ledger.reserve({ ...call, worstCaseUsd: 0.25 });
    const month = ledger.month('2026-03');
    expect(month).toMatchObject({ total_usd: 1.75, settled_usd: 1, orphaned_usd: 0.5, reserved_usd: 0.25 });
    expect(ledger.snapshot(now())).toMatchObject({ spent_usd: 1.5, reserved_usd: 0.25 });
    const inFlight = { spend_usd: 1.75, reserved_usd: 0.25 };
    expect(month.daily.find((d) => d.day === '2026-03-15')).toMatchObject(inFlight);
    expect(month.by_model).toEqual([expect.objectContaining({ key: 'm', ...inFlight })]);
    expect(month.by_task).toEqual([expect.objectContaining({ key: 't', ...inFlight })]);
  });

  it("stops showing the holds a crash left as reserved in the month's groups when migration 015 runs", () => {
    const file = join(tempDir(), 'q.sqlite');
    const before = db(
      file,
      MIGRATIONS.filter((m) => m.version < 15),
    );
    for (const state of ['orphaned', 'reserved', 'orphaned']) {
      before
        .prepare(
          `INSERT INTO ledger (run_id, month, day, model_id, provider, task, state, reserved_micros, created_at)
             VALUES ('r1', '2026-03', '2026-03-15', 'm', 'p', 't', ?, 10000, '2026-03-15T12:00:00.000Z')`,
        )
        .run(state);
    }
    expect(fromTriggers(before, '2026-03').model_id).toEqual([expect.objectContaining({ reserved_micros: 30000 })]);
    before.close();
    open.splice(open.indexOf(before), 1);
    const after = db(file);
    expect(fromTriggers(after, '2026-03')).toEqual(scan(after, '2026-03'));
    expect(new Ledger({ db: after, now, budgetUsd: () => null }).month('2026-03').by_model).toEqual([
      expect.objectContaining({ key: 'm', spend_usd: 0.03, reserved_usd: 0.01 }),
    ]);
  });

  it('counts the calls written before migration 025 as not known: neither Quire’s picks nor the writer’s', () => {
    const file = join(tempDir(), 'q.sqlite');
    const before = db(
      file,
      MIGRATIONS.filter((m) => m.version < 25),
    );
    // A local call as the code of that schema wrote it (its own SQL: the column is not there yet).
    before
      .prepare(
        `INSERT INTO ledger (run_id, month, day, model_id, provider, task, state, reserved_micros, charged_micros,
             input_tokens, output_tokens, duration_ms, created_at)
           VALUES ('r1', '2026-03', '2026-03-15', 'm', 'local', 't', 'settled', 0, 0, 100, 20, 5,
             '2026-03-15T12:00:00.000Z')`,
      )
      .run();
    before.close();
    open.splice(open.indexOf(before), 1);
    const after = db(file);
    const ledger = new Ledger({ db: after, now, budgetUsd: () => null });
    ledger.recordLocal(
      { runId: 'r2', modelId: 'm', provider: 'local', task: 't', chosenBy: 'writer' },
      { inputTokens: 7, outputTokens: 3 },
      5,
    );
    expect(fromTriggers(after, '2026-03').choices).toEqual(
      [
        { task: 't', chosen_by: 'unknown', counted_micros: 0, calls: 1, input_tokens: 100, output_tokens: 20 },
        { task: 't', chosen_by: 'writer', counted_micros: 0, calls: 1, input_tokens: 7, output_tokens: 3 },
      ].map((row) => ({ ...row, unpriced_calls: 0, unpriced_micros: 0 })),
    );
    expect(fromTriggers(after, '2026-03')).toEqual(scan(after, '2026-03'));
  });

  it('counts the calls already written without usage when migration 026 runs, as its triggers then count new ones', () => {
    const file = join(tempDir(), 'q.sqlite');
    const before = db(
      file,
      MIGRATIONS.filter((m) => m.version < 26),
    );
    const old = new Ledger({ db: before, now, budgetUsd: () => null });
    const call = { runId: 'r', modelId: 'm', provider: 'p', task: 't', chosenBy: 'quire' as const };
    old.settle(old.reserve({ ...call, worstCaseUsd: 0.05 }).id, 0.01, { inputTokens: 400, outputTokens: 20 });
    old.keepReservation(old.reserve({ ...call, worstCaseUsd: 0.04 }).id, 'cut');
    const orphan = old.reserve({ ...call, worstCaseUsd: 0.03 }).id;
    before.prepare(`UPDATE ledger SET state = 'orphaned' WHERE id = ?`).run(orphan);
    before.close();
    open.splice(open.indexOf(before), 1);
    const after = db(file);
    expect(fromTriggers(after, '2026-03').choices).toEqual([
      {
        task: 't',
        chosen_by: 'quire',
        counted_micros: 80_000,
        calls: 3,
        input_tokens: 400,
        output_tokens: 20,
        unpriced_calls: 2,
        unpriced_micros: 70_000,
      },
    ]);
    new Ledger({ db: after, now, budgetUsd: () => null }).keepReservation(orphan, 'found after a crash');
    expect(fromTriggers(after, '2026-03')).toEqual(scan(after, '2026-03'));
  });

  it("keeps Quire's calls whose usage never came out of the routing comparison: their tokens are not known", () => {
    const ledger = new Ledger({ db: db(join(tempDir(), 'q.sqlite')), now, budgetUsd: () => null });
    const call = {
      runId: 'r',
      modelId: 'gpt-4o-mini',
      provider: 'openai',
      task: 'theme_analysis',
      chosenBy: 'quire' as const,
    };
    // Answered: settled to the provider's counts.
    ledger.settle(ledger.reserve({ ...call, worstCaseUsd: 0.05 }).id, 0.01, {
      inputTokens: 40_000,
      outputTokens: 2_000,
    });
    // A stream cut before its usage came: charged at its reservation, its tokens unknown.
    ledger.keepReservation(ledger.reserve({ ...call, worstCaseUsd: 0.05 }).id, 'cut');
    // Still in flight.
    ledger.reserve({ ...call, worstCaseUsd: 0.02 });
    expect(ledger.work('2026-03')).toEqual([
      {
        task: 'theme_analysis',
        chosen_by: 'quire',
        calls: 3,
        input_tokens: 40_000,
        output_tokens: 2_000,
        spend_usd: 0.08,
        unpriced_calls: 2,
        unpriced_usd: 0.07,
      },
    ]);
    // Compared on the one call whose tokens are known, at what it cost; the other two are said apart, at their holds.
    const value = routingValue('2026-03', ledger.work('2026-03'), inputs(), registryPrice);
    expect(value).toMatchObject({ calls: 1, actual_usd: 0.01, not_compared: { calls: 2, spend_usd: 0.07 } });
    expect(value.premium_usd).toBeCloseTo((40_000 * 2.5 + 2_000 * 10) / 1e6, 6);
  });

  it('records a settlement above its reservation as an overrun, announces it, counts it, and holds that model at the overrun multiple next time', () => {
    const d = db(join(tempDir(), 'q.sqlite'));
    const events = new EventBus();
    const seen: PushedEvent[] = [];
    events.subscribe((e) => seen.push(e));
    const ledger = new Ledger({ db: d, now, budgetUsd: () => 1, events, alertsEnabled: () => false });
    const call = { runId: 'r1', modelId: 'liar', provider: 'p', task: 't' };
    const first = ledger.reserve({ ...call, worstCaseUsd: 0.035 });
    // The provider counted 3,000 input tokens where Quire held for ~116: $0.90 charged against a $0.035 hold.
    expect(ledger.settle(first.id, 0.9, { inputTokens: 3000, outputTokens: 5 })).toBe(0.9);
    expect(ledger.entry(first.id)).toMatchObject({ charged_micros: 900_000, overrun_micros: 865_000 });
    expect(seen.find((e) => e.name === 'spend:overrun')?.payload).toEqual({
      month: '2026-03',
      ledger_id: first.id,
      run_id: 'r1',
      model_id: 'liar',
      reserved_usd: 0.035,
      charged_usd: 0.9,
      overrun_usd: 0.865,
      budget_usd: 1,
    });
    expect(ledger.month('2026-03')).toMatchObject({
      settled_usd: 0.9,
      total_usd: 0.9,
      overruns: [{ model_id: 'liar', calls: 1, overrun_usd: 0.865 }],
    });
    // The same call again would be held at 0.9 (0.035 × the overrun multiple): past the $1 cap, so it is refused.
    expect(() => ledger.reserve({ ...call, worstCaseUsd: 0.035 })).toThrow(/includes \$0\.865 that providers charged/);
    // Another model is held at its own bound.
    expect(ledger.reserve({ ...call, modelId: 'honest', worstCaseUsd: 0.035 }).reservedUsd).toBe(0.035);
  });

  it("holds a model that overran again at what it charged over Quire's own bound, so the budget is never crossed", () => {
    // The audit's case: a first call overran 2.3×, the next (held at that multiple) overran 40× its hold, and the
    // third was held at 40× the bound, not the 91× the model had shown: it passed the check and crossed the budget.
    const ledger = new Ledger({ db: db(join(tempDir(), 'q.sqlite')), now, budgetUsd: () => 0.08 });
    const call = { runId: 'r1', modelId: 'ovr', provider: 'p', task: 't' };
    const a = ledger.reserve({ ...call, worstCaseUsd: 0.00033 });
    ledger.settle(a.id, 0.00075, { inputTokens: 60, outputTokens: 5 });
    const b = ledger.reserve({ ...call, worstCaseUsd: 0.00033 });
    expect(b.reservedUsd).toBe(0.000751);
    ledger.settle(b.id, 0.03015, { inputTokens: 3000, outputTokens: 5 });
    // It has shown it charges 0.03015 for a call Quire bounds at 0.00033: the next is held at that.
    const c = ledger.reserve({ ...call, worstCaseUsd: 0.00033 });
    expect(c.reservedUsd).toBeGreaterThanOrEqual(0.03015);
    ledger.settle(c.id, 0.03015, { inputTokens: 3000, outputTokens: 5 });
    expect(() => ledger.reserve({ ...call, worstCaseUsd: 0.00033 })).toThrow(BudgetExceededError);
    expect(ledger.month('2026-03').total_usd).toBeLessThanOrEqual(0.08);
  });
  it('holds and quotes each model at its overrun multiple as it stands, whichever connection recorded it, and never at one rolled back', () => {
    const file = join(tempDir(), 'q.sqlite');
    let at = now();
    const [a, b] = [db(file), db(file)].map((d) => new Ledger({ db: d, now: () => at, budgetUsd: () => null }));
    const call = { runId: 'r1', modelId: 'liar', provider: 'p', task: 't' };
    expect(a!.overrunRatios().get('liar')).toBeUndefined();
    // Another process (another connection) records a 4× overrun: this one's next quote and hold see it.
    const first = b!.reserve({ ...call, worstCaseUsd: 0.01 });
    b!.settle(first.id, 0.04, { inputTokens: 4000, outputTokens: 5 });
    expect(a!.overrunRatios().get('liar')).toBeCloseTo(4, 9);
    expect(a!.reserve({ ...call, worstCaseUsd: 0.01 }).reservedUsd).toBeCloseTo(0.04, 9);
    // This connection records 6×, but its transaction rolls back: nothing of it counts, here or there.
    const second = a!.reserve({ ...call, worstCaseUsd: 0.01 });
    expect(() =>
      a!.atomically(() => {
        a!.settle(second.id, 0.06, { inputTokens: 6000, outputTokens: 5 });
        expect(a!.overrunRatios().get('liar')).toBeCloseTo(6, 9); // inside it, its own write is seen
        throw new Error('the run row could not be stored');
      }),
    ).toThrow();
    expect(a!.overrunRatios().get('liar')).toBeCloseTo(4, 9);
    expect(b!.overrunRatios().get('liar')).toBeCloseTo(4, 9);
    // Then it commits 8×: both see it. The next month still holds it at 8× (what it showed last month, or last night,
    // is the latest word on it); the month after starts at the bound again.
    a!.settle(second.id, 0.08, { inputTokens: 8000, outputTokens: 5 });
    expect(a!.overrunRatios().get('liar')).toBeCloseTo(8, 9);
    expect(b!.overrunRatios().get('liar')).toBeCloseTo(8, 9);
    expect(b!.reserve({ ...call, worstCaseUsd: 0.01 }).reservedUsd).toBeCloseTo(0.08, 9);
    at = new Date('2026-04-01T12:00:00Z');
    expect(a!.overrunRatios().get('liar')).toBeCloseTo(8, 9);
    at = new Date('2026-05-01T12:00:00Z');
    expect(a!.overrunRatios().get('liar')).toBeUndefined();
    expect(a!.reserve({ ...call, worstCaseUsd: 0.01 }).reservedUsd).toBe(0.01);
  });
});

describe('spend:export on a large month', () => {
  it('reads the month page by page, giving other calls their turn, and loses no row', async () => {
    const d = db(join(tempDir(), 'q.sqlite'));
    const ledger = new Ledger({ db: d, now, budgetUsd: () => null });
    d.transaction(() => {
      for (let i = 0; i < 2_345; i++) {
        const r = ledger.reserve({ runId: `r${i}`, modelId: 'm', provider: 'p', task: 't', worstCaseUsd: 0.001 });
        if (i % 2) ledger.settle(r.id, 0.0005, { inputTokens: 10, outputTokens: 1 });
      }
    })();
    let finished = false;
    const exporting = ledger.exportCsv('2026-03').then((result) => ((finished = true), result));
    // Another call gets the event loop while the export is still reading.
    await new Promise<void>((resolve) => setImmediate(resolve));
    expect(finished).toBe(false);
    expect(ledger.snapshot(now()).reserved_usd).toBeCloseTo(1.173, 9);
    const { csv } = await exporting;
    const lines = csv.trimEnd().split('\n');
    expect(lines).toHaveLength(2_346);
    expect(lines.slice(1).map((l) => Number(l.split(',')[0]))).toEqual(
      d.prepare('SELECT id FROM ledger ORDER BY id').pluck().all() as number[],
    );
  });
  it('is one instant of the month: what settles, is released or is added while it reads is not half in it', async () => {
    const d = db(join(tempDir(), 'q.sqlite'));
    const ledger = new Ledger({ db: d, now, budgetUsd: () => null });
    const call = { modelId: 'm', provider: 'p', task: 't', worstCaseUsd: 0.001 };
    const held = d.transaction(() =>
      Array.from({ length: 1_200 }, (_, i) => ledger.reserve({ ...call, runId: `r${i}` }).id),
    )();
    const atStart = ledger.month('2026-03').total_usd;
    const exporting = ledger.exportCsv('2026-03');
    // While the first page is out: the last holds settle for less, one is released, and a new call is held.
    await new Promise<void>((resolve) => setImmediate(resolve));
    for (const id of held.slice(-100)) ledger.settle(id, 0.0002, { inputTokens: 10, outputTokens: 1 });
    ledger.release(held.at(-101)!, 'HTTP 500', 40);
    ledger.reserve({ ...call, runId: 'late' });
    const lines = (await exporting).csv.trimEnd().split('\n');
    const counted = lines[0]!.split(',').indexOf('Counted against the budget (USD)');
    expect(lines).toHaveLength(1 + 1_200);
    const sum = lines.slice(1).reduce((total, line) => total + Number(line.split(',')[counted]), 0);
    expect(sum).toBeCloseTo(atStart, 9);
    expect(lines.slice(1).every((line) => line.includes(',running (held at its most),'))).toBe(true);
  });
});

describe('start-up recovery with several processes on one file', () => {
  it("leaves a live process's open reservations alone; marks them once it is gone; a recycled pid is not its owner", async () => {
    const file = join(tempDir(), 'q.sqlite');
    const other = await liveProcess();
    try {
      const theirs = db(file);
      setOwner(theirs, { pid: other.pid, token: startTokenOf(other.pid) ?? null });
      const call = { runId: 'r', modelId: 'm', provider: 'p', task: 't', worstCaseUsd: 0.1 };
      const held = new Ledger({ db: theirs, now, budgetUsd: () => null }).reserve(call);
      // Same pid, another start token: the pid was recycled, the reserving process is gone.
      const recycled = db(file);
      setOwner(recycled, { pid: other.pid, token: 'an earlier process with this pid' });
      const stale = new Ledger({ db: recycled, now, budgetUsd: () => null }).reserve(call);

      const starting = new Ledger({ db: db(file), now, budgetUsd: () => null });
      expect(starting.markOrphans()).toBe(1);
      expect(starting.entry(held.id)).toMatchObject({ state: 'reserved' });
      expect(starting.entry(stale.id)).toMatchObject({ state: 'orphaned' });

      await other.stop();
      expect(starting.markOrphans()).toBe(1);
      expect(starting.entry(held.id)).toMatchObject({ state: 'orphaned' });
      expect(starting.snapshot(now())).toMatchObject({ spent_usd: 0.2, reserved_usd: 0 });
    } finally {
      await other.stop();
    }
  });
});
