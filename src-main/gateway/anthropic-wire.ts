// Anthropic's messages wire format (POST /v1/messages): the request as `@anthropic-ai/sdk` sends it, turned into a
// ChatCall, and the answer whole or as its event stream (message_start … message_stop).
import { z } from 'zod';
import { MAX_STOP_CHARS, MAX_TEXT_CHARS, type RunRecord } from '../../src-preload/contract';
import type { RunSpend } from '../ledger/run-spend';
import type { ChatMessage } from '../providers/spec';
import type { ChatCall } from './gateway-calls';
import { contentOf, lastUserImages, type Content } from './message-content';
import { costOf, filtered, stopList } from './openai-wire';
import { refuseUnsupported } from './unsupported-params';
import { checkTextLength, invalidRequest } from './wire-errors';

const block = z.object({ type: z.string() }).passthrough();

export const messagesSchema = z
  .object({
    model: z.string().min(1, 'model: name a model (GET /v1/models lists them)').max(200),
    max_tokens: z.number().int().min(1).max(200_000),
    messages: z
      .array(z.object({ role: z.enum(['user', 'assistant']), content: z.union([z.string(), z.array(block)]) }))
      .min(1, 'messages: send at least one message')
      .max(500),
    system: z.union([z.string(), z.array(block)]).optional(),
    stream: z.boolean().optional(),
    temperature: z.number().min(0).max(1).optional(),
    top_p: z.number().min(0).max(1).optional(),
    // 0 sets no limit.
    top_k: z.number().int().min(0).optional(),
    // Passed on to the model, whichever provider it is: at most 4, as OpenAI's models take.
    stop_sequences: z.array(z.string().max(MAX_STOP_CHARS)).max(4).optional(),
  })
  .passthrough();

/** What an app that left out a required field is told to send. */
const REQUIRED = {
  model: ': name a model (GET /v1/models lists them).',
  max_tokens: ' by the Messages API: say the most tokens the answer may use (for example 1024).',
  messages: ': send the conversation as a list of messages.',
};

export function parseMessages(body: unknown): { call: ChatCall; stream: boolean } {
  const parsed = messagesSchema.safeParse(body);
  if (!parsed.success) throw invalidRequest(body, parsed.error.issues[0]!, REQUIRED);
  const r = parsed.data;
  refuseUnsupported('anthropic', r);
  const read: { role: ChatMessage['role']; content: Content }[] = [];
  if (r.system !== undefined) read.push({ role: 'system', content: contentIn(r.system, 'system') });
  r.messages.forEach((m, i) => read.push({ role: m.role, content: contentIn(m.content, `messages.${i}.content`) }));
  const images = lastUserImages(read);
  return {
    call: {
      model: r.model,
      messages: read.map((m) => ({ role: m.role, content: m.content.text })),
      ...(images.length > 0 ? { images } : {}),
      maxOutputTokens: r.max_tokens,
      temperature: r.temperature,
      sampling: { top_p: r.top_p, top_k: r.top_k || undefined },
      stop: stopList(r.stop_sequences),
    },
    stream: r.stream === true,
  };
}

function contentIn(value: string | z.infer<typeof block>[], param: string): Content {
  const read = contentOf(value, param, 'block');
  return { ...read, text: checkTextLength(read.text, param, MAX_TEXT_CHARS) };
}

/** The run's usage as the ledger has it: every call's tokens, and its cost (fields of Quire's own beside them). */
export function anthropicUsage(spend: RunSpend) {
  return { input_tokens: spend.inputTokens, output_tokens: spend.outputTokens, ...costOf(spend) };
}

/**
 * Why the answer ended: an app must know when its text was cut at its max_tokens or by a content filter, and which of
 * its stop sequences ended it (whichever provider answered, where the model said which).
 */
function ending(record: RunRecord): {
  stop_reason: 'end_turn' | 'max_tokens' | 'refusal' | 'stop_sequence';
  stop_sequence: string | null;
} {
  if (filtered(record)) return { stop_reason: 'refusal', stop_sequence: null };
  if (record.truncated) return { stop_reason: 'max_tokens', stop_sequence: null };
  if (record.stop_sequence) return { stop_reason: 'stop_sequence', stop_sequence: record.stop_sequence };
  return { stop_reason: 'end_turn', stop_sequence: null };
}

export function anthropicMessage(record: RunRecord, spend: RunSpend) {
  return {
    id: `msg_${record.run_id}`,
    type: 'message',
    role: 'assistant',
    model: record.model_id ?? '',
    content: [{ type: 'text', text: record.text ?? '' }],
    ...ending(record),
    usage: anthropicUsage(spend),
  };
}

/** The opening events of a streamed message, sent with its first text. */
export function messageStart(runId: string, model: string) {
  return [
    {
      type: 'message_start',
      message: {
        id: `msg_${runId}`,
        type: 'message',
        role: 'assistant',
        model,
        content: [],
        stop_reason: null,
        stop_sequence: null,
        // The counts are known when the provider finishes: message_delta carries them.
        usage: { input_tokens: 0, output_tokens: 0 },
      },
    },
    { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } },
  ];
}

export function textDelta(text: string) {
  return { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text } };
}

export function messageEnd(record: RunRecord, spend: RunSpend) {
  return [
    { type: 'content_block_stop', index: 0 },
    {
      type: 'message_delta',
      delta: ending(record),
      usage: anthropicUsage(spend),
    },
    { type: 'message_stop' },
  ];
}
