import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../store/database';
import { useTempDir } from '../../test/support/temp-dir';
import { Ledger } from './ledger';
import { clockFor } from './calendar';
import { StandingHoldsRepo } from '../store/repos/standing-holds-repo';
import { deadPid } from '../../test/support/processes';
import { GatewayRepo } from '../gateway/gateway-repo';

const tempDir = useTempDir();
const LA = 'America/Los_Angeles';

function setup(at: { now: Date }) {
  const db = openDatabase(join(tempDir(), 'q.sqlite'));
  const ledger = new Ledger({
    db,
    now: () => at.now,
    budgetUsd: () => null,
    timeZone: LA,
    alertsEnabled: () => true,
    boot: 'boot-2',
  });
  return { db, ledger };
}

const names = { task: (id: string) => id, model: (id: string) => id, timeZone: LA };

/** The CSV as rows of cells by column name, read as a spreadsheet reads it (quoted cells, doubled quotes). */
async function table(ledger: Ledger, month: string): Promise<Record<string, string>[]> {
  const { csv } = await ledger.exportCsv(month, names);
  const [header, ...rows] = csv
    .replace(/^\uFEFF/, '')
    .trimEnd()
    .split('\n')
    .map(cellsOf);
  return rows.map((row) => Object.fromEntries(row.map((cell, i) => [header![i]!, cell])));
}

