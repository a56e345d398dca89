// A chapter summary's parts merged: entries tied to Quire's chapters by heading, a part that begins inside a chapter
// continues it, and nothing a model wrote is dropped.
import { describe, expect, it } from 'vitest';
import { mergeSummaries, partSummaries } from './job-answer';

const chapters = [
  { number: 1, title: 'Chapter 1' },
  { number: 2, title: 'The Harbour' },
];

describe('chapter summaries over parts', () => {
  it('ties entries to chapters by heading (as written, with or without "#") and joins a chapter spread over parts', () => {
    const first = partSummaries(
      [
        { chapter: '# chapter 1', summary: 'One begins.' },
        { chapter: 'The Harbour', summary: 'Two begins.' },
      ],
      chapters,
      null,
    );
    const second = partSummaries([{ chapter: 'Untitled', summary: 'Two ends.' }], [chapters[1]!], 2);
    expect(mergeSummaries([first, second])).toEqual([
      { chapter: 'Chapter 1', summary: 'One begins.' },
      { chapter: 'The Harbour', summary: 'Two begins. Two ends.' },
    ]);
  });

  it('keeps an entry that names no chapter of its part under the name the model gave, in its place', () => {
    const part = partSummaries(
      [
        { chapter: 'Chapter 1', summary: 'One.' },
        { chapter: 'An Interlude', summary: 'Between.' },
      ],
      [chapters[0]!],
      null,
    );
    expect(mergeSummaries([part])).toEqual([
      { chapter: 'Chapter 1', summary: 'One.' },
      { chapter: 'An Interlude', summary: 'Between.' },
    ]);
  });
});
