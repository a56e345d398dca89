import { describe, expect, it } from 'vitest';
import { estimateInputTokens } from './tokens';

describe('estimateInputTokens', () => {
  it('counts English prose at 3 characters a token plus message framing', () => {
    expect(estimateInputTokens([{ content: 'a'.repeat(300) }])).toBe(100 + 8 + 8);
  });

  it('counts characters outside ASCII as two tokens each, so CJK text is not under-reserved', () => {
    expect(estimateInputTokens([{ content: '潮水退去了'.repeat(20) }])).toBe(200 + 8 + 8);
    expect(estimateInputTokens([{ content: '🌊' }])).toBe(2 + 8 + 8);
  });

  it('adds framing per message', () => {
    expect(estimateInputTokens([{ content: '' }, { content: '' }])).toBe(8 + 8 + 8);
  });
});
