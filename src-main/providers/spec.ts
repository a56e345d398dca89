// The one small spec every backend implements (cloud SDKs and node-llama-cpp alike), after the Vercel AI SDK's
// language-model spec: usage counts are numbers or undefined, never guessed; unsupported options become warnings.
import type { ImageMediaType } from '../../src-preload/contract/images';
import type { ReasoningEffort } from '../../src-preload/contract/tasks';
import type { Usage } from '../orchestrator/usage';

// Usage is defined beside the pricing that reads it, below the providers, and is part of this spec.
export type { Usage };

export type ChatRole = 'system' | 'user' | 'assistant';

export interface ChatMessage {
  role: ChatRole;
  content: string;
}

/** An image sent with the request: the file in base64, its type and pixel size (what it is priced by). */
export interface RequestImage {
  media_type: ImageMediaType;
  data_base64: string;
  width: number;
  height: number;
  /** SHA-256 of the file's bytes (hex): how caches and records tell images apart without keeping them. */
  sha256: string;
}

export interface GenerateRequest {
  messages: ChatMessage[];
  /**
   * Images that go with the last user message (before its text). Only a model that can see images is ever sent any:
   * ProviderService refuses them for any other, before a call.
   */
  images?: readonly RequestImage[];
  /**
   * The most output tokens the call may produce; also what the ledger reserves for. A reasoning model's thinking
   * counts towards them: a task run adds its room to think to the answer's allowance (orchestrator/thinking.ts).
   */
  maxOutputTokens: number;
  /**
   * How hard a reasoning model is asked to think (set with that room): sent as `reasoning_effort` where the provider
   * takes one (the provider table's reasoning_effort), never elsewhere.
   */
  reasoningEffort?: ReasoningEffort;
  temperature?: number;
  seed?: number;
  /** Sampling beyond temperature, as a caller asked for it: sent where the provider takes each, else a warning. */
  sampling?: Sampling;
  /** Stop sequences: the answer ends before the first of them the model would write. */
  stop?: readonly string[];
  /** Structured output: OpenAI json_schema, Anthropic tool use, a grammar locally. */
  jsonSchema?: JsonSchemaRequest;
  /**
   * A local model's prose only: when the prompt, as the model counts it, leaves its context less room than
   * maxOutputTokens, the answer is shortened to that room, down to this many tokens (LOCAL_SHORTENED_WARNING says to
   * what); below it the call is refused with the numbers. Unset: refused whenever maxOutputTokens does not fit.
   */
  leastOutputTokens?: number;
  /**
   * The call's reservation on disk: the SDK prepares the request meanwhile, but no byte is sent before this settles
   * (and none at all when it rejects). See client-options.ts.
   */
  sendAfter?: Promise<void>;
  /**
   * Told as the request's fetch begins (after `sendAfter`, its signal not aborted): until then nothing has reached the
   * provider, so a call stopped before it can have billed nothing. See client-options.ts.
   */
  onSend?: () => void;
}

/** Nucleus and top-k sampling (OpenAI's top_p, Anthropic's top_p and top_k) and OpenAI's repetition penalties. */
export interface Sampling {
  topP?: number;
  topK?: number;
  frequencyPenalty?: number;
  presencePenalty?: number;
}

/** An answer's JSON Schema, by name. JSON mode (any one object, no shape asked) is json-answer.ts's JSON_OBJECT. */
export interface JsonSchemaRequest {
  name: string;
  schema: Record<string, unknown>;
  /**
   * `false`: the provider follows the schema as well as it can, without being held to it (OpenAI's json_schema without
   * `strict`, its default): an app's own schema that did not ask for strict mode, which a schema not written for it
   * (every object closed, every property required) would fail. Absent: strict — Quire's own answer schemas are
   * written for it (tasks/answer-schema.ts).
   */
  strict?: boolean;
}

/**
 * Why the answer ended. `length`: it reached maxOutputTokens (a reasoning model's thinking counts towards them);
 * `content_filter`: the provider's filter stopped it (OpenAI's finish_reason, Anthropic's stop_reason `refusal`), the
 * text being what came before.
 */
export type FinishReason = 'stop' | 'length' | 'content_filter' | 'tool_calls' | 'other';

/** What a call answered, whole or as a stream's finish, besides its text. */
export interface Finished {
  finishReason: FinishReason;
  /**
   * The stop sequence the answer ended at (finishReason `stop`), where the model says which: Anthropic's
   * `stop_sequence`, a local model's stop trigger, an OpenAI-compatible server's `stop_reason` (vLLM's). OpenAI's own
   * API says only "stop", for a stop sequence or the model's own end: undefined then, as for an answer that ended
   * otherwise.
   */
  stopSequence?: string;
  usage: Usage;
  warnings: string[];
  /** Parsed JSON when a jsonSchema was requested. */
  json?: unknown;
  /** A jsonSchema was requested and the answer could not be read as it (the text and usage are still here). */
  jsonError?: string;
  /** The model declined to answer, in its own words (OpenAI's `refusal`): there is no answer, whatever the text. */
  refusal?: string;
}

export interface GenerateResult extends Finished {
  text: string;
}

export type StreamPart =
  | { type: 'text-delta'; text: string }
  /**
   * Local models only: where the call stands before its first token. `queue_position` ≥ 1 while it waits its turn on
   * the model (1 = next); `generating` once the model starts on it (loading and queueing are over).
   */
  | { type: 'status'; queue_position: number | null; generating: boolean }
  | ({ type: 'finish' } & Finished);

export interface LanguageModel {
  /** e.g. "openai", "anthropic", "deepseek", "local", or a custom endpoint's id. */
  readonly provider: string;
  /** The registry model id this instance serves. */
  readonly modelId: string;
  generate(request: GenerateRequest, signal?: AbortSignal): Promise<GenerateResult>;
  /** Yields text deltas and ends with one finish part; a failure mid-stream throws a ProviderError. */
  stream(request: GenerateRequest, signal?: AbortSignal): AsyncIterable<StreamPart>;
}
