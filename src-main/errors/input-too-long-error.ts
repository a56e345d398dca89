import { QuireError } from './quire-error';

const n = (value: number) => value.toLocaleString('en-US');

// The Workbench already runs a long passage in parts where the task allows: what is left is a larger model or less text.
const DEFAULT_ADVICE = 'choose a model with a larger context, or shorten the passage.';

/**
 * An input that does not fit a model's usable context and will not be split here: refused with the numbers, never
 * truncated. `limitTokens` is what the model can read at once after its answer and the instruction are set aside.
 */
export class InputTooLongError extends QuireError {
  readonly inputTokens: number;
  readonly limitTokens: number;

  /**
   * `advice`: what the writer can do instead (by default: a larger model, or a shorter passage). `message`: said
   * instead of the numbers, for a model no shorter passage fits (not `tooLong` then: see {@link noRoom}).
   */
  constructor(
    inputTokens: number,
    limitTokens: number,
    modelName: string,
    detail = '',
    advice = DEFAULT_ADVICE,
    message?: string,
  ) {
    super(
      'invalid_input',
      message ??
        `This passage is ${n(inputTokens)} tokens; ${modelName} can read ${n(Math.max(0, limitTokens))} at once` +
          `${detail ? ` (${detail})` : ''}. Nothing was cut: ${advice}`,
      { path: 'input', advised: true, tooLong: message === undefined },
    );
    this.name = 'InputTooLongError';
    this.inputTokens = inputTokens;
    this.limitTokens = limitTokens;
  }

  /**
   * A model whose context the task's own parts (its answer, instruction, the story so far) leave too little room for
   * any text of a part: however short the passage, it cannot run there, so the message is about the model (and a
   * shorter text is no way past it: not `tooLong`).
   */
  static noRoom(inputTokens: number, roomTokens: number, modelName: string, detail: string): InputTooLongError {
    return new InputTooLongError(
      inputTokens,
      roomTokens,
      modelName,
      '',
      DEFAULT_ADVICE,
      `${modelName} has too little room for this task's text: ${detail}. Nothing was cut: choose a model with a larger context.`,
    );
  }
}
