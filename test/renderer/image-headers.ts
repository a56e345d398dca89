// The first bytes of image files at a chosen size — what Quire reads to size an image; the pixels after them are not
// read. Plain Uint8Arrays, so renderer tests can use them too (test/support/images.ts adds a real PNG for Node tests).

/** PNG's signature and IHDR chunk (its CRC is not checked by a header reader). */
export function pngHeader(width: number, height: number): Uint8Array {
  const b = new Uint8Array(33);
  b.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]);
  const view = new DataView(b.buffer);
  view.setUint32(16, width);
  view.setUint32(20, height);
  b[24] = 8;
  b[25] = 2;
  return b;
}

/** A JPEG's start: SOI, an APP0 (JFIF) and an APP1 segment to walk past, then SOF2 (progressive) with the size. */
export function jpegHeader(width: number, height: number): Uint8Array {
  const app0 = [0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0, 1, 1, 0, 0, 1, 0, 1, 0, 0];
  const exif = [0xff, 0xe1, 0x01, 0x02, ...new Array<number>(0x0102 - 2).fill(0x45)];
  const sof = [0xff, 0xc2, 0x00, 0x11, 0x08, height >> 8, height & 255, width >> 8, width & 255, 3];
  return new Uint8Array([0xff, 0xd8, ...app0, ...exif, ...sof, ...new Array<number>(9).fill(0)]);
}

export function gifHeader(width: number, height: number): Uint8Array {
  const b = new Uint8Array(13);
  b.set([...'GIF89a'].map((c) => c.charCodeAt(0)));
  const view = new DataView(b.buffer);
  view.setUint16(6, width, true);
  view.setUint16(8, height, true);
  return b;
}

/** A WebP's RIFF header and first chunk: lossy (VP8), lossless (VP8L) or extended (VP8X). */
export function webpHeader(kind: 'VP8 ' | 'VP8L' | 'VP8X', width: number, height: number): Uint8Array {
  const b = new Uint8Array(40);
  const view = new DataView(b.buffer);
  const ascii = (text: string, at: number) =>
    b.set(
      [...text].map((c) => c.charCodeAt(0)),
      at,
    );
  ascii('RIFF', 0);
  view.setUint32(4, 32, true);
  ascii('WEBP', 8);
  ascii(kind, 12);
  view.setUint32(16, 20, true);
  if (kind === 'VP8 ') {
    b.set([0x9d, 0x01, 0x2a], 23);
    view.setUint16(26, width, true);
    view.setUint16(28, height, true);
  } else if (kind === 'VP8L') {
    b[20] = 0x2f;
    view.setUint32(21, ((width - 1) | ((height - 1) << 14)) >>> 0, true);
  } else {
    view.setUint32(24, width - 1, true);
    view.setUint32(27, height - 1, true);
  }
  return b;
}
