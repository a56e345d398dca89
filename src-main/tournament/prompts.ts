// What tournament members and verifiers are asked. Analysis tasks answer in the task library's findings (claims with
// verbatim quotes, both places of a contradiction), exactly as a single run of the task is asked, so answers can be
// matched and checked; creative tasks answer in prose.
import type { Strength } from '../../src-preload/contract';
import type { ChatMessage } from '../providers/spec';
import { ANSWER_GUIDANCE, type FindingsAnswer } from '../tasks/answers';
import { instructionOf, type TaskDefinition } from '../tasks/task-library';
import { taskMessages } from '../tasks/task-messages';

export type AnswerKind = 'findings' | 'prose';

/** Creative and sentence-level tasks produce prose; every other strength is an analysis with findings. */
export function answerKindFor(strength: Strength): AnswerKind {
  return strength === 'creative_generation' || strength === 'prose_style' ? 'prose' : 'findings';
}

/**
 * A member's messages: the task library's instruction, framing and answer guidance (the same messages a single run
 * sends; prose sends no answer format); a task without a definition gets its description and the findings guidance.
 */
export function memberMessages(
  kind: AnswerKind,
  task: { id: string; display_name: string; description: string },
  input: string,
  definition?: TaskDefinition,
  writerRequest?: string,
): ChatMessage[] {
  // Findings guidance named outright: a task whose single run answers in another form (a summary) still answers a
  // findings tournament in findings.
  if (definition)
    return taskMessages(
      definition,
      { passage: input, request: writerRequest },
      kind === 'findings' ? ANSWER_GUIDANCE.findings : '',
    );
  const intro = `You help a fiction writer. Task: ${task.display_name}. ${task.description}`;
  return [
    { role: 'system', content: kind === 'prose' ? intro : `${intro}\n${ANSWER_GUIDANCE.findings}` },
    { role: 'user', content: `${input}${requestBlock(writerRequest)}` },
  ];
}

/** The writer's own words for the task, after the text (nothing when there are none). */
export function requestBlock(writerRequest: string | undefined): string {
  return writerRequest ? `\n\n<writer_request>\n${writerRequest}\n</writer_request>` : '';
}

export function verifierMessages(
  task: { display_name: string },
  input: string,
  answer: { text: string; findings?: FindingsAnswer['findings'] },
  definition?: TaskDefinition,
  writerRequest?: string,
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
    {
      role: 'user',
      content: `<text>\n${input}\n</text>${requestBlock(writerRequest)}\n\n<answer>\n${shown}\n</answer>`,
    },
  ];
}
