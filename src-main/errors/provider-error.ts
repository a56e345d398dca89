import { QuireError, type Billing } from './quire-error';

/** A cloud or local backend failed (5xx, bad response, refused key, unreachable). `provider` names which one. */
export class ProviderError extends QuireError {
  readonly provider: string;
  readonly status: number | undefined;

  constructor(
    provider: string,
    message: string,
    options: { retryable?: boolean; status?: number; cause?: unknown; billing?: Billing } = {},
  ) {
    super('provider_error', message, {
      retryable: options.retryable ?? true,
      cause: options.cause,
      ...(options.billing ? { billing: options.billing } : {}),
    });
    this.name = 'ProviderError';
    this.provider = provider;
    this.status = options.status;
  }
}
