// Each app's month of gateway spend (migration 011's triggers) is what a scan of its ledger rows gives, whatever mix of
// writes from however many connections: the cap check and the Spend screen's "by app" read it instead of joining the
// month's ledger rows to gateway_runs on every capped call.
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Ledger } from '../ledger/ledger';
import { mulberry32 } from '../orchestrator/random';
import { openDatabase, type Db } from '../store/database';
import { MIGRATIONS } from '../store/migrations';
import { LedgerRepo } from '../store/repos/ledger-repo';
import { useTempDir } from '../../test/support/temp-dir';
import { GatewayRepo } from './gateway-repo';

const tempDir = useTempDir();
const open: Db[] = [];
afterEach(() => {
  for (const db of open.splice(0)) db.close();
});
function db(file: string, migrations = MIGRATIONS): Db {
  const d = openDatabase(file, migrations);
  open.push(d);
  return d;
}

const TOKENS = ['t1', 't2', 't3'];

/** The old reading: the month's ledger rows joined to the runs each app made. */
function scan(d: Db, month: string) {
  return d
    .prepare(
      `SELECT g.token_id AS token_id,
              SUM(CASE l.state WHEN 'settled' THEN l.charged_micros WHEN 'released' THEN 0 ELSE l.reserved_micros END)
                AS counted_micros,
              SUM(CASE l.state WHEN 'reserved' THEN l.reserved_micros ELSE 0 END) AS reserved_micros,
              SUM(l.state <> 'released' OR l.duration_ms IS NOT NULL) AS calls,
              COALESCE(SUM(l.input_tokens), 0) AS input_tokens,
              COALESCE(SUM(l.output_tokens), 0) AS output_tokens
         FROM ledger l JOIN gateway_runs g ON g.run_id = l.run_id
        WHERE l.month = ? GROUP BY g.token_id ORDER BY g.token_id`,
    )
    .all(month);
}

function addTokens(d: Db): void {
  for (const id of TOKENS)
    d.prepare(
      `INSERT INTO gateway_tokens (id, name, token_sha256, monthly_cap_micros, local_only, created_at)
       VALUES (?, ?, ?, NULL, 0, '2026-03-01T00:00:00Z')`,
    ).run(id, `App ${id}`, `hash-${id}`);
}

/** A seeded mix of gateway and other runs: reserve, settle, keep, release, orphan, delete; linked before or after. */
function writeMix(dbs: Db[], seed: number): void {
  const random = mulberry32(seed);
  const days = ['2026-03-01T10:00:00Z', '2026-03-31T23:59:00Z', '2026-04-02T09:00:00Z'];
  let at = new Date(days[0]!);
  const ledgers = dbs.map((d) => new Ledger({ db: d, now: () => at, budgetUsd: () => null, timeZone: 'UTC' }));
  const repos = dbs.map((d) => new GatewayRepo(d, () => at, { pid: process.pid, token: 'me' }));
  const reserved: { ledger: Ledger; id: number }[] = [];
  const late: string[] = [];
  for (let i = 0; i < 400; i++) {
    at = new Date(days[Math.floor(random() * days.length)]!);
    const k = Math.floor(random() * dbs.length);
    const ledger = ledgers[k]!;
    const runId = `r${i}`;
    const token = TOKENS[Math.floor(random() * TOKENS.length)]!;
    const op = random();
    if (op < 0.45 || reserved.length === 0) {
      // Most gateway runs are linked before their first charge; some runs are not the gateway's at all.
      const link = random();
      if (link < 0.6) repos[k]!.linkRun(runId, { id: token, name: `App ${token}` });
      const call = { runId, modelId: 'm1', provider: 'p', task: 't' };
      reserved.push({ ledger, id: ledger.reserve({ ...call, worstCaseUsd: Math.round(random() * 1e4) / 1e6 }).id });
      if (link >= 0.6 && link < 0.75) late.push(runId);
    } else if (op < 0.85) {
      const { ledger: l, id } = reserved.splice(Math.floor(random() * reserved.length), 1)[0]!;
      const kind = random();
      const usage = { inputTokens: Math.floor(random() * 500), outputTokens: Math.floor(random() * 50) };
      if (kind < 0.5) l.settle(id, (Math.round(random() * 2e4) + 1) / 1e6, usage);
      else if (kind < 0.7) l.keepReservation(id, 'cut');
      else if (kind < 0.78) l.release(id, 'HTTP 500', 40);
      else if (kind < 0.85) l.release(id, 'never sent');
      else dbs[0]!.prepare(`UPDATE ledger SET state = 'orphaned' WHERE id = ?`).run(id);
    } else if (op < 0.92 && late.length > 0) {
      // Linked after its charge was written.
      repos[k]!.linkRun(late.shift()!, { id: token, name: `App ${token}` });
    } else {
      const row = dbs[0]!
        .prepare('SELECT id FROM ledger ORDER BY id DESC LIMIT 1 OFFSET ?')
        .get(Math.floor(random() * 5)) as { id: number } | undefined;
      if (row) dbs[0]!.prepare('DELETE FROM ledger WHERE id = ?').run(row.id);
    }
  }
}

