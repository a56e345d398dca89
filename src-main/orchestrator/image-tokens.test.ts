// Image tokens by each maker's documented rule (the figures in their docs' own worked examples), and decisions for a
// run with images: only models that see them, each priced with them, every other model passed over with the reason.
import { describe, expect, it } from 'vitest';
import type { ModelSpec } from '../../src-preload/contract';
import {
  availability,
  inputs,
  localModel,
  model,
  registryPrice,
  seedRegistry,
} from '../../test/support/decision-fixtures';
import { decide } from './decide';
import { imageRule, imageTokens, imageTokensBy } from './image-tokens';

const spec = (id: string, provider: ModelSpec['provider'], api?: string) =>
  model(id, { provider, ...(api ? { api_model_id: api } : {}) });

describe('image tokens by the provider’s rule', () => {
  it('OpenAI tiles: the docs’ examples (1024² is 765 tokens on GPT-4o, 2048×4096 is 1105), GPT-4o mini’s own rates', () => {
    const gpt4o = spec('gpt-4o', 'openai');
    expect(imageTokens(gpt4o, [{ width: 1024, height: 1024 }])).toBe(765);
    expect(imageTokens(gpt4o, [{ width: 2048, height: 4096 }])).toBe(1105);
    // Small images are not scaled up: one tile.
    expect(imageTokens(gpt4o, [{ width: 300, height: 200 }])).toBe(85 + 170);
    expect(imageTokens(spec('gpt-4o-mini', 'openai'), [{ width: 1024, height: 1024 }])).toBe(2833 + 4 * 5667);
    expect(imageTokens(spec('gpt-5.5', 'openai'), [{ width: 1024, height: 1024 }])).toBe(765);
  });

  it('OpenAI patches (mini, nano): 32-pixel patches capped at 1536, times the model’s multiplier', () => {
    // The docs: 1024×1024 is 1024 patches; gpt-4.1-mini's 1.62 makes 1659 tokens.
    expect(imageTokens(spec('gpt-4.1-mini', 'openai'), [{ width: 1024, height: 1024 }])).toBe(1659);
    expect(imageTokens(spec('gpt-5.4-nano', 'openai'), [{ width: 1024, height: 1024 }])).toBe(Math.ceil(1024 * 2.46));
    expect(imageTokens(spec('gpt-5.4-mini', 'openai'), [{ width: 4000, height: 3000 }])).toBe(Math.ceil(1536 * 1.62));
  });

  it('Anthropic: width × height / 750 under the long-edge cap (1568 px to Claude 4.6, 2576 px from Opus 4.7)', () => {
    const sonnet = spec('claude-sonnet-4-6', 'anthropic');
    // The docs' table: 1000×1000 is about 1334 tokens, 1092×1092 about 1590; 200×200 about 54.
    expect(imageTokens(sonnet, [{ width: 1000, height: 1000 }])).toBe(1334);
    expect(imageTokens(sonnet, [{ width: 1092, height: 1092 }])).toBe(1590);
    expect(imageTokens(sonnet, [{ width: 200, height: 200 }])).toBe(54);
    // A 12 MP photo is scaled down: at most ~1,600 tokens before Opus 4.7.
    expect(imageTokens(sonnet, [{ width: 4032, height: 3024 }])).toBe(1600);
    expect(imageRule(spec('claude-3-5-sonnet-20241022', 'anthropic'))).toMatchObject({ longEdge: 1568 });
    expect(imageRule(spec('or-sonnet', 'openrouter', 'anthropic/claude-sonnet-4.6'))).toMatchObject({ longEdge: 1568 });
    const opus = spec('claude-opus-4-8', 'anthropic');
    expect(imageRule(opus)).toMatchObject({ longEdge: 2576 });
    expect(imageTokens(opus, [{ width: 4032, height: 3024 }])).toBe(Math.ceil((2576 * 1932) / 750));
  });

  it('Gemini: 258 per tile, never below 1,120 (Gemini 3’s default media resolution); two images add up', () => {
    const flash = spec('gemini-3.5-flash', 'gemini');
    expect(imageTokens(flash, [{ width: 300, height: 300 }])).toBe(1120);
    // 2048×2048: tiles of 768 px, 3 × 3 of them.
    expect(imageTokensBy(imageRule(flash), { width: 2048, height: 2048 })).toBe(9 * 258);
    expect(
      imageTokens(flash, [
        { width: 300, height: 300 },
        { width: 2048, height: 2048 },
      ]),
    ).toBe(1120 + 9 * 258);
  });

  it('a writer’s endpoint may be any model: the largest of the rules', () => {
    const endpoint = model('ep/vlm', { provider: 'openai-compatible', endpoint_id: 'ep' });
    const size = { width: 1024, height: 1024 };
    expect(imageTokens(endpoint, [size])).toBeGreaterThanOrEqual(
      Math.max(
        imageTokens(spec('gpt-4o', 'openai'), [size]),
        imageTokens(spec('claude-opus-4-8', 'anthropic'), [size]),
        imageTokens(spec('gemini-3.5-flash', 'gemini'), [size]),
      ),
    );
  });
});