function cellsOf(line: string): string[] {
  return [...line.matchAll(/(?:^|,)("(?:[^"]|"")*"|[^,]*)/g)].map(([, cell]) =>
    cell!.startsWith('"') ? cell!.slice(1, -1).replace(/""/g, '"') : cell!,
  );
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

describe("the writer's clock", () => {
  it('follows the zone across a change of offset, to the second', () => {
    // Los Angeles leaves summer time at 02:00 on November 1st, 2026 (09:00 UTC): 01:59:59 PDT, then 01:00:00 PST.
    const la = clockFor(LA);
    expect(la(new Date('2026-11-01T08:59:59Z'))).toBe('2026-11-01 01:59:59');
    expect(la(new Date('2026-11-01T09:00:00Z'))).toBe('2026-11-01 01:00:00');
    expect(la(new Date('2026-03-08T09:59:59.999Z'))).toBe('2026-03-08 01:59:59');
    expect(la(new Date('2026-03-08T10:00:00Z'))).toBe('2026-03-08 03:00:00');
    // A zone a quarter hour off the hour, and one whose summer time moves by half an hour (at 02:00 local).
    expect(clockFor('Asia/Kathmandu')(new Date('2026-06-01T00:00:00Z'))).toBe('2026-06-01 05:45:00');
    const lordHowe = clockFor('Australia/Lord_Howe');
    expect(lordHowe(new Date('2026-10-03T15:29:59Z'))).toBe('2026-10-04 01:59:59');
    expect(lordHowe(new Date('2026-10-03T15:30:00Z'))).toBe('2026-10-04 02:30:00');
  });
});

describe('spend CSV in words', () => {
  it('says why each call counts what it does in words, never an error code', async () => {
    const at = { now: new Date('2026-11-16T19:00:00Z') };
    const { ledger } = setup(at);
    const call = { runId: 'r', modelId: 'deepseek-chat', provider: 'deepseek', task: 'chapter_summary' };
    // A fallback: the first model was busy and billed nothing; the writer stopped a second call before any word.
    ledger.release(ledger.reserve({ ...call, worstCaseUsd: 0.01 }).id, 'rate_limited', 120);
    ledger.keepReservation(ledger.reserve({ ...call, worstCaseUsd: 0.06 }).id, 'usage unknown after cancelled', 900);
    ledger.keepReservation(ledger.reserve({ ...call, worstCaseUsd: 0.03 }).id, 'usage unknown after timeout', 900);
    ledger.settle(ledger.reserve({ ...call, worstCaseUsd: 0.03 }).id, 0.0089, { inputTokens: 7000, outputTokens: 400 });

    const rows = await table(ledger, '2026-11');
    expect(rows.map((row) => [row.Status, row.Note, row['Charged (USD)']])).toEqual([
      // They read "not charged, rate_limited" and "charged, usage unknown after cancelled": an accountant took the
      // kept hold for the provider's bill, and an error code for an explanation.
      ['not charged', 'the provider was busy (its rate limit): nothing billed', '0.000000'],
      [
        'counted at its most (no usage reported)',
        'stopped after the request was sent; the provider reported no usage: counted at the most it could have cost',
        '0.060000',
      ],
      [
        'counted at its most (no usage reported)',
        'the provider took too long; the provider reported no usage: counted at the most it could have cost',
        '0.030000',
      ],
      ['charged', '', '0.008900'],
    ]);
  });
});

/** A process of the boot before held $0.32 ahead for its calls in November; the Mac lost power; Quire starts again. */
function heldAheadWhenTheMacStopped(db: ReturnType<typeof setup>['db'], ledger: Ledger): void {
  new StandingHoldsRepo(db).insert(
    '2026-11',
    320_000,
    { pid: deadPid(), token: null },
    'boot-1',
    '2026-11-25T23:00:00Z',
  );
  ledger.markOrphans();
}

describe('spend CSV: money held ahead', () => {
  it('names what was held ahead when the Mac stopped as what it is: no provider, no model choice, counted as spent', async () => {
    const at = { now: new Date('2026-11-26T18:00:00Z') };
    const { db, ledger } = setup(at);
    heldAheadWhenTheMacStopped(db, ledger);
    const rows = await table(ledger, '2026-11');
    expect(rows).toHaveLength(1);
    // It read provider "quire", chosen by "not recorded" (as a call from before Quire kept that) and "interrupted".
    expect(rows[0]).toMatchObject({
      Provider: 'none (held by Quire for calls)',
      'Model chosen by': '',
      Status: 'counted as spent (held ahead when your Mac stopped)',
      'Counted against the budget (USD)': '0.320000',
    });
  });
});

describe('spend:month: money held ahead', () => {
  it('counts what was held ahead when the Mac stopped as spent but as no call: by model, by task, by day, by app', () => {
    const at = { now: new Date('2026-11-26T18:00:00Z') };
    const { db, ledger } = setup(at);
    const call = { runId: 'r', modelId: 'deepseek-chat', provider: 'deepseek', task: 'chapter_summary' };
    ledger.settle(ledger.reserve({ ...call, worstCaseUsd: 0.02 }).id, 0.01, { inputTokens: 900, outputTokens: 80 });
    heldAheadWhenTheMacStopped(db, ledger);
    const month = ledger.month('2026-11');
    expect(month.total_usd).toBeCloseTo(0.33, 6);
    const calls = (groups: { calls: number }[]) => groups.reduce((sum, g) => sum + g.calls, 0);
    // It read "1 call" beside the held money in each table: the month had one call.
    expect([calls(month.by_model), calls(month.by_task), calls(month.daily)]).toEqual([1, 1, 1]);
    expect(month.by_model.find((g) => g.key === 'quire:held-ahead')).toMatchObject({ calls: 0, spend_usd: 0.32 });
    // By app: Quire's own runs (the Workbench) hold the money too, as no call.
    expect(new GatewayRepo(db, () => at.now).ownSpend('2026-11')).toMatchObject({ calls: 1, counted_micros: 330_000 });
  });
});

describe('spend:month by provider', () => {
  it('sums the month by provider, each as its invoice would: the figure an accountant sets against it', () => {
    const at = { now: new Date('2026-11-10T18:00:00Z') };
    const { ledger } = setup(at);
    const call = (modelId: string, provider: string) => ({ runId: 'r', modelId, provider, task: 'chapter_summary' });
    const settle = (c: ReturnType<typeof call>, usd: number) =>
      ledger.settle(ledger.reserve({ ...c, worstCaseUsd: 0.05 }).id, usd, { inputTokens: 1000, outputTokens: 100 });
    settle(call('deepseek-chat', 'deepseek'), 0.01);
    settle(call('deepseek-reasoner', 'deepseek'), 0.02);
    settle(call('claude-haiku-4-5', 'anthropic'), 0.004);
    const month = ledger.month('2026-11');
    expect(month.by_provider.map((g) => [g.key, g.spend_usd, g.calls])).toEqual([
      ['deepseek', 0.03, 2],
      ['anthropic', 0.004, 1],
    ]);
  });
});

describe('spend CSV token columns', () => {
  it('says which token counts are parts of others, so an invoice line is not counted twice', async () => {
    const at = { now: new Date('2026-11-02T18:00:00Z') };
    const { ledger } = setup(at);
    const call = { runId: 'r', modelId: 'deepseek-chat', provider: 'deepseek', task: 'continuity_check' };
    ledger.settle(ledger.reserve({ ...call, worstCaseUsd: 0.02 }).id, 0.004321, {
      inputTokens: 12_000,
      outputTokens: 800,
      cachedInputTokens: 6_000,
      reasoningTokens: 300,
    });
    // They read "Input tokens" and "Cached input tokens" side by side: an accountant matching DeepSeek's cache-hit and
    // cache-miss lines added them, counting the 6,000 cached tokens twice.
    expect(await table(ledger, '2026-11')).toEqual([
      expect.objectContaining({
        'Input tokens (cached and cache-write included)': '12000',
        'Output tokens (reasoning included)': '800',
        'Cached input tokens (of the input)': '6000',
        'Cache-write tokens (of the input)': '',
        'Reasoning tokens (of the output)': '300',
      }),
    ]);
  });
});
