// A run's row is derived from its steps: in order, summed, and without changing the head or any step it was given.
import { describe, expect, it } from 'vitest';
import type { RunAttempt } from '../../src-preload/contract/runs';
import { attemptStep, localFallbackStep, movedOn, runRow, type RunStep } from './run-record';
import { blankRunWrite } from './run-writer';

const failed = (model_id: string, cost_usd: number): RunAttempt => ({
  model_id,
  provider: 'studio',
  outcome: 'failed',
  error: { code: 'provider_error', message: 'down' },
  cost_usd,
  latency_ms: 5,
});
const ok = (model_id: string): RunAttempt => ({
  model_id,
  provider: 'local',
  outcome: 'ok',
  error: null,
  cost_usd: 0,
  latency_ms: 7,
});

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}

describe('runRow', () => {
  it('adds up attempts, fallbacks and cost in the order the steps came, leaving the head and the steps as they were', () => {
    const head = deepFreeze({ ...blankRunWrite('r1', 'critique', { input: 'x' }, '2026-12-02T00:00:00.000Z') });
    const localFailed = failed('local/big', 0);
    const steps: RunStep[] = deepFreeze([
      attemptStep(failed('studio/a', 0.002), 2_000),
      movedOn('local/big'),
      localFallbackStep(localFailed, 'local/small')!,
      attemptStep(ok('local/small')),
    ]);

    const row = runRow(head, steps);

    expect(row.attempts.map((a) => [a.model_id, a.outcome])).toEqual([
      ['studio/a', 'failed'],
      ['local/big', 'failed'],
      ['local/small', 'ok'],
    ]);
    expect(row.fallbacks).toEqual(['local/big', 'local/small']);
    expect(row.cost_micros).toBe(2_000);
    expect(row.model_id).toBeNull();
    expect(row.text).toBeNull();
    expect(head.attempts).toEqual([]);
    expect(head.fallbacks).toEqual([]);
    // A later step is seen by a later row only: the first row is a value of its own.
    const later = runRow(head, [...steps, attemptStep(failed('studio/b', 0.001), 1_000)]);
    expect(later.cost_micros).toBe(3_000);
    expect(row.attempts).toHaveLength(3);
  });

  it("keeps a writer's stop's partial answer with the model that sent it", () => {
    const head = blankRunWrite('r2', 'critique', {}, '2026-12-02T00:00:00.000Z');
    const row = runRow(head, [attemptStep(failed('studio/a', 0.0001), 100, { modelId: 'studio/a', text: 'Half an' })]);
    expect(row).toMatchObject({ model_id: 'studio/a', text: 'Half an', cost_micros: 100 });
  });

  it('records no local fallback when the local adapter answered with the model asked for', () => {
    expect(localFallbackStep(null, 'local/big')).toBeNull();
  });
});
