// What llama.cpp assumes about a model's metadata and tensors, checked before it is handed the file: each rule here
// is a GGML_ASSERT, an abort or a multi-minute loop in llama.cpp or in the memory estimate when it does not hold.
import { bytesText } from '../../src-preload/contract/bytes-text';
import { HeaderError, TEXT_BYTES, type GgufHeader, type HeaderValue } from './gguf-header';

/** llama.cpp's LLAMA_MAX_LAYERS (src/llama-hparams.h): more blocks abort the load. */
export const LLAMA_MAX_LAYERS = 512;
/** llama.cpp's LLAMA_MAX_EXPERTS. */
export const LLAMA_MAX_EXPERTS = 512;
const MAX_CONTEXT_LENGTH = 1 << 24;
const MAX_EMBEDDING = 1 << 20;

/** ggml tensor types: [bytes per block, elements per block] (ggml.h / ggml.c type traits). */
export const GGML_TYPES: Record<number, [number, number]> = {
  0: [4, 1], // F32
  1: [2, 1], // F16
  2: [18, 32], // Q4_0
  3: [20, 32], // Q4_1
  6: [22, 32], // Q5_0
  7: [24, 32], // Q5_1
  8: [34, 32], // Q8_0
  9: [36, 32], // Q8_1
  10: [84, 256], // Q2_K
  11: [110, 256], // Q3_K
  12: [144, 256], // Q4_K
  13: [176, 256], // Q5_K
  14: [210, 256], // Q6_K
  15: [292, 256], // Q8_K
  16: [66, 256], // IQ2_XXS
  17: [74, 256], // IQ2_XS
  18: [98, 256], // IQ3_XXS
  19: [50, 256], // IQ1_S
  20: [18, 32], // IQ4_NL
  21: [110, 256], // IQ3_S
  22: [82, 256], // IQ2_S
  23: [136, 256], // IQ4_XS
  24: [1, 1], // I8
  25: [2, 1], // I16
  26: [4, 1], // I32
  27: [8, 1], // I64
  28: [8, 1], // F64
  29: [56, 256], // IQ1_M
  30: [2, 1], // BF16
  34: [54, 256], // TQ1_0
  35: [66, 256], // TQ2_0
  39: [17, 32], // MXFP4
};

export function tensorBytes(dims: readonly number[], type: number): number {
  const [size, block] = GGML_TYPES[type] ?? [0, 1];
  return Math.ceil(dims.reduce((a, b) => a * b, 1) / block) * size;
}

function numeric(value: HeaderValue | undefined): number | undefined {
  if (typeof value === 'number') return value;
  if (typeof value === 'bigint') return Number(value);
  return undefined;
}

function numbers(value: HeaderValue | undefined): number[] | undefined {
  return typeof value === 'object' && value !== null && 'array' in value ? value.numbers : undefined;
}

function arrayLength(value: HeaderValue | undefined): number | undefined {
  return typeof value === 'object' && value !== null && 'array' in value ? value.length : undefined;
}

