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
    // The browser's and the developer's words (a status, the command that serves the host) are for the console.
    xhr.onload = () => {
      if (xhr.response !== null) return resolve(xhr.response as Envelope<never>);
      console.warn(`Quire's host answered the upload with HTTP ${xhr.status} and no reply it could read.`);
      resolve({
        ok: false,
        error: {
          code: 'internal',
          message:
            'Quire’s answer to the upload could not be read, so the file may not have arrived. Reload the page to see ' +
            'whether it is there, and upload it again if it is not.',
          retryable: true,
          advised: true,
        },
      });
    };
    xhr.onerror = () => {
      console.warn("The upload could not reach Quire's host. Is `npm run serve` still running?");
      resolve({
        ok: false,
        error: {
          code: 'unavailable',
          message:
            'The file did not reach Quire: this window lost its connection to Quire. Reload the page, then upload the ' +
            'file again; if it keeps happening, quit and reopen Quire.',
          retryable: true,
          advised: true,
        },
      });
    };
    xhr.onabort = () =>
      resolve({ ok: false, error: { code: 'cancelled', message: 'The upload was stopped.', retryable: true } });
    signal?.addEventListener('abort', () => xhr.abort(), { once: true });
    xhr.send(file);
  });
