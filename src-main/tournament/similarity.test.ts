import { describe, expect, it } from 'vitest';
import { QuoteLocator } from '../tasks/quotes';
import { embeddingSimilarity, lexicalSimilarity, opposite, polarity, quoteOverlap } from './similarity';

describe('polarity and opposite assertions', () => {
  it('reads a change and its negation as opposite sides of one concept', () => {
    expect(polarity("Mara's eye colour changes from green to blue in chapter 12").get('stable')).toBe(-1);
    expect(polarity("Mara's eye colour does not change; it stays green").get('stable')).toBe(1);
    expect(opposite("Mara's eye colour changes in chapter 12", "Mara's eye colour doesn't change in chapter 12")).toBe(
      true,
    );
  });

  it('sees antonyms without any negation', () => {
    expect(opposite('The timeline is consistent', 'The timeline is inconsistent')).toBe(true);
    expect(opposite('Tom is dead by chapter 4', 'Tom is alive in chapter 4')).toBe(true);
  });

  it('does not call two claims on the same side opposite', () => {
    expect(opposite('The eye colour changes', 'There is an inconsistency: the eye colour differs')).toBe(false);
    expect(opposite('No error: the eye colour stays green', 'The eye colour is consistent')).toBe(false);
  });

  it('gives a claim without cue words no polarity, so it contradicts nothing', () => {
    expect(polarity('Mara has green eyes').size).toBe(0);
    expect(opposite('Mara has green eyes', 'Mara does not have green eyes')).toBe(false);
  });

  it('limits a negation to the next few words', () => {
    expect(polarity('No one in the village notices that the colour of her eyes changes').get('stable')).toBe(-1);
  });
});

describe('similarity measures', () => {
  it('scores paraphrased claims above unrelated ones and ignores polarity words', () => {
    const a = "Mara's eye colour changes from green to blue";
    expect(lexicalSimilarity(a, "Mara's eyes change colour: green earlier, blue now")).toBeGreaterThan(0.4);
    expect(lexicalSimilarity(a, 'The inn burns down twice')).toBeLessThan(0.2);
    expect(lexicalSimilarity(a, "Mara's eye colour does not change from green to blue")).toBeGreaterThan(0.8);
  });

  it('treats a quote inside another as the same span and shared phrases as overlap', () => {
    expect(quoteOverlap('her blue eyes', 'She looked up, her blue eyes bright.')).toBe(1);
    expect(quoteOverlap('She looked up, her blue eyes', 'her blue eyes bright with rain')).toBeGreaterThanOrEqual(0.4);
    expect(quoteOverlap('the inn burned', 'her blue eyes bright')).toBe(0);
  });

  it('finds a quote in the source despite case, spacing and curly quotes', () => {
    // The locator that places quotes for the writer is the one that says whether they are there.
    const quoteFound = (quote: string, text: string) => new QuoteLocator(text).find(quote).match !== 'not_found';
    expect(quoteFound('Her  BLUE eyes', 'She looked up, her blue eyes bright.')).toBe(true);
    expect(quoteFound('her grey eyes', 'She looked up, her blue eyes bright.')).toBe(false);
  });

  it('uses embeddings when given, the lexical measure for anything not embedded', async () => {
    const sim = await embeddingSimilarity(['a', 'b'], async (texts) => texts.map((t) => (t === 'a' ? [1, 0] : [1, 1])));
    expect(sim('a', 'b')).toBeCloseTo(Math.SQRT1_2, 5);
    expect(sim('a', 'zzz unrelated')).toBe(lexicalSimilarity('a', 'zzz unrelated'));
  });
});
