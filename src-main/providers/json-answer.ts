// Structured answers from providers: parsing, and for JSON mode (`json_object`, where the provider promises valid JSON
// but not the shape) the schema in the instruction and a check of the answer against it.
import { z } from 'zod';
import { ProviderError } from '../errors';
import type { ChatMessage, GenerateRequest } from './spec';

type JsonSchemaRequest = NonNullable<GenerateRequest['jsonSchema']>;

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

/** Parses the answer text as JSON; text that is not JSON was still received, so it may have been billed. */
export function parseJson(provider: string, text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (cause) {
    throw new ProviderError(provider, `${provider} returned text that is not the JSON asked for`, {
      retryable: false,
      cause,
    });
  }
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

/** Parses and checks a JSON-mode answer against the schema that was asked for. */
export function parseCheckedJson(provider: string, text: string, json: JsonSchemaRequest): unknown {
  const value = parseJson(provider, text);
  const checked = validatorFor(json.schema).safeParse(value);
  if (checked.success) return value;
  const issue = checked.error.issues[0];
  const at = issue && issue.path.length > 0 ? ` at ${issue.path.join('.')}` : '';
  throw new ProviderError(
    provider,
    `${provider} returned JSON that is not the "${json.name}" answer asked for${at}: ${issue?.message ?? 'invalid'}`,
    { retryable: false },
  );
}
