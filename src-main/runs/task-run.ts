// What a run asks and how its answer is read: a passage run of a library task is framed by the task's instruction
// and answered in the task's form (a JSON Schema for structured kinds, validated with zod, quotes located, edits
// anchored); chat messages go as they are. One repair attempt is made from here when an answer cannot be read.
import { createHash } from 'node:crypto';
import { readImageSize, type StoredImage } from '../../src-preload/contract/images';
import type { ModelSpec } from '../../src-preload/contract';
import type { RunStart } from '../../src-preload/contract/runs';
import type { AnswerKind, ReasoningEffort, RunAnswer } from '../../src-preload/contract/tasks';
import { InvalidInputError, QuireError } from '../errors';
import { checkJson, readJson, type JsonReading } from '../providers/json-answer';
import type { ChatMessage, GenerateRequest, RequestImage } from '../providers/spec';
import { localRunForm } from '../tasks/answer-schema';
import { askLocal, roomLeft, withinBounds, type BoundedForm } from '../tasks/answer-limits';
import { leastLocalAnswer, localAnswer, shortenedNotice } from '../orchestrator/local-answer';
import { localShortened } from '../providers/local-models';
import { answerJsonSchema, checkAnswer } from '../tasks/answers';
import { buildAnswer } from '../tasks/task-answers';
import type { TaskDefinition, TaskLibrary } from '../tasks/task-library';
import { refuseBlankPassage, repairMessages, retryMessages, taskMessages } from '../tasks/task-messages';
import { estimateInputTokens, estimateTextTokens } from '../../src-preload/contract/tokens';
import { REPAIR_PROBLEM_CHARS } from '../orchestrator/pricing';
import type { CountRequest } from '../tokens/token-counter';
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
  stop: readonly string[] | undefined;
  taskIds: readonly string[];
  passage: string | null;
  /** Images sent with the passage (or the last user message); empty for none. */
  images: PlannedImage[];
  /** The answer length the caller chose (runs:start's max_output_tokens); undefined when the task's own is used. */
  outputTokens: number | undefined;
  /**
   * A caller's own conversation that set no answer length: each model may write up to its own output limit, as its
   * provider would bound it (room-to-think.ts withOwnOutputLimit), and is held and quoted at that.
   */
  ownOutput: boolean;
  /** A library task's effort (the caller's, else its definition's): its room to think is added. Null for none. */
  effort: ReasoningEffort | null;
  /** A caller's own conversation's effort (runs:start's reasoning_effort): sent within the allowance it set. */
  askedEffort: ReasoningEffort | null;
  /**
   * The form and bounds the latest call's grammar was built with: set by requestFor for each call of the run (its
   * models are asked one at a time), so readStructured reads that call's answer against them; null for a call
   * without a bounded grammar.
   */
  bounded?: BoundedForm | null;
  /**
   * A local model's latest call (requestFor): the answer its request asked for and the one it was given (null until
   * the model says: a prose answer is fitted as it counts the prompt), so a shortened one is said; else null.
   */
  shortened?: { model: string; context: number; asked: number; given: number | null } | null;
}

export type PlannedImage = RequestImage & { name: string | null; bytes: number };

/** The run's images, read once: their pixel size from the header, their SHA-256. */
export function planImages(images: RunStart['images']): PlannedImage[] {
  return (images ?? []).map((image, index) => {
    const bytes = Buffer.from(image.data_base64, 'base64');
    const size = readImageSize(bytes);
    // runs:start's schema has read the same header: this is only reached by a caller that skipped it.
    if (!size) throw new InvalidInputError('The image could not be read as an image', `images.${index}`);
    return {
      media_type: image.media_type,
      data_base64: image.data_base64,
      width: size.width,
      height: size.height,
      sha256: createHash('sha256').update(bytes).digest('hex'),
      name: image.name ?? null,
      bytes: bytes.length,
    };
  });
}

/** What the run's stored request keeps of its images: size, type, name and hash, never the bytes. */
export function storedImages(images: readonly PlannedImage[]): StoredImage[] {
  return images.map(({ media_type, name, width, height, bytes, sha256 }) => ({
    media_type,
    name,
    width,
    height,
    bytes,
    sha256,
  }));
}

