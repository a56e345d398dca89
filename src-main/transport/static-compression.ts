// The browser host's static files compressed for the browser: Brotli or gzip by the request's Accept-Encoding, each
// file compressed once and kept (keyed by path, size and mtime, so a rebuilt renderer is compressed again).
import { stat } from 'node:fs/promises';
import { promisify } from 'node:util';
import { brotliCompress, constants, gzip } from 'node:zlib';

export type ContentEncoding = 'br' | 'gzip';

const brotli = promisify(brotliCompress);
const gzipAsync = promisify(gzip);

/** Text worth compressing; images and fonts are compressed already. */
const COMPRESSIBLE = /^(text\/|application\/json|application\/javascript|image\/svg\+xml)/;
/** Below this a compressed body saves less than its headers cost. */
const MIN_BYTES = 1024;

/** The encoding to send for an Accept-Encoding header: Brotli before gzip, honouring q=0 refusals; null = identity. */
export function negotiateEncoding(acceptEncoding: string | undefined): ContentEncoding | null {
  if (!acceptEncoding) return null;
  const accepted = new Map<string, number>();
  for (const part of acceptEncoding.split(',')) {
    const [name, ...params] = part.trim().toLowerCase().split(';');
    if (!name) continue;
    const q = params.map((p) => /^\s*q=([0-9.]+)\s*$/.exec(p)).find((m) => m !== null);
    accepted.set(name, q ? Number(q[1]) : 1);
  }
  const quality = (name: ContentEncoding) => accepted.get(name) ?? accepted.get('*') ?? 0;
  const best = (['br', 'gzip'] as const).filter((name) => quality(name) > 0);
  best.sort((a, b) => quality(b) - quality(a));
  return best[0] ?? null;
}

export function compressible(contentType: string, bytes: number): boolean {
  return bytes >= MIN_BYTES && COMPRESSIBLE.test(contentType);
}

export class StaticCompressor {
  private readonly cache = new Map<string, Promise<Buffer>>();

  /** `content` encoded as `encoding`, compressed on the first request for this version of `file` only. */
  async encode(file: string, content: Buffer, encoding: ContentEncoding): Promise<Buffer> {
    const info = await stat(file);
    const key = `${encoding}\u0000${file}\u0000${info.size}\u0000${info.mtimeMs}`;
    let encoded = this.cache.get(key);
    if (!encoded) {
      // One version per file and encoding: a rebuilt file replaces the old entry rather than adding to it.
      for (const old of this.cache.keys()) if (old.startsWith(`${encoding}\u0000${file}\u0000`)) this.cache.delete(old);
      encoded =
        encoding === 'br'
          ? brotli(content, {
              params: {
                [constants.BROTLI_PARAM_QUALITY]: 9,
                [constants.BROTLI_PARAM_SIZE_HINT]: content.length,
                [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT,
              },
            })
          : gzipAsync(content, { level: 9 });
      encoded.catch(() => this.cache.delete(key));
      this.cache.set(key, encoded);
    }
    return encoded;
  }
}
