// Anthropic messages through the official client. Anthropic reports cache reads and writes apart from input_tokens;
// Usage follows OpenAI semantics, so they are added in here. Structured output goes through a forced tool call.
import Anthropic from '@anthropic-ai/sdk';
import { CancelledError, ProviderError } from '../errors';
import { callOptions, sdkClientOptions, type ClientOptions } from './client-options';
import { answerFields, readAnswer, type JsonReading } from './json-answer';
import { SdkModel } from './sdk-model';
import { notSupported } from './unsupported-options';
import type { FinishReason, GenerateRequest, GenerateResult, LanguageModel, StreamPart, Usage } from './spec';

const TOOL_NAME = 'answer';

interface AnthropicUsageLike {
  input_tokens?: number | null;
  output_tokens?: number | null;
  cache_read_input_tokens?: number | null;
  cache_creation_input_tokens?: number | null;
}

export class AnthropicModel extends SdkModel implements LanguageModel {
  private readonly client: Anthropic;

  constructor(options: ClientOptions) {
    super(options);
    this.client = new Anthropic(sdkClientOptions(options));
  }

  /** The request's body, and what of it the model is not sent (warnings). */
  private params(request: GenerateRequest): { body: SampledParams; warnings: string[] } {
    const system = request.messages
      .filter((m) => m.role === 'system')
      .map((m) => m.content)
      .join('\n\n');
    const turns = request.messages.filter((m) => m.role !== 'system');
    const last = request.images && request.images.length > 0 ? turns.findLastIndex((m) => m.role === 'user') : -1;
    const { fields, warnings } = samplingOf(request, this.options.sampling !== false);
    const body: SampledParams = {
      ...fields,
      model: this.options.apiModelId,
      max_tokens: request.maxOutputTokens,
      messages: turns.map((m, i) => ({
        role: m.role as 'user' | 'assistant',
        // Images go with the last user turn as base64 image blocks, before its text (as Anthropic recommends).
        content:
          i === last
            ? [
                ...request.images!.map((image): Anthropic.ImageBlockParam => ({
                  type: 'image',
                  source: { type: 'base64', media_type: image.media_type, data: image.data_base64 },
                })),
                { type: 'text' as const, text: m.content },
              ]
            : m.content,
      })),
    };
    if (system) body.system = system;
    if (request.stop) body.stop_sequences = [...request.stop];
    if (request.jsonSchema) {
      body.tools = [
        {
          name: TOOL_NAME,
          description: `Return the answer as ${request.jsonSchema.name}`,
          input_schema: { type: 'object', ...request.jsonSchema.schema },
        },
      ];
      body.tool_choice = { type: 'tool', name: TOOL_NAME };
    }
    return { body, warnings };
  }

  async generate(request: GenerateRequest, signal?: AbortSignal): Promise<GenerateResult> {
    const { body, warnings } = this.params(request);
    const message = await this.sdk.call(() => this.client.messages.create(body, requestOptions(request, body, signal)));
    if (!message || !Array.isArray(message.content)) {
      throw new ProviderError(this.provider, `${this.provider} sent a response without content`);
    }
    let text = '';
    let json: unknown;
    for (const block of message.content) {
      if (block.type === 'text') text += block.text;
      if (block.type === 'tool_use' && block.name === TOOL_NAME) json = block.input;
    }
    if (request.jsonSchema && json !== undefined) text = JSON.stringify(json);
    return {
      text,
      ...(request.jsonSchema ? answerFields(toolAnswer(json, text, request.jsonSchema)) : {}),
      usage: usageOf(message.usage),
      finishReason: finishOf(message.stop_reason),
      ...stopSequenceOf(message),
      warnings,
    };
  }

  async *stream(request: GenerateRequest, signal?: AbortSignal): AsyncIterable<StreamPart> {
    const { body, warnings } = this.params(request);
    const stream: AsyncIterable<Anthropic.RawMessageStreamEvent> = await this.sdk.call(() =>
      this.client.messages.create({ ...body, stream: true }, requestOptions(request, body, signal)),
    );
    let started: AnthropicUsageLike = {};
    let outputTokens: number | undefined;
    let finish: FinishReason | undefined;
    let stopped: { stopSequence?: string } = {};
    let text = '';
    let jsonText = '';
    let heard = false;
    try {
      for await (const event of stream) {
        heard = true;
        switch (event.type) {
          case 'message_start':
            started = event.message.usage;
            break;
          case 'content_block_delta':
            if (event.delta.type === 'text_delta') {
              text += event.delta.text;
              yield { type: 'text-delta', text: event.delta.text };
            } else if (event.delta.type === 'input_json_delta') {
              jsonText += event.delta.partial_json;
              yield { type: 'text-delta', text: event.delta.partial_json };
            }
            break;
          case 'message_delta': {
            // Cumulative counts; newer API versions repeat the input counts here too.
            const u = event.usage as AnthropicUsageLike;
            outputTokens = u.output_tokens ?? outputTokens;
            started = {
              input_tokens: u.input_tokens ?? started.input_tokens,
              cache_read_input_tokens: u.cache_read_input_tokens ?? started.cache_read_input_tokens,
              cache_creation_input_tokens: u.cache_creation_input_tokens ?? started.cache_creation_input_tokens,
            };
            finish = finishOf(event.delta.stop_reason);
            stopped = stopSequenceOf(event.delta);
            break;
          }
          default:
            break;
        }
      }
    } catch (error) {
      throw this.sdk.mapError(error, true);
    }
    // Stopped by the caller (the writer, an app hanging up): the stream ends quietly without its finish. That is a
    // cancel, not a provider that broke off, and it must not count against the provider's breaker.
    if (finish === undefined) throw signal?.aborted ? new CancelledError() : this.sdk.unfinished(heard);
    yield {
      type: 'finish',
      finishReason: finish,
      ...stopped,
      usage: usageOf({ ...started, output_tokens: outputTokens }),
      warnings,
      ...(request.jsonSchema ? answerFields(readAnswer(jsonText || text, request.jsonSchema, true)) : {}),
    };
  }

