// Two processes on one data directory (issue 14.4), with real child processes on the same SQLite file: a second host,
// the CLI, a process killed mid-call. No billed call loses its settlement to a lock; a setting written elsewhere is
// seen and never put back; start-up recovery touches only the work of processes that are gone.
import Database from 'better-sqlite3';
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { PushedEvent } from '../../src-preload/contract';
import { useExecutionHarness } from '../../test/support/execution-harness';
import { REPO_ROOT, TS_NODE_ARGS } from '../../test/support/processes';
import { useTempDir } from '../../test/support/temp-dir';
import { useTestApp } from '../../test/support/test-app';
import { MIGRATIONS } from './migrations';

const tempDir = useTempDir();
const harness = useExecutionHarness();
const testApp = useTestApp();
const children: ChildProcess[] = [];
afterEach(async () => {
  for (const child of children.splice(0)) {
    if (child.exitCode !== null || child.signalCode !== null) continue;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  }
});

function start(script: string, args: string[]) {
  const child = spawn(process.execPath, [...TS_NODE_ARGS, script, ...args], {
    cwd: REPO_ROOT,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  children.push(child);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  /** Resolves with the first stdout line matching `pattern` (the child says it is ready). */
  const line = (pattern: RegExp) =>
    new Promise<RegExpMatchArray>((resolve, reject) => {
      const look = () => {
        const match = pattern.exec(stdout);
        if (match) resolve(match);
      };
      child.stdout!.on('data', look);
      look();
      void exited.then(() => reject(new Error(`child exited before ${pattern}: ${stderr}`)));
    });
  return { child, exited, line, output: () => ({ stdout, stderr }) };
}

async function post(url: string, channel: string, body: unknown) {
  const response = await fetch(`${url}/api/${channel}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as { ok: boolean; value?: any; error?: any } };
}

describe('two processes on one data directory', () => {
  it('processes opening a new data directory at the same moment all find it migrated once', async () => {
    const file = join(tempDir(), 'quire.sqlite');
    const script = `const { openDatabase } = await import('./src-main/store/database.ts');
      const db = openDatabase(${JSON.stringify(file)});
      console.log('VERSION ' + db.pragma('user_version', { simple: true }));
      db.close();`;
    const opened = Array.from({ length: 3 }, () => start('--input-type=module', ['-e', script]));
    const versions = await Promise.all(opened.map((p) => p.line(/VERSION (\d+)/)));
    expect(versions.map((m) => Number(m[1]))).toEqual(Array(3).fill(MIGRATIONS.at(-1)!.version));
    for (const p of opened) expect((await p.exited).code).toBe(0);
  }, 60_000);

  it('two hosts running at once: no 500 and no lost settlement after a billed call under contention', async () => {
    const dataDir = tempDir();
    harness.server().script('writer', { text: 'The timeline holds.', inputTokens: 120, outputTokens: 8 });
    const h = await harness.host({ dataDir });
    await h.endpoint('studio', [{ id: 'writer', quality: 9, input_usd_per_mtok: 1, output_usd_per_mtok: 2 }]);
    const second = start('test/fixtures/host-child.ts', [dataDir]);
    const [, url] = await second.line(/READY (\S+)/);

    const PER_HOST = 24;
    const input = { task: 'scene_draft', input: 'Is Anna still in Paris in chapter four?' };
    const calls = [
      ...Array.from({ length: PER_HOST }, () => h.call('runs:start', input)),
      ...Array.from({ length: PER_HOST }, () => post(url!, 'runs:start', input)),
    ];
    const answers = await Promise.all(calls);
    for (const a of answers)
      expect({ status: a.status, error: a.body.error ?? null }).toEqual({ status: 200, error: null });
    expect(answers.map((a) => a.body.value.status)).toEqual(Array(2 * PER_HOST).fill('completed'));

    // Every call the provider answered (and billed) is settled to its usage; nothing is left running or reserved.
    const db = new Database(join(dataDir, 'quire.sqlite'), { readonly: true });
    try {
      const billed = harness.server().requests.length;
      expect(billed).toBe(2 * PER_HOST);
      const states = db.prepare('SELECT state, COUNT(*) AS n FROM ledger GROUP BY state').all();
      expect(states).toEqual([{ state: 'settled', n: billed }]);
      expect(db.prepare(`SELECT COUNT(*) AS n FROM runs WHERE status <> 'completed'`).get()).toEqual({ n: 0 });
      const settled = db.prepare(`SELECT SUM(charged_micros) AS micros FROM ledger`).get() as { micros: number };
      expect(db.prepare('SELECT SUM(settled_micros) AS micros FROM ledger_month_totals').get()).toEqual(settled);
    } finally {
      db.close();
    }
    second.child.stdin!.end();
    expect((await second.exited).code).toBe(0);
  }, 120_000);

  it("the CLI's pack change is visible to the running app, announced, and never reverted by the app's next settings write", async () => {
    const dataDir = tempDir();
    let tick: () => void = () => {
      throw new Error('the app did not start watching for outside changes');
    };
    const app = await testApp.app({ dataDir, settingsTicker: (fn) => ((tick = fn), () => {}) });
    const events: PushedEvent[] = [];
    app.events.subscribe((e) => events.push(e));
    const call = async (channel: string, input: unknown) => {
      const r = await app.dispatcher.call(channel as never, input as never, { transport: 'internal' });
      if (!r.ok) throw new Error(JSON.stringify(r.error));
      return r.value as any;
    };
    expect((await call('packs:list', {})).active).toBe('mixed');

    const cli = start('src-main/cli/quire.ts', ['packs', 'use', 'quality', '--data-dir', dataDir]);
    expect(await cli.exited).toEqual({ code: 0, signal: null });
    expect(cli.output().stdout).toMatch(/Active pack is now quality/);

    expect((await call('packs:list', {})).active).toBe('quality');
    tick();
    const changed = events.filter((e) => e.name === 'settings:changed');
    expect(
      changed.map((e) => (e.payload as { orchestrator: { active_pack: string } }).orchestrator.active_pack),
    ).toEqual(['quality']);
    tick();
    expect(events.filter((e) => e.name === 'settings:changed')).toHaveLength(1);

    // The app's own write to the same section sets its key only.
    const after = await call('settings:set', { orchestrator: { monthly_budget: 5 } });
    expect(after.orchestrator).toMatchObject({ active_pack: 'quality', monthly_budget: 5 });
    const db = new Database(join(dataDir, 'quire.sqlite'), { readonly: true });
    try {
      const row = db.prepare(`SELECT value FROM settings WHERE section = 'orchestrator'`).get() as { value: string };
      expect(JSON.parse(row.value)).toEqual({ active_pack: 'quality', monthly_budget: 5 });
    } finally {
      db.close();
    }
  }, 60_000);

  it("a second starting process leaves a live process's run running; once that process is gone, the next start marks it interrupted", async () => {
    const server = harness.server();
    server.script('hangs', { alwaysFault: { kind: 'hang' } });
    const dataDir = tempDir();
    const child = start('test/fixtures/run-crash-child.ts', [dataDir, server.openaiBaseUrl]);
    await child.line(/READY/);
    // The call has reached the server: its reservation and the run row have committed.
    await new Promise<void>((resolve) => {
      const look = () => (server.requests.length > 0 ? resolve() : setImmediate(look));
      look();
    });

    const runs = async (h: { call: (c: string, b?: unknown) => Promise<{ body: { value?: any } }> }) =>
      (await h.call('runs:list', {})).body.value.runs as { status: string }[];
    const whileAlive = await testApp.host({ dataDir, env: {} });
    expect((await runs(whileAlive)).map((r) => r.status)).toEqual(['running']);
    const month = whileAlive.app.services.ledger.monthOf(new Date());
    expect(whileAlive.app.services.ledger.month(month)).toMatchObject({ orphaned_usd: 0 });
    expect(whileAlive.app.services.ledger.month(month).reserved_usd).toBeGreaterThan(0);

    child.child.kill('SIGKILL');
    expect((await child.exited).signal).toBe('SIGKILL');
    const afterDeath = await testApp.host({ dataDir, env: {} });
    expect((await runs(afterDeath)).map((r) => r.status)).toEqual(['interrupted']);
    expect(afterDeath.app.services.ledger.month(month).orphaned_usd).toBeGreaterThan(0);
  }, 60_000);
});