/** Checks the metadata llama.cpp relies on; throws HeaderError with the first problem found. */
export function checkMetadata(header: GgufHeader, label: string): void {
  const m = header.metadata;
  const fail = (detail: string): never => {
    throw new HeaderError(label, detail);
  };
  const arch = m.get('general.architecture');
  if (typeof arch !== 'string' || arch.length === 0) return fail('general.architecture is missing');
  if (!/^[a-z0-9_.-]{1,64}$/i.test(arch)) fail(`general.architecture "${arch.slice(0, 64)}" is not a known form`);
  const key = (name: string) => `${arch}.${name}`;
  const integer = (name: string, min: number, max: number): number | undefined => {
    const value = numeric(m.get(key(name)));
    if (value === undefined) return undefined;
    if (!Number.isInteger(value) || value < min || value > max)
      fail(`${key(name)} is ${value}; it must be a whole number from ${min} to ${max}`);
    return value;
  };

  const blocks = integer('block_count', 1, LLAMA_MAX_LAYERS);
  if (blocks === undefined && m.has(key('block_count')))
    fail(`${key('block_count')} must be a whole number from 1 to ${LLAMA_MAX_LAYERS}`);
  integer('context_length', 1, MAX_CONTEXT_LENGTH);
  const embd = integer('embedding_length', 1, MAX_EMBEDDING);

  // Head counts: a scalar, or one value per layer (hybrid models have attention-free layers with 0).
  const heads = m.get(key('attention.head_count'));
  const kv = m.get(key('attention.head_count_kv'));
  const headCount = numeric(heads);
  const kvCount = numeric(kv);
  if (headCount !== undefined) integer('attention.head_count', 1, MAX_EMBEDDING);
  if (kvCount !== undefined) integer('attention.head_count_kv', 1, MAX_EMBEDDING);
  if (headCount !== undefined && kvCount !== undefined && headCount % kvCount !== 0)
    fail(
      `${key('attention.head_count')} (${headCount}) is not a multiple of ${key('attention.head_count_kv')} (${kvCount})`,
    );
  for (const [name, value] of [
    ['attention.head_count', heads],
    ['attention.head_count_kv', kv],
  ] as const) {
    const length = arrayLength(value);
    if (length !== undefined && blocks !== undefined && length !== blocks)
      fail(`${key(name)} lists ${length} layers but ${key('block_count')} is ${blocks}`);
  }
  const perLayerHeads = numbers(heads);
  const perLayerKv = numbers(kv);
  perLayerHeads?.forEach((h, layer) => {
    const k = perLayerKv?.[layer] ?? kvCount ?? h;
    if (!Number.isInteger(h) || h < 0 || (h > 0 && (!Number.isInteger(k) || k < 1 || h % k !== 0)))
      fail(`layer ${layer} has ${h} attention heads and ${k} key/value heads`);
  });
  if (headCount !== undefined && embd !== undefined && headCount > embd)
    fail(`${key('attention.head_count')} (${headCount}) is larger than ${key('embedding_length')} (${embd})`);

  // Every epsilon divides or sits under a square root: llama.cpp asserts eps >= 0 at the first token.
  for (const [name, value] of m) {
    if (!name.startsWith(`${arch}.`) || !/epsilon$/.test(name)) continue;
    const eps = numeric(value);
    if (eps === undefined || !Number.isFinite(eps) || eps <= 0 || eps >= 1)
      fail(`${name} is ${String(eps ?? value)}; it must be a small positive number`);
  }

  const experts = integer('expert_count', 0, LLAMA_MAX_EXPERTS);
  const used = integer('expert_used_count', 0, LLAMA_MAX_EXPERTS);
  if (used !== undefined && (experts ?? 0) < used)
    fail(`${key('expert_used_count')} (${used}) is more than ${key('expert_count')} (${experts ?? 0})`);

  const tokens = m.get('tokenizer.ggml.tokens');
  const vocab = arrayLength(tokens);
  // A byte of the writer's text with no token to fall back to aborts llama.cpp (std::out_of_range) the first time it
  // comes: a vocabulary of SentencePiece or byte-level BPE must cover every byte UTF-8 text can hold.
  const kind = m.get('tokenizer.ggml.model');
  const bytes = typeof tokens === 'object' ? tokens.byteTokens : undefined;
  const covered = kind === 'llama' ? bytes?.spm : kind === 'gpt2' ? bytes?.gpt2 : undefined;
  if (covered !== undefined && covered < TEXT_BYTES)
    throw new HeaderError(
      label,
      `tokenizer.ggml.tokens has a token for ${covered} of the ${TEXT_BYTES} bytes text can hold`,
      'its vocabulary is incomplete, so some letters (an accent, a curly quote) would stop it',
    );
  if (vocab !== undefined) {
    for (const name of ['tokenizer.ggml.scores', 'tokenizer.ggml.token_type']) {
      const length = arrayLength(m.get(name));
      if (length !== undefined && length !== vocab) fail(`${name} has ${length} entries for ${vocab} tokens`);
    }
    for (const [name, value] of m) {
      if (!/^tokenizer\.ggml\.[a-z_]+_token_id$/.test(name)) continue;
      const id = numeric(value);
      if (id === undefined || !Number.isInteger(id) || id < 0 || id >= vocab)
        fail(`${name} is ${String(value)}, outside the ${vocab}-token vocabulary`);
    }
  }
}

/**
 * Checks tensors against the header: known types, rows whole blocks, aligned non-overlapping data, layers matching
 * block_count, the embedding width, and (when the file size is known) that every byte is present.
 */
export function checkTensors(header: GgufHeader, label: string, fileSize?: number): number {
  const fail = (detail: string): never => {
    throw new HeaderError(label, detail);
  };
  if (header.tensors.length === 0) fail('it holds no tensors');
  const arch = header.metadata.get('general.architecture') as string;
  const blocks = numeric(header.metadata.get(`${arch}.block_count`));
  const embd = numeric(header.metadata.get(`${arch}.embedding_length`));
  const layers = new Set<number>();
  const spans: [number, number, string][] = [];
  for (const tensor of header.tensors) {
    const type = GGML_TYPES[tensor.type];
    if (!type) return fail(`the tensor ${tensor.name} has an unknown type ${tensor.type}`);
    if (tensor.dims[0]! % type[1] !== 0)
      fail(`the tensor ${tensor.name} has rows of ${tensor.dims[0]}, not whole blocks of ${type[1]}`);
    const elements = tensor.dims.reduce((a, b) => a * b, 1);
    if (!Number.isSafeInteger(elements)) fail(`the tensor ${tensor.name} is impossibly large`);
    if (tensor.offset % header.alignment !== 0)
      fail(`the tensor ${tensor.name} is not aligned to ${header.alignment} bytes`);
    const start = header.dataOffset + tensor.offset;
    spans.push([start, start + tensorBytes(tensor.dims, tensor.type), tensor.name]);
    const layer = /^blk\.(\d+)\./.exec(tensor.name);
    if (layer) layers.add(Number(layer[1]));
  }
  spans.sort((a, b) => a[0] - b[0]);
  for (let i = 1; i < spans.length; i++)
    if (spans[i]![0] < spans[i - 1]![1]) fail(`the tensors ${spans[i - 1]![2]} and ${spans[i]![2]} overlap`);
  if (blocks !== undefined && layers.size > 0) {
    const highest = Math.max(...layers);
    if (highest >= blocks || layers.size !== blocks)
      fail(`${arch}.block_count is ${blocks} but the file holds tensors for ${layers.size} layers`);
  }
  const embedding = header.tensors.find((t) => t.name === 'token_embd.weight');
  if (embedding && embd !== undefined && embedding.dims[0] !== embd)
    fail(`token_embd.weight is ${embedding.dims[0]} wide but ${arch}.embedding_length is ${embd}`);
  const end = spans.at(-1)![1];
  if (fileSize !== undefined && fileSize < end)
    throw new HeaderError(
      label,
      `it is ${bytesText(fileSize)} of the ${bytesText(end)} it should be`,
      'the file is incomplete',
    );
  return end;
}
