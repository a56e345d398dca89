// A member call that threw instead of coming back as a failed run (RunService.call never should): said in the words a
// single run has for the same failure, the thrown text only in the log.
import { isQuireError } from '../errors';
import { systemErrorInfo } from '../errors/system-error-words';
import type { Logger } from '../infra/logger';
import { isSdkError, mapSdkError } from '../providers/provider-errors';
import type { ModelCallOutcome } from '../runs/run-service';

/**
 * `provider`: the provider as the ledger and breaker name it (ProviderService.providerOf), which the words name as
 * the writer knows it ("DeepSeek", "your endpoint “atlas”").
 */
export function memberFailure(
  error: unknown,
  provider: string,
  logger: Pick<Logger, 'warn'> | undefined,
): NonNullable<ModelCallOutcome['error']> {
  const info = isQuireError(error)
    ? error.toInfo()
    : (systemErrorInfo(error) ??
      (isSdkError(error)
        ? mapSdkError(provider, error, { maxRetryAfterS: Number.POSITIVE_INFINITY }).toInfo()
        : { code: 'internal' as const, message: 'Quire hit an unexpected error.', retryable: false }));
  if (!isQuireError(error)) {
    logger?.warn(`tournament member (${provider}) failed: ${error instanceof Error ? error.message : String(error)}`);
  }
  return {
    code: info.code,
    message: info.message,
    retryable: info.retryable,
    ...(info.advised ? { advised: true as const } : {}),
  };
}
