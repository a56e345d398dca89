// The one token count of a whole request for a given model — instruction, chat framing, passage, answer schema — for
// the quote, the reservation and the splitting of long manuscripts. The model's own tokenizer where Quire has it (the
// GGUF's, through an injected local tokenizer; OpenAI's encodings through gpt-tokenizer), else a documented
// conservative estimate (families.ts): never below the character-class bound the renderer's quote also uses. Images
// sent with the request are counted by the model's maker's rule (orchestrator/image-tokens.ts).
import type { ImageSize, ModelSpec } from '../../src-preload/contract';
import { imageTokens } from '../orchestrator/image-tokens';
import { estimateTextTokens } from '../../src-preload/contract/tokens';
import { bpeMergeCount, type RankOf } from './bpe-merge';
import { boundedSet } from './memo';
import { tokenizerPlan, type Encoding, type EstimatePlan } from './families';

export interface CountMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

export interface CountRequest {
  messages: readonly CountMessage[];
  /** Structured output: the schema is sent too (a tool definition, a response format or an instruction). */
  jsonSchema?: { name: string; schema: Record<string, unknown> } | undefined;
  /** Images sent with the request, by pixel size. */
  images?: readonly ImageSize[] | undefined;
}

/** model: the model's own tokenizer and template; o200k/cl100k: OpenAI's own encoding; estimate: a safe bound. */
export type CountMethod = 'model' | 'o200k' | 'cl100k' | 'estimate';

export interface TokenCount {
  /** The whole request, its images included. */
  tokens: number;
  method: CountMethod;
  /** Of `tokens`, what the request's images count as (absent without images). */
  imageTokens?: number;
}

/**
 * Counts a local model's whole prompt (its chat template included) with the GGUF's own tokenizer; undefined when the
 * model's file is not there to read. Injected so this module does not depend on the local runtime.
 */
export type LocalTokenizer = (spec: ModelSpec, messages: readonly CountMessage[]) => Promise<number | undefined>;

export type CountText = (text: string) => number;

export interface TokenCounterOptions {
  local?: LocalTokenizer | undefined;
  /** A local model's synchronous per-text count with its own vocabulary; undefined when its file is not there. */
  localText?: ((spec: ModelSpec) => Promise<CountText | undefined>) | undefined;
}

export class TokenCounter {
  private readonly encodings = new Map<Encoding, Promise<CountText>>();

  constructor(private readonly options: TokenCounterOptions = {}) {}

  async count(spec: ModelSpec, request: CountRequest): Promise<TokenCount> {
    const text = await this.countText(spec, request);
    const images = imageTokens(spec, request.images);
    if (!request.images || request.images.length === 0) return text;
    return { tokens: text.tokens + images, method: text.method, imageTokens: images };
  }

  private async countText(spec: ModelSpec, request: CountRequest): Promise<TokenCount> {
    const plan = tokenizerPlan(spec);
    const schema = request.jsonSchema ? JSON.stringify(request.jsonSchema.schema) : null;
    if (plan.kind === 'local') {
      const tokens = this.options.local ? await this.options.local(spec, request.messages) : undefined;
      if (tokens !== undefined) return { tokens, method: 'model' };
      return this.estimate(plan.fallback, request, schema);
    }
    if (plan.kind === 'bpe') {
      const count = await this.encoding(plan.encoding);
      let tokens = plan.requestTokens;
      for (const m of request.messages) tokens += count(m.content) + plan.messageTokens;
      if (schema !== null) tokens += count(schema) + plan.schemaTokens;
      return { tokens, method: plan.encoding };
    }
    return this.estimate(plan, request, schema);
  }

  /**
   * The same count per text, without a request's framing, as a synchronous function: what the manuscript splitter
   * measures parts with (the framing is counted once, with `count`, on the instruction).
   */
  async textCounter(spec: ModelSpec): Promise<{ count: CountText; method: CountMethod }> {
    const plan = tokenizerPlan(spec);
    if (plan.kind === 'local') {
      const local = this.options.localText ? await this.options.localText(spec) : undefined;
      if (local) return { count: local, method: 'model' };
      return this.estimateText(plan.fallback);
    }
    if (plan.kind === 'bpe') return { count: await this.encoding(plan.encoding), method: plan.encoding };
    return this.estimateText(plan);
  }

  private async estimateText(plan: EstimatePlan): Promise<{ count: CountText; method: CountMethod }> {
    const o200k = await this.encoding('o200k');
    return {
      count: (text) => Math.max(Math.ceil(o200k(text) * plan.factor), estimateTextTokens(text)),
      method: 'estimate',
    };
  }

  /** Per text, the larger of o200k times the family's factor and the character-class bound; then the framing. */
  private async estimate(plan: EstimatePlan, request: CountRequest, schema: string | null): Promise<TokenCount> {
    const o200k = await this.encoding('o200k');
    const bound = (text: string) => Math.max(Math.ceil(o200k(text) * plan.factor), estimateTextTokens(text));
    let tokens = plan.requestTokens;
    for (const m of request.messages) tokens += bound(m.content) + plan.messageTokens;
    if (schema !== null) tokens += bound(schema) + plan.schemaTokens;
    return { tokens, method: 'estimate' };
  }

