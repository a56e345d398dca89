// What a run asks and how its answer is read: a passage run of a library task is framed by the task's instruction
// and answered in the task's form (a JSON Schema for structured kinds, validated with zod, quotes located, edits
// anchored); chat messages go as they are. One repair attempt is made from here when an answer cannot be read.
import type { RunStart } from '../../src-preload/contract/runs';
import type { AnswerKind, RunAnswer } from '../../src-preload/contract/tasks';
import { QuireError } from '../errors';
import { checkJson, readJson, zodProblem, type JsonReading } from '../providers/json-answer';
import type { ChatMessage, GenerateRequest } from '../providers/spec';
import { answerJsonSchema, answerValidator } from '../tasks/answers';
import { buildAnswer } from '../tasks/task-answers';
import type { TaskDefinition, TaskLibrary } from '../tasks/task-library';
import { repairMessages, taskMessages } from '../tasks/task-messages';
import type { AttemptResult } from './model-attempt';
import { messagesOf } from './run-request';

export interface RunPlan {
  messages: ChatMessage[];
  /** The library task behind a passage run; undefined for chat messages (or a task the library does not have). */
  definition: TaskDefinition | undefined;
  /** The answer's form when Quire reads it; null when the caller asked for its own schema or sent messages. */
  kind: AnswerKind | null;
  jsonSchema: GenerateRequest['jsonSchema'] | undefined;
  temperature: number | undefined;
  taskIds: readonly string[];
  passage: string | null;
}

export function planRun(start: RunStart, library: TaskLibrary | undefined, taskIds: readonly string[]): RunPlan {
  const definition = typeof start.input === 'string' ? library?.get(start.task) : undefined;
  if (!definition || typeof start.input !== 'string') {
    return {
      messages: messagesOf(start.input),
      definition: undefined,
      kind: null,
      jsonSchema: start.json_schema,
      temperature: start.temperature,
      taskIds,
      passage: null,
    };
  }
  const routable = taskIds.filter((id) => id !== 'coordinator');
  return {
    messages: taskMessages(definition, { passage: start.input, request: start.request }),
    definition,
    // A caller's own schema replaces the task's answer form: its JSON is returned as it is.
    kind: start.json_schema ? null : definition.answer,
    jsonSchema: start.json_schema ?? answerJsonSchema(definition.answer, routable) ?? undefined,
    temperature: start.temperature ?? definition.temperature,
    taskIds: routable,
    passage: start.input,
  };
}

export type StructuredReading = { ok: true; answer: RunAnswer | null } | { ok: false; problem: string };

/** Reads an attempt's answer in the plan's form: JSON where one was asked for, checked against its contract. */
export function readStructured(plan: RunPlan, result: AttemptResult): StructuredReading {
  if (plan.kind === 'prose') return { ok: true, answer: { kind: 'prose', text: result.text } };
  if (!plan.jsonSchema) return { ok: true, answer: null };
  if (result.jsonError !== undefined) return { ok: false, problem: result.jsonError };
  const reading: JsonReading = result.json !== undefined ? { ok: true, value: result.json } : readJson(result.text);
  if (!reading.ok) return reading;
  if (plan.kind === null) {
    const checked = checkJson(reading.value, plan.jsonSchema);
    return checked.ok ? { ok: true, answer: null } : checked;
  }
  const validated = answerValidator(plan.kind, plan.taskIds).safeParse(reading.value);
  if (!validated.success) return { ok: false, problem: zodProblem(validated.error, plan.jsonSchema.name) };
  return { ok: true, answer: buildAnswer(plan.kind, validated.data, plan.passage ?? '') };
}

/** The request of the one repair attempt: the unreadable answer sent back with what was wrong. */
export function repairRequest(request: GenerateRequest, answer: string, problem: string): GenerateRequest {
  return { ...request, messages: repairMessages(request.messages, answer, problem) };
}

/** After the repair attempt also failed: said so in a writer's words; both calls were charged by their usage. */
export function unreadableAnswerError(model: string, problem: string): QuireError {
  return new QuireError(
    'provider_error',
    `${model} did not answer in the form Quire asked for, even after being asked once more (${problem}). ` +
      'Nothing was applied to your text. Try again, or choose another model.',
    { retryable: true },
  );
}
