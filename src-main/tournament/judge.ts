// Prose has no findings to match: a judge model compares the members' answers two at a time, each pair twice with the
// order swapped, because judges favour whichever answer they read first. A pair counts only when both orders pick
// the same answer; when the order changes the winner, the pair is a tie and the flip is reported.
import { z } from 'zod';
import type { ChatMessage } from '../providers/spec';
import { requestBlock } from './prompts';

export const judgeVerdictSchema = z.object({
  winner: z.enum(['A', 'B', 'tie']),
  reason: z.string().max(2000).catch(''),
});
export type JudgeVerdict = z.output<typeof judgeVerdictSchema>;

export const JUDGE_JSON_SCHEMA = {
  type: 'object',
  properties: { winner: { type: 'string', enum: ['A', 'B', 'tie'] }, reason: { type: 'string' } },
  required: ['winner', 'reason'],
  additionalProperties: false,
} as const satisfies Record<string, unknown>;

export function judgeMessages(
  task: string,
  input: string,
  answerA: string,
  answerB: string,
  writerRequest?: string,
): ChatMessage[] {
  return [
    {
      role: 'system',
      content:
        "You compare two answers to a fiction writer's request. Judge which answer better serves the writer: faithful " +
        'to their text and intent, specific, well written. Length is not quality. Reply with JSON ' +
        '{"winner": "A" | "B" | "tie", "reason": one sentence}.',
    },
    {
      role: 'user',
      content: `Task: ${task}\n\n<request>\n${input}\n</request>${requestBlock(writerRequest)}\n\n<answer_A>\n${answerA}\n</answer_A>\n\n<answer_B>\n${answerB}\n</answer_B>`,
    },
  ];
}

/** One comparison to run: `first` is shown as A, `second` as B. Every pair appears once in each order. */
export interface JudgeBout {
  first: string;
  second: string;
}

export function judgeBouts(memberIds: readonly string[]): JudgeBout[] {
  const bouts: JudgeBout[] = [];
  for (let i = 0; i < memberIds.length; i++) {
    for (let j = i + 1; j < memberIds.length; j++) {
      bouts.push({ first: memberIds[i]!, second: memberIds[j]! }, { first: memberIds[j]!, second: memberIds[i]! });
    }
  }
  return bouts;
}

export interface PairOutcome {
  a: string;
  b: string;
  /** The member both orders preferred, 'tie' when they agreed on a tie or disagreed with each other. */
  winner: string | 'tie';
  /** Both orders gave the same verdict. */
  agreed: boolean;
  /** The winner changed with the order: the judge preferred whichever came first (or second). */
  position_bias: boolean;
  reasons: string[];
}

export interface JudgeSummary {
  /** Members best first, with wins (1 per pair won, 0.5 per tie) over the pairs they were in. */
  ranking: { member_id: string; score: number; wins: number; pairs: number }[];
  pairs: PairOutcome[];
  /** Share of pairs where both orders agreed (0–1): how far the judge can be trusted on this set. */
  consistency: number;
}

/**
 * Folds both orders of every pair into one outcome. A bout with no verdict (the judge failed) counts as a tie, so a
 * missing judgement never promotes a member.
 */
export function summarizeJudgements(
  memberIds: readonly string[],
  verdicts: readonly { bout: JudgeBout; verdict: JudgeVerdict | undefined }[],
): JudgeSummary {
  const pick = (bout: JudgeBout, verdict: JudgeVerdict | undefined): string =>
    !verdict || verdict.winner === 'tie' ? 'tie' : verdict.winner === 'A' ? bout.first : bout.second;
  const pairs: PairOutcome[] = [];
  for (let i = 0; i < memberIds.length; i++) {
    for (let j = i + 1; j < memberIds.length; j++) {
      const a = memberIds[i]!;
      const b = memberIds[j]!;
      const forward = verdicts.find((v) => v.bout.first === a && v.bout.second === b);
      const backward = verdicts.find((v) => v.bout.first === b && v.bout.second === a);
      const w1 = forward ? pick(forward.bout, forward.verdict) : 'tie';
      const w2 = backward ? pick(backward.bout, backward.verdict) : 'tie';
      const agree = w1 === w2;
      pairs.push({
        a,
        b,
        winner: agree ? w1 : 'tie',
        agreed: agree,
        position_bias: !agree && w1 !== 'tie' && w2 !== 'tie',
        reasons: [forward?.verdict?.reason, backward?.verdict?.reason].filter((r): r is string => !!r),
      });
    }
  }
  const ranking = memberIds.map((member_id) => {
    const mine = pairs.filter((p) => p.a === member_id || p.b === member_id);
    const wins = mine.filter((p) => p.winner === member_id).length;
    const ties = mine.filter((p) => p.winner === 'tie').length;
    return { member_id, score: mine.length ? (wins + ties * 0.5) / mine.length : 0, wins, pairs: mine.length };
  });
  ranking.sort((x, y) => y.score - x.score || memberIds.indexOf(x.member_id) - memberIds.indexOf(y.member_id));
  const consistent = pairs.filter((p) => p.agreed).length;
  return { ranking, pairs, consistency: pairs.length ? consistent / pairs.length : 1 };
}
