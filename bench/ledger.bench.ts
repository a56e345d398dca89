// A year of heavy use (issue 16.9): 1,000,000 ledger rows over twelve months. spend:month from the totals SQLite keeps
// (migration 008) beside the same month scanned from its rows (the pre-008 queries); spend:current's latency while a
// month is exported, beside an export read in one go; start-up on the full ledger beside an empty one, with the plans
// of start-up's recovery queries (no full-table scan). A third of the calls came through the gateway from three apps:
// an app's monthly-cap check (inside every capped gateway call's write transaction) and spend:by_app from the month
// totals SQLite keeps per app (migration 011), beside the month's rows joined to the apps' runs (before 011).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp } from '../src-main/app/create-app';
import { silentLogger } from '../src-main/infra/logger';
import { GatewayRepo } from '../src-main/gateway/gateway-repo';
import { openDatabase, type Db } from '../src-main/store/database';
import { percentile, summary, timeEach } from './stats';

const ROWS = 1_000_000;
const MONTH = '2026-06';
const TARGET_MONTH_MS = 20;

/**
 * Settled rows over 2026 in time order (a month's rows are written together, as in use): 20 models, 10 tasks, every
 * day; inserted through the triggers like real writes.
 */
function fill(db: Db): void {
  // Every third call came from one of three apps through the gateway; its run is linked before its charge, as in use.
  db.exec(`
    INSERT INTO gateway_tokens (id, name, token_sha256, monthly_cap_micros, local_only, created_at)
    VALUES ('app-0', 'Obsidian', 'h0', 50000000, 0, '2026-01-01T00:00:00Z'),
           ('app-1', 'Scrivener', 'h1', NULL, 0, '2026-01-01T00:00:00Z'),
           ('app-2', 'A script', 'h2', NULL, 0, '2026-01-01T00:00:00Z');
    WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 3 FROM n WHERE i + 3 < ${ROWS})
    INSERT INTO gateway_runs (run_id, token_id, client, created_at)
    SELECT 'run-' || i, 'app-' || ((i / 3) % 3), 'App', '2026-01-01T00:00:00Z' FROM n;`);
  db.exec(`
    WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < ${ROWS - 1}),
    t(i, m, d) AS (SELECT i, 1 + (i * 12) / ${ROWS}, 1 + ((i * 336) / ${ROWS}) % 28 FROM n)
    INSERT INTO ledger (run_id, month, day, model_id, provider, task, state, reserved_micros, charged_micros,
                        input_tokens, output_tokens, duration_ms, created_at, settled_at, owner_pid, owner_token)
    SELECT 'run-' || i, printf('2026-%02d', m), printf('2026-%02d-%02d', m, d),
           'provider' || (i % 4) || '/model-' || (i % 20), 'provider' || (i % 4), 'task-' || (i % 10),
           'settled', 2000, 500 + (i % 1000), 800, 60, 900,
           printf('2026-%02d-%02dT12:00:00.000Z', m, d), printf('2026-%02d-%02dT12:00:01.000Z', m, d), 1, NULL
      FROM t;`);
}

/** The month as spend:month computed it before migration 008: three GROUP BYs and the totals over the month's rows. */
function scanMonth(db: Db, month: string): void {
  const counted = `CASE state WHEN 'settled' THEN charged_micros WHEN 'released' THEN 0 ELSE reserved_micros END`;
  db.prepare(
    `SELECT SUM(CASE WHEN state = 'settled' THEN charged_micros ELSE 0 END),
            SUM(CASE WHEN state = 'reserved' THEN reserved_micros ELSE 0 END),
            SUM(CASE WHEN state = 'orphaned' THEN reserved_micros ELSE 0 END) FROM ledger WHERE month = ?`,
  ).get(month);
  for (const by of ['day', 'model_id', 'task']) {
    db.prepare(
      `SELECT ${by}, MIN(provider), SUM(${counted}), COUNT(*), SUM(input_tokens), SUM(output_tokens)
         FROM ledger WHERE month = ? GROUP BY ${by}`,
    ).all(month);
  }
}

