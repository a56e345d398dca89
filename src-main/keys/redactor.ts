// One redactor for every way text leaves main: error envelopes (the Dispatcher's redact hook), log lines, stored run
// records, pushed events. It knows every key the key store has seen and also masks anything shaped like a provider key
// (the provider table's key patterns) or sent as a bearer token — in plain text, and in the encodings keys travel in
// (base64, percent-encoding, JSON string escapes), where a plain search would miss them.
import { keyShapesRegExp, PROVIDER_TABLE, type ProviderDescriptor } from '../../src-preload/contract/provider-table';

const BEARER = /\b(Bearer\s+)[A-Za-z0-9._~+/-]{12,}=*/gi;
const MASK = '[redacted]';

/** A run of base64 (standard or URL-safe) long enough to hold a key. */
const BASE64_RUN = /[A-Za-z0-9+/_-]{16,}={0,2}/g;
/** A run of URL characters with at least one percent-escape. */
const URL_CHAR = "(?:[A-Za-z0-9._~!*'()+=&:;,@$-]|%[0-9A-Fa-f]{2})";
const PERCENT_RUN = new RegExp(`${URL_CHAR}*%[0-9A-Fa-f]{2}${URL_CHAR}*`, 'g');
/** A run of JSON string characters with at least one \uXXXX or \/ escape. */
const JSON_CHAR = '(?:[A-Za-z0-9._~+:=/-]|\\\\u[0-9A-Fa-f]{4}|\\\\/)';
const JSON_ESCAPED_RUN = new RegExp(`${JSON_CHAR}*(?:\\\\u[0-9A-Fa-f]{4}|\\\\/)${JSON_CHAR}*`, 'g');

export class Redactor {
  private readonly secrets = new Set<string>();
  private readonly shapes: RegExp[];
  /** Key shapes anywhere in decoded text (no word boundary: a decoded run may start mid-word, e.g. "user:sk-…"). */
  private readonly decodedShape: RegExp;

  constructor(providers: readonly ProviderDescriptor[] = PROVIDER_TABLE) {
    this.shapes = [keyShapesRegExp(providers), BEARER];
    this.decodedShape = new RegExp([...new Set(providers.map((p) => p.key_pattern))].join('|'));
  }

  /** Remembers a secret so it is masked wherever it appears. Very short values are ignored (they would mask words). */
  add(secret: string | undefined): void {
    if (secret && secret.length >= 6) this.secrets.add(secret);
  }

  /**
   * Where to cut `text` at or before `cut` so that no key it knows is split: not inside one, nor after the first
   * characters of one that end the text (the rest may be in the next token). A stream shows what is before the cut.
   */
  readonly secretCut = (text: string, cut: number): number => {
    let at = cut;
    for (let moved = true; moved;) {
      moved = false;
      for (const secret of this.secrets) {
        const start = splitAt(text, at, secret);
        if (start < at) [at, moved] = [start, true];
      }
    }
    return at;
  };

  readonly redact = (text: string): string => {
    let out = this.plain(text);
    out = out.replace(BASE64_RUN, (run) => (this.hides(decodeBase64(run)) ? MASK : run));
    out = out.replace(PERCENT_RUN, (run) => (this.hides(decodePercent(run)) ? MASK : run));
    out = out.replace(JSON_ESCAPED_RUN, (run) => (this.hides(decodeJsonEscapes(run)) ? MASK : run));
    return out;
  };

  private plain(text: string): string {
    let out = text;
    for (const secret of this.secrets) out = out.split(secret).join(MASK);
    for (const shape of this.shapes) {
      out = out.replace(shape, (match, bearer?: string) => (typeof bearer === 'string' ? `${bearer}${MASK}` : MASK));
    }
    return out;
  }

  /** Whether decoded text holds a secret or something shaped like a key. */
  private hides(decoded: string | undefined): boolean {
    if (!decoded) return false;
    if (this.decodedShape.test(decoded)) return true;
    for (const secret of this.secrets) if (decoded.includes(secret)) return true;
    return this.plain(decoded) !== decoded;
  }
}

/**
 * The start of an occurrence of `secret` in `text` that a cut at `cut` would split, or of its first characters ending
 * `text`; else `cut`.
 */
function splitAt(text: string, cut: number, secret: string): number {
  for (let i = Math.max(0, cut - secret.length + 1); i < text.length && i < cut; i++) {
    if (text.charCodeAt(i) !== secret.charCodeAt(0)) continue;
    const rest = text.length - i;
    if (rest >= secret.length ? text.startsWith(secret, i) : secret.startsWith(text.slice(i))) return i;
  }
  return cut;
}

function decodeBase64(run: string): string {
  return Buffer.from(run, 'base64').toString('latin1');
}

function decodePercent(run: string): string | undefined {
  try {
    return decodeURIComponent(run);
  } catch {
    return undefined;
  }
}

function decodeJsonEscapes(run: string): string | undefined {
  try {
    return JSON.parse(`"${run}"`) as string;
  } catch {
    return undefined;
  }
}

/** Wraps any logger so every line passes through the redactor. */
export function redactingLogger<L extends { info(m: string): void; warn(m: string): void; error(m: string): void }>(
  inner: L,
  redact: (text: string) => string,
): { info(m: string): void; warn(m: string): void; error(m: string): void } {
  return {
    info: (m) => inner.info(redact(m)),
    warn: (m) => inner.warn(redact(m)),
    error: (m) => inner.error(redact(m)),
  };
}
