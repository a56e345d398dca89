// A member call that threw instead of coming back as a failed run (RunService.call never should): said in the words a
// single run has for the same failure, the thrown text only in the log.
import { isQuireError } from '../errors';
import { systemErrorInfo } from '../errors/system-error-words';
import type { Logger } from '../infra/logger';
import { mapSdkError } from '../providers/provider-errors';
import type { ModelCallOutcome } from '../runs/run-service';

/** Whether `error` is one of the SDKs' own (an HTTP answer, a connection that failed): provider-errors.ts words it. */
function fromSdk(error: unknown): boolean {
  const e = error as { status?: unknown; name?: unknown } | null;
  return (
    error instanceof Error &&
    (typeof e?.status === 'number' || /^API(UserAbort|ConnectionTimeout|Connection)Error$/.test(String(e?.name)))
  );
}

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
      (fromSdk(error)
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
