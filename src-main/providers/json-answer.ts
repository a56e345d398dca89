// Structured answers from providers: reading the answer text as JSON, and for JSON mode (`json_object`, where the
// provider promises valid JSON but not the shape) the schema in the instruction and a check of the answer against it.
// An answer that cannot be read is not an error here: the adapter returns it with `jsonError`, its usage known and
// charged, and the run decides (one repair attempt, then a clear error).
import { z } from 'zod';
import type { ChatMessage, JsonSchemaRequest } from './spec';

/**
 * JSON mode: one JSON object of any shape (OpenAI's `response_format: json_object`). Each adapter asks for it its own
 * way — OpenAI-compatible providers their JSON mode, Anthropic a forced tool taking any object, a local model a
 * grammar of any object (node-llama-cpp reads an object schema without `additionalProperties: true` as `{}` only).
 */
export const JSON_OBJECT: Readonly<JsonSchemaRequest> = {
  name: 'json_object',
  schema: { type: 'object', additionalProperties: true },
  strict: false,
};

/** Whether `json` asks for JSON mode (JSON_OBJECT), not for a schema of its own. */
export function isJsonObject(json: JsonSchemaRequest): boolean {
  return json.name === JSON_OBJECT.name && JSON.stringify(json.schema) === JSON.stringify(JSON_OBJECT.schema);
}

/**
 * JSON mode needs the word "JSON" in the prompt (DeepSeek and OpenAI refuse the call otherwise) and the model needs
 * the shape: both go at the end of the system instruction, or in one of their own when there is none.
 */
export function withSchemaInstruction(messages: readonly ChatMessage[], json: JsonSchemaRequest): ChatMessage[] {
  const instruction =
    `Answer with one JSON object and nothing else (no prose, no code fence). It must match this JSON Schema ` +
    `("${json.name}"):\n${JSON.stringify(json.schema)}`;
  const [first, ...rest] = messages;
  if (first?.role === 'system') return [{ role: 'system', content: `${first.content}\n\n${instruction}` }, ...rest];
  return [{ role: 'system', content: instruction }, ...messages];
}

export type JsonReading = { ok: true; value: unknown } | { ok: false; problem: string };

/**
 * The answer text as JSON: as it is, else inside a code fence, else from its first `{` to its last `}` (models in JSON
 * mode still wrap an answer in a sentence now and then).
 */
export function readJson(text: string): JsonReading {
  for (const candidate of jsonCandidates(text)) {
    try {
      return { ok: true, value: JSON.parse(candidate) as unknown };
    } catch {
      continue;
    }
  }
  return {
    ok: false,
    problem: text.trim().length === 0 ? 'the answer was empty' : 'the answer is not valid JSON',
  };
}

/** Where JSON may sit in an answer's text: all of it, a code fence, or its first `{` to its last `}`. */
export function* jsonCandidates(text: string): Generator<string> {
  const trimmed = text.trim();
  yield trimmed;
  const fence = /```(?:json)?\s*([\s\S]*?)```/i.exec(trimmed);
  if (fence?.[1]) yield fence[1].trim();
  const start = trimmed.indexOf('{');
  const end = trimmed.lastIndexOf('}');
  if (start >= 0 && end > start) yield trimmed.slice(start, end + 1);
}

const validators = new WeakMap<object, z.ZodType>();

function validatorFor(schema: Record<string, unknown>): z.ZodType {
  let validator = validators.get(schema);
  if (!validator) {
    validator = z.fromJSONSchema(schema as Parameters<typeof z.fromJSONSchema>[0]);
    validators.set(schema, validator);
  }
  return validator;
}

/** The first problem of a zod check, in a form a writer can read after "the answer …". */
export function zodProblem(error: z.ZodError, name: string): string {
  const issue = error.issues[0];
  const at = issue && issue.path.length > 0 ? ` at ${issue.path.join('.')}` : '';
  return `the JSON is not the "${name}" answer asked for${at}: ${issue?.message ?? 'invalid'}`;
}

/** Checks a value against the JSON Schema that was asked for (z.fromJSONSchema). */
export function checkJson(value: unknown, json: JsonSchemaRequest): JsonReading {
  const checked = validatorFor(json.schema).safeParse(value);
  return checked.success ? { ok: true, value } : { ok: false, problem: zodProblem(checked.error, json.name) };
}

/** Reads an answer and, when `check` (JSON mode: the provider did not enforce the schema), checks its shape. */
export function readAnswer(text: string, json: JsonSchemaRequest, check: boolean): JsonReading {
  const reading = readJson(text);
  return reading.ok && check ? checkJson(reading.value, json) : reading;
}

/** A reading as GenerateResult fields: `json` when it could be read, else `jsonError`. */
export function answerFields(reading: JsonReading): { json?: unknown; jsonError?: string } {
  return reading.ok ? { json: reading.value } : { jsonError: reading.problem };
}
