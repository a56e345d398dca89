import { deadEndFetch } from './dead-end-fetch';
import { guardedFetch } from './provider-errors';
import type { GenerateRequest } from './spec';

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
  /** The provider takes `reasoning_effort` (the provider table's reasoning_effort): a request's effort is sent. */
  reasoningEffort?: boolean;
  /**
   * False: the model takes no sampling parameters (registry `capabilities.sampling`; Claude Opus 4.7 and later refuse
   * temperature, top_p and top_k): it is sent none, and the call warns of them.
   */
  sampling?: boolean;
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
    fetch: heldFetch(guardedFetch(options.maxRetryAfterS, deadEndFetch(options.fetch))),
  };
}

/** The request options that carry {@link GenerateRequest.sendAfter} and {@link GenerateRequest.onSend} to the fetch. */
const SEND_AFTER = 'quireSendAfter';
const ON_SEND = 'quireOnSend';

/**
 * A call's per-request SDK options: its signal and, when the call's reservation is still on its way to disk, the
 * promise the fetch waits for. The SDK builds the request meanwhile (its work overlaps the fsync), and the first byte
 * leaves only once the reservation is on disk.
 */
export function callOptions(
  request: GenerateRequest,
  signal: AbortSignal | undefined,
): { signal?: AbortSignal; fetchOptions?: Record<never, never> } {
  const options = signal ? { signal } : {};
  if (!request.sendAfter && !request.onSend) return options;
  // Not RequestInit members: the SDKs pass their fetchOptions through to the fetch, which takes them off (heldFetch).
  const carried = {
    ...(request.sendAfter ? { [SEND_AFTER]: request.sendAfter } : {}),
    ...(request.onSend ? { [ON_SEND]: request.onSend } : {}),
  };
  return { ...options, fetchOptions: carried as Record<never, never> };
}

/**
 * Waits for a request's {@link SEND_AFTER} before sending it. Rejected (the disk failed), the request is not sent: the
 * caller aborts the call's signal first, so the SDK gives up without retrying. {@link ON_SEND} hears when a request
 * really goes (its signal not aborted by then): a call stopped before that sent nothing.
 */
function heldFetch(base: typeof fetch): typeof fetch {
  return async (input, init) => {
    const carried = init as Record<string, unknown> | undefined;
    const gate = carried?.[SEND_AFTER] as Promise<void> | undefined;
    const onSend = carried?.[ON_SEND] as (() => void) | undefined;
    if (!gate && !onSend) return base(input, init);
    const { [SEND_AFTER]: _gate, [ON_SEND]: _onSend, ...rest } = carried!;
    if (gate) await gate;
    const sending = rest as RequestInit;
    // The fetch refuses an aborted signal before opening a connection: then nothing leaves.
    if (!sending.signal?.aborted) onSend?.();
    return base(input, sending);
  };
}
