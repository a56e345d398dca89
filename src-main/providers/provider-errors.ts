// Maps what the official SDKs throw into Quire's errors, with billing set on the error itself: an HTTP error answer
// or a request that never left costs nothing, while a call that broke after the provider accepted it may have been
// billed (the ledger then keeps the reservation).
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import {
  CancelledError,
  ProviderError,
  QuireError,
  RateLimitedError,
  TimeoutError,
  isQuireError,
  type Billing,
} from '../errors';
import { keyShapesRegExp, providerLabel } from '../../src-preload/contract/provider-table';
import { Redactor } from '../keys/redactor';
import { unsentErrorOf } from './dead-end-fetch';
import { connectionFailure } from './connection-failure';

/** The one reader of billing: `unknown` unless the error says the call cost nothing. */
export function billingOfError(error: unknown): Billing {
  return isQuireError(error) ? error.billing : 'unknown';
}

export interface MapOptions {
  maxRetryAfterS: number;
  /** The address called, for messages about failures that never reached it. */
  baseURL?: string | undefined;
  /** The provider had already accepted the call (a stream broke): whatever happened, it may have billed. */
  accepted?: boolean;
}

interface SdkErrorLike {
  name?: string;
  status?: number;
  headers?: Headers;
  message?: string;
  /** The SDKs' APIError: the body's error (OpenAI), or the whole body (Anthropic). */
  error?: unknown;
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

export function mapSdkError(provider: string, error: unknown, options: MapOptions): QuireError {
  if (isQuireError(error)) {
    if (!options.accepted || error.billing === 'unknown') return error;
    return new ProviderError(provider, error.message, { cause: error, billing: 'unknown' });
  }
  const e = (error ?? {}) as SdkErrorLike;
  const name = sdkErrorName(error) ?? e.name ?? '';
  // The provider as a writer knows it ("OpenAI", "Your endpoint “atlas”"); `provider` stays the id on the error.
  const label = providerLabel(provider);
  const who = label.charAt(0).toUpperCase() + label.slice(1);
  // What the provider said in its own words, only when it is a clean short sentence; its raw body never (the error
  // keeps it as its cause, which the run's log records).
  const said = providerSaid(e);
  // An HTTP answer or a request that never left bills nothing; once accepted, a broken call may have.
  const answered: Billing = options.accepted ? 'unknown' : 'none';
  if (name === 'APIUserAbortError' || name === 'AbortError') return new CancelledError();
  if (name === 'APIConnectionTimeoutError') return new TimeoutError(`${who} did not answer in time`, error);
  // A request that never left, answered by deadEndFetch so the SDK would not retry it: still a connection failure.
  const unsent = unsentErrorOf(e.headers);
  if (name === 'APIConnectionError' || unsent) {
    const failure = connectionFailure(label, unsent ?? error, options.baseURL);
    const billing = options.accepted ? 'unknown' : failure.billing;
    // The ledger keeps such a call's reservation as its cost (ledger.ts): the writer is told why it cost anything.
    const message =
      billing === 'unknown'
        ? `${failure.message} The request may have reached ${label} and been charged, so Quire counts the call at the most it could have cost.`
        : failure.message;
    return new ProviderError(provider, message, { retryable: true, cause: error, billing });
  }
  if (typeof e.status === 'number') {
    const status = e.status;
    // An account out of credit is answered 402 (OpenRouter, DeepSeek) or, by OpenAI, 429 insufficient_quota: waiting
    // does not help, topping up does.
    if (status === 402 || (status === 429 && bodyCode(e) === 'insufficient_quota')) {
      return new ProviderError(
        provider,
        `${who} says the account's credit or quota is used up. Add credit on ${label}'s website, or pick another model.`,
        { retryable: false, status, cause: error, billing: answered, advised: true },
      );
    }
    if (status === 429) {
      const after = retryAfterSeconds(e.headers);
      const message =
        after !== undefined && after > options.maxRetryAfterS
          ? `${who} is rate-limiting Quire and asked to wait ${formatWait(after)}; Quire does not wait that long and moves on. Try again then, or pick another model.`
          : `${who} is rate-limiting Quire (too many requests for now): try again in a minute, or pick another model.`;
      return new RateLimitedError(provider, message, after, error, true);
    }
    if (status === 401 || status === 403) {
      // Its status means nothing to a writer; what the key may be, and where it is changed, does.
      const why = status === 401 ? 'it may be mistyped, revoked or expired' : 'it may not be allowed to use this model';
      return new ProviderError(
        provider,
        `${who} refused the API key Quire has for it: ${why}. Check the key for ${label} in Settings → AI Intelligence, or pick another model.`,
        { retryable: false, status, cause: error, billing: answered, advised: true, fixIn: 'settings' },
      );
    }
    if (status === 408) return new TimeoutError(`${who} timed out (HTTP 408)`, error, answered);
    // Turned down, the request is what is wrong: whoever sent it (an app through the gateway) needs the reason to fix it.
    const reason = status >= 500 ? said : refusalReason(e);
    const what =
      status >= 500 ? `had a problem on its side (HTTP ${status})` : `turned down the request (HTTP ${status})`;
    return new ProviderError(provider, `${who} ${what}${reason ? `: ${reason}` : '.'}`, {
      retryable: status >= 500 || status === 409,
      status,
      cause: error,
      billing: answered,
    });
  }
  // A 200 whose body does not parse: a whole answer, but not from a model (a proxy's page, a misconfigured server).
  if (error instanceof SyntaxError) return notAnAnswer(provider, error, options.accepted === true);
  if (options.accepted) {
    // The provider had started answering and the connection broke (undici calls it "terminated").
    return new ProviderError(
      provider,
      `The connection to ${label} was cut off mid-answer. ${who} may have billed what it had generated, so Quire counts the call at the most it could have cost.`,
      { cause: error, billing: 'unknown' },
    );
  }
  return new ProviderError(provider, `${who} sent a response Quire cannot read.`, { cause: error });
}

/** Opaque strings (keys, tokens, ids) and anything that is not prose: never repeated to the writer. */
const LONG_TOKEN = /[A-Za-z0-9_-]{24,}/;
const SENTENCE = /^\p{Lu}[\p{L}\p{N} ,.'’:;()!?%-]*$/u;

/**
 * The provider's own error message (OpenAI's body `error.message`, Anthropic's `error.error.message`) as a quoted
 * sentence — only when it is one: short, starting with a capital, at least two words, prose characters only, no URL,
 * no key or other long token. Null otherwise ("boom", a JSON or HTML body, "model_not_found").
 */
export function providerSaid(error: { error?: unknown }): string | null {
  return cleanSentence(bodyMessage(error));
}

/** The provider's code for its error (OpenAI's body `error.code`, Anthropic's `error.error.type`), when it gives one. */
function bodyCode(error: { error?: unknown }): string | null {
  const body = error.error as { code?: unknown; type?: unknown; error?: { type?: unknown } } | null | undefined;
  const code = body?.code ?? body?.type ?? body?.error?.type;
  return typeof code === 'string' ? code : null;
}

/** The message of the provider's JSON error body (OpenAI's `error.message`, Anthropic's `error.error.message`). */
function bodyMessage(error: { error?: unknown }): string | null {
  const body = error.error as { message?: unknown; error?: { message?: unknown } } | null | undefined;
  return typeof body?.message === 'string'
    ? body.message
    : typeof body?.error?.message === 'string'
      ? body.error.message
      : null;
}

function cleanSentence(text: string | null): string | null {
  const sentence = text?.trim() ?? '';
  if (sentence.length === 0 || sentence.length > 160) return null;
  if (!SENTENCE.test(sentence) || !/\s/.test(sentence) || /https?:|www\./i.test(sentence)) return null;
  if (LONG_TOKEN.test(sentence) || new RegExp(keyShapesRegExp().source).test(sentence)) return null;
  return quoted(sentence);
}

/** The longest refusal reason passed on (characters): OpenAI's schema errors run to a few hundred. */
const REASON_CHARS = 500;
const keyMask = new Redactor();

/**
 * Why a provider turned a request down (a 4xx), in its own words, whatever they are (a parameter's name, a schema
 * rule): the request's sender can act on nothing less. On one line and cut when long; anything shaped like a key is
 * masked here, and every key Quire knows by the run's redactor before it is stored or sent. Null when the body was not
 * the provider's JSON error (a proxy's page).
 */
function refusalReason(error: { error?: unknown }): string | null {
  const text = keyMask
    .redact(bodyMessage(error) ?? '')
    .replace(/\s+/g, ' ')
    .trim();
  if (text.length <= REASON_CHARS) return text.length > 0 ? quoted(text) : null;
  const space = text.lastIndexOf(' ', REASON_CHARS);
  return quoted(`${text.slice(0, space > 0 ? space : REASON_CHARS)}…`);
}

function quoted(text: string): string {
  return `“${/[.!?…]$/.test(text) ? text : `${text}.`}”`;
}

/**
 * A 200 whose JSON carries an error and no answer (a gateway whose upstream failed, such as OpenRouter's "Provider
 * returned error"): the provider's error, said as such. Null for anything else.
 */
function jsonErrorBody(provider: string, body: unknown, cause?: unknown): ProviderError | null {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return null;
  const record = body as Record<string, unknown>;
  if (record.error === undefined || record.error === null || 'choices' in record || 'content' in record) return null;
  const label = providerLabel(provider);
  const who = label.charAt(0).toUpperCase() + label.slice(1);
  const error = record.error;
  const said =
    typeof error === 'string' ? cleanSentence(error) : providerSaid({ error: error as { message?: unknown } });
  return new ProviderError(
    provider,
    `${who} answered with an error instead of an answer${said ? `: ${said}` : '.'}`,
    // It had accepted the call: whether it billed anything is unknown.
    { cause: cause ?? new Error(JSON.stringify(body).slice(0, 2000)), billing: 'unknown' },
  );
}

/** A provider that answered, but with something no model sends: Quire cannot read it. */
function notAnAnswer(provider: string, cause: unknown, accepted: boolean): ProviderError {
  const label = providerLabel(provider);
  const who = label.charAt(0).toUpperCase() + label.slice(1);
  return new ProviderError(
    provider,
    `${who} answered with something that is not a model's answer (not JSON), so Quire could not read it.`,
    { cause, ...(accepted ? { billing: 'unknown' as const } : {}) },
  );
}

/** Whether `error` is one of the SDKs' own (an HTTP answer, a connection that failed or was stopped): mapSdkError's. */
export function isSdkError(error: unknown): boolean {
  return (
    sdkErrorName(error) !== undefined || (error instanceof Error && typeof (error as SdkErrorLike).status === 'number')
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

/**
 * One adapter's SDK calls with their failures mapped into Quire's errors (the SDKs' own errors, a connection that
 * never opened, a stream cut midway), for the provider and limits its client was built with.
 */
export class SdkCalls {
  constructor(private readonly options: { provider: string; maxRetryAfterS: number; baseURL?: string }) {}

  /**
   * Awaits one SDK request; its failure is thrown as a Quire error. A 200 whose JSON is an error (the SDKs take any
   * 200 as an answer) is one too: whole, or where a stream was asked for.
   */
  async call<T>(request: () => Promise<T>): Promise<T> {
    let result: T;
    try {
      result = await request();
    } catch (error) {
      throw this.mapError(error);
    }
    if (result instanceof Response) return (await this.streamOrError(result)) as T;
    const failed = jsonErrorBody(this.options.provider, result);
    if (failed) throw failed;
    return result;
  }

  /**
   * A streamed answer's response, unless it is a JSON error where the event stream should be: that is thrown as the
   * provider's error. Anything else is handed back with its body as it came.
   */
  private async streamOrError(response: Response): Promise<Response> {
    const type = response.headers.get('content-type') ?? '';
    if (!/json/i.test(type) || /event-stream/i.test(type)) return response;
    let text: string;
    try {
      text = await response.text();
    } catch (error) {
      throw this.mapError(error, true);
    }
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      body = undefined;
    }
    const failed = jsonErrorBody(this.options.provider, body, new Error(text.slice(0, 2000)));
    if (failed) throw failed;
    return new Response(text, { status: response.status, statusText: response.statusText, headers: response.headers });
  }

  /** `accepted`: the provider had taken the call when it broke (a stream cut midway). */
  mapError(error: unknown, accepted = false): QuireError {
    return mapSdkError(this.options.provider, error, {
      maxRetryAfterS: this.options.maxRetryAfterS,
      baseURL: this.options.baseURL,
      accepted,
    });
  }

  /**
   * A stream that ended without saying why it finished. `heard`: whether any event of a stream came at all; a body
   * without one was no model's answer (a JSON or HTML page where the event stream should be).
   */
  unfinished(heard: boolean): ProviderError {
    if (!heard) return notAnAnswer(this.options.provider, undefined, true);
    const who = providerLabel(this.options.provider);
    return new ProviderError(
      this.options.provider,
      `${who.charAt(0).toUpperCase()}${who.slice(1)} ended its answer before finishing it.`,
    );
  }
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
