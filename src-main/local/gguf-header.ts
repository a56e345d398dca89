// A bounded reader of a GGUF header, run before node-llama-cpp or llama.cpp sees a file: every count and length is
// checked against a limit before it is used, so a crafted header (an array of 2^60 strings, a 4 GB key) is refused
// in bounded time instead of hanging the process or exhausting its memory. Reads through a byte source, so the same
// code checks a file on disk and a remote file over HTTP Range requests.
import { LocalModelError } from '../errors';
import { gpt2ByteCharacters } from './llama3-count';
import { openRegularForRead } from './model-files';

/** Reads up to `length` bytes at `offset`; fewer (or none) at the end of the source. */
export type ByteSource = (offset: number, length: number) => Promise<Buffer>;

export const HEADER_LIMITS = {
  /** Real models carry a few dozen keys. */
  keyValues: 10_000,
  /** Large mixture-of-experts models carry a few thousand tensors. */
  tensors: 65_536,
  /** The largest vocabularies and merge lists are a few hundred thousand entries. */
  arrayLength: 8_000_000,
  /**
   * Entries of every array in the header together (a vocabulary, its scores, types and merges: about a million at
   * most). node-llama-cpp reads the header again entry by entry into JavaScript arrays: 31 arrays of 8,000,000 bytes
   * took it 80 s and 3 GB, where this bound keeps it near a second.
   */
  arrayEntries: 8_000_000,
  keyLength: 256,
  /** Chat templates run to tens of KB. */
  stringLength: 4 * 1024 * 1024,
  /** GGML_MAX_NAME */
  tensorNameLength: 64,
  /** GGML_MAX_DIMS */
  dims: 4,
  /** Header (metadata + tensor infos) bytes read at most; vocabularies make headers of tens of MB. */
  headerBytes: 256 * 1024 * 1024,
} as const;

/**
 * A metadata value as the checks need it: scalars, and arrays with their length (numbers kept when short). The
 * vocabulary (tokenizer.ggml.tokens) also says how many of the bytes a writer's UTF-8 text can hold (TEXT_BYTES) it
 * has a token for, in the form each tokenizer falls back to: SentencePiece's "<0xE9>" (or the character itself, for
 * ASCII), byte-level BPE's GPT-2 character. llama.cpp aborts the process on a byte it finds no token for.
 */
export type HeaderValue =
  | string
  | number
  | bigint
  | boolean
  | { array: true; type: number; length: number; numbers?: number[]; byteTokens?: { spm: number; gpt2: number } };

/** Bytes that occur in valid UTF-8 (0xC0, 0xC1 and 0xF5–0xFF never do): what a writer's text can ask a vocabulary for. */
export const TEXT_BYTES = 256 - 2 - 11;
const isTextByte = (byte: number) => byte <= 0xbf || (byte >= 0xc2 && byte <= 0xf4);

export interface HeaderTensor {
  name: string;
  dims: number[];
  type: number;
  offset: number;
}

export interface GgufHeader {
  version: number;
  metadata: Map<string, HeaderValue>;
  tensors: HeaderTensor[];
  /** Where tensor data starts (after the header, aligned). */
  dataOffset: number;
  alignment: number;
}

const CHUNK = 1024 * 1024;
const NUMBER_ARRAY_KEEP = 4096;
const T_UINT8 = 0;
const T_STRING = 8;
const T_ARRAY = 9;
const SCALAR_SIZES: Record<number, number> = { 0: 1, 1: 1, 2: 2, 3: 2, 4: 4, 5: 4, 6: 4, 7: 1, 10: 8, 11: 8, 12: 8 };

/** The refusal of a model file: the plain reason, the technical detail short after it, and what to do. */
export function refusalMessage(label: string, plain: string, detail?: string, next = GET_IT_AGAIN): string {
  return `${label} isn't a model Quire can run: ${plain}${detail ? ` (${detail})` : ''}. ${next}`;
}

/**
 * A GGUF version Quire does not read: a newer format (a file made by a newer tool), the first one (which llama.cpp
 * dropped), or a number no GGUF has had (a damaged header).
 */
