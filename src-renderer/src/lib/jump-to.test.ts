import { describe, expect, it } from 'vitest';
import { quoteNow, quoteStillAt } from './jump-to';

const TEXT = '# Chapter 1\n\nMara\u2019s eyes were green \u2014 caf\u00e9 green.\n\nTobias waited.';
const at = (quote: string, found: string, offset = 0) => {
  const start = TEXT.indexOf(found) - offset;
  return { quote, start, end: start + found.length };
};

describe('a quote still at its place in the text on screen', () => {
  it('is there when the words at its offsets are the quote, as Quire found it exactly or tolerantly', () => {
    expect(quoteStillAt(TEXT, at('Tobias waited.', 'Tobias waited.'))).toBe(true);
    // Straight quote marks, a plain dash, other case, its accent written apart, a space doubled, wrapped in quotes.
    const copy = '"Mara\'s eyes were GREEN -  cafe\u0301 green."';
    expect(quoteStillAt(TEXT, at(copy, 'Mara\u2019s eyes were green \u2014 caf\u00e9 green.'))).toBe(true);
    // A heading in Greek capitals holds a model's copy in lower case, its last sigma word-final ("ς") or not.
    const greek = 'ΣΤΟ ΣΠΙΤΙ ΤΟΥΣ';
    expect(quoteStillAt(greek, { quote: 'στο σπίτι τους', start: 0, end: greek.length })).toBe(true);
    expect(quoteStillAt('—ΆΣ', { quote: '—άσ', start: 0, end: 3 })).toBe(true);
    // A run given one chapter: its offsets are within that chapter.
    expect(quoteStillAt(TEXT, at('Tobias waited.', 'Tobias waited.', 13), 13)).toBe(true);
  });

  it('is not there when the text on screen has other words at those offsets, or is shorter', () => {
    const quote = at('Tobias waited.', 'Tobias waited.');
    expect(quoteStillAt(`A new line.\n\n${TEXT}`, quote)).toBe(false);
    expect(quoteStillAt(TEXT.replace('Tobias waited.', 'Tobias left.'), quote)).toBe(false);
    expect(quoteStillAt('Mara.', quote)).toBe(false);
    expect(quoteStillAt(TEXT, { quote: 'Tobias', start: null, end: null })).toBe(false);
  });
});

describe('where a quote is now in the text on screen', () => {
  it('is at its offsets while the text there is unchanged', () => {
    expect(quoteNow(TEXT, at('Tobias waited.', 'Tobias waited.'))).toEqual({
      start: TEXT.indexOf('Tobias'),
      end: TEXT.length,
      moved: false,
    });
  });

  it('is where it moved to when the writer edited the text above it (a paragraph added, a line cut)', () => {
    // It read "(your text has changed here since this run)" and could not be shown, for every finding after the edit.
    const quote = at('tobias  WAITED.', 'Tobias waited.');
    const added = `A new first line.\n\n${TEXT}`;
    expect(quoteNow(added, quote)).toEqual({ start: added.indexOf('Tobias'), end: added.length, moved: true });
    const cut = TEXT.replace('# Chapter 1\n\n', '');
    expect(quoteNow(cut, quote)).toEqual({ start: cut.indexOf('Tobias'), end: cut.length, moved: true });
    // A run given one chapter: offsets in the text on screen count from where that chapter starts.
    expect(quoteNow(added, at('Tobias waited.', 'Tobias waited.', 13), 13)).toMatchObject({ moved: true });
  });

  it('is the place nearest its old one when the words are in the text more than once', () => {
    const twice = 'He said no.\n\nShe left.\n\nHe said no.\n\nThe end.';
    const second = {
      quote: 'He said no.',
      start: twice.lastIndexOf('He said'),
      end: twice.lastIndexOf('He said') + 11,
    };
    const edited = `Rain.\n\n${twice}`;
    expect(quoteNow(edited, second)).toEqual({
      start: edited.lastIndexOf('He said'),
      end: edited.lastIndexOf('no.') + 3,
      moved: true,
    });
  });

  it('is nowhere when its words are no longer in the text, or the run did not find it', () => {
    const quote = at('Tobias waited.', 'Tobias waited.');
    expect(quoteNow(TEXT.replace('Tobias waited.', 'Tobias left.'), quote)).toBeNull();
    expect(quoteNow(TEXT, { quote: 'Tobias', start: null, end: null })).toBeNull();
  });
});
