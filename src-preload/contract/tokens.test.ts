import { describe, expect, it } from 'vitest';
import { estimateInputTokens, estimateTextTokens } from './tokens';

describe('estimateInputTokens', () => {
  it('counts English prose at 3 characters a token plus message framing', () => {
    expect(estimateInputTokens([{ content: 'a'.repeat(300) }])).toBe(100 + 8 + 8);
  });

  it('counts characters outside ASCII by their UTF-8 bytes, so CJK and emoji are not under-reserved', () => {
    // Rare ideographs take up to 3 tokens each in cl100k (measured 2.6 on average): 3 per character, not 2.
    expect(estimateInputTokens([{ content: '潮水退去了'.repeat(20) }])).toBe(300 + 8 + 8);
    expect(estimateInputTokens([{ content: '🌊' }])).toBe(4 + 8 + 8);
  });

  it('counts a surrogate pair as one 4-byte character and a lone surrogate as 3 bytes (U+FFFD), wherever it stands', () => {
    expect(estimateTextTokens('😀')).toBe(4);
    expect(estimateTextTokens('\ud83d')).toBe(3);
    expect(estimateTextTokens('\ude00')).toBe(3);
    expect(estimateTextTokens('a\ud83d')).toBe(1 + 3);
    expect(estimateTextTokens('\ude00\ud83d😀\ud83d')).toBe(3 + 3 + 4 + 3);
    expect(estimateTextTokens('éß—潮')).toBe(2 + 2 + 2 + 3);
  });

  it('adds framing per message', () => {
    expect(estimateInputTokens([{ content: '' }, { content: '' }])).toBe(8 + 8 + 8);
  });

  it('counts digits one by one, punctuation one by one, and opaque strings by the character', () => {
    expect(estimateTextTokens('1911')).toBe(4);
    expect(estimateTextTokens('on 12 March')).toBe(1 + 1 + 2 + 2);
    expect(estimateTextTokens('?!...')).toBe(5);
    expect(estimateTextTokens('c9f1e2a4-5b6d-4e7f-8a9b-0c1d2e3f4a5b')).toBe(36);
    expect(estimateTextTokens('Mara whispered')).toBe(2 + 3);
  });

  it('counts typographic punctuation as 2 and a lone space before a word as part of the word', () => {
    expect(estimateTextTokens('“No”')).toBe(2 + 1 + 2);
    expect(estimateTextTokens('a b')).toBe(2);
    expect(estimateTextTokens('a\n\nb')).toBe(1 + 2 + 1);
  });
});
