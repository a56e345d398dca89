import { QuireError, type QuireErrorOptions } from './quire-error';

export type LocalModelFailure =
  'invalid_file' | 'load_failed' | 'out_of_memory' | 'not_installed' | 'generation_failed';

/** A local GGUF could not be validated, loaded or run; `reason` says which, so callers can fall back. */
export class LocalModelError extends QuireError {
  readonly reason: LocalModelFailure;

  /** `advised`: the message ends with the step that fixes it (a refused file's "Get it again…"). */
  constructor(reason: LocalModelFailure, message: string, options: Pick<QuireErrorOptions, 'cause' | 'advised'> = {}) {
    super('local_model_error', message, { ...options, retryable: reason === 'out_of_memory' });
    this.name = 'LocalModelError';
    this.reason = reason;
  }
}
