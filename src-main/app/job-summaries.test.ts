// A chapter summary's parts merged: entries tied to Quire's chapters by heading, a part that begins inside a chapter
// continues it, and nothing a model wrote is dropped; a chapter over several parts is summarised again from its pieces.
import { describe, expect, it } from 'vitest';
import { parseStructure, type Block } from '../manuscripts/structure';
import { mergeSummaries, namedChapters, partSummaries } from './job-answer';
import { combineSteps, combinedByChapter, stepItems, stepSummaries } from './summary-combine';

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

  it('checks the chapters a heading opens that the parts read, as a single run checks its headings', () => {
    const text = ['An epigraph.', '# Chapter 1', 'Rain.', '# The Harbour', 'Boats.'].join('\n\n');
    // The text before the first heading may be named anything; a run stopped before "The Harbour" never read it.
    expect(namedChapters(parseStructure(text), text.length)).toEqual({
      titles: ['Chapter 1', 'The Harbour'],
      opening: true,
    });
    expect(namedChapters(parseStructure(text), text.indexOf('# The Harbour')).titles).toEqual(['Chapter 1']);
    expect(namedChapters(parseStructure(text.slice(text.indexOf('#'))), text.length).opening).toBe(false);
    // A text without headings is one chapter: any name will do.
    expect(namedChapters(parseStructure('Rain.\n\nBoats.', { fallbackTitle: 'Storm' }), 12).titles).toEqual([]);
    // A chapter not written yet (a folder's empty file, a heading alone) has nothing to summarise: it read "The summary
    // leaves out a chapter of your text: “07 - TODO”".
    const folder = '# Six\n\nRain.\n\n\n\n# Eight\n\nBoats.';
    const files = [
      { title: 'Six', start: 0, end: 12 },
      { title: '07 - TODO', start: 14, end: 14 },
      { title: 'Eight', start: 16, end: folder.length },
    ];
    expect(namedChapters(parseStructure(folder, { chapterFiles: files }), folder.length).titles).toEqual([
      'Six',
      'Eight',
    ]);
  });
});

describe('combining a chapter spread over parts', () => {
  const part = (index: number, firstBlock: number, lastBlock: number) => ({
    index,
    start: 0,
    end: 0,
    tokens: 0,
    firstBlock,
    lastBlock,
    startsInsideBlock: false,
    endsInsideBlock: false,
  });
  // Chapter 1 in part 0; chapter 2 from part 0 to part 5; chapter 3 in part 5 only.
  const blocks = [1, 1, 2, 2, 2, 2, 2, 2, 3].map((chapter) => ({ chapter }) as Block);
  const parts = [part(0, 0, 2), part(1, 3, 3), part(2, 4, 4), part(3, 5, 5), part(4, 6, 6), part(5, 7, 8)];
  const titles = [
    { number: 1, title: 'Chapter 1' },
    { number: 2, title: 'The Harbour' },
    { number: 3, title: 'Chapter 3' },
  ];

  it('combines only chapters in more than one part, folding a long one so no step reads more than its fan-in', () => {
    expect(combineSteps(parts, blocks, titles, 6)).toEqual([
      { chapter: 2, title: 'The Harbour', parts: [0, 1, 2, 3, 4, 5], previous: false },
    ]);
    const folded = combineSteps(parts, blocks, titles, 3);
    expect(folded).toEqual([
      { chapter: 2, title: 'The Harbour', parts: [0, 1, 2], previous: false },
      { chapter: 2, title: 'The Harbour', parts: [3, 4], previous: true },
      { chapter: 2, title: 'The Harbour', parts: [5], previous: true },
    ]);
    expect(folded.map(stepItems)).toEqual([3, 3, 2]);
    expect(combineSteps([part(0, 0, 8)], blocks, titles, 2)).toEqual([]);
  });

  it("a step reads the step before's summary and its parts' pieces; the last step's is the chapter's summary", () => {
    const steps = combineSteps(parts, blocks, titles, 3);
    const answers = parts.map((p) => [{ chapter: 2, title: 'The Harbour', summary: `piece ${p.index}` }]);
    answers[1] = []; // a part that wrote nothing of it
    expect(stepSummaries(steps, 0, answers, [])).toEqual(['piece 0', 'piece 2']);
    const first = { chapter: 2, summary: 'first two' };
    expect(stepSummaries(steps, 1, answers, [first])).toEqual(['first two', 'piece 3', 'piece 4']);
    const last = { chapter: 2, summary: 'all of it' };
    const combined = combinedByChapter(steps, [first, { chapter: 2, summary: 'five' }, last]);
    expect(
      mergeSummaries(
        [
          [{ chapter: 1, title: 'Chapter 1', summary: 'One.' }, ...answers[0]!],
          ...answers.slice(1),
          [{ chapter: 3, title: 'Chapter 3', summary: 'Three.' }],
        ],
        combined,
      ),
    ).toEqual([
      { chapter: 'Chapter 1', summary: 'One.' },
      { chapter: 'The Harbour', summary: 'all of it' },
      { chapter: 'Chapter 3', summary: 'Three.' },
    ]);
  });
});