export function planRun(start: RunStart, library: TaskLibrary | undefined, taskIds: readonly string[]): RunPlan {
  const definition = typeof start.input === 'string' ? library?.get(start.task) : undefined;
  const images = planImages(start.images);
  if (!definition || typeof start.input !== 'string') {
    return {
      images,
      messages: messagesOf(start.input),
      definition: undefined,
      kind: null,
      jsonSchema: callerSchema(start.json_schema),
      temperature: start.temperature,
      stop: start.stop,
      taskIds,
      passage: null,
      outputTokens: start.max_output_tokens,
      ownOutput: ownOutput(start),
      effort: null,
      askedEffort: start.reasoning_effort ?? null,
    };
  }
  refuseBlankPassage(start.input);
  // A route names a task that does the work: never one that itself only suggests (Ask Quire).
  const routable = taskIds.filter((id) => library?.get(id)?.answer !== 'route');
  return {
    messages: taskMessages(definition, { passage: start.input, request: start.request }),
    definition,
    // A caller's own schema replaces the task's answer form: its JSON is returned as it is.
    kind: start.json_schema ? null : definition.answer,
    jsonSchema: callerSchema(start.json_schema) ?? answerJsonSchema(definition.answer, routable) ?? undefined,
    temperature: start.temperature ?? definition.temperature,
    stop: start.stop,
    taskIds: routable,
    passage: start.input,
    images,
    outputTokens: start.max_output_tokens,
    ownOutput: false,
    effort: start.reasoning_effort ?? definition.reasoning_effort,
    askedEffort: null,
  };
}

/** Whether `start` is a caller's own conversation that set no answer length (RunPlan.ownOutput). */
export function ownOutput(start: RunStart): boolean {
  return typeof start.input !== 'string' && start.max_output_tokens === undefined;
}

/** A caller's own schema is strict only when the caller says so (Quire's own answer schemas always are). */
function callerSchema(json: RunStart['json_schema']): RunPlan['jsonSchema'] {
  return json && { ...json, strict: json.strict === true };
}

/**
 * The run's request as `spec` is asked it. A local model answers the task's form under a grammar bounded as every local
 * call's is (askLocal: counted on the passage, its limits in its instruction); its tokens cost nothing, so unless the
 * caller chose an answer length the budget is the room its context has left (and a length chosen holds a finding at
 * least). A context that cannot hold the answer asked for beside the request gets it shortened to the room it leaves,
 * down to a floor (orchestrator/local-answer.ts), and the answer says so. A provider (and a caller's own schema) gets
 * the request as it is.
 */
export function requestFor(spec: ModelSpec, plan: RunPlan, request: GenerateRequest): GenerateRequest {
  plan.bounded = null;
  plan.shortened = null;
  if (spec.provider !== 'local' || plan.definition === undefined) return request;
  const asked = { model: spec.display_name, context: spec.context_window, asked: request.maxOutputTokens };
  if (plan.kind === 'prose') {
    // Fitted where the model counts its prompt (local-prompt.ts ensurePromptFits), which says to what it shortened.
    plan.shortened = { ...asked, given: null };
    return { ...request, leastOutputTokens: leastLocalAnswer(request.maxOutputTokens) };
  }
  if (plan.kind === null || !request.jsonSchema) return request;
  const form = localRunForm(plan.kind, plan.taskIds, plan.passage ?? '');
  // An answer the context cannot hold beside the request, as the decision counts it (which chose this model only for
  // its answer to be shortened): shortened to the room left, counted as askLocal counts it, down to the floor.
  const overflows = estimateInputTokens(request.messages) + request.maxOutputTokens > spec.context_window;
  const fitted = overflows
    ? localAnswer(request.maxOutputTokens, roomLeft(spec.context_window, request.messages, form))
    : request.maxOutputTokens;
  const local = askLocal({ ...request, maxOutputTokens: fitted }, form, plan.passage ?? '', {
    context: spec.context_window,
    whole: plan.outputTokens === undefined,
    chosen: plan.outputTokens ?? null,
  });
  plan.bounded = local.bounded;
  plan.shortened = { ...asked, given: local.request.maxOutputTokens };
  return local.request;
}

export type StructuredReading = { ok: true; answer: RunAnswer | null } | { ok: false; problem: string };

/** Reads an attempt's answer in the plan's form: JSON where one was asked for, checked against its contract. */
export function readStructured(plan: RunPlan, result: AttemptResult): StructuredReading {
  const reading = readAnswer(plan, result);
  if (!reading.ok || !reading.answer || !plan.shortened) return reading;
  const { model, asked } = plan.shortened;
  const fitted = localShortened(result.warnings);
  const given = fitted?.given ?? plan.shortened.given;
  if (given === null || given >= asked) return reading;
  const notice = shortenedNotice(model, fitted?.context ?? plan.shortened.context, given, asked);
  return { ok: true, answer: { ...reading.answer, notices: [notice, ...(reading.answer.notices ?? [])] } };
}

