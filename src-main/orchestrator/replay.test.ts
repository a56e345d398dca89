import { describe, expect, it } from 'vitest';
import { replay, splitIds, type ReplayRow } from './replay';
import { localModel, model, task, taskTable } from '../../test/support/decision-fixtures';

describe('splitIds', () => {
  it('is reproducible from the seed and keeps each id on one side', () => {
    const ids = Array.from({ length: 20 }, (_, i) => `p${i}`);
    const a = splitIds([...ids, ...ids], 5, 0.7);
    const b = splitIds(ids, 5, 0.7);
    expect([...a.train]).toEqual([...b.train]);
    expect(a.train.size).toBe(14);
    for (const id of a.test) expect(a.train.has(id)).toBe(false);
    expect([...splitIds(ids, 6, 0.7).train]).not.toEqual([...a.train]);
  });
});

describe('replay', () => {
  it('learns from training ids that the strong-prior model is poor on this task', () => {
    // "famous" has the higher registry prior but scores 2 on every prompt; "quiet" scores 9.
    const registry = [model('famous', { quality: 9.5, price: [1, 1] }), model('quiet', { quality: 7, price: [2, 2] })];
    const rows: ReplayRow[] = [];
    for (let i = 0; i < 200; i++) {
      rows.push({ id: `p${i}`, task: 'ask', model: 'famous', score: 2, input_tokens: 1000, output_tokens: 100 });
      rows.push({ id: `p${i}`, task: 'ask', model: 'quiet', score: 9, input_tokens: 1000, output_tokens: 100 });
    }
    const report = replay(rows, registry, taskTable([task('other', 'prose_style')]), { tiers: ['premium'] });
    const premium = report.results.find((r) => r.policy === 'premium')!;
    expect(premium.share).toEqual({ quiet: 1 });
    expect(premium.mean_score).toBe(9);
    const best = report.results.find((r) => r.policy === 'always best')!;
    expect(best.share).toEqual({ famous: 1 });
    const cheapest = report.results.find((r) => r.policy === 'always cheapest')!;
    expect(cheapest.share).toEqual({ famous: 1 });
    expect(cheapest.total_usd).toBeCloseTo(report.test_ids * (1100 / 1e6), 9);
  });

  it('local models cost nothing in the report', () => {
    const registry = [localModel('loc', 'small', { quality: 7 }), model('cloud', { quality: 7 })];
    const rows: ReplayRow[] = ['a', 'b', 'c', 'd'].flatMap((id) => [
      { id, task: 'coordinator', model: 'loc', score: 7, input_tokens: 100, output_tokens: 10 },
      { id, task: 'coordinator', model: 'cloud', score: 7, input_tokens: 100, output_tokens: 10 },
    ]);
    const report = replay(rows, registry, taskTable([task('coordinator', 'semantic_reasoning', { complexity: 3 })]), {
      tiers: ['budget'],
    });
    expect(report.results[0]).toMatchObject({ policy: 'budget', total_usd: 0, share: { loc: 1 } });
  });
});
