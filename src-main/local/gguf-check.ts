// Validates a GGUF header before llama.cpp ever sees the file: a missing feed_forward_length or head_count makes
// llama.cpp GGML_ASSERT-abort the whole process, and a truncated file must never reach loadModel.
import { stat } from 'node:fs/promises';
import { readGgufFileInfo, type GgufFileInfo } from 'node-llama-cpp';
import { LocalModelError } from '../errors';

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

function lookup(record: unknown, dotted: string): unknown {
  let value: unknown = record;
  for (const part of dotted.split('.')) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}

/** Checks the metadata llama.cpp needs; throws LocalModelError('invalid_file') naming what is wrong. */
export function checkGgufInfo(info: GgufFileInfo, label: string): GgufSummary {
  const metadata = info.metadata as unknown as Record<string, unknown>;
  const architecture = lookup(metadata, 'general.architecture');
  if (typeof architecture !== 'string' || architecture.length === 0)
    throw new LocalModelError('invalid_file', `${label} is not a usable model: general.architecture is missing`);
  const arch = lookup(metadata, architecture);
  const missing: string[] = [];
  for (const key of REQUIRED_ARCH_KEYS) {
    const value = lookup(arch, key);
    const ok = typeof value === 'number' ? value > 0 : Array.isArray(value) && value.length > 0;
    if (!ok) missing.push(`${architecture}.${key}`);
  }
  const tokenizerModel = lookup(metadata, 'tokenizer.ggml.model');
  const tokens = lookup(metadata, 'tokenizer.ggml.tokens');
  if (typeof tokenizerModel !== 'string') missing.push('tokenizer.ggml.model');
  if (!Array.isArray(tokens) || tokens.length === 0) missing.push('tokenizer.ggml.tokens');
  if (missing.length > 0)
    throw new LocalModelError('invalid_file', `${label} is not a usable model: missing ${missing.join(', ')}`);
  let expected: number | undefined;
  for (const tensor of info.fullTensorInfo ?? []) {
    const end = Number(tensor.fileOffset) + tensorBytes(tensor.dimensions.map(Number), tensor.ggmlType);
    if (expected === undefined || end > expected) expected = end;
  }
  return {
    architecture,
    name: lookup(metadata, 'general.name') as string | undefined,
    context_length: Number(lookup(arch, 'context_length')),
    expected_bytes: expected,
    info,
  };
}

/** Bytes per block and elements per block for the common ggml types; unknown types skip the size check. */
const TYPE_SIZES: Record<number, [number, number]> = {
  0: [4, 1], // F32
  1: [2, 1], // F16
  2: [18, 32], // Q4_0
  3: [20, 32], // Q4_1
  6: [22, 32], // Q5_0
  7: [24, 32], // Q5_1
  8: [34, 32], // Q8_0
  10: [84, 256], // Q2_K
  11: [110, 256], // Q3_K
  12: [144, 256], // Q4_K
  13: [176, 256], // Q5_K
  14: [210, 256], // Q6_K
  30: [2, 1], // BF16
};

function tensorBytes(dims: number[], type: number): number {
  const size = TYPE_SIZES[type];
  if (!size) return 0;
  const count = dims.reduce((a, b) => a * b, 1);
  return Math.ceil(count / size[1]) * size[0];
}

/**
 * Reads and checks a GGUF on disk: header metadata, and that the file is long enough to hold every tensor the header
 * declares (a truncated download is refused here rather than crashing or misbehaving in llama.cpp).
 */
export async function checkGgufFile(file: string, label = 'The file'): Promise<GgufSummary> {
  let info: GgufFileInfo;
  try {
    info = await readGgufFileInfo(file, { sourceType: 'filesystem', logWarnings: false });
  } catch (cause) {
    throw new LocalModelError(
      'invalid_file',
      `${label} is not a valid GGUF model (${(cause as Error).message.slice(0, 200)})`,
      cause,
    );
  }
  const summary = checkGgufInfo(info, label);
  if (summary.expected_bytes !== undefined) {
    const size = (await stat(file)).size;
    if (size < summary.expected_bytes)
      throw new LocalModelError(
        'invalid_file',
        `${label} is truncated: ${size} bytes on disk, the header declares ${summary.expected_bytes}`,
      );
  }
  return summary;
}
