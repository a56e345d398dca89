import { QuireError } from './quire-error';

/** A cloud or local backend failed (5xx, bad response, refused key). `provider` names which one. */
export class ProviderError extends QuireError {
  readonly provider: string;
  readonly status: number | undefined;

  constructor(
    provider: string,
    message: string,
    options: { retryable?: boolean; status?: number; cause?: unknown } = {},
  ) {
    super('provider_error', message, { retryable: options.retryable ?? true, cause: options.cause });
    this.name = 'ProviderError';
    this.provider = provider;
    this.status = options.status;
  }
}
