import { QuireError } from './quire-error';

export type LocalModelFailure =
  'invalid_file' | 'load_failed' | 'out_of_memory' | 'not_installed' | 'generation_failed';

/** A local GGUF could not be validated, loaded or run; `reason` says which, so callers can fall back. */
export class LocalModelError extends QuireError {
  readonly reason: LocalModelFailure;

  /** `advised`: the message ends with the step that fixes it (a refused file's "Get it again…"). */
  constructor(reason: LocalModelFailure, message: string, cause?: unknown, advised = false) {
    super('local_model_error', message, { cause, retryable: reason === 'out_of_memory', advised });
    this.name = 'LocalModelError';
    this.reason = reason;
  }
}
