import { describe, expect, it } from 'vitest';
import type { SpendGroup } from '$contract/spend';
import { HELD_AHEAD_ID } from '$contract/model-ids';
import { FakeApi } from '../../../../test/renderer/fake-api';
import { settings, spendMonth } from '../../../../test/renderer/fixtures';
import { budgetWords, gaugeOf, SpendManager, type MonthStore, type SaveFile } from './spend.svelte';

// Mid-month, so the writer's time zone cannot move it to another month.
const NOW = new Date(2026, 2, 15, 12).getTime();

const group = (key: string, provider: string, calls: number, usd: number): SpendGroup => ({
  key,
  provider,
  spend_usd: usd,
  reserved_usd: 0,
  calls,
  input_tokens: calls * 100,
  output_tokens: calls * 10,
});

function setup(saveFile: SaveFile = () => {}) {
  const fake = new FakeApi();
  fake.answer('spend:month', ({ month }) => spendMonth(month));
  return { fake, manager: new SpendManager(fake, { now: () => NOW, saveFile }) };
}

describe('SpendManager', () => {
  it('shows this month (by the injected clock) until another is picked', async () => {
    const { fake, manager } = setup();
    expect(manager.month).toBe('2026-03');
    await manager.load();
    expect(manager.data?.month).toBe('2026-03');
    await manager.select('2026-01');
    expect(manager.month).toBe('2026-01');
    expect(manager.data?.month).toBe('2026-01');
    expect(fake.inputsOf('spend:month')).toEqual([{ month: '2026-03' }, { month: '2026-01' }]);
  });

  it('keeps the month picked over a reload of the window, and follows the calendar again once this month is picked', async () => {
    // The window's session store, shared by the manager before a reload and the one after it.
    let kept: string | null = null;
    const store: MonthStore = { load: () => kept, save: (month) => (kept = month) };
    const fake = new FakeApi();
    fake.answer('spend:month', ({ month }) => spendMonth(month));
    const before = new SpendManager(fake, { now: () => NOW, monthStore: store });
    await before.select('2025-11');
    const reloaded = new SpendManager(fake, { now: () => NOW, monthStore: store });
    expect(reloaded.month).toBe('2025-11');
    await reloaded.load();
    expect(reloaded.data?.month).toBe('2025-11');
    // Back on this month: a reload next month shows that month, not this one.
    await reloaded.select('2026-03');
    expect(new SpendManager(fake, { now: () => NOW + 31 * 86_400_000, monthStore: store }).month).toBe('2026-04');
    // A month kept that is not a month, or is still to come, is not shown.
    kept = '2026-13';
    expect(new SpendManager(fake, { now: () => NOW, monthStore: store }).month).toBe('2026-03');
    kept = '2026-05';
    expect(new SpendManager(fake, { now: () => NOW, monthStore: store }).month).toBe('2026-03');
  });

  it('shows the month picked last even when an earlier pick answers later', async () => {
    const { fake, manager } = setup();
    await fake.answerLastFirst('spend:month', [
      [() => manager.select('2026-01'), spendMonth('2026-01')],
      [() => manager.select('2026-02'), spendMonth('2026-02')],
    ]);
    expect(manager.data?.month).toBe('2026-02');
  });

  it('keeps the error when a month cannot be read', async () => {
    const { fake, manager } = setup();
    fake.fail('spend:month', 'storage_error', 'ledger locked');
    await manager.load();
    expect(manager.error).toMatchObject({ code: 'storage_error' });
    expect(manager.data).toBeNull();
  });

  it('lists the alerts crossed: pushed ones with their figures, and those the month’s total implies', async () => {
    const { fake, manager } = setup();
    fake.answer('spend:month', ({ month }) => spendMonth(month, { budget_usd: 10, total_usd: 8.5, settled_usd: 8.5 }));
    manager.listen();
    await manager.load();
    expect(manager.alerts.map((alert) => alert.threshold)).toEqual([80, 50]);
    fake.emit('spend:alert', { month: '2026-03', threshold: 50, spent_usd: 5.01, budget_usd: 10 });
    expect(manager.alerts).toEqual([
      { threshold: 80, spent_usd: 8.5, budget_usd: 10 },
      { threshold: 50, spent_usd: 5.01, budget_usd: 10 },
    ]);
    // Another month's alert is not this month's.
    fake.emit('spend:alert', { month: '2026-02', threshold: 100, spent_usd: 10, budget_usd: 10 });
    expect(manager.alerts.map((alert) => alert.threshold)).toEqual([80, 50]);
  });

  it('implies the alerts of what the month has spent, as the ledger raises them, not of the holds of calls in flight', async () => {
    const { fake, manager } = setup();
    // $4.20 settled and $0.90 a crash left (spent), and $3.40 held for a call still running: 51% spent, 85% counted.
    fake.answer('spend:month', ({ month }) =>
      spendMonth(month, { budget_usd: 10, total_usd: 8.5, settled_usd: 4.2, orphaned_usd: 0.9, reserved_usd: 3.4 }),
    );
    await manager.load();
    expect(manager.alerts).toEqual([{ threshold: 50, spent_usd: 5.1, budget_usd: 10 }]);
  });

  it('says what calls a crash interrupted count for, and never that the budget cannot be crossed', async () => {
    const { fake, manager } = setup();
    await manager.load();
    expect(manager.interrupted).toBeNull();
    // Over budget (an overrun, or a budget lowered since): the notice beside the gauge must not say otherwise.
    fake.answer('spend:month', ({ month }) =>
      spendMonth(month, { budget_usd: 5, total_usd: 7.95, settled_usd: 7.05, orphaned_usd: 0.9 }),
    );
    await manager.load();
    expect(manager.interrupted).toEqual({
      message: '$0.90 of it is for calls that were interrupted when Quire closed.',
      next:
        "Quire can't know what the provider billed for them, so they count as spent at the most they could have " +
        'cost, never less.',
    });
  });

  it('says what Quire held ahead when the Mac stopped apart from calls a crash interrupted, and counts it as no call', async () => {
    const { fake, manager } = setup();
    // $0.32 held ahead when the Mac lost power (a row of its own, left as a crash leaves a call), and one call of
    // $0.04 a crash interrupted.
    fake.answer('spend:month', ({ month }) =>
      spendMonth(month, {
        total_usd: 0.839,
        settled_usd: 0.479,
        orphaned_usd: 0.36,
        by_model: [
          group('deepseek-chat', 'deepseek', 19, 0.479),
          group('deepseek-reasoner', 'deepseek', 1, 0.04),
          { ...group(HELD_AHEAD_ID, 'quire', 1, 0.32), input_tokens: 0, output_tokens: 0 },
        ],
      }),
    );
    await manager.load();
    // It read "$0.36 of it is for calls that were interrupted when Quire closed", the hold counted as calls.
    expect(manager.interrupted).toEqual({
      message: '$0.04 of it is for calls that were interrupted when Quire closed.',
      next:
        "Quire can't know what the provider billed for them, so they count as spent at the most they could have " +
        'cost, never less.',
    });
    expect(manager.heldAhead).toEqual({
      message: '$0.32 of it was held ahead for calls when your Mac stopped (a power cut or a restart).',
      next:
        'Calls sent from it may not have been recorded, so Quire counts all of it as spent, never less. It is the ' +
        '“Held ahead when your Mac stopped” line below.',
    });
    // Money held, not a call: "36 calls … the cloud calls cost $0.839" counted it as one of them.
    expect(manager.localShare).toMatchObject({ cloudCalls: 20, cloudUsd: 0.519, heldAheadUsd: 0.32 });
  });

  it('splits calls, tokens and dollars between this machine and the cloud', async () => {
    const { fake, manager } = setup();
    fake.answer('spend:month', ({ month }) =>
      spendMonth(month, { by_model: [group('llama', 'local', 3, 0), group('gpt', 'openai', 1, 0.25)] }),
    );
    await manager.load();
    expect(manager.localShare).toEqual({
      localCalls: 3,
      cloudCalls: 1,
      localTokens: 330,
      cloudTokens: 110,
      cloudUsd: 0.25,
      cloudHeldUsd: 0,
      heldAheadUsd: 0,
    });
  });

  it('says what the cloud calls cost as the gauge says spent, with the holds of calls in flight apart', async () => {
    const { fake, manager } = setup();
    // $0.9721 settled on one model, and $0.2013 held for a call of another still running.
    const running = { ...group('slow', 'openai', 1, 0.2013), reserved_usd: 0.2013, input_tokens: 0, output_tokens: 0 };
    fake.answer('spend:month', ({ month }) =>
      spendMonth(month, {
        total_usd: 1.1734,
        settled_usd: 0.9721,
        reserved_usd: 0.2013,
        by_model: [group('gpt', 'openai', 7, 0.9721), running],
      }),
    );
    await manager.load();
    expect(manager.localShare).toMatchObject({ cloudCalls: 8, cloudUsd: 0.9721, cloudHeldUsd: 0.2013 });
  });

  it('reloads the month on screen when its spend moves or the settings change, not for another month', async () => {
    const { fake, manager } = setup();
    manager.listen();
    await manager.load();
    fake.emit('spend:updated', { month: '2026-02', spent_usd: 1, reserved_usd: 0, budget_usd: 10 });
    await fake.settled();
    expect(fake.countOf('spend:month')).toBe(1);
    fake.emit('spend:updated', { month: '2026-03', spent_usd: 1, reserved_usd: 0, budget_usd: 10 });
    await fake.settled();
    expect(fake.countOf('spend:month')).toBe(2);
    fake.emit('settings:changed', settings());
    await fake.settled();
    expect(fake.countOf('spend:month')).toBe(3);
  });

  it('hands the month’s CSV to the writer as a file, or says why it could not', async () => {
    const saved: [string, string, string][] = [];
    const { fake, manager } = setup((name, text, type) => saved.push([name, text, type]));
    fake.answer('spend:export', ({ month }) => ({ filename: `quire-${month}.csv`, csv: 'day,usd\n' }));
    const exporting = manager.exportCsv();
    expect(manager.exporting).toBe(true);
    await exporting;
    expect(manager.exporting).toBe(false);
    expect(saved).toEqual([['quire-2026-03.csv', 'day,usd\n', 'text/csv;charset=utf-8']]);
    fake.fail('spend:export', 'storage_error', 'cannot read ledger');
    await manager.exportCsv();
    expect(manager.exportError).toMatchObject({ message: 'cannot read ledger' });
  });

  it('reset() goes back to this month with nothing loaded', async () => {
    const { manager } = setup();
    await manager.select('2026-01');
    manager.reset();
    expect(manager.month).toBe('2026-03');
    expect(manager.data).toBeNull();
  });
});

