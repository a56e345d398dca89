import { QuireError, type QuireErrorOptions } from './quire-error';

/** A call's worst-case cost does not fit in what is left of the monthly budget. */
export class BudgetExceededError extends QuireError {
  /** `advised`: the message ends with its own step (a Resume's), where the general one would not fit. */
  constructor(message: string, options: Pick<QuireErrorOptions, 'advised'> = {}) {
    super('budget_exceeded', message, options);
    this.name = 'BudgetExceededError';
  }
}
