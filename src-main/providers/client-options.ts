import { deadEndFetch } from './dead-end-fetch';
import { guardedFetch } from './provider-errors';

/** How an adapter's SDK client is built: explicit retries and timeout, never the SDK defaults by accident. */
export interface ClientOptions {
  /** The provider name used in errors, health and the ledger ("openai", "anthropic", an endpoint id…). */
  provider: string;
  /** The registry model id this instance serves. */
  modelId: string;
  /** The id sent to the API. */
  apiModelId: string;
  baseURL?: string;
  apiKey?: string;
  /**
   * The SDK's own retries (429/5xx with backoff, Retry-After honoured); Quire adds no loop on top. A connection that
   * cannot succeed on a retry (refused, unknown host, untrusted certificate) is never retried: see dead-end-fetch.ts.
   */
  maxRetries: number;
  /** Per-attempt timeout, ms. */
  timeoutMs: number;
  /** A 429 asking to wait longer than this fails fast. */
  maxRetryAfterS: number;
  /** o-series: max_completion_tokens, no temperature. */
  reasoning?: boolean;
  /**
   * OpenAI-compatible servers: how structured output is asked for (the provider table's json_mode). `json_object`:
   * JSON mode, with the schema in the instruction and the answer validated here. Default `json_schema`.
   */
  jsonMode?: 'json_schema' | 'json_object';
  fetch?: typeof fetch;
}

/** The options both official SDK clients (openai, @anthropic-ai/sdk) take, built the same way for every adapter. */
export function sdkClientOptions(options: ClientOptions) {
  return {
    // Local servers take any key; the SDKs refuse to start without one.
    apiKey: options.apiKey ?? 'no-key',
    baseURL: options.baseURL ?? null,
    maxRetries: options.maxRetries,
    timeout: options.timeoutMs,
    fetch: guardedFetch(options.maxRetryAfterS, deadEndFetch(options.fetch)),
  };
}
