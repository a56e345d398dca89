import { QuireError } from './quire-error';

export type LocalModelFailure =
  'invalid_file' | 'load_failed' | 'out_of_memory' | 'not_installed' | 'generation_failed';

/** A local GGUF could not be validated, loaded or run; `reason` says which, so callers can fall back. */
export class LocalModelError extends QuireError {
  readonly reason: LocalModelFailure;

  constructor(reason: LocalModelFailure, message: string, cause?: unknown) {
    super('local_model_error', message, { cause, retryable: reason === 'out_of_memory' });
    this.name = 'LocalModelError';
    this.reason = reason;
  }
}