function versionError(label: string, version: number): HeaderError {
  if (version > 3 && version < 100)
    return new HeaderError(
      label,
      `GGUF version ${version}; Quire reads versions 2 and 3`,
      'it is in a newer GGUF format than this Quire reads',
      'Get the model as GGUF version 3, or look for a newer Quire.',
    );
  if (version === 1)
    return new HeaderError(
      label,
      'GGUF version 1',
      'it is in the first GGUF format, which llama.cpp no longer reads',
      'Get the model again as GGUF version 3.',
    );
  return new HeaderError(label, `it says GGUF version ${version}`);
}

/** A file that is not a GGUF at all: most likely the wrong file was chosen. */
export function notGgufError(label: string): HeaderError {
  return new HeaderError(
    label,
    'it does not start with "GGUF"',
    'it is not a GGUF model file',
    'Choose a .gguf model file.',
  );
}

export const GET_IT_AGAIN = 'Get it again from where you found it.';

export class HeaderError extends LocalModelError {
  /** `plain`: the reason in a writer's words; `detail`: the header's fact behind it, for whoever fixes the file. */
  constructor(label: string, detail: string | undefined, plain = 'the file is damaged', next?: string) {
    super('invalid_file', refusalMessage(label, plain, detail, next), { advised: true });
    this.name = 'HeaderError';
  }
}

/** A chunked cursor over a ByteSource; never reads past HEADER_LIMITS.headerBytes. */
class Cursor {
  private buffer: Buffer = Buffer.alloc(0);
  private base = 0;
  pos = 0;

  constructor(
    private readonly source: ByteSource,
    private readonly label: string,
  ) {}

  private async need(bytes: number, _what: string): Promise<void> {
    const end = this.pos + bytes;
    if (end > HEADER_LIMITS.headerBytes)
      throw new HeaderError(this.label, `its header is larger than ${HEADER_LIMITS.headerBytes / 2 ** 20} MB`);
    while (end > this.base + this.buffer.length) {
      const from = this.base + this.buffer.length;
      const chunk = await this.source(from, Math.max(CHUNK, end - from));
      if (chunk.length === 0) throw new HeaderError(this.label, 'it ends inside its header', 'the file is incomplete');
      // Keep only what is still ahead of the cursor (copied only when there is some: fresh memory is slow to touch).
      const ahead = this.buffer.subarray(this.pos - this.base);
      this.buffer = ahead.length > 0 ? Buffer.concat([ahead, chunk]) : chunk;
      this.base = this.pos;
    }
  }

  async bytes(length: number, what: string): Promise<Buffer> {
    await this.need(length, what);
    const start = this.pos - this.base;
    this.pos += length;
    return this.buffer.subarray(start, start + length);
  }

  async u32(what: string): Promise<number> {
    return (await this.bytes(4, what)).readUInt32LE(0);
  }

  async u64(what: string): Promise<bigint> {
    return (await this.bytes(8, what)).readBigUInt64LE(0);
  }

  async string(what: string, limit: number): Promise<string> {
    const length = await this.u64(`the length of ${what}`);
    if (length > BigInt(limit))
      throw new HeaderError(this.label, `${what} claims ${length} bytes (at most ${limit} are allowed)`);
    return (await this.bytes(Number(length), what)).toString('utf8');
  }

  async skip(length: number, what: string): Promise<void> {
    await this.bytes(length, what);
  }
}

function count(value: bigint, limit: number, what: string, label: string): number {
  if (value > BigInt(limit)) throw new HeaderError(label, `${what} is ${value} (at most ${limit} are allowed)`);
  return Number(value);
}

async function scalar(cursor: Cursor, type: number, what: string): Promise<number | bigint | boolean> {
  const b = await cursor.bytes(SCALAR_SIZES[type]!, what);
  switch (type) {
    case 0:
      return b.readUInt8(0);
    case 1:
      return b.readInt8(0);
    case 2:
      return b.readUInt16LE(0);
    case 3:
      return b.readInt16LE(0);
    case 4:
      return b.readUInt32LE(0);
    case 5:
      return b.readInt32LE(0);
    case 6:
      return b.readFloatLE(0);
    case 7:
      return b.readUInt8(0) !== 0;
    case 10:
      return b.readBigUInt64LE(0);
    case 11:
      return b.readBigInt64LE(0);
    default:
      return b.readDoubleLE(0);
  }
}

