import { describe, expect, it } from 'vitest';
import { judgeBouts, judgeMessages, summarizeJudgements, type JudgeBout, type JudgeVerdict } from './judge';
import { memberMessages, verifierMessages } from './prompts';

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

describe("the writer's request in a tournament's prompts", () => {
  const task = { id: 'brainstorm', display_name: 'Brainstorm', description: 'Ideas and what-ifs.' };
  const asked = '<writer_request>\nHow could the storm end the chapter?\n</writer_request>';

  it('follows the text for members without a task definition, the verifier and the judge; nothing when absent', () => {
    const member = memberMessages('prose', task, 'The storm came.', undefined, 'How could the storm end the chapter?');
    expect(member[1]!.content).toBe(`The storm came.\n\n${asked}`);
    const verifier = verifierMessages(
      task,
      'The storm came.',
      { text: 'Idea' },
      undefined,
      'How could the storm end the chapter?',
    );
    expect(verifier[1]!.content).toMatch(
      /^<text>\nThe storm came.\n<\/text>\n\n<writer_request>\n.+\n<\/writer_request>\n\n<answer>/,
    );
    const judge = judgeMessages('Brainstorm', 'The storm came.', 'A', 'B', 'How could the storm end the chapter?');
    expect(judge[1]!.content).toContain(`</request>\n\n${asked}\n\n<answer_A>`);
    for (const messages of [
      memberMessages('prose', task, 'The storm came.'),
      verifierMessages(task, 'The storm came.', { text: 'Idea' }),
      judgeMessages('Brainstorm', 'The storm came.', 'A', 'B'),
    ])
      expect(messages[1]!.content).not.toContain('writer_request');
  });
});
