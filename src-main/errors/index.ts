export { QuireError, isQuireError } from './quire-error';
export { InvalidInputError } from './invalid-input-error';
export { NotFoundError } from './not-found-error';
export { StorageError } from './storage-error';

/** Exhaustive switches end here: a new case that is not handled stops compiling. */
export function missingCase(value: never): never {
  throw new Error(`Unhandled case: ${JSON.stringify(value)}`);
}
