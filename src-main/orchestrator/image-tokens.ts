// What an image costs a model in input tokens, by its maker's documented rule, from the image's pixel size alone. The
// token counter adds these to a request's count (so the quote, the reservation and the splitting agree) and the
// decision prices each candidate with them. Every rule is an upper bound where the documentation leaves room.
//
// - OpenAI (https://platform.openai.com/docs/guides/images-vision#calculating-costs; Quire always asks for
//   `detail: "high"`):
//   - tiles (GPT-4o, GPT-4.1, GPT-4.5, GPT-5 and later full-size models): fit within 2048×2048, then scale the
//     shortest side down to 768, count 512-pixel tiles: base + per tile. 85 + 170 (GPT-4o: 1024×1024 is 765 tokens);
//     GPT-4o mini 2833 + 5667 (its low price per token, same cost per image); o1 / o3 75 + 150.
//   - patches (GPT-4.1 mini / nano, o4-mini, GPT-5 mini / nano and their successors): 32-pixel patches, at most 1536
//     (a larger image is scaled down to fit), times the model's multiplier: mini 1.62, nano 2.46, o4-mini 1.72. The
//     bound here is min(patches, 1536) × multiplier, never below the scaled figure.
// - Anthropic (https://docs.anthropic.com/en/docs/build-with-claude/vision#evaluate-image-size): width × height / 750
//   after the image is scaled down to its long-edge cap: 1568 px and about 1,600 tokens up to Claude 4.6; 2576 px
//   from Opus 4.7 on (and for any Claude Quire cannot date), with no token cap assumed.
// - Gemini (https://ai.google.dev/gemini-api/docs/image-understanding#technical-details-image): both sides ≤ 384 px:
//   258 tokens; larger images are cut into tiles of a side between 256 and 768 px (the shorter side / 1.5), 258 each.
//   Gemini 3 prices images by media resolution instead, 1,120 tokens at the default (high): the bound is the larger.
// - Qwen-VL (https://www.alibabacloud.com/help/en/model-studio/vision): one token per 28×28 pixels, at most 16,384,
//   plus 2 for the image's start and end.
// - Any other vision model: the largest of these rules.
import type { ImageSize, ModelSpec } from '../../src-preload/contract';
import { makerOf } from './maker';

export type ImageRule =
  | { kind: 'tiles'; base: number; tile: number }
  | { kind: 'patches'; multiplier: number }
  | { kind: 'anthropic'; longEdge: number; maxTokens: number | null }
  | { kind: 'gemini' }
  | { kind: 'qwen' }
  | { kind: 'largest' };

const CLAUDE_UP_TO_4_6 = { kind: 'anthropic', longEdge: 1568, maxTokens: 1600 } as const;
const CLAUDE_FROM_4_7 = { kind: 'anthropic', longEdge: 2576, maxTokens: null } as const;
const GPT_TILES = { kind: 'tiles', base: 85, tile: 170 } as const;

function openAiRule(modelId: string): ImageRule {
  if (/^gpt-4o-mini/.test(modelId)) return { kind: 'tiles', base: 2833, tile: 5667 };
  if (/^o4-mini/.test(modelId)) return { kind: 'patches', multiplier: 1.72 };
  if (/^gpt-[45](\.\d+)?-mini/.test(modelId)) return { kind: 'patches', multiplier: 1.62 };
  if (/^gpt-[45](\.\d+)?-nano/.test(modelId)) return { kind: 'patches', multiplier: 2.46 };
  if (/^o[13](-|$)/.test(modelId)) return { kind: 'tiles', base: 75, tile: 150 };
  if (/^(gpt-4o|gpt-4\.1|gpt-4\.5|gpt-5|chatgpt-4o)/.test(modelId)) return GPT_TILES;
  return { kind: 'largest' };
}

