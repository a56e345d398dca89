// OpenAI chat completions through the official client: OpenAI, DeepSeek, Qwen (DashScope compatible mode), Gemini's
// OpenAI endpoint, OpenRouter and any custom OpenAI-compatible server (Ollama, LM Studio, vLLM, llama.cpp).
import OpenAI, { APIError, OpenAIError } from 'openai';
import type {
  ChatCompletionChunk,
  ChatCompletionContentPart,
  ChatCompletionCreateParamsBase,
} from 'openai/resources/chat/completions/completions';
import { CancelledError, ProviderError } from '../errors';
import { callOptions, sdkClientOptions, type ClientOptions } from './client-options';
import { answerFields, isJsonObject, readAnswer, withSchemaInstruction } from './json-answer';
import { SdkModel } from './sdk-model';
import { notSupported } from './unsupported-options';
import { sseEvents } from './sse-events';
import type {
  ChatMessage,
  FinishReason,
  GenerateRequest,
  GenerateResult,
  LanguageModel,
  StreamPart,
  Usage,
} from './spec';

export class OpenAiCompatibleModel extends SdkModel implements LanguageModel {
  private readonly client: OpenAI;

  constructor(options: ClientOptions) {
    super(options);
    this.client = new OpenAI(sdkClientOptions(options));
  }

  private params(request: GenerateRequest): { body: ChatCompletionCreateParamsBase; warnings: string[] } {
    const warnings: string[] = [];
    const json = request.jsonSchema;
    // A provider of JSON mode only is told the schema in the instruction; JSON mode itself (any object) goes as it is
    // to a provider that takes schemas, as OpenAI defines it: the caller's messages ask for JSON.
    const instructed = json !== undefined && this.options.jsonMode === 'json_object';
    const jsonObject = instructed || (json !== undefined && isJsonObject(json));
    const messages = instructed ? withSchemaInstruction(request.messages, json) : request.messages;
    const body: ChatCompletionCreateParamsBase = {
      model: this.options.apiModelId,
      messages: withImages(messages, request.images),
    };
    const sampling = {
      temperature: request.temperature,
      top_p: request.sampling?.topP,
      frequency_penalty: request.sampling?.frequencyPenalty,
      presence_penalty: request.sampling?.presencePenalty,
    };
    if (this.options.reasoning) {
      // The allowance covers the thinking as well as the answer (the run added room for it: orchestrator/thinking.ts).
      body.max_completion_tokens = request.maxOutputTokens;
      if (request.reasoningEffort && this.options.reasoningEffort) body.reasoning_effort = request.reasoningEffort;
      // Reasoning models sample as they decide, and refuse the parameters.
      warnings.push(...notSupported(sampling, 'reasoning models'));
    } else {
      body.max_tokens = request.maxOutputTokens;
      for (const [name, value] of Object.entries(sampling))
        if (value !== undefined) Object.assign(body, { [name]: value });
    }
    warnings.push(...notSupported({ top_k: request.sampling?.topK }, 'OpenAI-compatible APIs'));
    if (request.seed !== undefined) body.seed = request.seed;
    if (request.stop) body.stop = [...request.stop];
    if (jsonObject) {
      body.response_format = { type: 'json_object' };
    } else if (json) {
      body.response_format = {
        type: 'json_schema',
        json_schema: { name: json.name, schema: json.schema, strict: json.strict !== false },
      };
    }
    return { body, warnings };
  }

  /**
   * The answer's JSON: enforced by the provider under a strict json_schema, checked here otherwise (JSON mode, or a
   * schema the provider only follows as well as it can).
   */
  private answerJson(request: GenerateRequest, text: string): { json?: unknown; jsonError?: string } {
    const json = request.jsonSchema;
    if (!json) return {};
    const enforced = this.options.jsonMode !== 'json_object' && json.strict !== false;
    return answerFields(readAnswer(text, json, !enforced));
  }

  async generate(request: GenerateRequest, signal?: AbortSignal): Promise<GenerateResult> {
    const { body, warnings } = this.params(request);
    const completion: OpenAI.Chat.Completions.ChatCompletion = await this.sdk.call(() =>
      this.client.chat.completions.create({ ...body, stream: false }, callOptions(request, signal)),
    );
    const choice = Array.isArray(completion?.choices) ? completion.choices[0] : undefined;
    if (!choice) {
      throw new ProviderError(this.provider, `${this.provider} sent a response without choices`);
    }
    const text = choice.message?.content ?? '';
    const refusal = choice.message?.refusal;
    return {
      text,
      ...this.answerJson(request, text),
      usage: usageOf(completion.usage),
      finishReason: finishOf(choice.finish_reason),
      ...stopSequenceOf(request, choice),
      warnings,
      ...(refusal ? { refusal } : {}),
    };
  }

