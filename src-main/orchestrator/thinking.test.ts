import { describe, expect, it } from 'vitest';
import { inputs, model, registryPrice, seedRegistry } from '../../test/support/decision-fixtures';
import { decide } from './decide';
import { estimateMonthly } from './estimate';
import { answerWithin, expectedThinkingTokens, outputAllowance, THINKING } from './thinking';

/** A reasoning model priced like GPT-5.5 ($5 in, $30 out), 128,000 tokens out at most. */
const thinker = model('thinker', {
  provider: 'openai',
  quality: 10,
  price: [5, 30],
  strengths: ['thematic_analysis', 'semantic_reasoning', 'narrative_continuity'],
  max_output_tokens: 128_000,
  capabilities: { json_output: true, vision: false, streaming: true, reasoning: true },
});
const plain = model('plain', { max_output_tokens: 16_384 });

describe('room to think', () => {
  it('each effort has its allowance (held and sent) and its expected use (for estimates)', () => {
    expect(THINKING).toEqual({
      low: { allowance: 4_000, expected: 1_000 },
      medium: { allowance: 16_000, expected: 4_000 },
      high: { allowance: 32_000, expected: 10_000 },
    });
  });

  it('a reasoning model gets the answer allowance plus the effort’s room; any other model, or no effort, the answer alone', () => {
    expect(outputAllowance(thinker, 2_500, 'medium')).toBe(18_500);
    expect(outputAllowance(thinker, 600, 'low')).toBe(4_600);
    expect(outputAllowance(thinker, 2_500, null)).toBe(2_500);
    expect(outputAllowance(thinker, 2_500, undefined)).toBe(2_500);
    expect(outputAllowance(plain, 2_500, 'high')).toBe(2_500);
    const local = model('tiny', { provider: 'local', capabilities: { ...thinker.capabilities } });
    expect(outputAllowance(local, 2_500, 'high')).toBe(2_500);
  });

  it('the room is capped by the model’s max output and, given the input, by what its context has left; never the answer', () => {
    const small = { ...thinker, max_output_tokens: 10_000 };
    expect(outputAllowance(small, 2_500, 'medium')).toBe(10_000);
    // An answer past what the model writes is asked (and held) as its max output: its provider refuses more.
    expect(outputAllowance(small, 12_000, 'medium')).toBe(10_000);
    expect(outputAllowance({ ...plain, max_output_tokens: 10_000 }, 12_000, null)).toBe(10_000);
    // A local model writes until its context is full: its registry figure does not cut the answer asked.
    const local = { ...plain, provider: 'local' as const, max_output_tokens: 2_048 };
    expect(answerWithin(local, 3_000)).toBe(3_000);
    expect(answerWithin({ ...plain, max_output_tokens: 2_048 }, 3_000)).toBe(2_048);
    const narrow = { ...thinker, context_window: 20_000 };
    expect(outputAllowance(narrow, 2_500, 'medium', 15_000)).toBe(5_000);
    expect(outputAllowance(narrow, 2_500, 'medium', 19_000)).toBe(2_500);
    expect(outputAllowance(narrow, 2_500, 'medium')).toBe(18_500);
  });

  it('expected thinking: the effort’s typical use for a reasoning model, none for others', () => {
    expect(expectedThinkingTokens(thinker, 'medium')).toBe(4_000);
    expect(expectedThinkingTokens(plain, 'medium')).toBe(0);
    expect(expectedThinkingTokens(thinker, null)).toBe(0);
  });
});

describe('decisions and estimates count thinking', () => {
  const withThinker = (efforts?: ReadonlyMap<string, 'low' | 'medium' | 'high'>) =>
    inputs({ registry: [...seedRegistry(), thinker], ...(efforts ? { efforts } : {}) });

  it('a reasoning candidate’s worst case is its answer and its room to think at the output price', () => {
    const request = { task: 'theme_analysis', model: 'thinker', input_tokens: 8_000, max_output_tokens: 2_500 };
    const medium = decide({ ...request, reasoning_effort: 'medium' }, withThinker());
    expect(medium.estimate_usd).toBeCloseTo(registryPrice(thinker, 8_000, 18_500), 9);
    // The allowance stays the answer's: the decision's max_output_tokens is what the answer may use.
    expect(medium.max_output_tokens).toBe(2_500);
    // None asked (a caller's own messages): the answer alone.
    expect(decide({ ...request, reasoning_effort: null }, withThinker()).estimate_usd).toBeCloseTo(
      registryPrice(thinker, 8_000, 2_500),
      9,
    );
    // Not said: the task's own effort, where the inputs know it.
    const own = decide(request, withThinker(new Map([['theme_analysis', 'high']])));
    expect(own.estimate_usd).toBeCloseTo(registryPrice(thinker, 8_000, 34_500), 9);
  });

  it('the monthly estimate counts a reasoning pick’s expected thinking beside its typical answer', () => {
    const efforts = new Map([['theme_analysis', 'medium' as const]]);
    const only = inputs({ registry: [thinker], efforts });
    const estimate = estimateMonthly('premium', { theme_analysis: 10 }, only, registryPrice);
    expect(estimate.picks.theme_analysis).toBe('thinker');
    // theme_analysis: 8,000 in and 1,200 out typically, and 4,000 of thinking at medium.
    expect(estimate.total_usd).toBeCloseTo(10 * registryPrice(thinker, 8_000, 1_200 + 4_000), 6);
  });
});
