// Sends a file to the browser host's upload route: the File's bytes go as the request body, read from disk by the
// browser as they are sent (never into this page's memory), with progress from XMLHttpRequest (fetch has none for
// uploads).
import { uploadPath, type Envelope, type UploadKind, type UploadOutputs } from '$contract';

export interface UploadRequest<K extends UploadKind> {
  kind: K;
  file: Blob & { name: string };
  /** Bytes sent so far, as the browser reports them. */
  onprogress?: (sent: number, total: number) => void;
  signal?: AbortSignal;
}

export type Uploader = <K extends UploadKind>(request: UploadRequest<K>) => Promise<Envelope<UploadOutputs[K]>>;

export const uploadFile: Uploader = ({ kind, file, onprogress, signal }) =>
  new Promise((resolve) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', uploadPath(kind, file.name));
    xhr.setRequestHeader('Content-Type', 'application/octet-stream');
    xhr.responseType = 'json';
    xhr.upload.onprogress = (event) => onprogress?.(event.loaded, event.total || file.size);
    xhr.onload = () =>
      resolve(
        (xhr.response as Envelope<never> | null) ?? {
          ok: false,
          error: { code: 'internal', message: `The host answered ${xhr.status} without a reply`, retryable: true },
        },
      );
    xhr.onerror = () =>
      resolve({
        ok: false,
        error: {
          code: 'unavailable',
          message: 'The upload could not reach Quire’s host. Is `npm run serve` still running?',
          retryable: true,
        },
      });
    xhr.onabort = () =>
      resolve({ ok: false, error: { code: 'cancelled', message: 'The upload was stopped.', retryable: true } });
    signal?.addEventListener('abort', () => xhr.abort(), { once: true });
    xhr.send(file);
  });
