// The check every word-cut counter passes (local/vocab-chunks.ts, local/bpe-cuts.ts): word by word it gives the very
// tokens of the whole text, and the same count again from the words it remembered.
import type { LlamaModel } from 'node-llama-cpp';
import { expect } from 'vitest';
import type { WordTokenizer } from '../../src-main/local/vocab-chunks';

export function expectWholeTextTokens(model: LlamaModel, words: WordTokenizer, texts: [string, string][]): void {
  for (const [name, text] of texts) {
    const whole = model.tokenize(text, false);
    // Word by word, the very same tokens (the cut rule), and the same count (the words grouped and remembered).
    expect(words.head(text, Infinity), name).toEqual(whole);
    expect(words.count(text), name).toBe(whole.length);
    // Again, now partly from the words remembered (by this text and the texts before it).
    expect(words.count(text), `${name}, remembered`).toBe(whole.length);
    expect(words.count(`${text} ${text}`), `${name}, twice`).toBe(model.tokenize(`${text} ${text}`, false).length);
  }
}
