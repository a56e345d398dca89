// OpenAI's chat-completions wire format: the request as apps send it (validated, turned into a ChatCall) and the
// answer as the `openai` client reads it, whole or as Server-Sent Events with the usage chunk when asked for.
import { z } from 'zod';
import { MAX_STOP_CHARS, MAX_TEXT_CHARS, type RunRecord } from '../../src-preload/contract';
import { REASONING_EFFORTS } from '../../src-preload/contract/tasks';
import type { RunSpend } from '../ledger/run-spend';
import { JSON_OBJECT } from '../providers/json-answer';
import type { ChatMessage } from '../providers/spec';
import type { ChatCall } from './gateway-calls';
import { refuseUnsupported } from './unsupported-params';
import { contentOf, lastUserImages } from './message-content';
import { checkTextLength, invalidRequest, wire } from './wire-errors';

const content = z.union([z.string(), z.array(z.object({ type: z.string() }).passthrough())]).nullable();

const message = z
  .object({
    role: z.enum(['system', 'developer', 'user', 'assistant', 'tool', 'function']),
    content: content.optional(),
  })
  .passthrough();

export const chatCompletionSchema = z
  .object({
    model: z.string().min(1, 'model: name a model (GET /v1/models lists them)').max(200),
    messages: z.array(message).min(1, 'messages: send at least one message').max(500),
    stream: z.boolean().nullish(),
    stream_options: z.object({ include_usage: z.boolean().nullish() }).passthrough().nullish(),
    max_tokens: z.number().int().min(1).max(200_000).nullish(),
    max_completion_tokens: z.number().int().min(1).max(200_000).nullish(),
    temperature: z.number().min(0).max(2).nullish(),
    top_p: z.number().min(0).max(1).nullish(),
    frequency_penalty: z.number().min(-2).max(2).nullish(),
    presence_penalty: z.number().min(-2).max(2).nullish(),
    seed: z.number().int().nullish(),
    // How hard a reasoning model thinks, where its provider takes it (OpenAI's, Gemini's): the levels Quire prices.
    reasoning_effort: z.enum(REASONING_EFFORTS).nullish(),
    // Passed on to the model: the answer ends before the first of them (4, as OpenAI takes at most).
    stop: z.union([z.string().max(MAX_STOP_CHARS), z.array(z.string().max(MAX_STOP_CHARS)).max(4)]).nullish(),
    n: z.number().int().min(1).nullish(),
    response_format: z
      .discriminatedUnion('type', [
        z.object({ type: z.literal('text') }),
        z.object({ type: z.literal('json_object') }),
        z.object({
          type: z.literal('json_schema'),
          json_schema: z
            .object({
              name: z.string().min(1).max(64),
              schema: z.record(z.string(), z.unknown()).optional(),
              strict: z.boolean().nullish(),
            })
            .passthrough(),
        }),
      ])
      .nullish(),
  })
  .passthrough();

/** The stop sequences that ask for something: clients send "" or [] by default. */
export function stopList(stop: string | readonly string[] | null | undefined): string[] | undefined {
  const list = (typeof stop === 'string' ? [stop] : (stop ?? [])).filter((s) => s !== '');
  return list.length > 0 ? list : undefined;
}

/** What an app that left out a required field is told to send. */
const REQUIRED = {
  model: ': name a model (GET /v1/models lists them).',
  messages: ': send the conversation as a list of messages.',
};

export type ChatCompletionRequest = z.infer<typeof chatCompletionSchema>;

