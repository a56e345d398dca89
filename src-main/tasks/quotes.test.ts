import { describe, expect, it } from 'vitest';
import { locateQuote, numberParagraphs } from './quotes';

const BOOK = [
  'A note before the story.',
  '',
  '# Chapter 1: The Harbour',
  'Mara pushed the hair from her green eyes.',
  '',
  '"It’s late," said Tom — too loudly.',
  '',
  'CHAPTER TWO',
  '',
  'The storm came on Tuesday.',
  'It lasted   three days.',
].join('\n');

describe('numberParagraphs', () => {
  it('numbers chapters by headings and "Chapter N" lines and paragraphs by blank lines, with exact offsets', () => {
    const paragraphs = numberParagraphs(BOOK);
    expect(paragraphs.map((p) => [p.chapter, p.paragraph, BOOK.slice(p.start, p.end)])).toEqual([
      [0, 1, 'A note before the story.'],
      [1, 0, '# Chapter 1: The Harbour'],
      [1, 1, 'Mara pushed the hair from her green eyes.'],
      [1, 2, '"It’s late," said Tom — too loudly.'],
      [2, 0, 'CHAPTER TWO'],
      [2, 1, 'The storm came on Tuesday.\nIt lasted   three days.'],
    ]);
    expect(paragraphs[2]!.chapter_title).toBe('Chapter 1: The Harbour');
  });

  it('treats a text without headings as one chapter of paragraphs', () => {
    expect(numberParagraphs('One.\n\nTwo.\r\n\r\nThree.').map((p) => [p.chapter, p.paragraph])).toEqual([
      [0, 1],
      [0, 2],
      [0, 3],
    ]);
  });
});

describe('locateQuote', () => {
  const paragraphs = numberParagraphs(BOOK);

  it('finds an exact quote and gives Quire’s own location', () => {
    const hit = locateQuote(BOOK, paragraphs, 'her green eyes');
    expect(hit).toMatchObject({ match: 'exact', location: { chapter: 1, paragraph: 1 } });
    expect(BOOK.slice(hit.start!, hit.end!)).toBe('her green eyes');
    expect(hit.location!.label).toBe('Chapter 1: The Harbour, paragraph 1');
  });

  it('tolerates straightened quote marks, other dashes, collapsed whitespace and surrounding quotation marks', () => {
    const hit = locateQuote(BOOK, paragraphs, '“"It\'s late," said Tom - too loudly.”');
    expect(hit).toMatchObject({ match: 'tolerant', location: { chapter: 1, paragraph: 2 } });
    expect(BOOK.slice(hit.start!, hit.end!)).toBe('"It’s late," said Tom — too loudly.');
    const spaced = locateQuote(BOOK, paragraphs, 'It lasted three days.');
    expect(spaced).toMatchObject({
      match: 'tolerant',
      location: { chapter: 2, paragraph: 1, label: 'CHAPTER TWO, paragraph 1' },
    });
    expect(BOOK.slice(spaced.start!, spaced.end!)).toBe('It lasted   three days.');
  });

  it('marks an invented quote as not found, with no location', () => {
    expect(locateQuote(BOOK, paragraphs, 'her blue eyes flashed')).toEqual({
      quote: 'her blue eyes flashed',
      match: 'not_found',
      start: null,
      end: null,
      location: null,
    });
    expect(locateQuote(BOOK, paragraphs, '   ').match).toBe('not_found');
  });
});
