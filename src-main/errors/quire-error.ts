import type { ErrorCode, ErrorInfo } from '../../src-preload/contract';

/** The one base error: a code callers branch on, whether a retry may help, and the underlying cause. */
export class QuireError extends Error {
  readonly code: ErrorCode;
  readonly retryable: boolean;
  readonly path?: string;

  constructor(code: ErrorCode, message: string, options: { retryable?: boolean; cause?: unknown; path?: string } = {}) {
    super(message, { cause: options.cause });
    this.name = 'QuireError';
    this.code = code;
    this.retryable = options.retryable ?? false;
    if (options.path !== undefined) this.path = options.path;
  }

  toInfo(): ErrorInfo {
    return {
      code: this.code,
      message: this.message,
      retryable: this.retryable,
      ...(this.path !== undefined ? { path: this.path } : {}),
    };
  }
}

export function isQuireError(error: unknown): error is QuireError {
  return error instanceof QuireError;
}
