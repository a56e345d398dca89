import { describe, expect, it } from 'vitest';
import type { SpendCurrent } from '$contract/spend';
import { FakeApi } from '../../../../test/renderer/fake-api';
import { health, runRecord, settings } from '../../../../test/renderer/fixtures';
import { LiveManager } from './live.svelte';

const current = (spend: number, budget: number | null = 10): SpendCurrent => ({
  month: '2026-03',
  spend_usd: spend,
  reserved_usd: 0,
  budget_usd: budget,
  remaining_usd: budget === null ? null : budget - spend,
});

function setup() {
  const fake = new FakeApi();
  fake.answer('spend:current', current(1));
  fake.answer('providers:health', { providers: [health('openai')] });
  return { fake, manager: new LiveManager(fake) };
}

describe('LiveManager', () => {
  it('fetches this month’s spend and provider health when it starts listening', async () => {
    const { fake, manager } = setup();
    manager.listen();
    await fake.settled();
    expect(manager.spend?.spend_usd).toBe(1);
    expect(manager.health.map((entry) => entry.provider)).toEqual(['openai']);
    expect(manager.error).toBeNull();
  });

  it('shows spend pushed as calls settle, with what remains of the budget', async () => {
    const { fake, manager } = setup();
    manager.listen();
    await fake.settled();
    fake.emit('spend:updated', { month: '2026-03', spent_usd: 6, reserved_usd: 1.5, budget_usd: 7 });
    expect(manager.spend).toEqual({
      month: '2026-03',
      spend_usd: 6,
      reserved_usd: 1.5,
      budget_usd: 7,
      remaining_usd: 0,
    });
    fake.emit('spend:updated', { month: '2026-03', spent_usd: 6, reserved_usd: 0, budget_usd: null });
    expect(manager.spend?.remaining_usd).toBeNull();
  });

  it('never lets a slow spend:current answer overwrite a newer pushed total', async () => {
    const { fake, manager } = setup();
    const answers = fake.hold('spend:current');
    manager.listen();
    fake.emit('spend:updated', { month: '2026-03', spent_usd: 5, reserved_usd: 0, budget_usd: 10 });
    (await answers.next()).resolve(current(1));
    await fake.settled();
    expect(manager.spend?.spend_usd).toBe(5);
  });

  it('re-reads spend when the settings change (a new budget changes what remains)', async () => {
    const { fake, manager } = setup();
    manager.listen();
    await fake.settled();
    fake.answer('spend:current', current(1, 50));
    fake.emit('settings:changed', settings());
    await fake.settled();
    expect(manager.spend?.budget_usd).toBe(50);
  });

  it('keeps the error when spend cannot be read', async () => {
    const { fake, manager } = setup();
    fake.fail('spend:current', 'storage_error', 'ledger locked');
    await manager.refreshSpend();
    expect(manager.error).toMatchObject({ code: 'storage_error' });
    fake.answer('spend:current', current(2));
    await manager.refreshSpend();
    expect(manager.error).toBeNull();
  });

  it('raises the latest budget alert until dismissed', () => {
    const { fake, manager } = setup();
    manager.listen();
    fake.emit('spend:alert', { month: '2026-03', threshold: 80, spent_usd: 8, budget_usd: 10 });
    expect(manager.alert).toMatchObject({ threshold: 80 });
    manager.dismissAlert();
    expect(manager.alert).toBeNull();
  });

  it('lists paused providers from pushed health, and closes a breaker on request', async () => {
    const { fake, manager } = setup();
    manager.listen();
    await fake.settled();
    fake.emit('providers:health', { providers: [health('openai', 'open'), health('anthropic')] });
    expect(manager.openBreakers.map((entry) => entry.provider)).toEqual(['openai']);
    fake.answer('providers:reset', { providers: [health('openai'), health('anthropic')] });
    await manager.resetProvider('openai');
    expect(fake.inputsOf('providers:reset')).toEqual([{ provider: 'openai' }]);
    expect(manager.openBreakers).toEqual([]);
    fake.fail('providers:reset', 'internal', 'breaker stuck');
    await manager.resetProvider('openai');
    expect(manager.error).toMatchObject({ message: 'breaker stuck' });
  });

  it('counts downloads and runs in progress from events', () => {
    const { fake, manager } = setup();
    manager.listen();
    fake.emit('download:progress', { id: 'a', received: 1, total: 10, bytes_per_s: 1, eta_s: 9 });
    fake.emit('download:progress', { id: 'b', received: 1, total: 10, bytes_per_s: 1, eta_s: 9 });
    expect(manager.downloadCount).toBe(2);
    fake.emit('download:done', { id: 'a', name: 'A', model: {} as never });
    fake.emit('download:failed', { id: 'b', name: 'B', reason: 'x', message: 'y', retryable: true });
    expect(manager.downloadCount).toBe(0);
    fake.emit('download:progress', { id: 'c', received: 1, total: 10, bytes_per_s: 1, eta_s: 9 });
    manager.forgetDownload('c');
    expect(manager.downloadCount).toBe(0);

    fake.emit('run:started', { run_id: 'r1', task: 't', model_id: 'm', reason: '', stream: true });
    fake.emit('run:started', { run_id: 'r2', task: 't', model_id: 'm', reason: '', stream: true });
    expect(manager.runsInFlight).toEqual(['r1', 'r2']);
    fake.emit('run:completed', runRecord('r1'));
    fake.emit('run:failed', {
      run_id: 'r2',
      error: { code: 'timeout', message: 'slow', retryable: true },
      record: runRecord('r2'),
    });
    expect(manager.runsInFlight).toEqual([]);
  });

  it('stops listening to everything when unsubscribed, and reset() forgets it all', async () => {
    const { fake, manager } = setup();
    const off = manager.listen();
    await fake.settled();
    off();
    for (const event of ['spend:updated', 'spend:alert', 'providers:health', 'run:started'] as const) {
      expect(fake.listenerCount(event)).toBe(0);
    }
    manager.reset();
    expect(manager.spend).toBeNull();
    expect(manager.health).toEqual([]);
  });
});