async function value(cursor: Cursor, type: number, key: string, label: string): Promise<HeaderValue> {
  if (type === T_STRING) return cursor.string(`the value of ${key}`, HEADER_LIMITS.stringLength);
  if (type in SCALAR_SIZES) return scalar(cursor, type, key);
  if (type !== T_ARRAY) throw new HeaderError(label, `${key} has an unknown value type ${type}`);
  const itemType = await cursor.u32(`the item type of ${key}`);
  if (itemType === T_ARRAY) throw new HeaderError(label, `${key} is an array of arrays, which llama.cpp cannot read`);
  if (itemType !== T_STRING && !(itemType in SCALAR_SIZES))
    throw new HeaderError(label, `${key} is an array of an unknown type ${itemType}`);
  const length = count(await cursor.u64(`the length of ${key}`), HEADER_LIMITS.arrayLength, `${key}'s length`, label);
  if (itemType === T_STRING) {
    if (key !== 'tokenizer.ggml.tokens') {
      for (let i = 0; i < length; i++) await cursor.string(`${key}[${i}]`, HEADER_LIMITS.stringLength);
      return { array: true, type: itemType, length };
    }
    const spm = new Set<number>();
    const gpt2 = new Set<number>();
    const gpt2Byte = new Map(gpt2ByteCharacters().map((char, byte) => [char, byte]));
    for (let i = 0; i < length; i++) {
      const token = await cursor.string(`${key}[${i}]`, HEADER_LIMITS.stringLength);
      const hex = token.length === 6 ? /^<0x([0-9A-F]{2})>$/.exec(token) : null;
      if (hex) spm.add(parseInt(hex[1]!, 16));
      else if (token.length === 1 && token.charCodeAt(0) < 0x80) spm.add(token.charCodeAt(0));
      const byte = token.length === 1 ? gpt2Byte.get(token) : undefined;
      if (byte !== undefined) gpt2.add(byte);
    }
    const covered = (set: Set<number>) => [...set].filter(isTextByte).length;
    return { array: true, type: itemType, length, byteTokens: { spm: covered(spm), gpt2: covered(gpt2) } };
  }
  const size = SCALAR_SIZES[itemType]!;
  if (length > NUMBER_ARRAY_KEEP || itemType === T_UINT8) {
    await cursor.skip(length * size, key);
    return { array: true, type: itemType, length };
  }
  const numbers: number[] = [];
  for (let i = 0; i < length; i++) numbers.push(Number(await scalar(cursor, itemType, key)));
  return { array: true, type: itemType, length, numbers };
}