  async *stream(request: GenerateRequest, signal?: AbortSignal): AsyncIterable<StreamPart> {
    const { body, warnings } = this.params(request);
    // The client makes the request (and fails it before any chunk, retried where it retries); its body is read here.
    const response: Response = await this.sdk.call(() =>
      this.client.chat.completions
        .create({ ...body, stream: true, stream_options: { include_usage: true } }, callOptions(request, signal))
        .asResponse(),
    );
    const stream = completionChunks(response, signal);
    let text = '';
    // A refusal comes in deltas of its own, never as the answer's text.
    let refusal = '';
    let finish: FinishReason | undefined;
    let stopped: { stopSequence?: string } = {};
    let usage: Usage = { inputTokens: undefined, outputTokens: undefined };
    let heard = false;
    try {
      for await (const chunk of stream) {
        heard = true;
        if (chunk.usage) usage = usageOf(chunk.usage);
        const choice = chunk.choices?.[0];
        const delta = choice?.delta?.content;
        if (delta) {
          text += delta;
          yield { type: 'text-delta', text: delta };
        }
        if (choice?.delta?.refusal) refusal += choice.delta.refusal;
        if (choice?.finish_reason) {
          finish = finishOf(choice.finish_reason);
          stopped = stopSequenceOf(request, choice);
        }
      }
    } catch (error) {
      // Broke after the provider accepted the call: it may have billed what it generated.
      throw this.sdk.mapError(error, true);
    }
    // Stopped by the caller (the writer, an app hanging up): the stream ends quietly without its finish. That is a
    // cancel, not a provider that broke off, and it must not count against the provider's breaker.
    if (finish === undefined) throw signal?.aborted ? new CancelledError() : this.sdk.unfinished(heard);
    if (usage.inputTokens === undefined) warnings.push(`${this.provider} reported no usage for this stream`);
    yield {
      type: 'finish',
      finishReason: finish,
      ...stopped,
      usage,
      warnings,
      ...this.answerJson(request, text),
      ...(refusal ? { refusal } : {}),
    };
  }

  /**
   * A minimal authenticated call that costs nothing: list the models. Resolves to the answer's Content-Type: a web
   * page at the address answers 200 too, and the SDK reads it without complaint.
   */
  async testKey(signal?: AbortSignal): Promise<string> {
    const { response } = await this.sdk.call(() => this.client.models.list({ signal }).withResponse());
    return response.headers.get('content-type') ?? '';
  }
}

/**
 * A chat completion stream's chunks, by the openai client's own rules (its `Stream.fromSSEResponse`): `[DONE]` ends
 * them (what follows is read to the body's end and ignored, as the client does: leaving the body there cancelled it,
 * an abort and a DOMException on every call), an `error` event or a chunk carrying `error` is the provider's
 * APIError, data that is not JSON is a SyntaxError, and an abort ends it quietly (the caller sees a stream without its
 * finish).
 */
export async function* completionChunks(response: Response, signal?: AbortSignal): AsyncGenerator<ChatCompletionChunk> {
  if (!response.body) throw new OpenAIError('Attempted to iterate over a response with no body');
  let done = false;
  for await (const sse of sseEvents(response.body, signal)) {
    if (done) continue;
    if (sse.data === '[DONE]') {
      done = true;
      continue;
    }
    let data: { error?: unknown } | null;
    try {
      data = JSON.parse(sse.data) as { error?: unknown } | null;
    } catch {
      throw new SyntaxError('Error reading response: malformed server-sent event JSON.');
    }
    if (sse.event === 'error')
      throw new APIError(
        undefined,
        (data?.error ?? data ?? undefined) as object | undefined,
        undefined,
        response.headers,
      );
    if (data?.error) throw new APIError(undefined, data.error as object, undefined, response.headers);
    yield data as unknown as ChatCompletionChunk;
  }
}

/**
 * The chat messages on the wire; images go with the last user message as `image_url` parts holding data URLs, at
 * `detail: "high"` (what Quire's reservation prices them at), before its text.
 */
function withImages(
  messages: readonly ChatMessage[],
  images: GenerateRequest['images'],
): ChatCompletionCreateParamsBase['messages'] {
  const last = images && images.length > 0 ? messages.findLastIndex((m) => m.role === 'user') : -1;
  return messages.map((m, i) => {
    if (i !== last) return { role: m.role, content: m.content };
    const parts: ChatCompletionContentPart[] = images!.map((image) => ({
      type: 'image_url',
      image_url: { url: `data:${image.media_type};base64,${image.data_base64}`, detail: 'high' },
    }));
    parts.push({ type: 'text', text: m.content });
    return { role: 'user', content: parts };
  });
}

function usageOf(usage: OpenAI.Completions.CompletionUsage | undefined | null): Usage {
  if (!usage) return { inputTokens: undefined, outputTokens: undefined };
  return {
    inputTokens: usage.prompt_tokens,
    outputTokens: usage.completion_tokens,
    cachedInputTokens: usage.prompt_tokens_details?.cached_tokens ?? undefined,
    reasoningTokens: usage.completion_tokens_details?.reasoning_tokens ?? undefined,
  };
}

/**
 * The stop sequence a server says the answer ended at: vLLM's `stop_reason` beside `finish_reason: "stop"` (OpenAI's
 * own API has none, and says "stop" for the model's own end too), when it is one of the request's.
 */
function stopSequenceOf(request: GenerateRequest, choice: object): { stopSequence?: string } {
  const said = (choice as { stop_reason?: unknown }).stop_reason;
  return typeof said === 'string' && request.stop?.includes(said) ? { stopSequence: said } : {};
}

function finishOf(reason: string | null | undefined): FinishReason {
  switch (reason) {
    case 'stop':
    case 'length':
    case 'content_filter':
    case 'tool_calls':
      return reason;
    default:
      return 'other';
  }
}
