import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { PushedEvent } from '../../src-preload/contract';
import { EventBus } from '../infra/event-bus';
import { openDatabase } from '../store/database';
import { GroupCommit } from '../store/group-commit';
import { useTempDir } from '../../test/support/temp-dir';
import { Ledger } from './ledger';

const tempDir = useTempDir();
const call = { runId: 'r', modelId: 'm', provider: 'p', task: 't' };
const now = () => new Date('2026-03-15T12:00:00Z');

function setup(budget: number | null, sync?: () => Promise<void>) {
  const db = openDatabase(join(tempDir(), 'q.sqlite'));
  const events = new EventBus();
  const seen: PushedEvent[] = [];
  events.subscribe((e) => seen.push(e));
  const groupCommit = new GroupCommit(db, sync ? { sync } : {});
  const ledger = new Ledger({ db, events, now, budgetUsd: () => budget, groupCommit });
  return { db, ledger, seen };
}

describe('Charge (one call, one charge)', () => {
  it('50 charges opened at once against a nearly spent budget: exactly as many as fit are held, the rest refused', async () => {
    const { ledger } = setup(1);
    ledger.settle(ledger.reserve({ ...call, worstCaseUsd: 0.93 }).id, 0.93, { inputTokens: 1, outputTokens: 1 });
    const opened = await Promise.allSettled(
      Array.from({ length: 50 }, (_, i) => ledger.open({ ...call, runId: `r${i}`, worstCaseUsd: 0.01 })),
    );
    expect(opened.filter((o) => o.status === 'fulfilled')).toHaveLength(7);
    const refused = opened.filter((o) => o.status === 'rejected');
    expect(refused).toHaveLength(43);
    expect(String((refused[0] as PromiseRejectedResult).reason)).toMatch(/budget/);
    const month = ledger.month('2026-03');
    expect(month.total_usd).toBeLessThanOrEqual(1);
    expect(month.reserved_usd).toBeCloseTo(0.07, 6);
  });

  it('closes by the one rule with its run row in one transaction, once; spend events wait for the disk', async () => {
    let release: () => void = () => undefined;
    let holding = false;
    const { db, ledger, seen } = setup(null, () =>
      holding ? new Promise<void>((r) => (release = r)) : Promise.resolve(),
    );
    db.exec('CREATE TABLE owner_rows (run TEXT PRIMARY KEY, charged REAL NOT NULL) STRICT');
    const charge = await ledger.open({ ...call, worstCaseUsd: 0.05 });
    expect(ledger.entry(charge.id!)).toMatchObject({ state: 'reserved', reserved_micros: 50_000 });
    seen.length = 0;
    holding = true;
    const insert = db.prepare<[string, number]>('INSERT INTO owner_rows VALUES (?, ?)');
    const closing = charge.close({ usage: { inputTokens: 100, outputTokens: 20 }, price: () => 0.004 }, (charged) =>
      insert.run('r', charged),
    );
    // Committed together (another reader sees both), announced only once on disk.
    expect(ledger.entry(charge.id!)).toMatchObject({ state: 'settled', charged_micros: 4_000 });
    expect(db.prepare('SELECT charged FROM owner_rows').pluck().get()).toBe(0.004);
    await Promise.resolve();
    expect(seen).toEqual([]);
    release();
    expect(await closing).toBe(0.004);
    expect(seen.map((e) => e.name)).toContain('spend:updated');
    await expect(charge.close({ price: () => 0, unbilled: true })).rejects.toThrow(/already closed/);
    expect(ledger.entry(charge.id!)).toMatchObject({ state: 'settled', charged_micros: 4_000 });
  });

  it('a run row that fails to write rolls its settlement back: never a charge without its run, or the reverse', async () => {
    const { ledger } = setup(null);
    const charge = await ledger.open({ ...call, worstCaseUsd: 0.05 });
    await expect(
      charge.close({ usage: { inputTokens: 1, outputTokens: 1 }, price: () => 0.001 }, () => {
        throw new Error('disk full');
      }),
    ).rejects.toThrow(/disk full/);
    expect(ledger.entry(charge.id!)).toMatchObject({ state: 'reserved', charged_micros: null });
  });

  it('a call without usage keeps its reservation; one that provably never left is $0; a local call is recorded at $0', async () => {
    const { ledger } = setup(null);
    const cut = await ledger.open({ ...call, worstCaseUsd: 0.05 });
    expect(await cut.close({ price: () => 0.001, note: 'stream cut' })).toBe(0.05);
    const refused = await ledger.open({ ...call, worstCaseUsd: 0.05 });
    expect(await refused.close({ price: () => 0.001, unbilled: true, note: 'ECONNREFUSED' })).toBe(0);
    expect(ledger.entry(refused.id!)).toMatchObject({ state: 'released', charged_micros: 0 });
    const local = await ledger.openLocal({ ...call, provider: 'local', modelId: 'big' });
    expect(
      await local.close({
        usage: { inputTokens: 5, outputTokens: 7 },
        price: () => 1,
        durationMs: 9,
        servedBy: 'small',
      }),
    ).toBe(0);
    const rows = ledger.month('2026-03');
    expect(rows.total_usd).toBe(0.05);
    expect(ledger.entry(refused.id! + 1)).toMatchObject({ model_id: 'small', charged_micros: 0, note: 'local' });
  });
});
