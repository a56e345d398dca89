// Maps what the official SDKs throw into Quire's errors, with a say on billing: an HTTP error answer or a refused
// connection costs nothing, while a call that broke after the provider accepted it may have been billed.
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { CancelledError, ProviderError, QuireError, RateLimitedError, TimeoutError, isQuireError } from '../errors';

/** Whether a failed call may still have been billed by the provider. */
export type Billing = 'none' | 'unknown';

const billingOf = new WeakMap<Error, Billing>();

export function markBilling<E extends Error>(error: E, billing: Billing): E {
  billingOf.set(error, billing);
  return error;
}

/** 'unknown' unless the failure is known to have cost nothing (the ledger then keeps the reservation). */
export function billingOfError(error: unknown): Billing {
  if (error instanceof Error) {
    const marked = billingOf.get(error);
    if (marked) return marked;
    if (isQuireError(error) && ['circuit_open', 'budget_exceeded', 'unavailable', 'invalid_input'].includes(error.code))
      return 'none';
  }
  return 'unknown';
}

interface SdkErrorLike {
  name?: string;
  status?: number;
  headers?: Headers;
  message?: string;
}

/** Retry-After in seconds (delta-seconds or an HTTP date), undefined when absent or unreadable. */
export function retryAfterSeconds(headers: Headers | undefined, now: () => number = Date.now): number | undefined {
  const ms = headers?.get('retry-after-ms');
  if (ms && Number.isFinite(Number(ms))) return Number(ms) / 1000;
  const value = headers?.get('retry-after');
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return seconds;
  const date = Date.parse(value);
  return Number.isFinite(date) ? Math.max(0, (date - now()) / 1000) : undefined;
}

export function mapSdkError(provider: string, error: unknown, options: { maxRetryAfterS: number }): QuireError {
  if (isQuireError(error)) return error;
  const e = (error ?? {}) as SdkErrorLike;
  const name = sdkErrorName(error) ?? e.name ?? '';
  const detail = (e.message ?? String(error)).slice(0, 300);
  if (name === 'APIUserAbortError' || name === 'AbortError') return markBilling(new CancelledError(), 'unknown');
  if (name === 'APIConnectionTimeoutError') {
    return markBilling(new TimeoutError(`${provider} did not answer in time`, error), 'unknown');
  }
  if (name === 'APIConnectionError') {
    // No HTTP answer at all: refused, reset before headers, DNS failure. Nothing was billed if nothing connected;
    // a reset after the request was sent is counted as unknown.
    const refused = /ECONNREFUSED|ENOTFOUND|EAI_AGAIN/.test(String(causeChain(error)));
    return markBilling(
      new ProviderError(provider, `Cannot reach ${provider}: ${detail}`, { retryable: true, cause: error }),
      refused ? 'none' : 'unknown',
    );
  }
  if (typeof e.status === 'number') {
    const status = e.status;
    if (status === 429) {
      const after = retryAfterSeconds(e.headers);
      const message =
        after !== undefined && after > options.maxRetryAfterS
          ? `${provider} is rate-limiting Quire and asked to wait ${formatWait(after)}; Quire does not wait that long and moves on.`
          : `${provider} is rate-limiting Quire; try again shortly.`;
      return markBilling(new RateLimitedError(provider, message, after, error), 'none');
    }
    if (status === 401 || status === 403) {
      return markBilling(
        new ProviderError(provider, `${provider} refused the API key (HTTP ${status}).`, {
          retryable: false,
          status,
          cause: error,
        }),
        'none',
      );
    }
    if (status === 408) return markBilling(new TimeoutError(`${provider} timed out (HTTP 408)`, error), 'none');
    return markBilling(
      new ProviderError(provider, `${provider} answered HTTP ${status}: ${detail}`, {
        retryable: status >= 500 || status === 409,
        status,
        cause: error,
      }),
      'none',
    );
  }
  return markBilling(
    new ProviderError(provider, `${provider} sent a response Quire cannot read: ${detail}`, { cause: error }),
    'unknown',
  );
}

function sdkErrorName(error: unknown): string | undefined {
  // Subclasses first: a timeout is also a connection error, an abort is also an APIError.
  if (error instanceof OpenAI.APIUserAbortError || error instanceof Anthropic.APIUserAbortError)
    return 'APIUserAbortError';
  if (error instanceof OpenAI.APIConnectionTimeoutError || error instanceof Anthropic.APIConnectionTimeoutError)
    return 'APIConnectionTimeoutError';
  if (error instanceof OpenAI.APIConnectionError || error instanceof Anthropic.APIConnectionError)
    return 'APIConnectionError';
  return undefined;
}

function formatWait(seconds: number): string {
  return seconds >= 120 ? `${Math.round(seconds / 60)} minutes` : `${Math.round(seconds)} s`;
}

function causeChain(error: unknown): string {
  const parts: string[] = [];
  let current: unknown = error;
  for (let i = 0; i < 5 && current; i++) {
    const c = current as { message?: string; code?: string; cause?: unknown };
    parts.push(`${c.code ?? ''} ${c.message ?? ''}`);
    current = c.cause;
  }
  return parts.join(' | ');
}

/**
 * A fetch for the SDKs: a 429 whose Retry-After is longer than Quire will wait gets `x-should-retry: false`, so the
 * SDK fails fast instead of sleeping (Anthropic's client would honour up to an hour).
 */
export function guardedFetch(maxRetryAfterS: number, base: typeof fetch = fetch): typeof fetch {
  return async (input, init) => {
    const response = await base(input, init);
    if (response.status !== 429) return response;
    const after = retryAfterSeconds(response.headers);
    if (after === undefined || after <= maxRetryAfterS) return response;
    const headers = new Headers(response.headers);
    headers.set('x-should-retry', 'false');
    return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
  };
}
