// One chat turn on a resident model through its own chat wrapper (resolved by node-llama-cpp from the GGUF's
// template), with streaming, JSON-schema grammar and AbortSignal cancel. Usage comes from the sequence's token meter.
// The sequence keeps the previous turn's tokens: node-llama-cpp compares them with the new prompt's and evaluates only
// from the first token that differs, so a shared instruction and template prefix is not read again. Only whole
// evaluation batches of the previous prompt are kept (keepWholeBatches), so a kept turn answers exactly as a fresh one.
import {
  LlamaChatSession,
  resolveChatWrapper,
  type ChatHistoryItem,
  type ChatWrapper,
  type LlamaContextSequence,
  type LlamaModel,
  type Token,
} from 'node-llama-cpp';
import { CancelledError, InvalidInputError } from '../errors';
import type { GenerateRequest, GenerateResult } from '../providers/spec';
import { grammarFor, localFailure, localResult, localSampling } from './local-generation';
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

/**
 * What a chat turn left in a sequence that a fresh context would have computed the same way: the length of its
 * prompt's whole evaluation batches, valid while the sequence's token meter still reads `meter` (nothing evaluated
 * on it since; erasing, as clearHistory does, only shortens what node-llama-cpp can match).
 */
interface ExactPrefix {
  length: number;
  meter: { usedInputTokens: number; usedOutputTokens: number };
}
const exactPrefixes = new WeakMap<LlamaContextSequence, ExactPrefix>();

/**
 * For one turn, node-llama-cpp's alignment of the sequence with the new prompt keeps only whole batches of what the
 * previous turn evaluated exactly. llama.cpp computes a token's values slightly differently depending on the batch
 * it is evaluated in (a batch of 39 new tokens after a 469-token shared prefix, where a fresh context read all 508 in
 * one batch, flipped a nearly tied greedy pick in the benchmark). A fresh context evaluates its prompt in batches that
 * start at multiples of the context's batch size; keeping a multiple of it, of tokens that were evaluated that way,
 * makes the kept turn evaluate every new token in the same batch as a fresh one would. The previous turn's generated
 * tokens (evaluated one by one) and its prompt's last partial batch are never kept. That costs up to a batch of
 * tokens read again, so a turn that samples without a seed (its answer differs every time anyway) keeps all that
 * node-llama-cpp can match; `exact` says whether the turn must answer as a fresh context would.
 * `exactAfter(promptTokens)` is what this turn leaves exact; `restore` ends the turn's override.
 */
function keepWholeBatches(
  sequence: LlamaContextSequence,
  exact: boolean,
): {
  exactAfter: (promptTokens: number) => number;
  restore: () => void;
} {
  const batch = sequence.context.batchSize;
  const previous = exactPrefixes.get(sequence);
  const meter = sequence.tokenMeter.getState();
  const kept =
    previous &&
    previous.meter.usedInputTokens === meter.usedInputTokens &&
    previous.meter.usedOutputTokens === meter.usedOutputTokens
      ? previous.length
      : 0;
  let aligned = false;
  /** Where what this turn keeps stops being exact: node-llama-cpp's own alignments keep any prefix it can match. */
  let untouched = Number.POSITIVE_INFINITY;
  const original = sequence.adaptStateToTokens;
  // node-llama-cpp's LlamaChat aligns the sequence with the prompt (minus the last token it evaluates with the
  // generation) through this public method before the turn's first evaluation, and again if it re-renders the
  // context during generation. Only the first alignment of an exact turn is changed; the own property shadows the
  // prototype's method for this turn.
  sequence.adaptStateToTokens = async (tokens: Token[], allowShift?: boolean) => {
    const { firstDifferentIndex } = sequence.compareContextTokens(tokens);
    if (aligned || !exact) {
      // The first alignment of a turn that need not be exact keeps the previous exact prefix at most.
      untouched = Math.min(untouched, firstDifferentIndex, aligned ? Number.POSITIVE_INFINITY : kept);
      aligned = true;
      return original.call(sequence, tokens, allowShift);
    }
    aligned = true;
    const keep = Math.floor(Math.min(firstDifferentIndex, kept) / batch) * batch;
    if (keep < sequence.nextTokenIndex)
      await sequence.eraseContextTokenRanges([{ start: keep, end: sequence.nextTokenIndex }]);
  };
  return {
    exactAfter: (promptTokens) => (aligned ? Math.floor(Math.min(promptTokens, untouched) / batch) * batch : 0),
    restore: () => void delete (sequence as { adaptStateToTokens?: unknown }).adaptStateToTokens,
  };
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
  const sampling = localSampling(request);
  // Greedy (node-llama-cpp's default) or seeded sampling answers the same every time: exactly as a fresh context.
  const deterministic = !request.temperature || request.seed !== undefined;
  const alignment = keepWholeBatches(model.sequence, deterministic);
  let exactAfter = 0;
  try {
    if (history.length > 0) session.setChatHistory(withDefaultSystem(history, session.getChatHistory()));
    const result = await session.promptWithMeta(prompt, {
      maxTokens: request.maxOutputTokens,
      ...(request.temperature !== undefined ? { temperature: request.temperature } : {}),
      ...(request.seed !== undefined ? { seed: request.seed } : {}),
      ...sampling.options,
      ...(request.stop ? { customStopTriggers: [...request.stop] } : {}),
      ...(grammar ? { grammar } : {}),
      ...(onText ? { onTextChunk: onText } : {}),
      ...(signal ? { signal } : {}),
    });
    const answer = localResult(model, before, result.responseText, result, grammar, sampling.warnings);
    exactAfter = alignment.exactAfter(answer.usage.inputTokens ?? 0);
    return answer;
  } catch (cause) {
    throw localFailure(cause, signal);
  } finally {
    alignment.restore();
    session.dispose({ disposeSequence: false });
    // A turn that failed or was cancelled may have stopped mid-batch: the next one keeps nothing.
    exactPrefixes.set(model.sequence, { length: exactAfter, meter: model.sequence.tokenMeter.getState() });
  }
}