describe('gaugeOf', () => {
  const december = spendMonth('2026-12', { budget_usd: 5, total_usd: 4.5, settled_usd: 4, reserved_usd: 0.5 });
  const live = (month: string) => ({ month, spend_usd: 4.2, reserved_usd: 0.1, budget_usd: 5, remaining_usd: 0.7 });

  it('shows the live figures of the month on screen, and the month’s own once the live ones are of another month', () => {
    expect(gaugeOf(december, live('2026-12'))).toEqual({ spent: 4.2, reserved: 0.1, budget: 5 });
    // A new month begun while the screen shows December: January's $0 is not December's.
    expect(gaugeOf(december, live('2027-01'))).toEqual({ spent: 4, reserved: 0.5, budget: 5 });
    expect(gaugeOf(december, null)).toEqual({ spent: 4, reserved: 0.5, budget: 5 });
  });
});

describe('a month gone by, against the budget it had', () => {
  it('is measured against its own budget; one from before Quire kept budgets is measured against none, and says so', () => {
    const october = spendMonth('2026-10', {
      budget_usd: null,
      budget_recorded: false,
      settled_usd: 4,
      reserved_usd: 0,
    });
    // Not "Unlimited" and no "Remaining": the budget is not known, not absent.
    expect(gaugeOf(october, null)).toEqual({ spent: 4, reserved: 0, budget: undefined });
    expect(budgetWords(october, false)).toEqual({
      gauge: "Quire began keeping each month's budget after October 2026, so October 2026 is not measured against one.",
      alerts: 'No alerts: October 2026 is not measured against a budget.',
    });
    const november = spendMonth('2026-11', { budget_usd: null, budget_recorded: true });
    expect(budgetWords(november, false)).toEqual({
      gauge: 'No monthly budget was set in November 2026.',
      alerts: 'No alerts: no monthly budget was set in November 2026.',
    });
    // This month without a budget: the screen's own line, with its way to Settings.
    expect(budgetWords(spendMonth('2026-12', { budget_usd: null }), true)).toBeNull();
    expect(budgetWords(spendMonth('2026-09', { budget_usd: 5 }), false)).toBeNull();
  });
});
