import { describe, expect, it } from 'vitest';
import { judgeBouts, summarizeJudgements, type JudgeBout, type JudgeVerdict } from './judge';

describe('judge with swapped order', () => {
  it('runs every pair in both orders', () => {
    expect(judgeBouts(['a', 'b', 'c'])).toHaveLength(6);
  });

  it('lets a preference count only when it survives the swap', () => {
    const judge = (bout: JudgeBout): JudgeVerdict =>
      // Prefers b whatever the order; otherwise always picks whichever came first (position bias).
      bout.first === 'b'
        ? { winner: 'A', reason: '' }
        : bout.second === 'b'
          ? { winner: 'B', reason: '' }
          : { winner: 'A', reason: 'first' };
    const bouts = judgeBouts(['a', 'b', 'c']);
    const summary = summarizeJudgements(
      ['a', 'b', 'c'],
      bouts.map((bout) => ({ bout, verdict: judge(bout) })),
    );
    expect(summary.ranking[0]).toMatchObject({ member_id: 'b', wins: 2, score: 1 });
    const ac = summary.pairs.find((p) => p.a === 'a' && p.b === 'c')!;
    expect(ac).toMatchObject({ winner: 'tie', position_bias: true, agreed: false });
    expect(summary.consistency).toBeCloseTo(2 / 3);
  });

  it('treats a missing verdict as a tie, never a win', () => {
    const summary = summarizeJudgements(
      ['a', 'b'],
      [{ bout: { first: 'a', second: 'b' }, verdict: { winner: 'A', reason: '' } }],
    );
    expect(summary.pairs[0]).toMatchObject({ winner: 'tie', position_bias: false });
  });
});
