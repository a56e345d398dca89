import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { PushedEvent } from '../../src-preload/contract';
import { EventBus } from '../infra/event-bus';
import { openDatabase } from '../store/database';
import { useTempDir } from '../../test/support/temp-dir';
import { deadPid } from '../../test/support/processes';
import { setOwner } from '../store/owner';
import { calendarFor } from './calendar';
import { Ledger } from './ledger';

const tempDir = useTempDir();

function setup(options: { budget?: number | null; now?: () => Date; timeZone?: string; alerts?: boolean } = {}) {
  const db = openDatabase(join(tempDir(), 'q.sqlite'));
  const events = new EventBus();
  const seen: PushedEvent[] = [];
  events.subscribe((e) => seen.push(e));
  const ledger = new Ledger({
    db,
    events,
    now: options.now ?? (() => new Date('2026-03-15T12:00:00Z')),
    budgetUsd: () => options.budget ?? null,
    ...(options.timeZone ? { timeZone: options.timeZone } : {}),
    alertsEnabled: () => options.alerts ?? true,
  });
  return { db, ledger, seen };
}

const call = { runId: 'r', modelId: 'm', provider: 'p', task: 't' };

describe('Ledger', () => {
  it('announces the new month when one begins while Quire is open, once, in the time zone it counts months in', () => {
    // The sidebar's "This month" kept last month's spend past midnight on the 1st, until a call settled.
    let at = new Date('2026-03-31T21:00:00Z');
    const { ledger, seen } = setup({ now: () => at, timeZone: 'America/New_York', budget: 5 });
    ledger.settle(ledger.reserve({ ...call, worstCaseUsd: 0.05 }).id, 0.02, { inputTokens: 100, outputTokens: 10 });
    let tick = () => {};
    let stopped = false;
    const stop = ledger.watchMonth((fn) => ((tick = fn), () => void (stopped = true)));
    const announced = () => seen.filter((e) => e.name === 'spend:updated').map((e) => e.payload);
    const before = announced().length;
    at = new Date('2026-04-01T03:59:00Z'); // 23:59 on March 31st in New York: still March there
    tick();
    expect(announced()).toHaveLength(before);
    at = new Date('2026-04-01T04:00:30Z');
    tick();
    tick();
    expect(announced().slice(before)).toEqual([{ month: '2026-04', spent_usd: 0, reserved_usd: 0, budget_usd: 5 }]);
    stop();
    expect(stopped).toBe(true);
  });

  it('refuses a reservation that does not fit, and counts reservations until they settle', () => {
    const { ledger } = setup({ budget: 0.3 });
    const a = ledger.reserve({ ...call, worstCaseUsd: 0.2 });
    expect(() => ledger.reserve({ ...call, worstCaseUsd: 0.2 })).toThrow(/only \$0\.10 /);
    ledger.settle(a.id, 0.01, { inputTokens: 100, outputTokens: 10 });
    expect(ledger.snapshot(new Date('2026-03-15T12:00:00Z'))).toEqual({
      month: '2026-03',
      spent_usd: 0.01,
      reserved_usd: 0,
    });
    expect(() => ledger.reserve({ ...call, worstCaseUsd: 0.2 })).not.toThrow();
  });

  it('a refusal names a budget of a fraction of a cent as it is, not as $0.00', () => {
    const { ledger } = setup({ budget: 0.0024 });
    ledger.reserve({ ...call, worstCaseUsd: 0.002 });
    expect(() => ledger.reserve({ ...call, worstCaseUsd: 0.0014 })).toThrow(
      "This call could cost up to $0.0014, but only $0.0004 of this month's $0.0024 budget is left.",
    );
  });

  it('never records $0 for a billed call, and keeps the reservation when usage is unknown', () => {
    const { ledger } = setup();
    const a = ledger.reserve({ ...call, worstCaseUsd: 0.05 });
    expect(ledger.settle(a.id, 0.0000001, { inputTokens: 1, outputTokens: 0 })).toBe(0.000001);
    const b = ledger.reserve({ ...call, worstCaseUsd: 0.05 });
    expect(ledger.keepReservation(b.id, 'stream cut')).toBe(0.05);
    const c = ledger.reserve({ ...call, worstCaseUsd: 0.05 });
    ledger.release(c.id, 'HTTP 500');
    expect(ledger.entry(c.id)).toMatchObject({ state: 'released', charged_micros: 0 });
    expect(ledger.snapshot(new Date('2026-03-15T12:00:00Z')).spent_usd).toBeCloseTo(0.050001, 9);
  });

  it('marks reservations left by a crash and keeps counting them', () => {
    const file = join(tempDir(), 'q.sqlite');
    const first = openDatabase(file);
    // The process that reserved has exited (a real pid, reaped): its open reservation is a crash's leftover.
    setOwner(first, { pid: deadPid(), token: null });
    const now = () => new Date('2026-03-15T12:00:00Z');
    new Ledger({ db: first, now, budgetUsd: () => 1 }).reserve({ ...call, worstCaseUsd: 0.7 });
    first.close();
    const db = openDatabase(file);
    const ledger = new Ledger({ db, now, budgetUsd: () => 1 });
    expect(ledger.markOrphans()).toBe(1);
    expect(ledger.snapshot(now())).toMatchObject({ spent_usd: 0.7, reserved_usd: 0 });
    expect(() => ledger.reserve({ ...call, worstCaseUsd: 0.5 })).toThrow(/budget/);
    expect(ledger.month('2026-03')).toMatchObject({ orphaned_usd: 0.7, total_usd: 0.7 });
    db.close();
  });

  it("follows the writer's time zone for months (23:30 on Jan 31 in New York is January)", () => {
    const at = new Date('2026-02-01T04:30:00Z');
    expect(calendarFor('America/New_York')(at)).toEqual({ month: '2026-01', day: '2026-01-31' });
    expect(calendarFor('UTC')(at)).toEqual({ month: '2026-02', day: '2026-02-01' });
    const { ledger } = setup({ now: () => at, timeZone: 'America/New_York' });
    const r = ledger.reserve({ ...call, worstCaseUsd: 0.1 });
    expect(r.month).toBe('2026-01');
    expect(ledger.month('2026-01').daily.at(-1)).toMatchObject({ day: '2026-01-31', calls: 1 });
  });

  it('alerts once each at 50, 80 and 100% of the budget', () => {
    const { ledger, seen } = setup({ budget: 1 });
    for (const usd of [0.3, 0.25, 0.3, 0.15]) {
      const r = ledger.reserve({ ...call, worstCaseUsd: usd });
      ledger.settle(r.id, usd, { inputTokens: 10, outputTokens: 10 });
    }
    const alerts = seen.filter((e) => e.name === 'spend:alert').map((e) => e.payload);
    expect(alerts).toEqual([
      { month: '2026-03', threshold: 50, spent_usd: 0.55, budget_usd: 1 },
      { month: '2026-03', threshold: 80, spent_usd: 0.85, budget_usd: 1 },
      { month: '2026-03', threshold: 100, spent_usd: 1, budget_usd: 1 },
    ]);
  });

  it("a call settled after midnight on the 1st raises its own month's alerts and teaches the next month's holds", () => {
    // Reserved on January 31 at 23:59 in Los Angeles, settled at 00:00:30 on February 1 there, 1.1× its hold.
    let now = new Date('2026-02-01T07:59:00Z');
    const { ledger, seen } = setup({ budget: 1, now: () => now, timeZone: 'America/Los_Angeles' });
    const held = ledger.reserve({ ...call, worstCaseUsd: 0.8 });
    expect(held.month).toBe('2026-01');
    now = new Date('2026-02-01T08:00:30Z');
    ledger.settle(held.id, 0.88, { inputTokens: 1, outputTokens: 1 });
    const alerts = seen.filter((e) => e.name === 'spend:alert').map((e) => e.payload);
    expect(alerts).toEqual([
      { month: '2026-01', threshold: 50, spent_usd: 0.88, budget_usd: 1 },
      { month: '2026-01', threshold: 80, spent_usd: 0.88, budget_usd: 1 },
    ]);
    // The model has just shown it bills 1.1× Quire's bound: February's first hold for it is that much larger.
    const next = ledger.reserve({ ...call, worstCaseUsd: 0.1 });
    expect(next.month).toBe('2026-02');
    expect(next.reservedUsd).toBeGreaterThan(0.1);
  });

  it("reads a past month against the budget it had, not today's; a month from before Quire kept budgets says so", () => {
    let now = new Date('2026-10-10T12:00:00Z');
    let budget: number | null = 5;
    const db = openDatabase(join(tempDir(), 'q.sqlite'));
    const ledger = new Ledger({ db, now: () => now, budgetUsd: () => budget, timeZone: 'UTC' });
    ledger.noteBudget(); // October, the first month Quire keeps: $5
    now = new Date('2026-12-02T12:00:00Z'); // November went by without a change
    budget = 20;
    ledger.noteBudget();
    budget = null; // and then removed, still in December
    ledger.noteBudget();
    ledger.settle(ledger.reserve({ ...call, worstCaseUsd: 0.05 }).id, 0.02, { inputTokens: 100, outputTokens: 10 });
    expect(ledger.month('2026-10')).toMatchObject({ budget_usd: 5, budget_recorded: true });
    expect(ledger.month('2026-11')).toMatchObject({ budget_usd: 5, budget_recorded: true });
    expect(ledger.month('2026-12')).toMatchObject({ budget_usd: null, budget_recorded: true });
    expect(ledger.month('2026-09')).toMatchObject({ budget_usd: null, budget_recorded: false });
    // Nothing is written when the month already reads the budget in force.
    const rows = () => db.prepare('SELECT COUNT(*) AS n FROM month_budgets').get() as { n: number };
    const before = rows().n;
    ledger.noteBudget();
    expect(rows().n).toBe(before);
  });

  it('raises no alert with spend tracking off, yet still records every charge and keeps the budget', () => {
    const { ledger, seen } = setup({ budget: 1, alerts: false });
    const r = ledger.reserve({ ...call, worstCaseUsd: 0.9 });
    ledger.settle(r.id, 0.9, { inputTokens: 10, outputTokens: 10 });
    expect(seen.filter((e) => e.name === 'spend:alert')).toEqual([]);
    expect(seen.some((e) => e.name === 'spend:updated')).toBe(true);
    expect(ledger.snapshot(new Date('2026-03-15T12:00:00Z')).spent_usd).toBe(0.9);
    expect(() => ledger.reserve({ ...call, worstCaseUsd: 0.2 })).toThrow(/only \$0\.10 /);
  });

  it('records local runs at $0 with tokens and duration, and reports the month by day, model and task', async () => {
    const { ledger } = setup();
    ledger.recordLocal(
      { ...call, modelId: 'llama3.2', provider: 'local' },
      { inputTokens: 500, outputTokens: 80 },
      2100,
    );
    const r = ledger.reserve({ ...call, modelId: 'gpt', task: 'brainstorm', worstCaseUsd: 0.02 });
    ledger.settle(r.id, 0.004, { inputTokens: 100, outputTokens: 50 }, 900);
    ledger.reserve({ ...call, modelId: 'gpt', task: 'brainstorm', worstCaseUsd: 0.03 });
    const month = ledger.month('2026-03');
    expect(month).toMatchObject({ settled_usd: 0.004, reserved_usd: 0.03, total_usd: 0.034 });
    expect(month.daily).toHaveLength(31);
    expect(month.daily[14]).toMatchObject({ day: '2026-03-15', calls: 3, spend_usd: 0.034, reserved_usd: 0.03 });
    expect(month.by_model.find((g) => g.key === 'llama3.2')).toMatchObject({
      spend_usd: 0,
      input_tokens: 500,
      output_tokens: 80,
    });
    expect(month.by_task.find((g) => g.key === 'brainstorm')).toMatchObject({ calls: 2, spend_usd: 0.034 });
    const csv = (await ledger.exportCsv('2026-03')).csv.split('\n');
    expect(csv[0]).toMatch(
      /^\uFEFFCall,Time \(your time zone\),Time \(UTC\),Day \(your time zone\),Run,Task,Model,Model ID,/,
    );
    expect(csv[1]).toContain('llama3.2');
  });

  it('keeps month totals exact without rescanning: writes here, in atomically (committed or rolled back), and from another connection', () => {
    const file = join(tempDir(), 'shared.sqlite');
    const now = () => new Date('2026-03-15T12:00:00Z');
    const db = openDatabase(file);
    const other = openDatabase(file);
    const ledger = new Ledger({ db, now, budgetUsd: () => 1 });
    const elsewhere = new Ledger({ db: other, now, budgetUsd: () => 1 });
    // What a fresh scan says, through a third connection with nothing cached.
    const truth = () => {
      const fresh = openDatabase(file);
      try {
        return new Ledger({ db: fresh, now, budgetUsd: () => 1 }).snapshot(now());
      } finally {
        fresh.close();
      }
    };
    const agree = () => expect(ledger.snapshot(now())).toEqual(truth());
    const a = ledger.reserve({ ...call, worstCaseUsd: 0.1 });
    agree();
    ledger.atomically(() => ledger.close(a.id, { usage: { inputTokens: 5, outputTokens: 5 }, price: () => 0.02 }));
    agree();
    const b = ledger.reserve({ ...call, worstCaseUsd: 0.2 });
    expect(() =>
      ledger.atomically(() => {
        ledger.close(b.id, { price: () => 0, note: 'cut' });
        throw new Error('the run row could not be stored');
      }),
    ).toThrow();
    agree();
    elsewhere.reserve({ ...call, worstCaseUsd: 0.3 });
    agree();
    ledger.release(b.id, 'HTTP 500');
    agree();
    ledger.recordLocal({ ...call, provider: 'local' }, { inputTokens: 1, outputTokens: 1 }, 5);
    agree();
    // The budget check sees the other connection's reservation too: 0.02 + 0.3 counted, 0.7 would overspend.
    expect(() => ledger.reserve({ ...call, worstCaseUsd: 0.7 })).toThrow(/budget/);
    expect(truth()).toEqual({ month: '2026-03', spent_usd: 0.02, reserved_usd: 0.3 });
    db.close();
    other.close();
  });

  it('closes a call by one rule: reported usage is charged, unknown usage keeps the reservation, unbilled releases', () => {
    const { ledger } = setup();
    const price = () => 0.004;
    const reported = ledger.reserve({ ...call, worstCaseUsd: 0.05 });
    expect(ledger.close(reported.id, { usage: { inputTokens: 100, outputTokens: 20 }, price })).toBe(0.004);
    // A cut stream: only the input count arrived, so nothing the provider billed is known in full.
    const cut = ledger.reserve({ ...call, worstCaseUsd: 0.05 });
    expect(ledger.close(cut.id, { usage: { inputTokens: 100, outputTokens: undefined }, price, note: 'cut' })).toBe(
      0.05,
    );
    const refused = ledger.reserve({ ...call, worstCaseUsd: 0.05 });
    expect(ledger.close(refused.id, { price, unbilled: true, note: 'HTTP 500' })).toBe(0);
    expect(ledger.entry(cut.id)).toMatchObject({ state: 'settled', charged_micros: 50_000, note: 'cut' });
    expect(ledger.entry(refused.id)).toMatchObject({ state: 'released', charged_micros: 0 });
  });

  it('writes the CSV in words an accountant reads: named columns with their units, names for ids, status in words', async () => {
    const { ledger } = setup();
    const draft = { runId: 'r1', modelId: 'fake/writer', provider: 'endpoint:fake', task: 'scene_draft' };
    const picked = { ...draft, chosenBy: 'writer' as const };
    ledger.settle(ledger.reserve({ ...picked, worstCaseUsd: 0.2 }).id, 0.13887, { inputTokens: 100, outputTokens: 10 });
    ledger.reserve({ ...picked, worstCaseUsd: 0.05 }); // still running
    ledger.release(ledger.reserve({ ...draft, worstCaseUsd: 0.05 }).id, 'HTTP 500', 40);
    const local = { ...draft, modelId: 'llama', provider: 'local', chosenBy: 'quire' as const };
    ledger.recordLocal(local, { inputTokens: 5, outputTokens: 5 }, 10);
    const names = {
      task: (id: string) => ({ scene_draft: 'Scene draft' })[id] ?? id,
      model: (id: string) => ({ 'fake/writer': 'Fake Writer', llama: 'Llama 3.2 3B' })[id] ?? id,
    };
    const { csv } = await ledger.exportCsv('2026-03', names);
    // Excel reads a UTF-8 file as UTF-8 (a name's accents and curly quotes) only with a byte-order mark.
    expect(csv.startsWith('\uFEFF')).toBe(true);
    const [header, ...rows] = csv.slice(1).trimEnd().split('\n');
    expect(header!.split(',')).toEqual([
      'Call',
      'Time (your time zone)',
      'Time (UTC)',
      'Day (your time zone)',
      'Run',
      'Task',
      'Model',
      'Model ID',
      'Model chosen by',
      'Provider',
      'Status',
      'Held (USD)',
      'Charged (USD)',
      'Input tokens (cached and cache-write included)',
      'Output tokens (reasoning included)',
      'Cached input tokens (of the input)',
      'Cache-write tokens (of the input)',
      'Reasoning tokens (of the output)',
      'Duration (ms)',
      'Note',
      'Charged above what was held (USD)',
      'Counted against the budget (USD)',
      'App',
    ]);
    const cells = rows.map((row) => row.split(','));
    // Who chose the model, as "What routing was worth" counts it; a call recorded before that was kept says so.
    expect(cells.map((c) => c.slice(5, 11))).toEqual([
      ['Scene draft', 'Fake Writer', 'fake/writer', 'you', 'your endpoint “fake”', 'charged'],
      ['Scene draft', 'Fake Writer', 'fake/writer', 'you', 'your endpoint “fake”', 'running (held at its most)'],
      ['Scene draft', 'Fake Writer', 'fake/writer', 'not recorded', 'your endpoint “fake”', 'not charged'],
      ['Scene draft', 'Llama 3.2 3B', 'llama', 'Quire', 'on this Mac', 'charged'],
    ]);
    // Quire's own runs are named as the Spend screen's By app names them.
    expect(cells.map((c) => c.at(-1))).toEqual(Array(4).fill('Quire (Workbench)'));
    expect(cells.map((c) => Number(c.at(-2)))).toEqual([0.13887, 0.05, 0, 0]);
  });

  it('neutralises spreadsheet formulas in the CSV, also those that start like a negative number', async () => {
    const { ledger } = setup();
    const tasks = [
      '=HYPERLINK("x")',
      '-2+HYPERLINK("http://x","y")',
      "-1+1+cmd|' /C calc'!A0",
      '\t=1+1',
      '\r=1',
      '-12.5',
    ];
    for (const task of tasks) ledger.reserve({ ...call, task, worstCaseUsd: 0.01 });
    const csv = (await ledger.exportCsv('2026-03')).csv;
    expect(csv).toContain(`"'=HYPERLINK(""x"")"`);
    expect(csv).toContain(`"'-2+HYPERLINK(""http://x"",""y"")"`);
    expect(csv).toContain(`'-1+1+cmd|' /C calc'!A0`);
    expect(csv).toContain(`'\t=1+1`);
    expect(csv).toContain(`"'\r=1"`);
    // A number stays a number, a negative one too.
    expect(csv).toContain(',-12.5,');
  });

  it('names the app of each gateway call in the CSV, and its counted column adds up to the month', async () => {
    const { db, ledger } = setup();
    db.prepare(
      `INSERT INTO gateway_tokens (id, name, token_sha256, local_only, created_at) VALUES ('t1', ?, 'h', 0, '2026-03-01')`,
    ).run('=Scrivener, "Pro"');
    db.prepare(
      `INSERT INTO gateway_runs (run_id, token_id, client, created_at) VALUES ('app-run', 't1', 'x', '2026-03-15')`,
    ).run();
    const settled = ledger.reserve({ ...call, runId: 'app-run', worstCaseUsd: 0.2 });
    ledger.settle(settled.id, 0.01, { inputTokens: 100, outputTokens: 10 });
    ledger.reserve({ ...call, worstCaseUsd: 0.05 }); // still open: counted at its hold
    ledger.release(ledger.reserve({ ...call, worstCaseUsd: 0.05 }).id, 'HTTP 500', 40);
    const [header, ...rows] = (await ledger.exportCsv('2026-03')).csv.trim().split('\n');
    expect(header!.split(',').slice(-2)).toEqual(['Counted against the budget (USD)', 'App']);
    // The app's name is quoted, its quotes doubled, and its leading "=" kept from spreadsheets.
    const app = `"'=Scrivener, ""Pro"""`;
    expect(rows[0]!.endsWith(`,${app}`)).toBe(true);
    expect(rows[1]!.endsWith(',Quire (Workbench)')).toBe(true); // not a gateway call: Quire's own
    const counted = rows.map((row) =>
      Number(
        row
          .slice(0, row.length - (row.endsWith(app) ? app.length : 0))
          .split(',')
          .at(-2),
      ),
    );
    expect(counted).toEqual([0.01, 0.05, 0]);
    expect(counted.reduce((a, b) => a + b, 0)).toBeCloseTo(ledger.month('2026-03').total_usd, 9);
  });
});
