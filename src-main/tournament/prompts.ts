// What tournament members and verifiers are asked. Analysis tasks answer in findings with verbatim quotes (so answers
// can be matched and checked); creative tasks answer in prose.
import type { Strength } from '../../src-preload/contract';
import type { ChatMessage } from '../providers/spec';
import { instructionOf, type TaskDefinition } from '../tasks/task-library';
import { taskMessages } from '../tasks/task-messages';
import type { Finding } from './findings-schema';

export type AnswerKind = 'findings' | 'prose';

/** Creative and sentence-level tasks produce prose; every other strength is an analysis with findings. */
export function answerKindFor(strength: Strength): AnswerKind {
  return strength === 'creative_generation' || strength === 'prose_style' ? 'prose' : 'findings';
}

/** The tournament's own findings shape (one quote per finding, so members' answers can be matched). */
const TOURNAMENT_FINDINGS_FORMAT =
  'Answer only with JSON: {"findings": [{"claim": one sentence stating the problem or observation, ' +
  '"evidence_quote": an exact, verbatim span copied from the text that supports it, ' +
  '"location": chapter/scene if known else null, "severity": "low" | "medium" | "high"}]}. ' +
  'Report each distinct point once. If you find nothing, answer {"findings": []}. Never invent quotes.';

/**
 * A member's messages: the task library's instruction and framing (the same a single run sends), with the
 * tournament's findings shape for analysis tasks; a task without a definition gets its description.
 */
export function memberMessages(
  kind: AnswerKind,
  task: { id: string; display_name: string; description: string },
  input: string,
  definition?: TaskDefinition,
): ChatMessage[] {
  if (definition)
    return taskMessages(definition, { passage: input }, kind === 'findings' ? TOURNAMENT_FINDINGS_FORMAT : '');
  const intro = `You help a fiction writer. Task: ${task.display_name}. ${task.description}`;
  return [
    { role: 'system', content: kind === 'prose' ? intro : `${intro}\n${TOURNAMENT_FINDINGS_FORMAT}` },
    { role: 'user', content: input },
  ];
}

export function verifierMessages(
  task: { display_name: string },
  input: string,
  answer: { text: string; findings?: readonly Finding[] },
  definition?: TaskDefinition,
): ChatMessage[] {
  const shown = answer.findings ? JSON.stringify({ findings: answer.findings }, null, 2) : answer.text;
  // The verifier reads the same task the answering model was given, so it judges the answer against it.
  const given = definition ? `\n\nThe task the other model was given:\n${instructionOf(definition)}` : '';
  return [
    {
      role: 'system',
      content:
        `You review another model's answer to a fiction writer's request (${task.display_name}). Check it against ` +
        'the text: are the claims true, are quotes verbatim, is anything important missing or wrong? Answer only ' +
        'with JSON {"verdict": "approve" | "reject", "issues": [one sentence per problem]}. Reject when any claim ' +
        `is false or any quote is not in the text.${given}`,
    },
    { role: 'user', content: `<text>\n${input}\n</text>\n\n<answer>\n${shown}\n</answer>` },
  ];
}