  /** A minimal authenticated call that costs nothing: list the models. */
  async testKey(signal?: AbortSignal): Promise<string> {
    const { response } = await this.sdk.call(() => this.client.models.list(undefined, { signal }).withResponse());
    return response.headers.get('content-type') ?? '';
  }
}

/**
 * The forced tool's input is the answer; the API checks it is JSON but not that it matches the schema (a model may
 * leave a required field out), so it is checked here like JSON mode. Without a tool call, the text is read instead.
 */
function toolAnswer(input: unknown, text: string, json: NonNullable<GenerateRequest['jsonSchema']>): JsonReading {
  return readAnswer(input !== undefined ? JSON.stringify(input) : text, json, true);
}

/** Sampling parameters in the body, which @anthropic-ai/sdk 1.x no longer types (its API version refuses them). */
type Sampled = { temperature?: number; top_p?: number; top_k?: number };
type SampledParams = Anthropic.MessageCreateParamsNonStreaming & Sampled;

/**
 * The API version that takes sampling parameters. The one this SDK sends, 2026-10-21, refuses temperature, top_p and
 * top_k with a 400 at any value, so a request that carries one asks for 2023-06-01, which Quire's requests (text and
 * images, a forced tool, stop sequences) read the same under. Should Anthropic retire it, these calls will say so in
 * its words (a 4xx passes its reason on).
 */
const SAMPLING_API_VERSION = '2023-06-01';

function requestOptions(request: GenerateRequest, body: Sampled, signal: AbortSignal | undefined) {
  const options = callOptions(request, signal);
  const sampled = body.temperature !== undefined || body.top_p !== undefined || body.top_k !== undefined;
  return sampled ? { ...options, headers: { 'anthropic-version': SAMPLING_API_VERSION } } : options;
}

/**
 * The sampling fields the model is sent, and warnings for what it is not. Anthropic takes no seed and no repetition
 * penalties; temperature runs 0–1 (OpenAI's to 2: more goes as 1); its newer models take temperature or top_p, not
 * both (temperature goes); and a model that takes none (`sampling: false`, Claude Opus 4.7 and later, which refuse
 * them as extended thinking does — Quire never asks for that) is sent none.
 */
function samplingOf(request: GenerateRequest, accepts: boolean): { fields: Sampled; warnings: string[] } {
  const { topP, topK, frequencyPenalty, presencePenalty } = request.sampling ?? {};
  const temperature = request.temperature;
  const warnings = [
    ...notSupported({ seed: request.seed }, 'Anthropic'),
    ...notSupported({ frequency_penalty: frequencyPenalty, presence_penalty: presencePenalty }, 'Anthropic'),
  ];
  if (!accepts) {
    warnings.push(...notSupported({ temperature, top_p: topP, top_k: topK }, 'this model'));
    return { fields: {}, warnings };
  }
  const fields: Sampled = {};
  if (temperature !== undefined) {
    fields.temperature = Math.min(temperature, 1);
    if (temperature > 1) warnings.push(`temperature ${temperature} is past Anthropic's range; sent as 1`);
    if (topP !== undefined)
      warnings.push('top_p is not sent with temperature (Anthropic models take one of them); ignored');
  } else if (topP !== undefined) fields.top_p = topP;
  if (topK !== undefined) fields.top_k = topK;
  return { fields, warnings };
}

function usageOf(usage: AnthropicUsageLike | undefined): Usage {
  if (!usage || typeof usage.input_tokens !== 'number') {
    return { inputTokens: undefined, outputTokens: usage?.output_tokens ?? undefined };
  }
  const cached = usage.cache_read_input_tokens ?? 0;
  const written = usage.cache_creation_input_tokens ?? 0;
  return {
    inputTokens: usage.input_tokens + cached + written,
    outputTokens: usage.output_tokens ?? undefined,
    cachedInputTokens: cached,
    cacheWriteTokens: written,
  };
}

/** The stop sequence Anthropic says the answer ended at (stop_reason `stop_sequence`). */
function stopSequenceOf(end: { stop_reason: string | null; stop_sequence: string | null }): { stopSequence?: string } {
  return end.stop_reason === 'stop_sequence' && end.stop_sequence ? { stopSequence: end.stop_sequence } : {};
}

function finishOf(reason: string | null | undefined): FinishReason {
  switch (reason) {
    case 'end_turn':
    case 'stop_sequence':
      return 'stop';
    case 'max_tokens':
      return 'length';
    case 'tool_use':
      return 'tool_calls';
    // Anthropic's safety classifiers stopped the answer (it gives no words of its own): its content filter.
    case 'refusal':
      return 'content_filter';
    default:
      return 'other';
  }
}
