// Which tokenizer counts a model's input, and — where the model's own tokenizer is not available — how much to add
// to OpenAI's o200k count so the estimate stays above what the provider will report.
//
// Safety factors (multiplying the o200k count; the character-class bound in src-preload/contract/tokens.ts is a floor
// under every estimate, which covers digits, punctuation, opaque strings and CJK, where factors on o200k fall short):
// - anthropic 1.75: Claude's tokenizer is not public. Measured against GPT-4o's o200k, Claude 3.5 Sonnet used ~16 %
//   more tokens on English, ~21 % on maths and ~30 % on code (Vantage's 2024 comparison); Anthropic says the newer
//   tokenizer (Opus 4.7 and later) uses up to 1.35x as many tokens again: 1.30 x 1.35 ≈ 1.75.
// - deepseek, qwen 1.25: byte-level BPEs of 128K and 151K tokens built like cl100k (DeepSeek, Qwen), which counts
//   1.0–1.1x o200k on English and fewer on Chinese; 1.25 leaves room for code and names.
// - gemini 1.25: SentencePiece with 256K tokens, close to o200k on English; its single-digit numbers are covered by
//   the floor (one token per digit).
// - unknown 1.5 (a writer's endpoint, an imported or unknown model): the worst common vocabularies (Mistral's and
//   Llama 2's 32K SentencePiece) count ~1.3–1.4x o200k on English.
//
// Framing: OpenAI's chat format adds 3 tokens per message and 3 to prime the reply (OpenAI's cookbook). Elsewhere the
// estimate's own framing applies (8 per message and 8 per request). Structured output adds the schema, plus the
// wrapper around it: Anthropic's tool-use system prompt is 313–346 tokens (Anthropic's docs), so 400; Quire's JSON-mode
// instruction and OpenAI's structured-output wrapper are a few dozen, so 60.
import type { ModelSpec } from '../../src-preload/contract';
import { MESSAGE_FRAMING_TOKENS, REQUEST_FRAMING_TOKENS } from '../../src-preload/contract/tokens';
import { makerOf } from '../orchestrator/maker';

export type Encoding = 'o200k' | 'cl100k';

export type TokenizerPlan =
  /** The GGUF's own tokenizer and chat template, through the local runtime. */
  | { kind: 'local'; fallback: EstimatePlan }
  /** One of OpenAI's own encodings: the provider's count, exactly (plus its documented framing). */
  | { kind: 'bpe'; encoding: Encoding; messageTokens: number; requestTokens: number; schemaTokens: number }
  | EstimatePlan;

export interface EstimatePlan {
  kind: 'estimate';
  family: 'anthropic' | 'deepseek' | 'qwen' | 'gemini' | 'unknown';
  factor: number;
  messageTokens: number;
  requestTokens: number;
  schemaTokens: number;
}

const FACTORS: Record<EstimatePlan['family'], number> = {
  anthropic: 1.75,
  deepseek: 1.25,
  qwen: 1.25,
  gemini: 1.25,
  unknown: 1.5,
};

function estimate(family: EstimatePlan['family']): EstimatePlan {
  return {
    kind: 'estimate',
    family,
    factor: FACTORS[family],
    messageTokens: MESSAGE_FRAMING_TOKENS,
    requestTokens: REQUEST_FRAMING_TOKENS,
    schemaTokens: family === 'anthropic' ? 400 : 60,
  };
}

/** gpt-4 (not 4o/4.1), gpt-3.5 and the text-embedding models before 3 use cl100k; every later OpenAI model o200k. */
function openAiEncoding(modelId: string): Encoding {
  return /^(gpt-4(-|$)|gpt-3\.5|text-embedding-ada)/.test(modelId) ? 'cl100k' : 'o200k';
}

export function tokenizerPlan(spec: ModelSpec): TokenizerPlan {
  if (spec.provider === 'local') return { kind: 'local', fallback: estimate('unknown') };
  // A writer's endpoint may serve anything under any name: estimated, by wire format only.
  if (spec.endpoint_id) return estimate(spec.provider === 'anthropic' ? 'anthropic' : 'unknown');
  const { maker, modelId } = makerOf(spec);
  switch (maker) {
    case 'openai':
      return { kind: 'bpe', encoding: openAiEncoding(modelId), messageTokens: 3, requestTokens: 3, schemaTokens: 60 };
    case 'anthropic':
      return estimate('anthropic');
    case 'deepseek':
      return estimate('deepseek');
    case 'qwen':
      return estimate('qwen');
    case 'gemini':
    case 'google':
      return estimate('gemini');
    default:
      return estimate('unknown');
  }
}
