// Images as runs:start takes them: sizes read from each format's header, and clear errors for what cannot be sent.
import { describe, expect, it } from 'vitest';
import { gifHeader, jpegHeader, pngImage, webpHeader } from '../../test/support/images';
import { MAX_IMAGE_BYTES, readImageSize, runImagesSchema, runImageSchema, sniffImageType } from './images';
import { runStartSchema } from './runs';

const b64 = (bytes: Buffer) => bytes.toString('base64');

describe('image sizes from their headers', () => {
  it.each([
    ['PNG', pngImage(37, 21), 'image/png', 37, 21],
    ['JPEG (walking APP0 and APP1 to a progressive SOF)', jpegHeader(4032, 3024), 'image/jpeg', 4032, 3024],
    ['GIF', gifHeader(640, 480), 'image/gif', 640, 480],
    ['WebP lossy', webpHeader('VP8 ', 1000, 750), 'image/webp', 1000, 750],
    ['WebP lossless', webpHeader('VP8L', 513, 2049), 'image/webp', 513, 2049],
    ['WebP extended', webpHeader('VP8X', 7000, 3), 'image/webp', 7000, 3],
  ])('%s', (_, bytes, type, width, height) => {
    const u8 = new Uint8Array(bytes);
    expect(sniffImageType(u8)).toBe(type);
    expect(readImageSize(u8)).toEqual({ width, height });
  });

  it('text, a truncated header or a JPEG without a frame is not read as an image', () => {
    expect(readImageSize(new TextEncoder().encode('Chapter 1. The map was lost.'))).toBeNull();
    expect(readImageSize(new Uint8Array(pngImage(10, 10).subarray(0, 16)))).toBeNull();
    expect(readImageSize(new Uint8Array([0xff, 0xd8, 0xff, 0xd9, 0, 0, 0, 0, 0, 0, 0, 0]))).toBeNull();
  });
});

describe('runs:start’s images', () => {
  const png = { media_type: 'image/png', data_base64: b64(pngImage(40, 30)), name: 'map.png' };

  it('takes a passage with images', () => {
    const parsed = runStartSchema.safeParse({ task: 'scene_draft', input: 'The harbour.', images: [png] });
    expect(parsed.success).toBe(true);
  });

  it.each<[string, unknown, RegExp]>([
    ['a type Quire does not take', { ...png, media_type: 'image/tiff' }, /PNG, JPEG, WebP or GIF/],
    ['a data: URL instead of base64', { ...png, data_base64: `data:image/png;base64,${png.data_base64}` }, /base64/],
    [
      'text sent as an image',
      { ...png, data_base64: b64(Buffer.from('not a picture at all')) },
      /"map.png" is not a PNG, JPEG, WebP or GIF image/,
    ],
    ['a JPEG sent as PNG', { ...png, data_base64: b64(jpegHeader(10, 10)) }, /"map.png" is a JPEG file, not PNG/],
    ['wider than 8,000 pixels', { ...png, data_base64: b64(pngImage(8001, 1)) }, /8001×1 pixels; .*at most 8000/],
    [
      'larger than 5 MB',
      { ...png, data_base64: 'A'.repeat(Math.ceil(MAX_IMAGE_BYTES / 3) * 4 + 4) },
      /at most 5\.2 MB/,
    ],
  ])('refuses %s with a clear message', (_, image, message) => {
    const parsed = runImageSchema.safeParse(image);
    expect(parsed.success).toBe(false);
    expect(parsed.error!.issues[0]!.message).toMatch(message);
  });

  it('refuses more than 8 images, and more than 15 MB of them together', () => {
    const nine = runImagesSchema.safeParse(Array.from({ length: 9 }, () => png));
    expect(nine.error!.issues[0]!.message).toMatch(/at most 8 images/);
    // Four images of ~4.5 MB each (a PNG header, then padding the header reader never reaches).
    const big = Buffer.concat([pngImage(20, 20), Buffer.alloc(4.5 * 1024 * 1024)]);
    const four = runImagesSchema.safeParse(Array.from({ length: 4 }, () => ({ ...png, data_base64: b64(big) })));
    expect(four.error!.issues[0]!.message).toMatch(/come to 18\.9 MB; a run may carry at most 15\.7 MB/);
  });
});
