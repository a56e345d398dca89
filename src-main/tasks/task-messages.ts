// What a task run sends: the task's instruction (with what its answer's fields mean) as the system message, and the
// passage, intact and delimited, with the writer's own request when there is one, as the user message. Single runs,
// tournament members and verifiers all build their messages here, so every model reads the same task.
import { InvalidInputError } from '../errors';
import type { ChatMessage } from '../providers/spec';
import { ANSWER_GUIDANCE } from './answers';
import { instructionOf, type TaskDefinition } from './task-library';

export interface TaskInput {
  passage: string;
  /** The writer's own words: a question, an outline, what to focus on. */
  request?: string | undefined;
}

/** The user message: the passage between tags (never altered), then the writer's request. */
export function framedInput(definition: TaskDefinition, input: TaskInput): string {
  const tag = definition.framing.passage_label;
  const request = input.request?.trim();
  if (definition.framing.request === 'required' && !request) {
    throw new InvalidInputError(
      'This task needs your request in your own words: what do you want to know or do?',
      'request',
    );
  }
  const asked = writerRequest(definition, request);
  return [`<${tag}>\n${input.passage}\n</${tag}>`, ...(asked ? [asked] : [])].join('\n\n');
}

/**
 * A passage of only spaces and blank lines gives a task nothing to work on: refused before any model has it (the
 * Workbench's Run waits for text; any other caller is told so here), as a run or a tournament.
 */
export function refuseBlankPassage(passage: string): void {
  if (passage.trim() === '')
    throw new InvalidInputError(
      'The passage is empty: it has only spaces or blank lines. Paste or open the text to work on.',
      'input',
    );
}

/**
 * The writer's request as every call of a task reads it (a part of a run in parts and a combine step included), or
 * null when there is none or the task does not use one.
 */
export function writerRequest(definition: TaskDefinition, request: string | undefined): string | null {
  const words = request?.trim();
  return words && definition.framing.request !== 'none' ? `The writer's request:\n${words}` : null;
}

/**
 * System instruction + framed passage. `answerFormat` replaces the kind's own field guidance (tournaments ask for
 * their own findings shape); an empty string sends none.
 */
export function taskMessages(definition: TaskDefinition, input: TaskInput, answerFormat?: string): ChatMessage[] {
  return [
    { role: 'system', content: taskSystem(definition, answerFormat) },
    { role: 'user', content: framedInput(definition, input) },
  ];
}

/**
 * The one repair attempt: the conversation so far, the answer that could not be read, and what was wrong with it.
 * The model is asked for the whole answer again, not a patch.
 */
export function repairMessages(messages: readonly ChatMessage[], answer: string, problem: string): ChatMessage[] {
  return [
    ...messages,
    { role: 'assistant', content: answer.length > 0 ? answer : '(empty answer)' },
    {
      role: 'user',
      content:
        `That answer could not be used: ${problem}. Answer again with the complete answer as one JSON object in ` +
        'exactly the form asked for, and nothing else.',
    },
  ];
}

/**
 * The repair when the unreadable answer cannot go back with it (the model's context would not hold the request, that
 * answer and a new one): the same messages, with what was wrong said at the end of the last one (RETRY_NOTE_TOKENS).
 */
export function retryMessages(messages: readonly ChatMessage[], problem: string): ChatMessage[] {
  const note =
    `Your previous answer could not be used: ${problem}. Answer again with the complete answer as one JSON object ` +
    'in exactly the form asked for, and nothing else.';
  const last = messages.at(-1);
  if (last?.role !== 'user') return [...messages, { role: 'user', content: note }];
  return [...messages.slice(0, -1), { ...last, content: `${last.content}\n\n${note}` }];
}

/** The system message a task run sends: the task's instruction, then how its answer is written (or `answerFormat`). */
export function taskSystem(definition: TaskDefinition, answerFormat?: string): string {
  const format = answerFormat ?? ANSWER_GUIDANCE[definition.answer];
  return format ? `${instructionOf(definition)}\n\n${format}` : instructionOf(definition);
}
