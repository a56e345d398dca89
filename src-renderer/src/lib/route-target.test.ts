import { describe, expect, it } from 'vitest';
import { targetSpan } from './route-target';

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
});
