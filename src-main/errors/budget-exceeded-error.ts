import { QuireError } from './quire-error';

/** A call's worst-case cost does not fit in what is left of the monthly budget. */
export class BudgetExceededError extends QuireError {
  constructor(message: string) {
    super('budget_exceeded', message);
    this.name = 'BudgetExceededError';
  }
}
