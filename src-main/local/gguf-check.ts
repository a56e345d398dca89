// Validates a GGUF before llama.cpp ever sees the file: a bounded read of the header (gguf-header.ts), the rules
// llama.cpp asserts on (gguf-rules.ts), and that every tensor byte is present. A crafted or damaged file is refused
// here, in bounded time and in plain words, rather than aborting or freezing the process inside llama.cpp.
import { readGgufFileInfo, type GgufFileInfo } from 'node-llama-cpp';
import { LocalModelError } from '../errors';
import {
  HeaderError,
  httpSource,
  readGgufHeader,
  refusalMessage,
  withFileSource,
  type ByteSource,
  type GgufHeader,
} from './gguf-header';
import { checkMetadata, checkTensors } from './gguf-rules';

export interface GgufSummary {
  architecture: string;
  name: string | undefined;
  context_length: number;
  /** The smallest file size that holds every tensor the header declares (end of the last tensor). */
  expected_bytes: number | undefined;
  info: GgufFileInfo;
}

const REQUIRED_ARCH_KEYS = [
  'context_length',
  'embedding_length',
  'block_count',
  'feed_forward_length',
  'attention.head_count',
] as const;

/** The keys llama.cpp needs to be present at all; throws LocalModelError('invalid_file') naming the missing ones. */
function checkRequired(header: GgufHeader, label: string): void {
  const m = header.metadata;
  const architecture = m.get('general.architecture');
  if (typeof architecture !== 'string' || architecture.length === 0)
    throw new HeaderError(label, 'general.architecture is missing', 'its header does not say what kind of model it is');
  // No key at all for its architecture: a model type llama.cpp (and so Quire) does not know, not a damaged file.
  if (REQUIRED_ARCH_KEYS.every((key) => !m.has(`${architecture}.${key}`)))
    throw new HeaderError(
      label,
      undefined,
      `the model type "${architecture.slice(0, 64)}" is not one Quire can run`,
      'Choose another model.',
    );
  const wrong: string[] = [];
  for (const key of REQUIRED_ARCH_KEYS) {
    const name = `${architecture}.${key}`;
    const value = m.get(name);
    if (value === undefined) wrong.push(`${name} is missing`);
    else if (typeof value === 'number' || typeof value === 'bigint') {
      if (!(Number(value) > 0)) wrong.push(`${name} is ${String(value)}`);
    } else if (typeof value === 'string') wrong.push(`${name} is text, not a number`);
    else if (!(typeof value === 'object' && value !== null && value.length > 0)) wrong.push(`${name} is empty`);
  }
  const tokens = m.get('tokenizer.ggml.tokens');
  if (typeof m.get('tokenizer.ggml.model') !== 'string') wrong.push('tokenizer.ggml.model is missing');
  if (typeof tokens !== 'object' || tokens.length === 0) wrong.push('tokenizer.ggml.tokens is missing');
  if (wrong.length > 0) throw new HeaderError(label, wrong.join(', '), 'its header is incomplete');
}

/** Every check on a header: required keys, llama.cpp's rules, the tensors; returns the end of the tensor data. */
export async function validateGgufHeader(source: ByteSource, label: string, fileSize?: number): Promise<number> {
  return (await checkedHeader(source, label, fileSize)).expected;
}

async function checkedHeader(
  source: ByteSource,
  label: string,
  fileSize?: number,
): Promise<{ header: GgufHeader; expected: number }> {
  const header = await readGgufHeader(source, label);
  checkRequired(header, label);
  checkMetadata(header, label);
  return { header, expected: checkTensors(header, label, fileSize) };
}

/** The summary the library and runtime use, from node-llama-cpp's reading of a header already validated. */
export function summarize(info: GgufFileInfo, expectedBytes: number | undefined): GgufSummary {
  const metadata = info.metadata as unknown as Record<string, Record<string, unknown>>;
  const architecture = String(metadata.general?.architecture);
  const arch = metadata[architecture] as Record<string, unknown> | undefined;
  const name = metadata.general?.name;
  return {
    architecture,
    name: typeof name === 'string' ? name : undefined,
    context_length: Number(arch?.context_length),
    expected_bytes: expectedBytes,
    info,
  };
}

/** What a download records about a model, read from its own validated header (no node-llama-cpp reading). */
export type HeaderSummary = Omit<GgufSummary, 'info'>;

/**
 * Reads and checks a GGUF on disk with Quire's bounded header reader: the header within bounds, the metadata llama.cpp
 * asserts on, and that the file is long enough to hold every tensor the header declares. `size`, for a file still
 * being written (a download whose header is already on disk): the size it will have, checked in place of its size now.
 * A download needs no more (node-llama-cpp's reading, checkGgufFile's `info`, is 4 MiB read into fresh memory, ~50 ms
 * of main-thread work measured on the download benchmark's 53 MB file, for information a download does not record).
 */
export async function checkGgufHeaderFile(file: string, label = 'The file', size?: number): Promise<HeaderSummary> {
  try {
    const { header, expected } = await withFileSource(file, (source, now) => checkedHeader(source, label, size ?? now));
    const m = header.metadata;
    const architecture = m.get('general.architecture') as string; // checkRequired: a non-empty string
    const name = m.get('general.name');
    return {
      architecture,
      name: typeof name === 'string' ? name : undefined,
      context_length: Number(m.get(`${architecture}.context_length`)),
      expected_bytes: expected,
    };
  } catch (cause) {
    throw invalid(cause, label);
  }
}

function invalid(cause: unknown, label: string): LocalModelError {
  if (cause instanceof LocalModelError) return cause;
  return new LocalModelError(
    'invalid_file',
    refusalMessage(label, 'the file is damaged', (cause as Error).message.slice(0, 200)),
    { cause, advised: true },
  );
}

/** checkGgufHeaderFile's checks and summary, with node-llama-cpp's reading of the file (`info`) for the runtime. */
export async function checkGgufFile(file: string, label = 'The file', size?: number): Promise<GgufSummary> {
  const summary = await checkGgufHeaderFile(file, label, size);
  try {
    return { ...summary, info: await readGgufFileInfo(file, { sourceType: 'filesystem', logWarnings: false }) };
  } catch (cause) {
    throw invalid(cause, label);
  }
}

/** Checks a remote GGUF's header over HTTP Range requests; network failures are thrown as they are. */
export async function checkRemoteGguf(
  url: string,
  label: string,
  fetchImpl?: typeof fetch,
  signal?: AbortSignal,
): Promise<number> {
  return validateGgufHeader(httpSource(url, fetchImpl, signal), label);
}
