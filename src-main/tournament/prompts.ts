// What tournament members and verifiers are asked. Analysis tasks answer in findings with verbatim quotes (so answers
// can be matched and checked); creative tasks answer in prose.
import type { Strength } from '../../src-preload/contract';
import type { ChatMessage } from '../providers/spec';
import type { Finding } from './findings-schema';

export type AnswerKind = 'findings' | 'prose';

/** Creative and sentence-level tasks produce prose; every other strength is an analysis with findings. */
export function answerKindFor(strength: Strength): AnswerKind {
  return strength === 'creative_generation' || strength === 'prose_style' ? 'prose' : 'findings';
}

export function memberMessages(
  kind: AnswerKind,
  task: { id: string; display_name: string; description: string },
  input: string,
): ChatMessage[] {
  if (kind === 'prose') {
    return [
      { role: 'system', content: `You help a fiction writer. Task: ${task.display_name}. ${task.description}` },
      { role: 'user', content: input },
    ];
  }
  return [
    {
      role: 'system',
      content:
        `You help a fiction writer. Task: ${task.display_name}. ${task.description}\n` +
        'Answer only with JSON: {"findings": [{"claim": one sentence stating the problem or observation, ' +
        '"evidence_quote": an exact, verbatim span copied from the text that supports it, ' +
        '"location": chapter/scene if known else null, "severity": "low" | "medium" | "high"}]}. ' +
        'Report each distinct point once. If you find nothing, answer {"findings": []}. Never invent quotes.',
    },
    { role: 'user', content: input },
  ];
}

export function verifierMessages(
  task: { display_name: string },
  input: string,
  answer: { text: string; findings?: readonly Finding[] },
): ChatMessage[] {
  const shown = answer.findings ? JSON.stringify({ findings: answer.findings }, null, 2) : answer.text;
  return [
    {
      role: 'system',
      content:
        `You review another model's answer to a fiction writer's request (${task.display_name}). Check it against ` +
        'the text: are the claims true, are quotes verbatim, is anything important missing or wrong? Answer only ' +
        'with JSON {"verdict": "approve" | "reject", "issues": [one sentence per problem]}. Reject when any claim ' +
        'is false or any quote is not in the text.',
    },
    { role: 'user', content: `<text>\n${input}\n</text>\n\n<answer>\n${shown}\n</answer>` },
  ];
}
