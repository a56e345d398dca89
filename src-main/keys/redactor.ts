// One redactor for every way text leaves main: error envelopes (the Dispatcher's redact hook), log lines, stored run
// records. It knows every key the key store has seen and also masks anything shaped like a provider key (the provider
// table's key patterns) or sent as a bearer token.
import { keyShapesRegExp, PROVIDER_TABLE, type ProviderDescriptor } from '../../src-preload/contract/provider-table';

const BEARER = /\b(Bearer\s+)[A-Za-z0-9._~+/-]{12,}=*/gi;

export class Redactor {
  private readonly secrets = new Set<string>();
  private readonly shapes: RegExp[];

  constructor(providers: readonly ProviderDescriptor[] = PROVIDER_TABLE) {
    this.shapes = [keyShapesRegExp(providers), BEARER];
  }

  /** Remembers a secret so it is masked wherever it appears. Very short values are ignored (they would mask words). */
  add(secret: string | undefined): void {
    if (secret && secret.length >= 6) this.secrets.add(secret);
  }

  readonly redact = (text: string): string => {
    let out = text;
    for (const secret of this.secrets) out = out.split(secret).join('[redacted]');
    for (const shape of this.shapes) {
      out = out.replace(shape, (match, bearer?: string) =>
        typeof bearer === 'string' ? `${bearer}[redacted]` : '[redacted]',
      );
    }
    return out;
  };
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
