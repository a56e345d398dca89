// Why a request got no HTTP answer at all, in a writer's words, and whether it could have been billed. Node's fetch
// (undici) wraps the reason in `TypeError: fetch failed` and the SDKs wrap that again, so the cause chain is read.
import { PROVIDER_TABLE } from '../../src-preload/contract/provider-table';
import type { Billing } from '../errors';

export interface ConnectionFailure {
  message: string;
  /** `none` only when the request provably never left: nothing was connected, or the handshake failed. */
  billing: Billing;
}

interface CauseLike {
  code?: unknown;
  message?: unknown;
  hostname?: unknown;
  cause?: unknown;
}

/** Certificate checks that fail during the TLS handshake, before any byte of the request is sent. */
const CERTIFICATE_REASONS: Record<string, string> = {
  DEPTH_ZERO_SELF_SIGNED_CERT: 'it is self-signed',
  SELF_SIGNED_CERT_IN_CHAIN: 'it is signed by a self-signed certificate',
  CERT_HAS_EXPIRED: 'it has expired',
  CERT_NOT_YET_VALID: 'it is not valid yet',
  ERR_TLS_CERT_ALTNAME_INVALID: 'it was issued for another name',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'it is signed by an authority this computer does not know',
  UNABLE_TO_GET_ISSUER_CERT: 'it is signed by an authority this computer does not know',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'it is signed by an authority this computer does not know',
  CERT_UNTRUSTED: 'it is not trusted for this use',
  CERT_REVOKED: 'it was revoked',
};

/** Failures before a connection existed: nothing can have been sent. */
const NOT_CONNECTED = new Set(['EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL', 'UND_ERR_CONNECT_TIMEOUT']);

const NOTHING_SENT = 'Nothing was sent, so nothing was charged.';

/** The built-in providers' hosts: addresses Quire knows, which the writer never typed. */
const BUILTIN_HOSTS = new Set(PROVIDER_TABLE.map((provider) => new URL(provider.base_url).hostname));

/**
 * Reads an SDK connection error (no HTTP status). `provider` is how the message names the provider where neither the
 * cause nor `baseURL` gives an address.
 * Anything not recognised — a reset, a socket closed mid-answer — may have reached the provider: billing `unknown`.
 */
export function connectionFailure(provider: string, error: unknown, baseURL: string | undefined): ConnectionFailure {
  const causes = chain(error);
  const code = causeCode(error);
  const messages = causes.map((c) => (typeof c.message === 'string' ? c.message : ''));
  const url = parseUrl(baseURL);
  const host =
    causes.map((c) => c.hostname).find((h): h is string => typeof h === 'string') ?? url?.hostname ?? provider;
  const where = url ? url.host : host;

  if (code === 'ENOTFOUND') {
    // A provider's own address is not misspelt: offline, a name lookup fails just like this.
    return none(
      BUILTIN_HOSTS.has(host)
        ? `Quire could not find ${host}: this computer may be offline. Check the internet connection, then try again. ${NOTHING_SENT}`
        : `Quire could not find ${host}: no such address is known. Check the address for a typo, and that this computer is online. ${NOTHING_SENT}`,
    );
  }
  if (code === 'EAI_AGAIN') {
    return none(`Quire could not look up ${host}: check the internet connection. ${NOTHING_SENT}`);
  }
  if (code === 'ECONNREFUSED') {
    return none(
      `${where} refused the connection: nothing is listening there (is the server running?). ${NOTHING_SENT}`,
    );
  }
  const certificate = CERTIFICATE_REASONS[code];
  if (certificate) {
    return none(
      `Quire stopped before sending anything: the endpoint's certificate is not trusted (${certificate}) at ${where}. ` +
        'On your own network use http://, or give the server a certificate this computer trusts. Nothing was charged.',
    );
  }
  if (code.startsWith('ERR_SSL_') || code === 'EPROTO' || code.startsWith('ERR_TLS_')) {
    return none(
      `The secure connection to ${where} failed before anything was sent (${code}): does the server speak https on this port? Nothing was charged.`,
    );
  }
  if (messages.includes('bad port')) {
    const port = url?.port || '(unknown)';
    return none(
      `Quire cannot connect to port ${port}: it belongs to another kind of service, so fetch refuses to use it. Give ${host} another port. ${NOTHING_SENT}`,
    );
  }
  if (NOT_CONNECTED.has(code)) {
    return none(`Quire could not reach ${where} (${code}). ${NOTHING_SENT}`);
  }
  const detail = messages.find((m) => m !== '' && m !== 'fetch failed' && m !== 'Connection error.') ?? messages[0];
  return {
    message: `The connection to ${where} broke before an answer came (${(detail ?? 'connection error').slice(0, 200)}).`,
    billing: 'unknown',
  };
}

/** The system's code for why a request got no answer (ECONNREFUSED…), read through the SDKs' wrapping; '' if none. */
export function causeCode(error: unknown): string {
  return (
    chain(error)
      .map((c) => (typeof c.code === 'string' ? c.code : ''))
      .find((c) => c !== '') ?? ''
  );
}

function none(message: string): ConnectionFailure {
  return { message, billing: 'none' };
}

function chain(error: unknown): CauseLike[] {
  const out: CauseLike[] = [];
  let current: unknown = error;
  for (let depth = 0; depth < 6 && current && typeof current === 'object'; depth++) {
    out.push(current as CauseLike);
    current = (current as CauseLike).cause;
  }
  return out;
}

function parseUrl(url: string | undefined): URL | undefined {
  if (!url) return undefined;
  try {
    return new URL(url);
  } catch {
    return undefined;
  }
}
