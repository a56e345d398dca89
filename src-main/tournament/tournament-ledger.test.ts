import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EventBus } from '../infra/event-bus';
import { Ledger } from '../ledger/ledger';
import { openDatabase } from '../store/database';
import { useTempDir } from '../../test/support/temp-dir';
import { tournamentLedger } from './tournament-ledger';

const tempDir = useTempDir();
const request = (modelId: string, worstCaseUsd: number) => ({
  runId: `t/${modelId}`,
  modelId,
  provider: 'openai',
  task: 'continuity_check',
  worstCaseUsd,
  chosenBy: 'quire' as const,
});

describe('group reservation', () => {
  it('reserves every member or none: one that does not fit rolls back the ones before it', () => {
    const db = openDatabase(join(tempDir(), 'quire.sqlite'));
    try {
      const events = new EventBus();
      const held: number[] = [];
      events.subscribe((e) => e.name === 'spend:updated' && held.push(e.payload.reserved_usd));
      const ledger = new Ledger({ db, events, now: () => new Date(), budgetUsd: () => 1 });
      const group = tournamentLedger(ledger);
      expect(() => group.reserveAll([request('a', 0.4), request('b', 0.4), request('c', 0.4)])).toThrow(/budget/);
      expect(db.prepare('SELECT COUNT(*) AS n FROM ledger').get()).toEqual({ n: 0 });
      expect(ledger.snapshot(new Date()).reserved_usd).toBe(0);
      // Nobody heard of holds that were rolled back (the header's figure would have stayed at them).
      expect(held).toEqual([]);

      const reserved = group.reserveAll([request('a', 0.4), request('b', 0.5)]);
      expect(reserved.map((r) => r.reservedUsd)).toEqual([0.4, 0.5]);
      // Announced once, after the commit, with both holds.
      expect(held).toEqual([0.9]);
      expect(ledger.snapshot(new Date()).reserved_usd).toBeCloseTo(0.9);
      expect(group.reserveAll([])).toEqual([]);
    } finally {
      db.close();
    }
  });

  it('checks the tournament cap at what is held: a multiple the ledger applies cannot carry the set past it', () => {
    const db = openDatabase(join(tempDir(), 'quire.sqlite'));
    try {
      const ledger = new Ledger({ db, now: () => new Date(), budgetUsd: () => null });
      const group = tournamentLedger(ledger);
      // Model a's provider charged twice its hold this month: its next holds are doubled.
      const [first] = group.reserveAll([request('a', 0.1)]);
      db.prepare('UPDATE ledger SET state = ?, charged_micros = ?, overrun_micros = ? WHERE id = ?').run(
        'settled',
        200_000,
        100_000,
        first!.id,
      );
      expect(group.overrunRatios().get('a')).toBe(2);
      // Priced at their worst cases the two fit a $0.30 cap; held, a's is $0.20 and the set $0.35.
      expect(() => group.reserveAll([request('a', 0.1), request('b', 0.15)], 0.3)).toThrow(
        'This tournament could cost up to $0.35, more than the $0.30 tournament cap.',
      );
      expect(db.prepare('SELECT COUNT(*) AS n FROM ledger').get()).toEqual({ n: 1 });
      expect(group.reserveAll([request('a', 0.1), request('b', 0.15)], 0.35).map((r) => r.reservedUsd)).toEqual([
        0.2, 0.15,
      ]);
    } finally {
      db.close();
    }
  });
});
