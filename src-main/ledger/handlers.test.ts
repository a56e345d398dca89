import { describe, expect, it } from 'vitest';
import { useTestApp } from '../../test/support/test-app';

const testApp = useTestApp();

describe('spend channels over the HTTP host', () => {
  it('spend:current reports an empty ledger as zeros, with the budget from settings', async () => {
    const { call, app } = await testApp.host();
    app.services.settings.set({ orchestrator: { monthly_budget: 2 } });
    const { body } = await call('spend:current');
    expect(body.value).toMatchObject({ spend_usd: 0, reserved_usd: 0, budget_usd: 2, remaining_usd: 2 });
    expect(body.value.month).toMatch(/^\d{4}-\d{2}$/);
  });
});

describe('spend:month for a month gone by', () => {
  it('gives the budget that month had (kept as the writer changes it), not the one set today', async () => {
    let at = new Date('2026-11-20T12:00:00Z');
    const app = await testApp.app({ now: () => at, execution: { timeZone: 'UTC' } });
    const month = async (m: string) => {
      const answer = await app.dispatcher.call('spend:month', { month: m }, { transport: 'internal' });
      if (!answer.ok) throw new Error(answer.error.message);
      return answer.value;
    };
    app.services.settings.set({ orchestrator: { monthly_budget: 10 } });
    at = new Date('2026-12-01T09:00:00Z');
    app.services.settings.set({ orchestrator: { monthly_budget: 25 } });
    expect(await month('2026-11')).toMatchObject({ budget_usd: 10, budget_recorded: true });
    expect(await month('2026-12')).toMatchObject({ budget_usd: 25, budget_recorded: true });
    // Before the app first ran, Quire kept no budget: not judged against today's.
    expect(await month('2026-10')).toMatchObject({ budget_usd: null, budget_recorded: false });
  });
});

describe('a new month while Quire is open', () => {
  it('is announced to every window as the month’s spend, and the look stops with the app', async () => {
    let at = new Date('2026-12-31T23:59:00Z');
    let tick: () => void = () => {
      throw new Error('the app did not start looking for a new month');
    };
    let stopped = false;
    const app = await testApp.app({
      now: () => at,
      execution: { timeZone: 'UTC' },
      monthTicker: (fn) => ((tick = fn), () => void (stopped = true)),
    });
    const months: string[] = [];
    app.events.subscribe((e) => void (e.name === 'spend:updated' && months.push(e.payload.month)));
    at = new Date('2027-01-01T00:00:30Z');
    tick();
    expect(months).toEqual(['2027-01']);
    await app.close();
    expect(stopped).toBe(true);
  });
});
