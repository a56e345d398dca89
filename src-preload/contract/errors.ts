/** Every error code a reply envelope may carry. The renderer branches on these, never on messages. */
export const ERROR_CODES = [
  'invalid_input',
  'unknown_channel',
  'payload_too_large',
  'not_found',
  'conflict',
  'forbidden',
  'budget_exceeded',
  'unavailable',
  'provider_error',
  'rate_limited',
  'timeout',
  'cancelled',
  'circuit_open',
  'local_model_error',
  'download_error',
  'storage_error',
  'internal',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export interface ErrorInfo {
  code: ErrorCode;
  message: string;
  retryable: boolean;
  /** For invalid_input: the path of the first failing field, e.g. "orchestrator.monthly_budget". */
  path?: string;
  /**
   * The message already ends with the step that fixes it (a damaged model file: "Get it again from where you found
   * it."): the code's general next step would repeat or contradict it, so it is not added.
   */
  advised?: true;
  /** Where the step the message ends with is taken (a refused key: Settings), for a button that opens it. */
  fix_in?: FixIn;
  /**
   * The text (with room for its answer) is longer than the model it was for reads at once, and a shorter one may run:
   * the gateway answers an app as OpenAI does (400 `context_length_exceeded`), so it shortens rather than retries.
   */
  too_long?: true;
}

/** The screens a writer fixes things on. */
export type FixIn = 'settings' | 'models';

export type Envelope<T> = { ok: true; value: T } | { ok: false; error: ErrorInfo };