describe("each app's month of gateway spend", () => {
  it('equals a scan of its ledger rows after any seeded mix of writes from two connections', () => {
    const file = join(tempDir(), 'q.sqlite');
    const a = db(file);
    const b = db(file);
    addTokens(a);
    writeMix([a, b], 11);
    const repo = new GatewayRepo(b, () => new Date('2026-03-15T00:00:00Z'), { pid: process.pid, token: 'me' });
    for (const month of ['2026-03', '2026-04']) {
      const scanned = scan(a, month) as { token_id: string; counted_micros: number }[];
      expect(scanned.length).toBeGreaterThan(1);
      const byApp = repo.byApp(month).map(({ name: _name, revoked: _revoked, ...row }) => row);
      expect(byApp.sort((x, y) => x.token_id.localeCompare(y.token_id))).toEqual(scanned);
      for (const token of TOKENS)
        expect(repo.capCounted(token, month), `${token} ${month}`).toBe(
          scanned.find((row) => row.token_id === token)?.counted_micros ?? 0,
        );
    }
  });

  it("with Quire's own runs beside the apps', adds up to the month's total, calls and tokens", () => {
    // "By app" listed only the apps (Obsidian $0.0007 of a $0.001 month): the Workbench's own runs had no row.
    const file = join(tempDir(), 'q.sqlite');
    const a = db(file);
    addTokens(a);
    writeMix([a], 13);
    const repo = new GatewayRepo(a, () => new Date('2026-03-15T00:00:00Z'), { pid: process.pid, token: 'me' });
    const ledger = new LedgerRepo(a);
    for (const month of ['2026-03', '2026-04']) {
      const apps = repo.byApp(month);
      const own = repo.ownSpend(month);
      const sum = (key: 'counted_micros' | 'reserved_micros' | 'calls' | 'input_tokens' | 'output_tokens') =>
        own[key] + apps.reduce((n, app) => n + app[key], 0);
      const total = ledger.totals(month);
      expect(own.counted_micros, month).toBeGreaterThan(0);
      expect(sum('counted_micros'), month).toBe(total.settled_micros + total.reserved_micros + total.orphaned_micros);
      expect(sum('reserved_micros'), month).toBe(total.reserved_micros);
      const days = ledger.group(month, 'day');
      for (const key of ['calls', 'input_tokens', 'output_tokens'] as const)
        expect(sum(key), `${month} ${key}`).toBe(days.reduce((n, day) => n + day[key], 0));
    }
  });

  it('is filled from the rows already written when the migration runs', () => {
    const file = join(tempDir(), 'q.sqlite');
    const before = db(
      file,
      MIGRATIONS.filter((m) => m.version < 11),
    );
    // The mix is written by today's Ledger, which writes the columns migrations 014 and 025 add: added here by hand,
    // and those two left out below (they would add them again), with the ones after 025 (026 alters its table).
    before.exec('ALTER TABLE ledger ADD COLUMN bound_micros INTEGER');
    before.exec('ALTER TABLE ledger ADD COLUMN chosen_by TEXT');
    addTokens(before);
    writeMix([before], 12);
    const expected = ['2026-03', '2026-04'].map((month) => scan(before, month));
    before.close();
    open.splice(open.indexOf(before), 1);
    const after = db(
      file,
      MIGRATIONS.filter((m) => m.version !== 14 && m.version < 25),
    );
    const repo = new GatewayRepo(after, () => new Date('2026-03-15T00:00:00Z'), { pid: process.pid, token: 'me' });
    expect(
      ['2026-03', '2026-04'].map((month) =>
        repo
          .byApp(month)
          .map(({ name: _name, revoked: _revoked, ...row }) => row)
          .sort((x, y) => x.token_id.localeCompare(y.token_id)),
      ),
    ).toEqual(expected);
  });
});
