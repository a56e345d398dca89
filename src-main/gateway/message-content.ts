// The content of an app's message as both APIs send it: a string, or parts (OpenAI) / blocks (Anthropic) of text and
// images. Text parts are joined; images (OpenAI's image_url data URLs, Anthropic's base64 image blocks) become the
// run's images, which runs:start checks as it checks the Workbench's (type, size, the bytes' own format). Quire fetches
// no address for an image, and sends images with the last user message, as runs do.
import type { RunImage } from '../../src-preload/contract/images';
import { wire } from './wire-errors';

/** An image of the request: the part it came in, and the field holding its bytes (what a refusal of them names). */
export interface WireImage {
  image: RunImage;
  part: string;
  param: string;
}

export interface Content {
  text: string;
  images: WireImage[];
}

type Part = { type: string; text?: unknown; image_url?: unknown; source?: unknown };

const DATA_URL = /^data:([^;,]+);base64,(.*)$/s;

export function contentOf(value: string | Part[] | null | undefined, param: string, noun: 'part' | 'block'): Content {
  if (typeof value === 'string' || value === null || value === undefined) return { text: value ?? '', images: [] };
  const texts: string[] = [];
  const images: WireImage[] = [];
  value.forEach((part, i) => {
    const at = `${param}.${i}`;
    if (noun === 'part' && part.type === 'image_url') {
      const field = `${at}.image_url.url`;
      images.push({ image: fromDataUrl(part.image_url, field), part: at, param: field });
    } else if (noun === 'block' && part.type === 'image') {
      const field = `${at}.source`;
      images.push({ image: fromSource(part.source, field), part: at, param: field });
    } else texts.push(partText(part, i, param, noun));
  });
  return { text: texts.join('\n'), images };
}

/**
 * The words of one part of a message's content (a block, in Anthropic's words). One whose "text" is missing or not a
 * string names that field, rather than saying text parts are unsupported.
 */
export function partText(
  part: { type: string; text?: unknown },
  index: number,
  param: string,
  noun: 'part' | 'block',
): string {
  if (part.type !== 'text')
    throw wire.invalid(`${param}: only text and image ${noun}s are supported, not "${part.type}".`, param);
  if (typeof part.text === 'string') return part.text;
  const field = `${param}.${index}.text`;
  const problem = part.text === undefined ? 'is required' : 'must be a string';
  throw wire.invalid(`${field} ${problem}: a text ${noun} carries its words in "text".`, field);
}

/** OpenAI's image_url: a data URL (the type is checked with the bytes, by the run's own schema). */
function fromDataUrl(imageUrl: unknown, field: string): RunImage {
  const url = typeof imageUrl === 'object' && imageUrl !== null ? (imageUrl as { url?: unknown }).url : undefined;
  if (typeof url !== 'string')
    throw wire.invalid(`${field} is required: an image part carries its image as a data URL there.`, field);
  const data = DATA_URL.exec(url);
  if (!data)
    throw wire.invalid(
      `${field}: Quire's gateway takes an image as a data URL (data:image/png;base64,…), not an address to fetch. Send the image's bytes in a data URL; nothing was charged.`,
      field,
    );
  return { media_type: data[1]!.toLowerCase() as RunImage['media_type'], data_base64: data[2]! };
}

/** Anthropic's image source: base64 data only. */
function fromSource(source: unknown, field: string): RunImage {
  const s = (typeof source === 'object' && source !== null ? source : {}) as Record<string, unknown>;
  if (s.type !== 'base64')
    throw wire.invalid(
      `${field}: Quire's gateway takes an image as base64 data ("type": "base64"), not an address or a file to fetch. Send the image's bytes as base64; nothing was charged.`,
      field,
    );
  if (typeof s.media_type !== 'string' || typeof s.data !== 'string')
    throw wire.invalid(`${field}: send the image's "media_type" and its bytes, in base64, as "data".`, field);
  return { media_type: s.media_type as RunImage['media_type'], data_base64: s.data };
}

/**
 * The images the run carries: those of the last user message. One in any other message is refused (a run sends images
 * with its last user message only), rather than sent where the app did not put it or left out without a word.
 */
export function lastUserImages(messages: readonly { role: string; content: Content }[]): WireImage[] {
  const last = messages.findLastIndex((m) => m.role === 'user');
  messages.forEach((m, i) => {
    const [image] = m.content.images;
    if (i === last || !image) return;
    throw wire.invalid(
      `${image.part}: Quire sends images with the last user message only. Send this image again with that message, or leave it out; nothing was charged.`,
      image.part,
    );
  });
  return last >= 0 ? messages[last]!.content.images : [];
}
