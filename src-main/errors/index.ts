export { QuireError, isQuireError } from './quire-error';
export { InvalidInputError } from './invalid-input-error';
export { NotFoundError } from './not-found-error';
export { ConflictError } from './conflict-error';
export { StorageError } from './storage-error';
export { ProviderError } from './provider-error';
export { RateLimitedError } from './rate-limited-error';
export { TimeoutError } from './timeout-error';
export { CancelledError } from './cancelled-error';
export { CircuitOpenError } from './circuit-open-error';
export { BudgetExceededError } from './budget-exceeded-error';
export { UnavailableError } from './unavailable-error';
export { ForbiddenError } from './forbidden-error';
export { LocalModelError, type LocalModelFailure } from './local-model-error';
export { DownloadError, type DownloadFailure } from './download-error';

/** Exhaustive switches end here: a new case that is not handled stops compiling. */
export function missingCase(value: never): never {
  throw new Error(`Unhandled case: ${JSON.stringify(value)}`);
}
