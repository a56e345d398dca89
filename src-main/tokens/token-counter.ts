// The one token count of a whole request for a given model — instruction, chat framing, passage, answer schema — for
// the quote, the reservation and the splitting of long manuscripts. The model's own tokenizer where Quire has it (the
// GGUF's, through an injected local tokenizer; OpenAI's encodings through gpt-tokenizer), else a documented
// conservative estimate (families.ts): never below the character-class bound the renderer's quote also uses. Images
// sent with the request are counted by the model's maker's rule (orchestrator/image-tokens.ts).
import type { ImageSize, ModelSpec } from '../../src-preload/contract';
import { imageTokens } from '../orchestrator/image-tokens';
import { estimateTextTokens } from '../../src-preload/contract/tokens';
import { bpeCount, type RankOf } from './bpe-merge';
import { ByteRanks, LONE_SURROGATE } from './byte-ranks';
import { RangeMemo } from './memo';
import { cl100kPieces, o200kPieces } from './split-pieces';
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

/** Each encoding's table of ranks by bytes: built once, from gpt-tokenizer's vocabulary (the same for every counter). */
const byteRanks = new Map<Encoding, Promise<ByteRanks>>();
function ranksOf(name: Encoding): Promise<ByteRanks> {
  let ranks = byteRanks.get(name);
  if (!ranks) {
    ranks = (
      name === 'o200k' ? import('gpt-tokenizer/bpeRanks/o200k_base') : import('gpt-tokenizer/bpeRanks/cl100k_base')
    ).then((vocabulary) => new ByteRanks(vocabulary.default));
    byteRanks.set(name, ranks);
  }
  return ranks;
}

/**
 * The count of one piece of the split, as gpt-tokenizer's countNative counts each piece it splits: one token if the
 * piece is a token (looked up as text: a piece with a lone surrogate never is one), else the length of its byte-pair
 * encoding, merged over the piece's UTF-8 bytes (lone surrogates written as U+FFFD, as gpt-tokenizer's TextEncoder
 * writes them) with gpt-tokenizer's ranks (byte-ranks.ts, bpe-merge.ts).
 */
function pieceCounter(ranks: ByteRanks): (piece: string) => number {
  const rankOf: RankOf = (bytes, start, end) => ranks.rank(bytes, start, end);
  const utf8 = new TextEncoder();
  let bytes = new Uint8Array(1024);
  return (piece) => {
    const length = piece.length;
    if (bytes.length < length * 3) bytes = new Uint8Array(length * 3);
    let n = 0;
    while (n < length) {
      const c = piece.charCodeAt(n);
      if (c >= 128) break;
      bytes[n++] = c;
    }
    const ascii = n === length;
    if (!ascii) n = utf8.encodeInto(piece, bytes).written;
    if ((ascii || !LONE_SURROGATE.test(piece)) && ranks.exact(bytes, 0, n) >= 0) return 1;
    return bpeCount(bytes, n, rankOf);
  };
}

/**
 * Counts with the encoding's own pre-tokenizer split (split-pieces.ts: the split regex as a scanner) and its BPE,
 * remembering the count of each piece. BPE never merges across the pieces of the split, so the sum over pieces is
 * exactly the encoding's count; the memo makes a book's repeated words cost one lookup each (gpt-tokenizer's own cache
 * reorders an LRU on every hit, several times slower on a novel). A special token's text in a writer's manuscript
 * ("<|endoftext|>") is split into ordinary pieces like any text, so it is counted as text, never refused.
 * token-counter.test.ts compares with gpt-tokenizer's whole-text count on every class of text and on random texts.
 */
async function loadEncoding(name: Encoding): Promise<CountText> {
  const ranks = await ranksOf(name);
  const countPiece = pieceCounter(ranks);
  const pieceEnd = name === 'o200k' ? o200kPieces() : cl100kPieces();
  const memo = new RangeMemo();
  return (text) => {
    let tokens = 0;
    for (let i = 0, n = text.length; i < n;) {
      const end = pieceEnd(text, i);
      const length = end - i;
      // One ASCII character is one token (every byte is); two are one token or two. Cheaper than the memo.
      if (length === 1 && text.charCodeAt(i) < 128) tokens += 1;
      else if (length === 2 && (text.charCodeAt(i) | text.charCodeAt(i + 1)) < 128)
        tokens += ranks.pair(text.charCodeAt(i), text.charCodeAt(i + 1)) >= 0 ? 1 : 2;
      else {
        let count = memo.get(text, i, end);
        if (count < 0) {
          const piece = text.slice(i, end);
          count = memo.set(piece, 0, piece.length, countPiece(piece));
        }
        tokens += count;
      }
      i = end;
    }
    return tokens;
  };
}
