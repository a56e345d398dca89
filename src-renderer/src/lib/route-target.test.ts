import { describe, expect, it } from 'vitest';
import { numberValue, targetSpan, targetText } from './route-target';

const text = '# Chapter 1\n\nOne.\n\n# Chapter 2\n\nTwo, with Mara.\n\n# Chapter 3\n\nThree.\n';

describe('targetSpan', () => {
  it('finds the chapter a suggestion names by its heading, up to the next heading', () => {
    const span = targetSpan(text, 'Chapter 2 (where Mara first appears)')!;
    expect(text.slice(span.start, span.end)).toBe('# Chapter 2\n\nTwo, with Mara.\n\n');
    expect(span.heading).toBe('Chapter 2');
    const last = targetSpan(text, 'chapter 3')!;
    expect(text.slice(last.start, last.end)).toBe('# Chapter 3\n\nThree.\n');
  });

  it('names the chapter by its heading as the writer wrote it, without the Markdown marks', () => {
    const titled = '## Chapter 4: The Storm  \n\nRain.\n';
    expect(targetSpan(titled, 'chapter 4')?.heading).toBe('Chapter 4: The Storm');
  });

  it('runs on the whole text for ranges, several chapters, the whole manuscript or a chapter it lacks', () => {
    for (const target of ['Chapters 1 to 3', 'Chapter 1-3', 'the whole manuscript', 'Chapter 9', 'Chapter 2 and 3'])
      expect(targetSpan(text, target)).toBeUndefined();
  });

  it('finds a chapter however the writer numbered its heading: in words, in Roman numerals, or a number alone', () => {
    const words = '# One\n\nThe tide.\n\n## A scene\n\nStill one.\n\n# Two\n\nThe storm.\n';
    const one = targetSpan(words, 'Chapter 1')!;
    expect(words.slice(one.start, one.end)).toBe('# One\n\nThe tide.\n\n## A scene\n\nStill one.\n\n');
    expect(one.heading).toBe('One');
    expect(targetText(one.heading, 'Runs')).toBe('Runs on the chapter “One” only, not the whole passage.');
    expect(targetText('Chapter 2', 'Ran')).toBe('Ran on Chapter 2 only, not the whole passage.');
    expect(targetText(null, 'Ran')).toBe('Ran on the whole passage.');
    expect(targetSpan(words, 'Chapter Two')?.heading).toBe('Two');
    const roman = 'CHAPTER I\n\nDawn.\n\nCHAPTER II: The Storm\n\nRain.\n\nCHAPTER III\n\nCalm.\n';
    const second = targetSpan(roman, 'chapter 2 (the storm)')!;
    expect(roman.slice(second.start, second.end)).toBe('CHAPTER II: The Storm\n\nRain.\n\n');
    expect(targetSpan('## 12. Homecoming\n\nHome.\n', 'Chapter twelve')?.heading).toBe('12. Homecoming');
    expect(targetSpan('# Chapter Twenty-One\n\nLate.\n', 'Chapter 21')?.heading).toBe('Chapter Twenty-One');
  });

  it('is not fooled by prose: a line that is a number, or a heading that begins with a word like "I"', () => {
    expect(targetSpan('One\n\nShe counted.\n', 'Chapter 1')).toBeUndefined();
    expect(targetSpan('# I Remember\n\nIt rained.\n', 'Chapter 1')).toBeUndefined();
    expect(targetSpan(text, 'Chapter One to Three')).toBeUndefined();
    expect(targetSpan(text, 'Chapter 2, where Mara first appears')?.heading).toBe('Chapter 2');
  });

  it('reads chapter numbers as writers write them', () => {
    const cases: [string, number | null][] = [
      ['7', 7],
      ['seven', 7],
      ['Seventeen', 17],
      ['nineteen', 19],
      ['twenty', 20],
      ['twenty-one', 21],
      ['ninety nine', 99],
      ['IV', 4],
      ['xiv', 14],
      ['XC', 90],
      ['storm', null],
    ];
    for (const [word, value] of cases) expect(numberValue(word), word).toBe(value);
  });
});
