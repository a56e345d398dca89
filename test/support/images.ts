// Image files for tests, made here rather than checked in: a real PNG (any size, a colour gradient a browser can show)
// and the headers of JPEG, GIF and WebP files at a chosen size (what Quire reads; the pixels after them are not).
import { encodePng } from '../../scripts/make-icon.mjs';
import * as headers from '../renderer/image-headers';

/** A valid RGB PNG of this size: a gradient from `from` to `to` (so two images differ and a thumbnail shows). */
export function pngImage(
  width: number,
  height: number,
  from: [number, number, number] = [40, 90, 160],
  to: [number, number, number] = [230, 200, 120],
): Buffer {
  const row = 1 + width * 3;
  const raw = Buffer.alloc(row * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const t = (x + y) / Math.max(1, width + height - 2);
      for (let c = 0; c < 3; c++) raw[y * row + 1 + x * 3 + c] = Math.round(from[c]! + (to[c]! - from[c]!) * t);
    }
  }
  return encodePng(width, height, 'rgb', raw);
}

/** The other formats' headers (plain bytes, shared with renderer tests), as Buffers. */
export const jpegHeader = (width: number, height: number) => Buffer.from(headers.jpegHeader(width, height));
export const gifHeader = (width: number, height: number) => Buffer.from(headers.gifHeader(width, height));
export const webpHeader = (kind: 'VP8 ' | 'VP8L' | 'VP8X', width: number, height: number) =>
  Buffer.from(headers.webpHeader(kind, width, height));
