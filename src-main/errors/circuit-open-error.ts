import { providerLabel } from '../../src-preload/contract/provider-table';
import { QuireError } from './quire-error';

/**
 * A provider's circuit breaker is open after repeated failures: calls skip it until the cool-down ends. Said with the
 * provider as the writer knows it ("your endpoint “atlas”", never "endpoint:atlas") and when it is tried again
 * (`waitS`, seconds; "within a minute" when not known).
 */
export class CircuitOpenError extends QuireError {
  readonly provider: string;

  constructor(provider: string, waitS?: number | null) {
    super('circuit_open', pausedText(provider, waitS), { retryable: true, advised: true });
    this.name = 'CircuitOpenError';
    this.provider = provider;
  }
}

/** "Quire paused OpenAI after repeated errors and tries it again in about 25 s. Try again then, or pick another model." */
export function pausedText(provider: string, waitS?: number | null): string {
  const when = typeof waitS === 'number' ? `in about ${Math.max(1, Math.ceil(waitS))} s` : 'within a minute';
  return `Quire paused ${providerLabel(provider)} after repeated errors and tries it again ${when}. Try again then, or pick another model.`;
}