  /** OpenAI's encodings are several MB of tables: loaded on first use, once. */
  private encoding(name: Encoding): Promise<CountText> {
    let loaded = this.encodings.get(name);
    if (!loaded) {
      loaded = loadEncoding(name);
      this.encodings.set(name, loaded);
    }
    return loaded;
  }
}

/** Pieces this long (in UTF-16 units) are merged in O(n log n) (bpe-merge.ts) rather than by gpt-tokenizer. */
const LONG_PIECE = 64;

/**
 * The count of one piece of the split, as gpt-tokenizer's countNative counts each piece it splits: one token if the
 * piece is a token, else the length of its byte-pair encoding — gpt-tokenizer's own for short pieces, bpeMergeCount
 * with gpt-tokenizer's ranks for long ones. This goes straight to gpt-tokenizer's byte-pair processor (its types call
 * it private; countTokens would check the piece for special tokens and split it again, costing more than the merge of
 * a short piece); if a version moves it, pieces are counted by countTokens instead (token-counter.test.ts compares
 * with gpt-tokenizer's whole-text count).
 */
function pieceCounter(api: unknown): ((piece: string) => number) | undefined {
  const core = (api as { bytePairEncodingCoreProcessor?: Record<string, unknown> }).bytePairEncodingCoreProcessor;
  const ofString = core?.['getBpeRankFromString'];
  const ofBytes = core?.['getBpeRankFromBytes'];
  const encode = core?.['bytePairEncode'];
  if (typeof ofString !== 'function' || typeof ofBytes !== 'function' || typeof encode !== 'function') return undefined;
  const rankOf: RankOf = (bytes) => ofBytes.call(core, bytes) as number | undefined;
  const utf8 = new TextEncoder();
  return (piece) => {
    if (ofString.call(core, piece) !== undefined) return 1;
    if (piece.length < LONG_PIECE) return (encode.call(core, piece) as readonly number[]).length;
    return bpeMergeCount(utf8.encode(piece), rankOf);
  };
}

/** ASCII letters and digits: the characters after which a cut before a space is a piece boundary (see below). */
const WORD_END = new Uint8Array(128);
for (let c = 0; c < 128; c++)
  WORD_END[c] = (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) ? 1 : 0;

/**
 * Counts with the encoding's own pre-tokenizer split and its BPE, remembering counts. BPE never merges across the
 * pieces the split regex makes, so the sum over pieces is exactly the encoding's count; the memo makes a book's
 * repeated words cost one lookup each (gpt-tokenizer's own cache reorders an LRU on every hit, several times slower
 * on a novel).
 *
 * The split regex itself is the slow part, so the text is first cut into words — before every space that follows an
 * ASCII letter or digit — and each distinct word is split and counted once. Such a cut is always a piece boundary of
 * o200k's and cl100k's regexes, and the pieces on each side are the ones the whole text has: the character before it
 * can only be matched by a run of letters (with an optional contraction after it) or of up to three digits, which no
 * alternative continues with a space, and which stops the same way at a space as at the end of a word; the regexes
 * look behind nothing, so matching restarts at the space exactly as in the whole text. token-counter.test.ts compares
 * with gpt-tokenizer's whole-text count on every class of text and on random texts. A special token's text in a
 * writer's manuscript ("<|endoftext|>") is split into ordinary pieces by the same regex, so it is counted as text,
 * never refused.
 */
async function loadEncoding(name: Encoding): Promise<CountText> {
  const [encoding, splits] = await Promise.all([
    name === 'o200k' ? import('gpt-tokenizer/encoding/o200k_base') : import('gpt-tokenizer/encoding/cl100k_base'),
    import('gpt-tokenizer/encodingParams/constants'),
  ]);
  const shared = name === 'o200k' ? splits.O200K_TOKEN_SPLIT_REGEX : splits.CL100K_TOKEN_SPLIT_REGEX;
  const split = new RegExp(shared.source, shared.flags);
  // A word or a piece: either way its count on its own (a word that is one piece has the piece's count).
  const memo = new Map<string, number>();
  const countPiece = pieceCounter(encoding.default) ?? encoding.countTokens;
  const piece = (text: string) => {
    let count = memo.get(text);
    if (count === undefined) count = boundedSet(memo, text, countPiece(text));
    return count;
  };
  const word = (text: string) => {
    let count = memo.get(text);
    if (count === undefined) {
      count = 0;
      // exec on the one regex (matchAll would copy it for every word).
      split.lastIndex = 0;
      for (let m = split.exec(text); m !== null; m = split.exec(text)) count += piece(m[0]);
      boundedSet(memo, text, count);
    }
    return count;
  };
  return (text) => {
    let tokens = 0;
    let start = 0;
    for (let p = text.indexOf(' '); p !== -1; p = text.indexOf(' ', p + 1))
      if (p > start && WORD_END[text.charCodeAt(p - 1)] === 1) {
        tokens += word(text.slice(start, p));
        start = p;
      }
    if (start < text.length) tokens += word(start === 0 ? text : text.slice(start));
    return tokens;
  };
}
