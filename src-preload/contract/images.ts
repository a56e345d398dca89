// Images a run carries with its passage (a map, a character sketch, a page scan): their wire shape and limits, and
// their pixel size read from the file's own header (PNG, JPEG, WebP, GIF) with no decoder and no dependency. Shared by
// main (validation, pricing, what the run record keeps) and the renderer (the Workbench's quote).
import { z } from 'zod';
import { bytesText, sizeOverText } from './bytes-text';

export const IMAGE_MEDIA_TYPES = ['image/png', 'image/jpeg', 'image/webp', 'image/gif'] as const;
export type ImageMediaType = (typeof IMAGE_MEDIA_TYPES)[number];

/** Images per run: a writer's map, sketches or scanned pages, not an album. */
export const MAX_IMAGES = 8;
/** Per image, as a file: Anthropic's API limit (5 MB), the smallest of the providers'. */
export const MAX_IMAGE_BYTES = 5 * 1024 * 1024;
/** All of a run's images together: Gemini takes at most 20 MB of inline data per request, the passage included. */
export const MAX_IMAGES_TOTAL_BYTES = 15 * 1024 * 1024;
/** Anthropic refuses an image wider or taller than 8,000 pixels. */
export const MAX_IMAGE_SIDE = 8000;

export interface ImageSize {
  width: number;
  height: number;
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** Bytes a base64 text decodes to (its length alone: no decoding). */
export function base64Bytes(data: string): number {
  const padding = data.endsWith('==') ? 2 : data.endsWith('=') ? 1 : 0;
  return Math.floor((data.length * 3) / 4) - padding;
}

/** The first `limit` bytes of a base64 text (whole groups of 4 characters only: no partial decode). */
export function decodeBase64(data: string, limit = Infinity): Uint8Array {
  const chars = Math.min(data.length, Math.ceil(limit / 3) * 4);
  const binary = atob(data.slice(0, chars - (chars % 4)));
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

const u16be = (b: Uint8Array, i: number) => (b[i]! << 8) | b[i + 1]!;
const u16le = (b: Uint8Array, i: number) => b[i]! | (b[i + 1]! << 8);
const u24le = (b: Uint8Array, i: number) => b[i]! | (b[i + 1]! << 8) | (b[i + 2]! << 16);
const u32be = (b: Uint8Array, i: number) => ((b[i]! << 24) >>> 0) + ((b[i + 1]! << 16) | (b[i + 2]! << 8) | b[i + 3]!);
const ascii = (b: Uint8Array, i: number, n: number) => String.fromCharCode(...b.subarray(i, i + n));

/** The format the bytes themselves say they are (their magic number), or null. */
export function sniffImageType(b: Uint8Array): ImageMediaType | null {
  if (b.length >= 8 && u32be(b, 0) === 0x89504e47 && u32be(b, 4) === 0x0d0a1a0a) return 'image/png';
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return 'image/jpeg';
  if (b.length >= 6 && (ascii(b, 0, 6) === 'GIF87a' || ascii(b, 0, 6) === 'GIF89a')) return 'image/gif';
  if (b.length >= 12 && ascii(b, 0, 4) === 'RIFF' && ascii(b, 8, 4) === 'WEBP') return 'image/webp';
  return null;
}

/**
 * Width and height in pixels from the header: PNG's IHDR, GIF's logical screen, WebP's VP8 / VP8L / VP8X chunk,
 * JPEG's first start-of-frame marker (walking the segments before it). Null when the header cannot be read.
 */
export function readImageSize(b: Uint8Array): ImageSize | null {
  const type = sniffImageType(b);
  let size: ImageSize | null = null;
  if (type === 'image/png' && b.length >= 24 && ascii(b, 12, 4) === 'IHDR') {
    size = { width: u32be(b, 16), height: u32be(b, 20) };
  } else if (type === 'image/gif' && b.length >= 10) {
    size = { width: u16le(b, 6), height: u16le(b, 8) };
  } else if (type === 'image/webp' && b.length >= 30) {
    size = webpSize(b);
  } else if (type === 'image/jpeg') {
    size = jpegSize(b);
  }
  return size && size.width > 0 && size.height > 0 ? size : null;
}

function webpSize(b: Uint8Array): ImageSize | null {
  const chunk = ascii(b, 12, 4);
  // VP8 (lossy): a key frame's start code, then 14-bit sizes.
  if (chunk === 'VP8 ' && b[23] === 0x9d && b[24] === 0x01 && b[25] === 0x2a) {
    return { width: u16le(b, 26) & 0x3fff, height: u16le(b, 28) & 0x3fff };
  }
  // VP8L (lossless): signature 0x2f, then 14-bit width-1 and height-1.
  if (chunk === 'VP8L' && b[20] === 0x2f) {
    const bits = b[21]! | (b[22]! << 8) | (b[23]! << 16) | (b[24]! << 24);
    return { width: (bits & 0x3fff) + 1, height: ((bits >>> 14) & 0x3fff) + 1 };
  }
  // VP8X (extended): 24-bit canvas width-1 and height-1.
  if (chunk === 'VP8X') return { width: u24le(b, 24) + 1, height: u24le(b, 27) + 1 };
  return null;
}

function jpegSize(b: Uint8Array): ImageSize | null {
  let i = 2;
  while (i + 9 < b.length) {
    if (b[i] !== 0xff) return null;
    const marker = b[i + 1]!;
    // Fill bytes and markers without a length.
    if (marker === 0xff) {
      i += 1;
      continue;
    }
    if (marker === 0xd8 || marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      i += 2;
      continue;
    }
    // Start of frame: SOF0–SOF15 except DHT (C4), JPG (C8) and DAC (CC).
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      return { height: u16be(b, i + 5), width: u16be(b, i + 7) };
    }
    if (marker === 0xd9 || marker === 0xda) return null;
    i += 2 + u16be(b, i + 2);
  }
  return null;
}

/** Enough for any header but a JPEG's, whose frame may follow a long EXIF block (then the whole file is read). */
const HEADER_BYTES = 64 * 1024;

/** The size from the first bytes, or for a JPEG whose frame lies further in, from the whole file. */
export function imageSizeOf(data: string, head = decodeBase64(data, HEADER_BYTES)): ImageSize | null {
  const size = readImageSize(head);
  if (size || head.length >= base64Bytes(data) || sniffImageType(head) !== 'image/jpeg') return size;
  return readImageSize(decodeBase64(data));
}

const MEDIA_WORDS: Record<ImageMediaType, string> = {
  'image/png': 'PNG',
  'image/jpeg': 'JPEG',
  'image/webp': 'WebP',
  'image/gif': 'GIF',
};

const label = (name: string | undefined) => (name ? `"${name}"` : 'This image');

/** One image as runs:start takes it: the file's bytes in base64 (no data: prefix), its type and, for messages, its name. */
export const runImageSchema = z
  .strictObject({
    media_type: z.enum(IMAGE_MEDIA_TYPES, { error: 'Quire takes PNG, JPEG, WebP or GIF images' }),
    data_base64: z
      .string()
      .min(1, 'The image is empty')
      .max(Math.ceil(MAX_IMAGE_BYTES / 3) * 4, `An image may be at most ${bytesText(MAX_IMAGE_BYTES)}`)
      .regex(BASE64, 'The image must be sent as base64 (without a data: prefix)')
      .refine((data) => data.length % 4 === 0, 'The image’s base64 is cut short (its length is not a multiple of 4)'),
    name: z.string().min(1).max(200).optional(),
  })
  .superRefine((image, ctx) => {
    // zod runs this even when a field failed above: only well-formed base64 is looked into.
    if (!BASE64.test(image.data_base64) || image.data_base64.length % 4 !== 0) return;
    if (base64Bytes(image.data_base64) > MAX_IMAGE_BYTES) {
      ctx.addIssue({
        code: 'custom',
        message: `${label(image.name)} is ${sizeOverText(base64Bytes(image.data_base64), MAX_IMAGE_BYTES)}; an image may be at most ${bytesText(MAX_IMAGE_BYTES)}. Send a smaller copy.`,
      });
      return;
    }
    const bytes = decodeBase64(image.data_base64, HEADER_BYTES);
    const actual = sniffImageType(bytes);
    if (actual === null) {
      ctx.addIssue({
        code: 'custom',
        message: `${label(image.name)} is not a PNG, JPEG, WebP or GIF image`,
        path: ['data_base64'],
      });
      return;
    }
    if (actual !== image.media_type) {
      ctx.addIssue({
        code: 'custom',
        message: `${label(image.name)} is a ${MEDIA_WORDS[actual]} file, not ${MEDIA_WORDS[image.media_type]} as sent`,
        path: ['media_type'],
      });
      return;
    }
    const size = imageSizeOf(image.data_base64, bytes);
    if (!size) {
      ctx.addIssue({
        code: 'custom',
        message: `${label(image.name)}'s size could not be read from its header; the file may be damaged`,
        path: ['data_base64'],
      });
    } else if (size.width > MAX_IMAGE_SIDE || size.height > MAX_IMAGE_SIDE) {
      ctx.addIssue({
        code: 'custom',
        message: `${label(image.name)} is ${size.width}×${size.height} pixels; an image may be at most ${MAX_IMAGE_SIDE} pixels on a side`,
      });
    }
  });
export type RunImage = z.infer<typeof runImageSchema>;

export const runImagesSchema = z
  .array(runImageSchema)
  .max(MAX_IMAGES, `A run may carry at most ${MAX_IMAGES} images`)
  .superRefine((images, ctx) => {
    const total = images.reduce((sum, image) => sum + base64Bytes(image.data_base64), 0);
    if (total > MAX_IMAGES_TOTAL_BYTES) {
      ctx.addIssue({
        code: 'custom',
        message: `These images come to ${sizeOverText(total, MAX_IMAGES_TOTAL_BYTES)}; a run may carry at most ${bytesText(MAX_IMAGES_TOTAL_BYTES)} of images`,
      });
    }
  });

/** An image's size for a quote (orchestrator:decide): what the providers price it by. */
export const imageSizeSchema = z.strictObject({
  width: z.number().int().min(1).max(MAX_IMAGE_SIDE),
  height: z.number().int().min(1).max(MAX_IMAGE_SIDE),
});

/** What a run's record keeps of an image: never its bytes. */
export interface StoredImage {
  media_type: ImageMediaType;
  name: string | null;
  width: number;
  height: number;
  bytes: number;
  /** SHA-256 of the file's bytes, hex: the same image is recognisable across runs without keeping it. */
  sha256: string;
}
