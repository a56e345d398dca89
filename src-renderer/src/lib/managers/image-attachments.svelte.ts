// Images a writer attaches to a Workbench run (a map, a character sketch, a page scan): read here in the renderer as
// base64, checked against the limits runs:start applies (type, size, count, pixel size from the file's header), shown
// as thumbnails, and sent with the run. Only models that can see images are then chosen; the quote counts them.
import { bytesText, sizeOverText } from '$contract/bytes-text';
import {
  decodeBase64,
  IMAGE_MEDIA_TYPES,
  imageSizeOf,
  MAX_IMAGE_BYTES,
  MAX_IMAGE_SIDE,
  MAX_IMAGES,
  MAX_IMAGES_TOTAL_BYTES,
  sniffImageType,
  type ImageMediaType,
  type ImageSize,
  type RunImage,
} from '$contract/images';

export interface AttachedImage {
  id: number;
  name: string;
  media_type: ImageMediaType;
  data_base64: string;
  width: number;
  height: number;
  bytes: number;
  /** A data: URL for the thumbnail (the CSP allows data: images only). */
  url: string;
}

/** Base64 of the bytes, in slices (String.fromCharCode takes only so many arguments). */
function toBase64(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

export class ImageAttachments {
  #items = $state.raw<AttachedImage[]>([]);
  /** Why the last file picked was not attached, in a writer's words; null when all were. */
  #error = $state<string | null>(null);
  #reading = $state(false);
  #next = 1;

  readonly items = $derived(this.#items);
  readonly error = $derived(this.#error);
  readonly reading = $derived(this.#reading);
  readonly count = $derived(this.#items.length);

  /** What runs:start takes. */
  readonly forRun = $derived<RunImage[]>(
    this.#items.map(({ name, media_type, data_base64 }) => ({ media_type, data_base64, name })),
  );
  /** What orchestrator:decide prices them by. */
  readonly sizes = $derived<ImageSize[]>(this.#items.map(({ width, height }) => ({ width, height })));

  /** Reads and attaches the files picked; one that cannot go is left out, and `error` says why. */
  async add(files: Iterable<File>): Promise<void> {
    this.#reading = true;
    const problems: string[] = [];
    try {
      for (const file of files) {
        const problem = await this.#attach(file);
        if (problem) problems.push(problem);
      }
    } finally {
      this.#reading = false;
    }
    this.#error = problems.length > 0 ? problems.join(' ') : null;
  }

  async #attach(file: File): Promise<string | null> {
    const name = file.name || 'The image';
    if (this.#items.length >= MAX_IMAGES)
      return `"${name}" was not added: a run may carry at most ${MAX_IMAGES} images.`;
    if (file.size > MAX_IMAGE_BYTES) {
      return `"${name}" is ${sizeOverText(file.size, MAX_IMAGE_BYTES)}; an image may be at most ${bytesText(MAX_IMAGE_BYTES)}. Save a smaller copy and add that.`;
    }
    const total = this.#items.reduce((sum, image) => sum + image.bytes, 0) + file.size;
    if (total > MAX_IMAGES_TOTAL_BYTES) {
      return `"${name}" was not added: the images would come to ${sizeOverText(total, MAX_IMAGES_TOTAL_BYTES)}, and a run may carry ${bytesText(MAX_IMAGES_TOTAL_BYTES)}.`;
    }
    const data = toBase64(new Uint8Array(await file.arrayBuffer()));
    const head = decodeBase64(data, 64 * 1024);
    const type = sniffImageType(head);
    if (!type || !(IMAGE_MEDIA_TYPES as readonly string[]).includes(type)) {
      return `"${name}" is not a PNG, JPEG, WebP or GIF image.`;
    }
    const size = imageSizeOf(data, head);
    if (!size) return `"${name}" could not be read as an image; the file may be damaged.`;
    if (size.width > MAX_IMAGE_SIDE || size.height > MAX_IMAGE_SIDE) {
      return `"${name}" is ${size.width}×${size.height} pixels; an image may be at most ${MAX_IMAGE_SIDE} pixels on a side.`;
    }
    this.#items = [
      ...this.#items,
      {
        id: this.#next++,
        name,
        media_type: type,
        data_base64: data,
        ...size,
        bytes: file.size,
        url: `data:${type};base64,${data}`,
      },
    ];
    return null;
  }

  remove(id: number): void {
    this.#items = this.#items.filter((image) => image.id !== id);
    this.#error = null;
  }

  reset(): void {
    this.#items = [];
    this.#error = null;
    this.#reading = false;
  }
}
