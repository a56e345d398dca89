// Errors as the apps' own clients understand them: OpenAI's `{ error: { message, type, param, code } }` and
// Anthropic's `{ type: 'error', error: { type, message } }`, with the HTTP status each SDK branches on. A Quire error
// (over budget, provider down) maps onto the nearest status; the message is always written for the writer.
import type { ServerResponse } from 'node:http';
import type { z } from 'zod';
import type { ErrorCode } from '../../src-preload/contract';
import { bytesText } from '../../src-preload/contract/bytes-text';
import { isQuireError } from '../errors';

export type WireApi = 'openai' | 'anthropic';

export interface WireErrorInit {
  status: number;
  /** OpenAI `error.type` / `error.code`. */
  openaiType: string;
  openaiCode: string | null;
  /** Anthropic `error.type`. */
  anthropicType: string;
  /** The SDKs retry 408/409/429/5xx unless told not to: a refusal that a retry cannot fix says so. */
  retry: boolean;
  param?: string;
}

/** A refusal on the wire (not a domain error): a status and both APIs' shapes. */
export class WireError extends Error {
  constructor(
    message: string,
    readonly init: WireErrorInit,
  ) {
    super(message);
    this.name = 'WireError';
  }
}

const base = (status: number, openaiType: string, openaiCode: string | null, anthropicType: string, retry = false) => ({
  status,
  openaiType,
  openaiCode,
  anthropicType,
  retry,
});

export const wire = {
  invalid: (message: string, param?: string) =>
    new WireError(message, {
      ...base(400, 'invalid_request_error', null, 'invalid_request_error'),
      ...(param ? { param } : {}),
    }),
  unauthorized: (message: string) =>
    new WireError(message, base(401, 'invalid_request_error', 'invalid_api_key', 'authentication_error')),
  forbidden: (message: string) => new WireError(message, base(403, 'permission_error', null, 'permission_error')),
  /** The route exists but answers another method (the caller sets the Allow header). */
  wrongMethod: (message: string) =>
    new WireError(message, base(405, 'invalid_request_error', 'method_not_allowed', 'invalid_request_error')),
  notFound: (message: string, code = 'not_found') =>
    new WireError(message, base(404, 'invalid_request_error', code, 'not_found_error')),
  modelNotFound: (model: string) =>
    new WireError(
      `The model "${model}" does not exist in Quire. GET /v1/models lists the names it knows (quire/auto, quire/<tier>, quire/<task> or a model id).`,
      { ...base(404, 'invalid_request_error', 'model_not_found', 'not_found_error'), param: 'model' },
    ),
  /**
   * The text is longer than the model reads at once: OpenAI's own answer to that (400, `context_length_exceeded` on
   * `messages`; Anthropic's is a 400 invalid_request_error), which apps that trim their conversation look for.
   */
  contextLength: (message: string) =>
    new WireError(message, {
      ...base(400, 'invalid_request_error', 'context_length_exceeded', 'invalid_request_error'),
      param: 'messages',
    }),
  tooLarge: (limit: number) =>
    new WireError(
      `The request body is larger than ${bytesText(limit)}, the gateway's limit.`,
      base(413, 'invalid_request_error', 'request_too_large', 'request_too_large'),
    ),
  /** Over the writer's budget or the app's own cap: OpenAI's insufficient_quota, which clients do not retry. */
  quota: (message: string) =>
    new WireError(message, base(429, 'insufficient_quota', 'insufficient_quota', 'rate_limit_error')),
  busy: (message: string) =>
    new WireError(message, base(429, 'requests', 'rate_limit_exceeded', 'rate_limit_error', true)),
};

/**
 * A request its schema refused, said in plain words naming the field (zod's own wording, "Invalid input: expected
 * number, received undefined", means nothing to the app's developer). `required` completes "<field> is required" for
 * fields whose absence needs explaining.
 */
export function invalidRequest(body: unknown, issue: z.core.$ZodIssue, required: Record<string, string> = {}) {
  const param = issue.path.join('.');
  return wire.invalid(issueText(body, issue, required), param || undefined);
}

const TYPE_NAMES: Record<string, string> = {
  number: 'a number',
  int: 'a whole number',
  string: 'a string',
  boolean: 'true or false',
  array: 'a list',
  object: 'a JSON object',
};

