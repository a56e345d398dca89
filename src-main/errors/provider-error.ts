import { QuireError, type Billing, type QuireErrorOptions } from './quire-error';

/** A cloud or local backend failed (5xx, bad response, refused key, unreachable). `provider` names which one. */
export class ProviderError extends QuireError {
  readonly provider: string;
  readonly status: number | undefined;

  constructor(
    provider: string,
    message: string,
    options: { retryable?: boolean; status?: number; cause?: unknown; billing?: Billing } & Pick<
      QuireErrorOptions,
      'advised' | 'fixIn'
    > = {},
  ) {
    super('provider_error', message, {
      retryable: options.retryable ?? true,
      cause: options.cause,
      ...(options.billing ? { billing: options.billing } : {}),
      advised: options.advised,
      fixIn: options.fixIn,
    });
    this.name = 'ProviderError';
    this.provider = provider;
    this.status = options.status;
  }
}
