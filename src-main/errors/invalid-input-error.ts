import type { z } from 'zod';
import { QuireError, type QuireErrorOptions } from './quire-error';
import { issueWords } from './zod-words';

/** Input that failed its schema (or a semantic check): names the failing path; nothing was changed. */
export class InvalidInputError extends QuireError {
  /** `advised`: the message ends with the step that fixes it (the general "correct what it names" would not). */
  constructor(message: string, path?: string, options: Pick<QuireErrorOptions, 'cause' | 'advised'> = {}) {
    super('invalid_input', message, { ...options, path: path ?? '' });
    this.name = 'InvalidInputError';
  }

  /**
   * The first issue of a schema's refusal, in the writer's words (zod-words.ts); `input` is what was refused, when the
   * caller has it (a passage's length is said with it).
   */
  static fromZod(error: z.ZodError, ...input: [unknown?]): InvalidInputError {
    const words = issueWords(error, ...input);
    if (!words) return new InvalidInputError('Quire could not read this request.');
    const { path, text, advised } = words;
    return new InvalidInputError(path ? `${path}: ${text}` : text, path, { advised });
  }
}
