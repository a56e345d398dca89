import { QuireError } from './quire-error';

const n = (value: number) => value.toLocaleString('en-US');

const DEFAULT_ADVICE = 'open it as a manuscript so Quire runs it in parts, or choose a model with a larger context.';

/**
 * An input that does not fit a model's usable context and will not be split here: refused with the numbers, never
 * truncated. `limitTokens` is what the model can read at once after its answer and the instruction are set aside.
 */
export class InputTooLongError extends QuireError {
  readonly inputTokens: number;
  readonly limitTokens: number;

  /** `advice`: what the writer can do instead (by default: run it as a manuscript in parts, or a larger model). */
  constructor(inputTokens: number, limitTokens: number, modelName: string, detail = '', advice = DEFAULT_ADVICE) {
    super(
      'invalid_input',
      `This passage is ${n(inputTokens)} tokens; ${modelName} can read ${n(Math.max(0, limitTokens))} at once` +
        `${detail ? ` (${detail})` : ''}. Nothing was cut: ${advice}`,
      { path: 'input' },
    );
    this.name = 'InputTooLongError';
    this.inputTokens = inputTokens;
    this.limitTokens = limitTokens;
  }
}