/** The seed registry with vision where the real models have it (GPT-4o, GPT-4o mini, Claude 3.5 Sonnet). */
function visionRegistry(): ModelSpec[] {
  const seeing = new Set(['gpt-4o', 'gpt-4o-mini', 'claude-3-5-sonnet-20241022']);
  return seedRegistry().map((m) =>
    seeing.has(m.id) ? { ...m, capabilities: { ...m.capabilities, vision: true } } : m,
  );
}

const MAP = { width: 1024, height: 1024 };

describe('a decision for a run with images', () => {
  it('considers only models that see images; every other model is passed over with “cannot see images”', () => {
    const d = decide(
      { task: 'theme_analysis', tier: 'budget', images: [MAP] },
      inputs({ registry: visionRegistry(), availability: availability(['llama3.2', 'mistral-7b']) }),
    );
    // Without images the budget pick is DeepSeek (seed 000); it cannot see them.
    expect(d.model_id).toBe('gpt-4o');
    for (const id of ['deepseek-chat', 'qwen-plus', 'qwen-turbo', 'llama3.2', 'mistral-7b']) {
      const c = d.candidates.find((x) => x.model_id === id)!;
      expect(c.status).toBe('rejected');
      expect(c.reasons).toContain('no_vision');
      expect(c.why).toMatch(/cannot see images/);
    }
    // No text-only model closes the fallback chain.
    expect(d.fallback_chain.every((id) => ['gpt-4o', 'gpt-4o-mini', 'claude-3-5-sonnet-20241022'].includes(id))).toBe(
      true,
    );
    expect(d.images).toEqual({ count: 1, tokens: 765 });
  });

  it('prices each candidate with its own image tokens', () => {
    const d = decide(
      { task: 'theme_analysis', tier: 'budget', input_tokens: 1000, max_output_tokens: 500, images: [MAP, MAP] },
      inputs({ registry: visionRegistry() }),
    );
    const gpt4o = visionRegistry().find((m) => m.id === 'gpt-4o')!;
    expect(d.estimate_usd).toBeCloseTo(registryPrice(gpt4o, 1000 + 2 * 765, 500), 12);
    const plain = decide(
      { task: 'theme_analysis', tier: 'premium', model: 'gpt-4o', input_tokens: 1000, max_output_tokens: 500 },
      inputs({ registry: visionRegistry() }),
    );
    expect(plain.estimate_usd).toBeCloseTo(registryPrice(gpt4o, 1000, 500), 12);
  });

  it('refuses in a writer’s words when no model that sees images is ready: which could, and which key to add', () => {
    const d = decide(
      { task: 'theme_analysis', images: [MAP] },
      inputs({ registry: visionRegistry(), availability: availability(['llama3.2'], ['deepseek', 'qwen']) }),
    );
    expect(d.model_id).toBeNull();
    expect(d.refusal?.code).toBe('unavailable');
    expect(d.refusal?.message).toMatch(/Your images need a model that can see them/);
    expect(d.refusal?.message).toMatch(/GPT-4o|gpt-4o|claude/i);
    expect(d.refusal?.message).toMatch(/Add an? (OpenAI or Anthropic|Anthropic or OpenAI) key in Settings/);
    expect(d.refusal?.message).toMatch(/Remove the images/);
    expect(d.fallback_chain).toEqual([]);
  });

  it('a request that must stay on this machine is refused: no local model sees images', () => {
    const d = decide(
      { task: 'theme_analysis', local_only: true, images: [MAP] },
      inputs({ registry: [...visionRegistry(), localModel('big', 'large')], availability: availability(['big']) }),
    );
    expect(d.model_id).toBeNull();
    expect(d.refusal?.message).toMatch(/no model on this machine can see images/);
  });

  it('a model named for the run that cannot see images is refused with that reason', () => {
    const d = decide(
      { task: 'theme_analysis', model: 'deepseek-chat', images: [MAP] },
      inputs({ registry: visionRegistry() }),
    );
    expect(d.model_id).toBeNull();
    expect(d.refusal?.message).toMatch(/cannot see images/);
    // The models that can see them stay eligible: the Workbench names them rather than asking for a key.
    const seeing = d.candidates.filter((c) => c.status === 'eligible');
    expect(seeing.length).toBeGreaterThan(0);
    expect(seeing.every((c) => !c.reasons.includes('no_vision'))).toBe(true);
  });
});