function issueText(body: unknown, issue: z.core.$ZodIssue, required: Record<string, string>): string {
  const param = issue.path.join('.');
  const name = param || 'The request';
  // Messages written for this gateway (its schemas' own) already name their field.
  if (param && issue.message.startsWith(`${param}:`)) return issue.message;
  switch (issue.code) {
    case 'invalid_type':
      if (param && valueAt(body, issue.path) === undefined) return `${name} is required${required[param] ?? '.'}`;
      return `${name} must be ${TYPE_NAMES[issue.expected] ?? issue.expected}.`;
    case 'invalid_value':
      return `${name} must be one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}.`;
    case 'invalid_union': {
      // zod says only that no form fit; the form whose type the value has says what is wrong with it (`stop`: a list,
      // past its 4 items).
      const fitting = issue.errors.filter(
        (form) => !form.every((i) => i.code === 'invalid_type' && i.path.length === 0),
      );
      const inner = fitting.length === 1 ? fitting[0]![0] : undefined;
      if (!inner) return `${name} is not in a form this API accepts.`;
      return issueText(body, { ...inner, path: [...issue.path, ...inner.path] } as z.core.$ZodIssue, required);
    }
    case 'too_small':
      return issue.origin === 'array'
        ? `${name} must have at least ${issue.minimum} item${Number(issue.minimum) === 1 ? '' : 's'}.`
        : issue.origin === 'string'
          ? `${name} must not be empty.`
          : `${name} must be at least ${issue.minimum}.`;
    case 'too_big':
      return issue.origin === 'array'
        ? `${name} may have at most ${issue.maximum} items.`
        : issue.origin === 'string'
          ? textTooLong(name, Number(issue.maximum))
          : `${name} must be at most ${issue.maximum}.`;
    default:
      return `${name}: ${issue.message}`;
  }
}

function textTooLong(name: string, most: number): string {
  return `${name} may be at most ${most.toLocaleString('en-US')} characters long.`;
}

/** A text of the request (a message, the system prompt) longer than a run takes: refused, naming it. */
export function checkTextLength(text: string, param: string, most: number): string {
  if (text.length > most) throw wire.invalid(textTooLong(param, most), param);
  return text;
}

function valueAt(body: unknown, path: PropertyKey[]): unknown {
  let value = body;
  for (const key of path) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}

/** Any error a call ended with, as the wire shows it. */
export function toWireError(error: unknown): WireError {
  if (error instanceof WireError) return error;
  if (isQuireError(error)) {
    // Too long for the model, and not a call that failed past that (every model tried): the app's text to shorten.
    if (error.tooLong && !error.retryable) return wire.contextLength(error.message);
    return fromCode(error.code, error.message, error.retryable);
  }
  return new WireError(
    'Quire could not answer this request (an internal error).',
    base(500, 'server_error', null, 'api_error'),
  );
}

function fromCode(code: ErrorCode, message: string, retryable: boolean): WireError {
  switch (code) {
    case 'budget_exceeded':
      return wire.quota(message);
    case 'invalid_input':
    case 'payload_too_large':
    case 'unknown_channel':
      // A request that is wrong stays wrong however often it is sent. One a retry may get past was not refused for
      // itself: every model tried failed, the last on its own refusal (a local model the text did not fit), and a
      // 400 would tell the app its request was at fault and its SDK not to try again.
      return retryable ? modelFailure(message, 'provider_error', retryable) : wire.invalid(message);
    case 'not_found':
      return wire.notFound(message);
    case 'forbidden':
      return wire.forbidden(message);
    case 'conflict':
      return new WireError(message, base(409, 'invalid_request_error', 'conflict', 'invalid_request_error'));
    case 'rate_limited':
      return wire.busy(message);
    case 'timeout':
      return new WireError(message, base(504, 'server_error', 'timeout', 'api_error', true));
    case 'cancelled':
      return new WireError(message, base(499, 'server_error', 'cancelled', 'api_error'));
    case 'unavailable':
    case 'circuit_open':
      // Anthropic's "overloaded" tells an app to come back later: only for what waiting can change.
      return new WireError(
        message,
        base(503, 'server_error', code, retryable ? 'overloaded_error' : 'api_error', retryable),
      );
    case 'provider_error':
    case 'local_model_error':
    case 'download_error':
      return modelFailure(message, code, retryable);
    case 'storage_error':
    case 'internal':
      return new WireError(message, base(500, 'server_error', code, 'api_error'));
    default: {
      const never: never = code;
      throw new Error(`Unhandled error code ${String(never)}`);
    }
  }
}

/** The model or its provider failed (not the app's request): 502, which each SDK reads as a server-side failure. */
function modelFailure(message: string, code: string, retryable: boolean): WireError {
  return new WireError(message, base(502, 'server_error', code, 'api_error', retryable));
}

export function wireErrorBody(api: WireApi, error: WireError): unknown {
  if (api === 'anthropic') return { type: 'error', error: { type: error.init.anthropicType, message: error.message } };
  return {
    error: {
      message: error.message,
      type: error.init.openaiType,
      param: error.init.param ?? null,
      code: error.init.openaiCode,
    },
  };
}

/** The error as the app's API has it; headers already set on `res` (CORS, what a failed call cost) are sent with it. */
export function sendWireError(res: ServerResponse, api: WireApi, error: WireError): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res.writeHead(error.init.status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Cache-Control': 'no-store',
    'x-should-retry': error.init.retry ? 'true' : 'false',
    ...(error.init.retry && error.init.status === 429 ? { 'retry-after': '1' } : {}),
  });
  res.end(JSON.stringify(wireErrorBody(api, error)));
}
