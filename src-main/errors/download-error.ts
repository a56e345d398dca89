import { QuireError } from './quire-error';

export type DownloadFailure =
  'not_found' | 'gated' | 'disk_full' | 'checksum_mismatch' | 'server_gone' | 'stalled' | 'http_error' | 'invalid_file';

/** A model download failed; `reason` is what the writer is told and what decides whether resuming may help. */
export class DownloadError extends QuireError {
  readonly reason: DownloadFailure;

  constructor(reason: DownloadFailure, message: string, cause?: unknown) {
    super('download_error', message, {
      cause,
      retryable: reason === 'server_gone' || reason === 'stalled' || reason === 'http_error',
    });
    this.name = 'DownloadError';
    this.reason = reason;
  }
}
