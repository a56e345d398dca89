// What the browser host's uploads do with the bytes: a .gguf streams into the models folder (the library's import,
// limited by the free disk space), a manuscript is opened like one from disk (limited to 50 MB of text).
import type { Readable } from 'node:stream';
import type { UploadKind } from '../../src-preload/contract';
import { bytesText, sizeOverText } from '../../src-preload/contract/bytes-text';
import { PayloadTooLargeError } from '../errors';
import { assertModelRoom, defaultFreeSpace } from '../local/model-room';
import type { ModelLibrary } from '../local/library';
import type { ManuscriptsService } from '../manuscripts/manuscripts-service';
import { MAX_MANUSCRIPT_BYTES } from '../manuscripts/source-reader';
import type { UploadRoute } from '../transport/http-host';

export type UploadRoutes = Record<UploadKind, UploadRoute>;

export interface UploadDeps {
  library: Pick<ModelLibrary, 'modelsDir' | 'importStream'>;
  manuscripts: Pick<ManuscriptsService, 'openUpload'>;
  /** Free bytes on the disk holding `dir`; default: statfs. */
  freeSpace?: (dir: string) => Promise<number>;
}

export function uploadRoutes({ library, manuscripts, freeSpace = defaultFreeSpace }: UploadDeps): UploadRoutes {
  return {
    model: {
      check: (bytes) => assertModelRoom(library.modelsDir(), bytes, freeSpace, 'upload it again'),
      accept: (body: Readable, fileName: string, gone: AbortSignal) =>
        library.importStream(body, fileName, undefined, gone),
    },
    manuscript: {
      async check(bytes) {
        if (bytes > MAX_MANUSCRIPT_BYTES)
          throw new PayloadTooLargeError(
            `This file is ${sizeOverText(bytes, MAX_MANUSCRIPT_BYTES)}; Quire opens manuscripts of up to ${bytesText(MAX_MANUSCRIPT_BYTES)} of text (about 8 million words). Is it the manuscript's text file?`,
          );
        return MAX_MANUSCRIPT_BYTES;
      },
      accept: (body: Readable, fileName: string) => manuscripts.openUpload(fileName, body),
    },
  };
}