export async function benchLedger(): Promise<void> {
  const full = mkdtempSync(join(tmpdir(), 'quire-bench-ledger-'));
  const empty = mkdtempSync(join(tmpdir(), 'quire-bench-ledger-empty-'));
  try {
    const db = openDatabase(join(full, 'quire.sqlite'));
    const t0 = performance.now();
    db.transaction(() => fill(db))();
    console.log(
      `filled ${ROWS.toLocaleString('en-US')} ledger rows in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
    );
    db.pragma('wal_checkpoint(TRUNCATE)');
    db.close();

    // Start-up: the whole app on the year's ledger, beside the same on an empty one.
    const startFull: number[] = [];
    const startEmpty: number[] = [];
    for (let i = 0; i < 5; i++) {
      for (const [dir, samples] of [
        [full, startFull],
        [empty, startEmpty],
      ] as const) {
        const s = performance.now();
        const app = await createApp({ dataDir: dir, logger: silentLogger, env: {} });
        samples.push(performance.now() - s);
        await app.close();
      }
    }
    console.log(summary('start-up, empty ledger', startEmpty));
    console.log(summary(`start-up, ${ROWS.toLocaleString('en-US')} rows`, startFull));
    console.log(
      `start-up ratio full/empty: ${(percentile(startFull, 50) / percentile(startEmpty, 50)).toFixed(2)} (was 356 ms on the full ledger before 009)`,
    );
    const plans = openDatabase(join(full, 'quire.sqlite'));
    for (const sql of [
      `SELECT DISTINCT owner_pid, owner_token FROM ledger WHERE state = 'reserved'`,
      `SELECT DISTINCT owner_pid, owner_token FROM runs WHERE status = 'running'`,
      `SELECT settled_micros FROM ledger_month_totals WHERE month = '${MONTH}'`,
    ]) {
      const plan = plans.prepare(`EXPLAIN QUERY PLAN ${sql}`).all() as { detail: string }[];
      const detail = plan.map((p) => p.detail).join('; ');
      // A scan of a partial index reads only the open rows; a bare "SCAN ledger" would read them all.
      const fullScan = /SCAN (ledger|runs)(?! USING)/.test(detail);
      console.log(`plan ${fullScan ? 'FULL SCAN' : 'indexed'}: ${sql} -> ${detail}`);
    }
    plans.close();

    const app = await createApp({ dataDir: full, logger: silentLogger, env: {} });
    const ctx = { transport: 'internal' as const };
    const call = async (channel: 'spend:month' | 'spend:current' | 'spend:export', input: unknown) => {
      const r = await app.dispatcher.call(channel, input as never, ctx);
      if (!r.ok) throw new Error(JSON.stringify(r.error));
      return r.value;
    };
    await timeEach(5, () => call('spend:month', { month: MONTH }));
    const month = await timeEach(50, () => call('spend:month', { month: MONTH }));
    // The comparison as it ran before 009: the month's rows through the covering index the budget check used.
    app.services.db.exec('CREATE INDEX bench_old_month ON ledger (month, state, reserved_micros, charged_micros)');
    const scanned = await timeEach(10, () => scanMonth(app.services.db, MONTH));
    app.services.db.exec('DROP INDEX bench_old_month');
    console.log(summary(`spend:month (${MONTH}, ~${Math.round(ROWS / 12).toLocaleString('en-US')} rows)`, month));
    console.log(summary('the same month scanned from its rows (pre-008 queries)', scanned));
    console.log(
      `spend:month p50 ${percentile(month, 50).toFixed(2)} ms (target < ${TARGET_MONTH_MS} ms; 277 ms before 009); ratio scan/totals ${(percentile(scanned, 50) / percentile(month, 50)).toFixed(0)}x`,
    );

    // An app's cap check and the month by app: from the per-app totals, beside the month's rows joined (before 011).
    const repo = new GatewayRepo(app.services.db, () => new Date(`${MONTH}-15T12:00:00Z`), {
      pid: process.pid,
      token: 'bench',
    });
    const capCheck = await timeEach(50, () => repo.capCounted('app-0', MONTH));
    const capJoined = await timeEach(10, () =>
      app.services.db
        .prepare(
          `SELECT COALESCE(SUM(CASE l.state WHEN 'settled' THEN l.charged_micros WHEN 'released' THEN 0
                  ELSE l.reserved_micros END), 0)
             FROM ledger l JOIN gateway_runs g ON g.run_id = l.run_id WHERE g.token_id = ? AND l.month = ?`,
        )
        .pluck()
        .get('app-0', MONTH),
    );
    const byApp = await timeEach(50, () => app.dispatcher.call('spend:by_app', { month: MONTH }, ctx));
    console.log(summary("an app's monthly-cap check (per-app totals)", capCheck));
    console.log(summary('the same from the month’s rows joined to its runs (before 011)', capJoined));
    console.log(summary('spend:by_app', byApp));
    console.log(
      `cap check p50 ${percentile(capCheck, 50).toFixed(3)} ms; ratio joined/totals ${(percentile(capJoined, 50) / percentile(capCheck, 50)).toFixed(0)}x`,
    );

    // spend:current asked again and again while an export runs: how long does each answer wait?
    const during = async (exporting: () => Promise<unknown>) => {
      const waits: number[] = [];
      let done = false;
      // The export starts on the next turn of the loop, as a second request arriving would.
      const running = new Promise<void>((resolve) => setImmediate(resolve)).then(exporting).then(() => (done = true));
      while (!done) {
        const s = performance.now();
        await call('spend:current', {});
        await new Promise<void>((resolve) => setImmediate(resolve));
        waits.push(performance.now() - s);
      }
      await running;
      return waits;
    };
    const exportStart = performance.now();
    const paged = await during(() => call('spend:export', { month: MONTH }));
    const pagedMs = performance.now() - exportStart;
    const oneGoStart = performance.now();
    // As spend:export ran before: the month's rows read and formatted in one synchronous go.
    const oneGo = await during(async () => {
      const rows = app.services.db.prepare('SELECT * FROM ledger WHERE month = ? ORDER BY id').all(MONTH);
      return rows.map((r) => Object.values(r as object).join(',')).join('\n');
    });
    const oneGoMs = performance.now() - oneGoStart;
    console.log(`spend:export (paged) took ${pagedMs.toFixed(0)} ms; read in one go ${oneGoMs.toFixed(0)} ms`);
    const worst = (x: number[]) => `${Math.max(...x).toFixed(1)} (#${x.indexOf(Math.max(...x))})`;
    console.log(
      `spend:current during the paged export: n=${paged.length} p50=${percentile(paged, 50).toFixed(2)} ms p99=${percentile(paged, 99).toFixed(1)} ms max=${worst(paged)} ms; during a one-go export: n=${oneGo.length} max=${worst(oneGo)} ms (835 ms before 009)`,
    );
    await app.close();
  } finally {
    rmSync(full, { recursive: true, force: true });
    rmSync(empty, { recursive: true, force: true });
  }
}
