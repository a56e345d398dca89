import type { z } from 'zod';
import { QuireError } from './quire-error';

/** Input that failed its schema (or a semantic check): names the failing path; nothing was changed. */
export class InvalidInputError extends QuireError {
  constructor(message: string, path?: string) {
    super('invalid_input', message, { path: path ?? '' });
    this.name = 'InvalidInputError';
  }

  static fromZod(error: z.ZodError): InvalidInputError {
    const issue = error.issues[0];
    if (!issue) return new InvalidInputError('Invalid input');
    const path = issue.path.map(String).join('.');
    return new InvalidInputError(path ? `${path}: ${issue.message}` : issue.message, path);
  }
}
