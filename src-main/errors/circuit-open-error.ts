import { QuireError } from './quire-error';

/** A provider's circuit breaker is open after repeated failures: calls skip it until the cool-down ends. */
export class CircuitOpenError extends QuireError {
  readonly provider: string;

  constructor(provider: string) {
    super('circuit_open', `${provider} failed repeatedly and is paused for a moment; Quire uses another model.`, {
      retryable: true,
    });
    this.name = 'CircuitOpenError';
    this.provider = provider;
  }
}
