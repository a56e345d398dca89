// One chat turn on a resident model through its own chat wrapper (resolved by node-llama-cpp from the GGUF's
// template), with streaming, JSON-schema grammar and AbortSignal cancel. Usage comes from the sequence's token meter.
import {
  LlamaChatSession,
  resolveChatWrapper,
  TokenMeter,
  type ChatHistoryItem,
  type ChatWrapper,
  type LlamaJsonSchemaGrammar,
  type LlamaModel,
} from 'node-llama-cpp';

// The schema arrives as plain JSON at run time; node-llama-cpp's precise schema type cannot describe that.
type AnyJsonGrammar = LlamaJsonSchemaGrammar<never>;
import { CancelledError, InvalidInputError, LocalModelError, isQuireError } from '../errors';
import type { FinishReason, GenerateRequest, GenerateResult } from '../providers/spec';
import type { ResidentModel } from './runtime';

const grammarCache = new WeakMap<object, Map<string, AnyJsonGrammar>>();

async function grammarFor(model: ResidentModel, schema: Record<string, unknown>): Promise<AnyJsonGrammar> {
  let cache = grammarCache.get(model.llama);
  if (!cache) grammarCache.set(model.llama, (cache = new Map()));
  const key = JSON.stringify(schema);
  let grammar = cache.get(key);
  if (!grammar) {
    try {
      grammar = (await model.llama.createGrammarForJsonSchema(schema as never)) as AnyJsonGrammar;
    } catch (cause) {
      throw new InvalidInputError(
        `The JSON schema cannot be turned into a grammar: ${(cause as Error).message}`,
        'jsonSchema',
      );
    }
    if (cache.size > 32) cache.clear();
    cache.set(key, grammar);
  }
  return grammar;
}

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

function finishReasonOf(stopReason: string): FinishReason {
  switch (stopReason) {
    case 'maxTokens':
      return 'length';
    case 'eogToken':
    case 'stopGenerationTrigger':
    case 'customStopTrigger':
      return 'stop';
    case 'functionCalls':
      return 'tool_calls';
    default:
      return 'other';
  }
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
  const warnings: string[] = [];
  const grammar = request.jsonSchema ? await grammarFor(model, request.jsonSchema.schema) : undefined;
  const { history, prompt } = toHistory(request);
  await model.sequence.clearHistory();
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
    const used = TokenMeter.diff(model.sequence.tokenMeter, before);
    const text = result.responseText;
    let json: unknown;
    let jsonError: string | undefined;
    if (grammar) {
      // The grammar keeps the output to the schema's shape, so the JSON fails to parse only when it was cut short.
      try {
        json = grammar.parse(text);
      } catch {
        jsonError = 'the answer stopped before its JSON was complete (it reached its length limit)';
        warnings.push('The output stopped before the JSON was complete (max output tokens reached).');
      }
    }
    return {
      text,
      ...(json !== undefined ? { json } : {}),
      ...(jsonError !== undefined ? { jsonError } : {}),
      usage: { inputTokens: used.usedInputTokens, outputTokens: used.usedOutputTokens },
      finishReason: finishReasonOf(result.stopReason),
      warnings,
    };
  } catch (cause) {
    if (signal?.aborted) throw new CancelledError();
    if (isQuireError(cause)) throw cause;
    throw new LocalModelError(
      'generation_failed',
      `Local generation failed: ${(cause as Error).message ?? String(cause)}`,
      cause,
    );
  } finally {
    session.dispose({ disposeSequence: false });
  }
}