export function parseChatCompletion(body: unknown): { call: ChatCall; stream: boolean; includeUsage: boolean } {
  const parsed = chatCompletionSchema.safeParse(body);
  if (!parsed.success) throw invalidRequest(body, parsed.error.issues[0]!, REQUIRED);
  const r = parsed.data;
  refuseUnsupported('openai', r);
  if (r.n !== undefined && r.n !== null && r.n !== 1) {
    throw wire.invalid(`n: Quire answers one choice per request (n = 1); this request asked for ${r.n}.`, 'n');
  }
  const format = r.response_format;
  // JSON mode as each provider has it; an app's schema strict only when it says so, as OpenAI's default is.
  const jsonSchema =
    format?.type === 'json_object'
      ? JSON_OBJECT
      : format?.type === 'json_schema'
        ? {
            name: format.json_schema.name,
            schema: format.json_schema.schema ?? { type: 'object' },
            strict: format.json_schema.strict === true,
          }
        : undefined;
  const messages = r.messages.map((m, i) => toMessage(m.role, m.content, `messages.${i}.content`));
  const images = lastUserImages(messages);
  return {
    call: {
      model: r.model,
      messages: messages.map((m) => ({ role: m.role, content: m.content.text })),
      ...(images.length > 0 ? { images } : {}),
      maxOutputTokens: r.max_completion_tokens ?? r.max_tokens ?? undefined,
      temperature: r.temperature ?? undefined,
      seed: r.seed ?? undefined,
      reasoningEffort: r.reasoning_effort ?? undefined,
      sampling: {
        top_p: r.top_p ?? undefined,
        frequency_penalty: r.frequency_penalty ?? undefined,
        presence_penalty: r.presence_penalty ?? undefined,
      },
      stop: stopList(r.stop),
      jsonSchema,
    },
    stream: r.stream === true,
    includeUsage: r.stream_options?.include_usage === true,
  };
}

function toMessage(role: string, value: z.infer<typeof content> | undefined, param: string) {
  if (role === 'tool' || role === 'function') {
    throw wire.invalid(`${param}: Quire's gateway does not run tools; send text messages only.`, param);
  }
  const read = contentOf(value, param, 'part');
  return {
    role: role === 'developer' ? 'system' : (role as ChatMessage['role']),
    content: { ...read, text: checkTextLength(read.text, param, MAX_TEXT_CHARS) },
  };
}

/** The run's usage as the ledger has it: every call's tokens, and its cost. */
export function usageOf(spend: RunSpend) {
  const prompt = spend.inputTokens;
  const completion = spend.outputTokens;
  return { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion, ...costOf(spend) };
}

/**
 * What the run cost, in USD, as OpenRouter puts it in usage (`cost`), in both APIs; `uncounted_cost`, only when there
 * is some, is the part of it charged for calls whose provider reported no token counts (their reservation): the
 * tokens leave them out, so an app can tell why they do not add up to the cost.
 */
export function costOf(spend: RunSpend): { cost: number; uncounted_cost?: number } {
  return { cost: spend.costUsd, ...(spend.uncountedUsd > 0 ? { uncounted_cost: spend.uncountedUsd } : {}) };
}

export function chatCompletion(record: RunRecord, spend: RunSpend, created: number) {
  return {
    id: `chatcmpl-${record.run_id}`,
    object: 'chat.completion',
    created,
    model: record.model_id ?? '',
    choices: [
      {
        index: 0,
        message: { role: 'assistant', content: record.text ?? '', refusal: null },
        logprobs: null,
        finish_reason: finishReason(record),
      },
    ],
    usage: usageOf(spend),
  };
}

/**
 * Why the answer ended: an app must know when its text was cut at the max tokens it allowed, or by the provider's
 * content filter (a completed run's notice), not finished.
 */
export function finishReason(record: RunRecord): 'stop' | 'length' | 'content_filter' {
  if (filtered(record)) return 'content_filter';
  return record.truncated ? 'length' : 'stop';
}

/** A completed run with a notice: its answer is what came before the provider's content filter stopped it. */
export function filtered(record: RunRecord): boolean {
  return record.status === 'completed' && record.error !== null;
}

/** One `chat.completion.chunk`. */
export function chunk(
  id: string,
  created: number,
  model: string,
  delta: Record<string, unknown> | null,
  finish: ReturnType<typeof finishReason> | null = null,
  usage?: ReturnType<typeof usageOf>,
) {
  return {
    id: `chatcmpl-${id}`,
    object: 'chat.completion.chunk',
    created,
    model,
    choices: delta ? [{ index: 0, delta, logprobs: null, finish_reason: finish }] : [],
    ...(usage ? { usage } : {}),
  };
}
