import { describe, expect, it } from 'vitest';
import type { PushedEvent } from '../../src-preload/contract';
import { notificationFor } from './notifications';

const event = (name: string, payload: unknown) => ({ name, payload }) as PushedEvent;

describe('notificationFor', () => {
  it.each([
    [50, "50% of this month's budget used", '$5.00 of your $10.00 budget spent in November 2026.'],
    [80, "80% of this month's budget used", '$8.00 of your $10.00 budget spent in November 2026.'],
  ] as const)('turns the %s%% budget alert into a notification', (threshold, title, body) => {
    const spent = (threshold / 100) * 10;
    expect(
      notificationFor(event('spend:alert', { month: '2026-11', threshold, spent_usd: spent, budget_usd: 10 })),
    ).toEqual({ title, body });
  });

  it('says at 100% that cloud runs stop and local models keep working', () => {
    const text = notificationFor(
      event('spend:alert', { month: '2026-01', threshold: 100, spent_usd: 20.004, budget_usd: 20 }),
    );
    expect(text?.title).toBe('Monthly budget reached');
    expect(text?.body).toMatch(/^\$20\.00 of your \$20\.00 budget spent in January 2026\. /);
    expect(text?.body).toContain('local models keep working');
  });

  it('announces a finished download by the model’s name', () => {
    expect(notificationFor(event('download:done', { id: 'd1', name: 'Qwen2.5 7B Instruct', model: {} }))).toEqual({
      title: 'Model downloaded',
      body: 'Qwen2.5 7B Instruct is ready to use on this Mac.',
    });
  });

  it('stays quiet for every other event', () => {
    for (const name of ['run:completed', 'spend:updated', 'download:progress', 'download:failed', 'settings:changed']) {
      expect(notificationFor(event(name, {})), name).toBeNull();
    }
  });

  it('names the model of an overrun as the writer knows it', () => {
    const overrun = event('spend:overrun', {
      month: '2026-11',
      ledger_id: 7,
      run_id: 'r1',
      model_id: 'deepseek-chat',
      reserved_usd: 0.005,
      charged_usd: 0.0061,
      overrun_usd: 0.0011,
      budget_usd: 10,
    });
    expect(notificationFor(overrun, (id) => (id === 'deepseek-chat' ? 'DeepSeek V3' : id))).toEqual({
      title: 'A call cost more than Quire held for it',
      body: "DeepSeek V3 charged $0.0061 where $0.005 was held. It counts against this month's budget.",
    });
  });
});
