import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../store/database';
import { useTempDir } from '../../test/support/temp-dir';
import { Ledger } from './ledger';

const tempDir = useTempDir();
const LA = 'America/Los_Angeles';

function setup(at: { now: Date }) {
  const db = openDatabase(join(tempDir(), 'q.sqlite'));
  const ledger = new Ledger({ db, now: () => at.now, budgetUsd: () => null, timeZone: LA, alertsEnabled: () => true });
  return { db, ledger };
}

const names = { task: (id: string) => id, model: (id: string) => id, timeZone: LA };

/** The CSV as rows of cells by column name (no cell here holds a comma). */
async function table(ledger: Ledger, month: string): Promise<Record<string, string>[]> {
  const { csv } = await ledger.exportCsv(month, names);
  const [header, ...rows] = csv
    .replace(/^\uFEFF/, '')
    .trimEnd()
    .split('\n');
  const columns = header!.split(',');
  return rows.map((row) => Object.fromEntries(row.split(',').map((cell, i) => [columns[i]!, cell])));
}

describe('spend CSV', () => {
  it("gives each call its time in the writer's time zone, in a form a spreadsheet reads as a date", async () => {
    const at = { now: new Date('2026-12-01T07:59:00Z') }; // 23:59 on November 30th in Los Angeles
    const { ledger } = setup(at);
    const call = { runId: 'late', modelId: 'claude-haiku-4-5', provider: 'anthropic', task: 'dialogue_polish' };
    ledger.settle(ledger.reserve({ ...call, worstCaseUsd: 0.02 }).id, 0.0077, { inputTokens: 5000, outputTokens: 600 });
    at.now = new Date('2026-12-01T08:01:00Z'); // 00:01 on December 1st there
    ledger.settle(ledger.reserve({ ...call, runId: 'dec', worstCaseUsd: 0.02 }).id, 0.0066, {
      inputTokens: 4000,
      outputTokens: 600,
    });

    const november = await table(ledger, '2026-11');
    expect(november).toHaveLength(1);
    // It read only "2026-12-01T07:59:00.000Z" beside the day: December's date on November's invoice line, as text.
    expect(november[0]).toMatchObject({
      'Time (your time zone)': '2026-11-30 23:59:00',
      'Time (UTC)': '2026-12-01 07:59:00',
      'Day (your time zone)': '2026-11-30',
      Run: 'late',
    });
    const december = await table(ledger, '2026-12');
    expect(december.map((row) => [row.Run, row['Time (your time zone)']])).toEqual([['dec', '2026-12-01 00:01:00']]);
  });
});
