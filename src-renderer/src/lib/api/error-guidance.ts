// Every error the writer sees says what happened (the host's message) and what to do next (chosen here by code,
// never by parsing messages).
import type { ErrorCode, ErrorInfo, FixIn } from '$contract';
import { ApiError } from './client';

const NEXT_STEP: Record<ErrorCode, string> = {
  invalid_input: 'Correct what it names and try again; nothing was changed.',
  unknown_channel: 'This part of Quire is not available in this build. Update Quire, then try again.',
  payload_too_large: 'Shorten the text (split a long manuscript into chapters) and try again.',
  not_found: 'It may have been removed elsewhere. Refresh the list and pick it again.',
  conflict: 'Something with that name already exists or is busy. Pick another name or wait, then retry.',
  forbidden: 'Quire refused this for your safety. Check the address or file and try again.',
  budget_exceeded: 'Raise the monthly budget in Settings, switch to a local model, or wait for next month.',
  unavailable: 'Check that the service is reachable (network, endpoint URL, or Quire host), then retry.',
  provider_error: 'Try again, or pick another model.',
  rate_limited: 'The provider is limiting requests. Wait a minute and try again.',
  timeout: 'The model took too long. Try again, shorten the text, or raise the timeout in Settings.',
  cancelled: 'It was stopped before finishing. Start it again when you are ready.',
  circuit_open: 'Quire paused this provider after repeated failures. It retries automatically in a minute.',
  local_model_error:
    'Check the model file (it may be missing, incomplete, or too large for the memory allowed), then try again.',
  download_error: 'Check the address and your connection, then try again.',
  storage_error: 'Quire could not read or write its data folder. Check free disk space and permissions.',
  internal: 'Something unexpected went wrong inside Quire. Try again; if it keeps happening, restart Quire.',
};

export function nextStep(code: ErrorCode): string {
  return NEXT_STEP[code];
}

/** The button that opens where a step is taken (an error's fix_in, a refusal's go). */
export const FIX_IN_LABEL: Record<FixIn, string> = { settings: 'Open Settings', models: 'Open Models' };

/**
 * Any thrown value as ErrorInfo (ApiError carries the host's; anything else becomes `internal`). A refused field's
 * message loses its "path: " prefix (the path is a field of its own): a writer reads "That does not look like an API
 * key", not "api_key: That does not look like an API key".
 */
export function toErrorInfo(error: unknown): ErrorInfo {
  if (error instanceof ApiError) {
    const { path, message } = error.info;
    return path && message.startsWith(`${path}: `)
      ? { ...error.info, message: message.slice(path.length + 2) }
      : error.info;
  }
  return { code: 'internal', message: error instanceof Error ? error.message : String(error), retryable: true };
}