/** Reads and structurally checks a GGUF header; throws HeaderError (a LocalModelError) naming what is wrong. */
export async function readGgufHeader(source: ByteSource, label: string): Promise<GgufHeader> {
  const cursor = new Cursor(source, label);
  const magic = (await cursor.bytes(4, 'the file type')).toString('latin1');
  if (magic !== 'GGUF') throw notGgufError(label);
  const version = await cursor.u32('the GGUF version');
  if (version !== 2 && version !== 3) throw versionError(label, version);
  const tensorCount = count(await cursor.u64('tensor count'), HEADER_LIMITS.tensors, 'its tensor count', label);
  const kvCount = count(await cursor.u64('key count'), HEADER_LIMITS.keyValues, 'its metadata key count', label);
  const metadata = new Map<string, HeaderValue>();
  let entries = 0;
  for (let i = 0; i < kvCount; i++) {
    const key = await cursor.string(`metadata key ${i + 1}`, HEADER_LIMITS.keyLength);
    if (metadata.has(key)) throw new HeaderError(label, `the metadata key ${key} appears twice`);
    const read = await value(cursor, await cursor.u32(`the type of ${key}`), key, label);
    metadata.set(key, read);
    if (typeof read === 'object' && (entries += read.length) > HEADER_LIMITS.arrayEntries)
      throw new HeaderError(
        label,
        `its arrays hold more than ${HEADER_LIMITS.arrayEntries} entries in all (at ${key})`,
      );
  }
  const tensors: HeaderTensor[] = [];
  const names = new Set<string>();
  for (let i = 0; i < tensorCount; i++) {
    const name = await cursor.string(`tensor name ${i + 1}`, HEADER_LIMITS.tensorNameLength);
    if (names.has(name)) throw new HeaderError(label, `the tensor ${name} appears twice`);
    names.add(name);
    const nDims = await cursor.u32(`the dimensions of ${name}`);
    if (nDims < 1 || nDims > HEADER_LIMITS.dims)
      throw new HeaderError(label, `the tensor ${name} has ${nDims} dimensions (1 to ${HEADER_LIMITS.dims} allowed)`);
    const dims: number[] = [];
    for (let d = 0; d < nDims; d++) {
      const dim = await cursor.u64(`a dimension of ${name}`);
      if (dim < 1n || dim > 2n ** 40n) throw new HeaderError(label, `the tensor ${name} has a dimension of ${dim}`);
      dims.push(Number(dim));
    }
    const type = await cursor.u32(`the type of ${name}`);
    const offset = await cursor.u64(`the offset of ${name}`);
    if (offset > BigInt(Number.MAX_SAFE_INTEGER))
      throw new HeaderError(label, `the tensor ${name} starts at an impossible offset`);
    tensors.push({ name, dims, type, offset: Number(offset) });
  }
  const declared = metadata.get('general.alignment');
  const alignment = declared === undefined ? 32 : Number(declared);
  if (!Number.isInteger(alignment) || alignment < 1 || alignment > 1 << 20 || (alignment & (alignment - 1)) !== 0)
    throw new HeaderError(label, `general.alignment is ${String(declared)}, not a power of two`);
  const dataOffset = Math.ceil(cursor.pos / alignment) * alignment;
  return { version, metadata, tensors, dataOffset, alignment };
}

/** A ByteSource over a file on disk. */
export async function withFileSource<T>(
  file: string,
  fn: (source: ByteSource, size: number) => Promise<T>,
): Promise<T> {
  const handle = await openRegularForRead(file);
  try {
    const size = (await handle.stat()).size;
    return await fn(async (offset, length) => {
      // Unzeroed: only the bytes read are handed out.
      const buffer = Buffer.allocUnsafe(Math.max(0, Math.min(length, size - offset)));
      if (buffer.length === 0) return buffer;
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, offset);
      return buffer.subarray(0, bytesRead);
    }, size);
  } finally {
    await handle.close();
  }
}

/** A ByteSource over HTTP Range requests (the fit check reads a remote header before any weights are fetched). */
export function httpSource(url: string, fetchImpl: typeof fetch = fetch, signal?: AbortSignal): ByteSource {
  return async (offset, length) => {
    const response = await fetchImpl(url, {
      headers: { Range: `bytes=${offset}-${offset + length - 1}` },
      redirect: 'follow',
      ...(signal ? { signal } : {}),
    });
    if (response.status === 416) return Buffer.alloc(0);
    if (!response.ok) throw new Error(`HTTP ${response.status} ${response.statusText}`.trim());
    // A server that ignores Range sends the whole file from byte 0: read only as far as needed, then hang up.
    const skip = response.status === 200 ? offset : 0;
    const chunks: Buffer[] = [];
    let received = 0;
    const reader = response.body?.getReader();
    if (!reader) return Buffer.alloc(0);
    try {
      while (received < skip + length) {
        const { done, value } = await reader.read();
        if (done) break;
        chunks.push(Buffer.from(value));
        received += value.length;
      }
    } finally {
      await reader.cancel().catch(() => undefined);
    }
    return Buffer.concat(chunks).subarray(skip, skip + length);
  };
}
