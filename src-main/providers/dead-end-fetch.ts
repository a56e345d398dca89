// Requests that can never succeed on a retry (a refused connection, an unknown host, an untrusted certificate) fail
// at once, so a run fails over to its next model without the SDK's retry backoff; and a request that may have reached
// the provider (the connection broke after it was sent) is never sent again by the SDK, whose retry would be a call
// Quire did not reserve for while the first one's charge went unrecorded.
import { connectionFailure } from './connection-failure';

/**
 * Marks an answer Quire made up for a request that never left (see {@link deadEndFetch}); mapSdkError reads it back
 * as the connection failure it was.
 */
export const UNSENT_HEADER = 'x-quire-unsent-code';
/** Marks an answer Quire made up for a request that may have reached the provider (see {@link deadEndFetch}). */
const LOST_HEADER = 'x-quire-lost-code';
const UNSENT_MESSAGE_HEADER = 'x-quire-unsent-message';

/** Failures that will fail the same way a moment later: retrying them only delays the failover to the next model. */
const DEAD_END_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
]);

/**
 * The SDKs retry every connection error (with a 0.5–1 s backoff). A refused connection or an unknown host will be
 * refused again: the run should move to the next model at once. A connection that broke once the request may have
 * reached the provider (a reset, a socket closed before the answer) may have been billed: sent again, the provider
 * could bill twice while Quire recorded one call. Either way the fetch's error becomes a made-up answer with
 * `x-should-retry: false` (which both SDKs obey) that carries the error's code, so the call fails without a retry and
 * is still reported as the connection failure it was — nothing sent and nothing charged for a dead end, its
 * reservation kept for a lost one. Failures before anything was sent that may pass (a DNS hiccup, a connect timeout)
 * keep the SDK's retries.
 */
export function deadEndFetch(base: typeof fetch = fetch): typeof fetch {
  return async (input, init) => {
    try {
      return await base(input, init);
    } catch (error) {
      if (init?.signal?.aborted) throw error;
      const deadEnd = deadEndOf(error);
      const lost = deadEnd ? undefined : lostOf(error);
      const found = deadEnd ?? lost;
      if (!found) throw error;
      return new Response(JSON.stringify({ error: { message: found.message, type: 'connection_error' } }), {
        status: 503,
        headers: {
          'content-type': 'application/json',
          'x-should-retry': 'false',
          [deadEnd ? UNSENT_HEADER : LOST_HEADER]: found.code,
          [UNSENT_MESSAGE_HEADER]: encodeURIComponent(found.message.slice(0, 200)),
        },
      });
    }
  };
}

/**
 * The connection error a made-up answer of {@link deadEndFetch} stands for (a cause chain connectionFailure() reads,
 * which says whether it can have been billed), if it is one.
 */
export function unsentErrorOf(headers: Headers | undefined): Error | undefined {
  const code = headers?.get(UNSENT_HEADER) ?? headers?.get(LOST_HEADER);
  if (!code) return undefined;
  const message = decodeURIComponent(headers?.get(UNSENT_MESSAGE_HEADER) ?? '');
  return new TypeError('fetch failed', { cause: Object.assign(new Error(message), { code }) });
}

function deadEndOf(error: unknown): { code: string; message: string } | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 6 && current && typeof current === 'object'; depth++) {
    const { code, message, cause } = current as { code?: unknown; message?: unknown; cause?: unknown };
    if (typeof code === 'string' && DEAD_END_CODES.has(code))
      return { code, message: typeof message === 'string' ? message : code };
    if (message === 'bad port') return { code: 'BAD_PORT', message };
    current = cause;
  }
  return undefined;
}

/** A connection error after which the request may have reached the provider (billing unknown), if it is one. */
function lostOf(error: unknown): { code: string; message: string } | undefined {
  if (connectionFailure('', error, undefined).billing !== 'unknown') return undefined;
  let current: unknown = error;
  let code = '';
  let message = '';
  for (let depth = 0; depth < 6 && current && typeof current === 'object'; depth++) {
    const c = current as { code?: unknown; message?: unknown; cause?: unknown };
    if (!code && typeof c.code === 'string') code = c.code;
    if (typeof c.message === 'string' && c.message !== '' && c.message !== 'fetch failed') message = c.message;
    current = c.cause;
  }
  return { code: code || 'CONNECTION_LOST', message: message || 'the connection was lost' };
}

/** Whether a failed call ended at a dead end (see {@link deadEndFetch}): its provider will refuse the next call too. */
export function isDeadEnd(error: unknown): boolean {
  return deadEndCode(error) !== undefined;
}

/** The system's code of the dead end a failed call ended at (ECONNREFUSED…), if it ended at one. */
export function deadEndCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 6 && current && typeof current === 'object'; depth++) {
    const headers = (current as { headers?: unknown }).headers;
    const code = headers instanceof Headers ? headers.get(UNSENT_HEADER) : null;
    if (code) return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}