function readAnswer(plan: RunPlan, result: AttemptResult): StructuredReading {
  if (plan.kind === 'prose') return { ok: true, answer: { kind: 'prose', text: result.text } };
  if (!plan.jsonSchema) return { ok: true, answer: null };
  if (result.jsonError !== undefined) return { ok: false, problem: result.jsonError };
  const reading: JsonReading = result.json !== undefined ? { ok: true, value: result.json } : readJson(result.text);
  if (!reading.ok) return reading;
  if (plan.kind === null) {
    const checked = checkJson(reading.value, plan.jsonSchema);
    return checked.ok ? { ok: true, answer: null } : checked;
  }
  const checked = checkAnswer(plan.kind, plan.taskIds, reading.value, plan.jsonSchema.name);
  if (!checked.ok) return checked;
  const answer = buildAnswer(plan.kind, checked.value, plan.passage ?? '');
  return { ok: true, answer: plan.bounded ? withinBounds(answer, plan.bounded, reading.value) : answer };
}

/** Whether the run's answer is read in a form, and so may get its one repair (a prose answer is taken as it is). */
export function answerIsRead(plan: Pick<RunPlan, 'kind' | 'jsonSchema'>): boolean {
  return plan.kind !== 'prose' && plan.jsonSchema !== undefined;
}

/**
 * The tokens a run's request carries besides its messages: the answer's schema, sent with it (the decision is priced
 * on the messages; the token counter that prices the reservation counts the schema too).
 */
export function schemaTokens(plan: Pick<RunPlan, 'jsonSchema'>): number {
  return plan.jsonSchema ? estimateTextTokens(JSON.stringify(plan.jsonSchema.schema)) + SCHEMA_FRAMING_TOKENS : 0;
}

/** What a provider wraps a schema in (a tool or response_format), counted generously. */
const SCHEMA_FRAMING_TOKENS = 32;

/**
 * The request of the one repair attempt: the unreadable answer sent back with what was wrong (the problem cut to what
 * the run's bound counts for it: REPAIR_NOTE_TOKENS).
 */
export function repairRequest(request: GenerateRequest, answer: string, problem: string): GenerateRequest {
  return { ...request, messages: repairMessages(request.messages, answer, problemSaid(problem)) };
}

/**
 * The repair where the model's context would not hold the request, the unreadable answer and a new one: the same
 * request asked again, with what was wrong said at its end (RETRY_NOTE_TOKENS, which a part of a long passage keeps
 * room for).
 */
export function retryRequest(request: GenerateRequest, problem: string): GenerateRequest {
  return { ...request, messages: retryMessages(request.messages, problemSaid(problem)) };
}

/**
 * The one repair, within the model's context: the unreadable answer goes back with what was wrong where the context
 * holds the request, that answer and a whole new one (as `count` counts them for the model); otherwise the request is
 * asked again with the note alone. Without a count, the answer goes back.
 */
export async function repairWithin(
  count: ((spec: ModelSpec, request: CountRequest) => Promise<number>) | undefined,
  spec: ModelSpec,
  contextWindow: number,
  request: GenerateRequest,
  answer: string,
  problem: string,
): Promise<GenerateRequest> {
  const full = repairRequest(request, answer, problem);
  if (!count) return full;
  const tokens = await count(spec, { messages: full.messages, jsonSchema: full.jsonSchema, images: full.images });
  return tokens + full.maxOutputTokens <= contextWindow ? full : retryRequest(request, problem);
}

function problemSaid(problem: string): string {
  return problem.length > REPAIR_PROBLEM_CHARS ? `${problem.slice(0, REPAIR_PROBLEM_CHARS - 1)}…` : problem;
}

/**
 * After the repair attempt also failed: said so in a writer's words; both calls were charged by their usage. The
 * problem as the model was told it ("at findings.0.severity: …") is in the log; the writer reads what it means.
 */
export function unreadableAnswerError(model: string, problem: string): QuireError {
  return new QuireError(
    'provider_error',
    `${model} did not answer in the form Quire asked for, even after being asked once more (${plainProblem(problem)}). ` +
      'Its answer was not used, so nothing changed. Try again, or choose another model.',
    { retryable: true, advised: true },
  );
}

/** The attempt whose answer could not be read, as the run lists it: why, and that its model was asked once more. */
export function askedAgain(problem: string): { code: 'provider_error'; message: string } {
  return {
    code: 'provider_error',
    message: `Its answer could not be read (${plainProblem(problem)}), so Quire asked it once more.`,
  };
}

/** json-answer.ts's and the schema check's problems, as a writer would put them (a tournament's member's too). */
export function plainProblem(problem: string): string {
  if (problem === 'the answer was empty') return 'its answer was empty';
  if (problem.startsWith('the answer is not valid JSON')) return 'it answered in prose, or its answer broke off';
  return 'parts of its answer were missing or in the wrong shape';
}
