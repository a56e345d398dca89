import type { ErrorCode, ErrorInfo, FixIn } from '../../src-preload/contract';

/**
 * Whether a failed call may have been billed by the provider: `none` when the request provably never reached it (a
 * DNS failure, a refused connection, a TLS handshake that failed, a port fetch will not use, an open breaker, a budget
 * refusal, or an HTTP error answer), `unknown` once the request may have been sent and accepted.
 */
export type Billing = 'none' | 'unknown';

export interface QuireErrorOptions {
  retryable?: boolean;
  cause?: unknown;
  path?: string;
  /** Default: `none` for refusals made before any call (see NEVER_SENT), else `unknown`. */
  billing?: Billing;
  /** The message ends with the step that fixes it (ErrorInfo.advised): no general next step is added to it. */
  advised?: boolean;
  /** Where that step is taken (ErrorInfo.fix_in). */
  fixIn?: FixIn;
  /** The text is too long for the model it was for; a shorter one may run (ErrorInfo.too_long). */
  tooLong?: boolean;
}

/** Codes that are only ever raised before a provider is called. */
const NEVER_SENT: readonly ErrorCode[] = ['circuit_open', 'budget_exceeded', 'unavailable', 'invalid_input'];

/** The one base error: a code callers branch on, whether a retry may help, the underlying cause, and billing. */
export class QuireError extends Error {
  readonly code: ErrorCode;
  readonly retryable: boolean;
  readonly path?: string;
  readonly billing: Billing;
  readonly advised: boolean;
  readonly fixIn: FixIn | undefined;
  readonly tooLong: boolean;

  constructor(code: ErrorCode, message: string, options: QuireErrorOptions = {}) {
    super(message, { cause: options.cause });
    this.name = 'QuireError';
    this.code = code;
    this.retryable = options.retryable ?? false;
    this.billing = options.billing ?? (NEVER_SENT.includes(code) ? 'none' : 'unknown');
    this.advised = options.advised ?? false;
    this.fixIn = options.fixIn;
    this.tooLong = options.tooLong ?? false;
    if (options.path !== undefined) this.path = options.path;
  }

  /** An error passed on from its info (a run's stored error, thrown to its caller): its step and where it is taken kept. */
  static fromInfo(info: ErrorInfo, message = info.message): QuireError {
    return new QuireError(info.code, message, {
      retryable: info.retryable,
      advised: info.advised === true,
      ...(info.fix_in ? { fixIn: info.fix_in } : {}),
      ...(info.too_long ? { tooLong: true } : {}),
    });
  }

  toInfo(): ErrorInfo {
    return {
      code: this.code,
      message: this.message,
      retryable: this.retryable,
      ...(this.path !== undefined ? { path: this.path } : {}),
      ...(this.advised ? { advised: true as const } : {}),
      ...(this.fixIn ? { fix_in: this.fixIn } : {}),
      ...(this.tooLong ? { too_long: true as const } : {}),
    };
  }
}

export function isQuireError(error: unknown): error is QuireError {
  return error instanceof QuireError;
}
