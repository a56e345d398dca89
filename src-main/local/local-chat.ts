// One chat turn on a resident model through its own chat wrapper (resolved by node-llama-cpp from the GGUF's
// template), with streaming, JSON-schema grammar and AbortSignal cancel. Usage comes from the sequence's token meter.
// The sequence keeps the previous turn's tokens: node-llama-cpp compares them with the new prompt's and evaluates only
// from the first token that differs, so a shared instruction and template prefix is not read again.
import {
  LlamaChatSession,
  resolveChatWrapper,
  type ChatHistoryItem,
  type ChatWrapper,
  type LlamaModel,
} from 'node-llama-cpp';
import { CancelledError, InvalidInputError } from '../errors';
import type { GenerateRequest, GenerateResult } from '../providers/spec';
import { grammarFor, localFailure, localResult } from './local-generation';
import type { ResidentModel } from './runtime';

const chatWrappers = new WeakMap<LlamaModel, ChatWrapper>();

/**
 * The model's own chat wrapper, resolved once per loaded model. `new LlamaChatSession` without one resolves it from
 * the GGUF's Jinja template on every call (~200 ms on the 2-core build machine: it renders the template to detect
 * the format), which was most of the adapter's gap to raw node-llama-cpp. Same resolution, same wrapper.
 */
function chatWrapperFor(model: ResidentModel): ChatWrapper {
  let wrapper = chatWrappers.get(model.model);
  if (!wrapper) chatWrappers.set(model.model, (wrapper = resolveChatWrapper(model.model)));
  return wrapper;
}

/** Splits the messages into node-llama-cpp's history and the final user prompt (the token counter reads it too). */
export function toHistory(request: Pick<GenerateRequest, 'messages'>): { history: ChatHistoryItem[]; prompt: string } {
  const messages = [...request.messages];
  const last = messages.pop();
  if (!last || last.role !== 'user')
    throw new InvalidInputError('A local chat must end with a user message', 'messages');
  const history: ChatHistoryItem[] = [];
  for (const message of messages) {
    if (message.role === 'system') history.push({ type: 'system', text: message.content });
    else if (message.role === 'user') history.push({ type: 'user', text: message.content });
    else history.push({ type: 'model', response: [message.content] });
  }
  return { history, prompt: last.content };
}

/** node-llama-cpp's default system prompt (`initial`) is kept only when the caller gave none. */
export function withDefaultSystem(history: ChatHistoryItem[], initial: ChatHistoryItem[]): ChatHistoryItem[] {
  return history.some((item) => item.type === 'system') ? history : [...initial, ...history];
}

export async function chatOnce(
  model: ResidentModel,
  request: GenerateRequest,
  options: { signal?: AbortSignal; onText?: (text: string) => void } = {},
): Promise<GenerateResult> {
  const { signal, onText } = options;
  if (signal?.aborted) throw new CancelledError();
  const grammar = request.jsonSchema ? await grammarFor(model, request.jsonSchema.schema) : undefined;
  const { history, prompt } = toHistory(request);
  const session = new LlamaChatSession({
    contextSequence: model.sequence,
    chatWrapper: chatWrapperFor(model),
    autoDisposeSequence: false,
  });
  const before = model.sequence.tokenMeter.getState();
  try {
    if (history.length > 0) session.setChatHistory(withDefaultSystem(history, session.getChatHistory()));
    const result = await session.promptWithMeta(prompt, {
      maxTokens: request.maxOutputTokens,
      ...(request.temperature !== undefined ? { temperature: request.temperature } : {}),
      ...(request.seed !== undefined ? { seed: request.seed } : {}),
      ...(grammar ? { grammar } : {}),
      ...(onText ? { onTextChunk: onText } : {}),
      ...(signal ? { signal } : {}),
    });
    return localResult(model, before, result.responseText, result.stopReason, grammar);
  } catch (cause) {
    throw localFailure(cause, signal);
  } finally {
    session.dispose({ disposeSequence: false });
  }
}
