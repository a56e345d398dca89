import { describe, expect, it } from 'vitest';
import { routingValue } from './routing-value';
import { HELD_AHEAD_ID } from '../../src-preload/contract/model-ids';
import { availability, inputs, registryPrice } from '../../test/support/decision-fixtures';

// Seed registry: premium for theme analysis is gpt-4o ($2.5/$10); the cheapest with the strength is deepseek-chat.
const theme = {
  task: 'theme_analysis',
  chosen_by: 'quire' as const,
  calls: 10,
  input_tokens: 80_000,
  output_tokens: 12_000,
  spend_usd: 0.0348,
  unpriced_calls: 0,
  unpriced_usd: 0,
};

describe('routingValue: the month priced as routed, on always-premium and on always-cheapest', () => {
  it('prices the same tokens on the premium pick and on the cheapest capable model, whatever keys are set', () => {
    const value = routingValue('2026-11', [theme], inputs({ availability: availability([], []) }), registryPrice);
    const task = value.by_task[0]!;
    expect(task.premium_model).toBe('gpt-4o');
    expect(task.premium_usd).toBeCloseTo((80_000 * 2.5 + 12_000 * 10) / 1e6, 6);
    expect(task.cheapest_model).toBe('deepseek-chat');
    expect(task.cheapest_usd).toBeCloseTo((80_000 * 0.27 + 12_000 * 1.1) / 1e6, 6);
    expect(value).toMatchObject({ month: '2026-11', calls: 10, actual_usd: 0.0348 });
    expect(value.premium_usd).toBeGreaterThan(value.actual_usd);
  });

  it('work that ran free on a local model still shows what premium would have charged for it', () => {
    const local = {
      task: 'coordinator',
      chosen_by: 'quire' as const,
      calls: 100,
      input_tokens: 150_000,
      output_tokens: 30_000,
      spend_usd: 0,
      unpriced_calls: 0,
      unpriced_usd: 0,
    };
    const value = routingValue('2026-11', [local, theme], inputs(), registryPrice);
    expect(value.actual_usd).toBeCloseTo(0.0348, 6);
    expect(value.by_task[0]!.premium_usd).toBeGreaterThan(0);
    expect(value.premium_usd).toBeCloseTo(value.by_task[0]!.premium_usd + value.by_task[1]!.premium_usd, 6);
  });

  it('private work (never leaves the machine) costs nothing on either line', () => {
    const notes = {
      task: 'private_notes_review',
      chosen_by: 'quire' as const,
      calls: 5,
      input_tokens: 20_000,
      output_tokens: 4_000,
      spend_usd: 0,
      unpriced_calls: 0,
      unpriced_usd: 0,
    };
    const value = routingValue('2026-11', [notes], inputs(), registryPrice);
    expect(value.by_task[0]).toMatchObject({ premium_usd: 0, cheapest_usd: 0, cheapest_model: null });
  });

  it('a task no longer in the table counts as it was on every line; an empty month is all zeros', () => {
    const gone = {
      task: 'retired_task',
      chosen_by: 'quire' as const,
      calls: 2,
      input_tokens: 10,
      output_tokens: 10,
      spend_usd: 0.5,
      unpriced_calls: 0,
      unpriced_usd: 0,
    };
    expect(routingValue('2026-11', [gone], inputs(), registryPrice)).toMatchObject({
      actual_usd: 0.5,
      premium_usd: 0.5,
      cheapest_usd: 0.5,
    });
    expect(routingValue('2026-11', [], inputs(), registryPrice)).toEqual({
      month: '2026-11',
      calls: 0,
      actual_usd: 0,
      premium_usd: 0,
      cheapest_usd: 0,
      by_task: [],
      writer_picks: { calls: 0, spend_usd: 0 },
      unrecorded: { calls: 0, spend_usd: 0 },
      not_compared: { calls: 0, spend_usd: 0 },
      held_ahead_usd: 0,
    });
  });

  it("compares only Quire's own picks: the writer's picks and calls of unknown choice are beside it, not in it", () => {
    // The writer pinned gpt-4o for the same task (dearer than Quire's picks): not routing's doing, so not its cost.
    const pinned = { ...theme, chosen_by: 'writer' as const, calls: 4, spend_usd: 0.5 };
    const before = { ...theme, chosen_by: 'unknown' as const, calls: 3, spend_usd: 0.25 };
    const value = routingValue('2026-11', [pinned, theme, before], inputs(), registryPrice);
    expect(value).toMatchObject({
      calls: 10,
      actual_usd: 0.0348,
      writer_picks: { calls: 4, spend_usd: 0.5 },
      unrecorded: { calls: 3, spend_usd: 0.25 },
    });
    expect(value.by_task).toEqual([expect.objectContaining({ task: 'theme_analysis', calls: 10, actual_usd: 0.0348 })]);
    // Priced on Quire's calls' tokens only.
    expect(value.premium_usd).toBeCloseTo((80_000 * 2.5 + 12_000 * 10) / 1e6, 6);
    expect(value.cheapest_usd).toBeCloseTo((80_000 * 0.27 + 12_000 * 1.1) / 1e6, 6);
  });

  it('says what was held ahead when the Mac stopped apart: no call, and no call of unknown choice', () => {
    // The ledger's row for it has no chosen_by (no model was chosen), as calls recorded before that was kept have none.
    const held = {
      task: HELD_AHEAD_ID,
      chosen_by: 'unknown' as const,
      calls: 1,
      input_tokens: 0,
      output_tokens: 0,
      spend_usd: 0.32,
      unpriced_calls: 1,
      unpriced_usd: 0.32,
    };
    const value = routingValue('2026-11', [theme, held], inputs(), registryPrice);
    // It was "calls from before Quire noted who chose the model (1 model call, $0.32)".
    expect(value).toMatchObject({ calls: 10, unrecorded: { calls: 0, spend_usd: 0 }, held_ahead_usd: 0.32 });
  });
});
