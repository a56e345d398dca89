import { describe, expect, it } from 'vitest';
import type { RoutingValue } from '$contract/spend';
import { FakeApi } from '../../../../test/renderer/fake-api';
import { RoutingValueManager } from './routing-value.svelte';

const none = { calls: 0, spend_usd: 0 };
const value = (overrides: Partial<RoutingValue> = {}): RoutingValue => ({
  month: '2026-03',
  calls: 12,
  actual_usd: 0.42,
  premium_usd: 2.1,
  cheapest_usd: 0.3,
  by_task: [],
  writer_picks: none,
  unrecorded: none,
  not_compared: none,
  held_ahead_usd: 0,
  ...overrides,
});

describe('RoutingValueManager: the value of routing on the Spend screen', () => {
  it("says what Quire's own picks cost beside always-premium and always-cheapest", async () => {
    const fake = new FakeApi().answer('spend:routing_value', value());
    const manager = new RoutingValueManager(fake);
    await manager.load('2026-03');
    expect(fake.inputsOf('spend:routing_value')).toEqual([{ month: '2026-03' }]);
    expect(manager.summary).toBe(
      "Quire's own picks (12 model calls) cost $0.42, $1.68 less (80%) than always the premium pick ($2.10); always the cheapest capable model would have cost $0.30.",
    );
  });

  it("names the month a past month's chart shows, and says this month only for the month Quire counts now", async () => {
    const manager = new RoutingValueManager(new FakeApi().answer('spend:routing_value', value({ month: '2026-03' })));
    await manager.load('2026-03');
    expect(manager.chartLabel(false)).toBe(
      "The calls on Quire's own picks in March 2026 priced three ways, in US dollars",
    );
    expect(manager.chartLabel(true)).toBe("The calls on Quire's own picks this month priced three ways, in US dollars");
  });

  it('says what was held ahead for calls when the Mac stopped apart, as money and not as calls', async () => {
    const fake = new FakeApi().answer(
      'spend:routing_value',
      value({ writer_picks: { calls: 5, spend_usd: 0.2485 }, held_ahead_usd: 0.32 }),
    );
    const manager = new RoutingValueManager(fake);
    await manager.load('2026-03');
    expect(manager.summary).toBe(
      "Quire's own picks (12 model calls) cost $0.42, $1.68 less (80%) than always the premium pick ($2.10); always the cheapest capable model would have cost $0.30. Your own choices of model (5 model calls, $0.2485) and what was held ahead for calls when your Mac stopped ($0.32) are not counted.",
    );
  });

  it("says the writer's own choices of model apart, never as routing's, and the calls whose choice is not known", async () => {
    const fake = new FakeApi().answer(
      'spend:routing_value',
      value({ writer_picks: { calls: 3, spend_usd: 0.2 }, unrecorded: { calls: 1, spend_usd: 0.05 } }),
    );
    const manager = new RoutingValueManager(fake);
    await manager.load('2026-03');
    expect(manager.summary).toBe(
      "Quire's own picks (12 model calls) cost $0.42, $1.68 less (80%) than always the premium pick ($2.10); always the cheapest capable model would have cost $0.30. Your own choices of model (3 model calls, $0.20) and calls from before Quire noted who chose the model (1 model call, $0.05) are not counted.",
    );
    // Only the writer's picks: nothing of Quire's to compare, and no chart.
    fake.answer(
      'spend:routing_value',
      value({ calls: 0, actual_usd: 0, premium_usd: 0, cheapest_usd: 0, writer_picks: { calls: 2, spend_usd: 0.5 } }),
    );
    await manager.load('2026-03');
    expect(manager.summary).toBe(
      'No call is known to be on a model Quire picked, so there is nothing to compare. Your own choices of model (2 model calls, $0.50) are not counted.',
    );
    expect(manager.compared).toBe(false);
  });

  it("says apart Quire's picks whose usage never came, at what was held for them, rather than pricing them as tokens", async () => {
    const fake = new FakeApi().answer(
      'spend:routing_value',
      value({ not_compared: { calls: 2, spend_usd: 0.07 }, writer_picks: { calls: 3, spend_usd: 0.2 } }),
    );
    const manager = new RoutingValueManager(fake);
    await manager.load('2026-03');
    expect(manager.summary).toBe(
      "Quire's own picks (12 model calls) cost $0.42, $1.68 less (80%) than always the premium pick ($2.10); always the cheapest capable model would have cost $0.30. Your own choices of model (3 model calls, $0.20) are not counted. Quire's picks whose use the provider never reported (2 model calls, $0.07 held for them: cut off, still running or left by a crash) are not compared: there are no tokens to price.",
    );
  });

  it('says nothing before there are runs, and never claims a saving that is not there', async () => {
    const fake = new FakeApi().answer('spend:routing_value', value({ calls: 0, actual_usd: 0, premium_usd: 0 }));
    const manager = new RoutingValueManager(fake);
    await manager.load('2026-03');
    expect(manager.summary).toBeNull();
    fake.answer('spend:routing_value', value({ calls: 1, actual_usd: 2.1, premium_usd: 2.1 }));
    await manager.load('2026-03');
    expect(manager.summary).toContain(
      "Quire's own picks (1 model call) cost $2.10, the same as always the premium pick ($2.10)",
    );
    expect(manager.compared).toBe(true);
    // Quire's picks can cost more than the premium pick (a fallback after a failure, say): said as it is.
    fake.answer('spend:routing_value', value({ calls: 2, actual_usd: 4, premium_usd: 0.035 }));
    await manager.load('2026-03');
    expect(manager.summary).toContain(
      "Quire's own picks (2 model calls) cost $4.00, $3.97 more than always the premium pick ($0.035);",
    );
  });

  it('a failed load shows no stale figures', async () => {
    const fake = new FakeApi().answer('spend:routing_value', value());
    const manager = new RoutingValueManager(fake);
    await manager.load('2026-03');
    fake.fail('spend:routing_value', 'storage_error', 'The ledger could not be read');
    await manager.load('2026-02');
    expect(manager.value).toBeNull();
    expect(manager.error?.message).toBe('The ledger could not be read');
  });
});