/** Claude's version from its id ("claude-3-5-sonnet-…", "claude-sonnet-4-6", "claude-sonnet-4.6"); null if none. */
function claudeVersion(modelId: string): number | null {
  const match = /claude-(?:(?:opus|sonnet|haiku)-)?(\d+)(?:[-.](\d{1,2})(?!\d))?/.exec(modelId);
  if (!match) return null;
  return Number(match[1]) + (match[2] ? Number(match[2]) / 10 : 0);
}

export function imageRule(spec: ModelSpec): ImageRule {
  // A writer's endpoint may serve anything under any name.
  if (spec.endpoint_id) return { kind: 'largest' };
  const { maker, modelId } = makerOf(spec);
  return makerImageRule(maker, modelId);
}

/** The rule of a maker ("openai", "anthropic", "gemini" or "google", "qwen") for a model id it knows. */
export function makerImageRule(maker: string, modelId: string): ImageRule {
  switch (maker) {
    case 'openai':
      return openAiRule(modelId);
    case 'anthropic': {
      const version = claudeVersion(modelId);
      return version !== null && version <= 4.6 ? CLAUDE_UP_TO_4_6 : CLAUDE_FROM_4_7;
    }
    case 'gemini':
    case 'google':
      return { kind: 'gemini' };
    case 'qwen':
      return { kind: 'qwen' };
    default:
      return { kind: 'largest' };
  }
}

/** Pixels after scaling down by `factor` (never up), rounded up: a bound never falls short by a pixel. */
const scaled = (n: number, factor: number) => Math.ceil(n * Math.min(1, factor) - 1e-6);

function tileTokens(rule: { base: number; tile: number }, { width, height }: ImageSize): number {
  const fit = 2048 / Math.max(width, height);
  let w = scaled(width, fit);
  let h = scaled(height, fit);
  const shortest = 768 / Math.min(w, h);
  w = scaled(w, shortest);
  h = scaled(h, shortest);
  return rule.base + rule.tile * Math.ceil(w / 512) * Math.ceil(h / 512);
}

function patchTokens(multiplier: number, { width, height }: ImageSize): number {
  const patches = Math.min(1536, Math.ceil(width / 32) * Math.ceil(height / 32));
  return Math.ceil(patches * multiplier);
}

function anthropicTokens(rule: { longEdge: number; maxTokens: number | null }, { width, height }: ImageSize): number {
  const fit = rule.longEdge / Math.max(width, height);
  const tokens = Math.ceil((scaled(width, fit) * scaled(height, fit)) / 750);
  return rule.maxTokens === null ? tokens : Math.min(tokens, rule.maxTokens);
}

function geminiTokens({ width, height }: ImageSize): number {
  let tiles = 1;
  if (width > 384 || height > 384) {
    const unit = Math.min(768, Math.max(256, Math.floor(Math.min(width, height) / 1.5)));
    tiles = Math.ceil(width / unit) * Math.ceil(height / unit);
  }
  return Math.max(258 * tiles, 1120);
}

function qwenTokens({ width, height }: ImageSize): number {
  return Math.min(16_384, Math.ceil(width / 28) * Math.ceil(height / 28)) + 2;
}

export function imageTokensBy(rule: ImageRule, size: ImageSize): number {
  switch (rule.kind) {
    case 'tiles':
      return tileTokens(rule, size);
    case 'patches':
      return patchTokens(rule.multiplier, size);
    case 'anthropic':
      return anthropicTokens(rule, size);
    case 'gemini':
      return geminiTokens(size);
    case 'qwen':
      return qwenTokens(size);
    case 'largest':
      return Math.max(
        tileTokens(GPT_TILES, size),
        patchTokens(2.46, size),
        anthropicTokens(CLAUDE_FROM_4_7, size),
        geminiTokens(size),
        qwenTokens(size),
      );
  }
}

/** The input tokens a model counts for these images (0 for none). */
export function imageTokens(spec: ModelSpec, images: readonly ImageSize[] | undefined): number {
  if (!images || images.length === 0) return 0;
  const rule = imageRule(spec);
  return images.reduce((sum, size) => sum + imageTokensBy(rule, size), 0);
}
