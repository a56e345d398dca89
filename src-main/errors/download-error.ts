import { QuireError, type QuireErrorOptions } from './quire-error';

export type DownloadFailure =
  | 'not_found'
  | 'gated'
  | 'disk_full'
  | 'checksum_mismatch'
  | 'server_gone'
  | 'stalled'
  | 'http_error'
  | 'invalid_file'
  /** The same bytes are an installed model already: nothing was kept, and there is nothing to resume. */
  | 'already_installed';

/** A model download failed; `reason` is what the writer is told and what decides whether resuming may help. */
export class DownloadError extends QuireError {
  readonly reason: DownloadFailure;

  /** `advised`: the message ends with the step that fixes it (the general "check the address" would not). */
  constructor(reason: DownloadFailure, message: string, options: Pick<QuireErrorOptions, 'cause' | 'advised'> = {}) {
    super('download_error', message, {
      ...options,
      retryable: reason === 'server_gone' || reason === 'stalled' || reason === 'http_error',
    });
    this.name = 'DownloadError';
    this.reason = reason;
  }
}
