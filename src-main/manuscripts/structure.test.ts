import { describe, expect, it } from 'vitest';
import { generateManuscript, shortParagraphsManuscript } from '../../test/fixtures/manuscript';
import { longestWait } from '../../test/support/longest-wait';
import { locationLabel, parseStructure, parseStructureAsync } from './structure';

const slice = (text: string, b: { start: number; end: number }) => text.slice(b.start, b.end);

/**
 * A long novel with every kind of block the numbering knows: a title and a dedication before the first chapter, "Part"
 * lines above chapters, chapters as "## Chapter N", "Chapter N: Title" lines and "CHAPTER N" straight above their text,
 * "### scene" headings, scene breaks of every kind, paragraphs of several lines, spaces and \r around lines.
 */
function variedNovel(): string {
  const breaks = ['* * *', '***', '#', '~~~', '- - -'];
  const pieces = ['# The Lantern Keeper', 'For M., who kept the light.'];
  for (let c = 1; c <= 200; c++) {
    if (c % 50 === 1) pieces.push(`PART ${['ONE', 'TWO', 'THREE', 'FOUR'][(c - 1) / 50]}`);
    const body = generateManuscript({ words: 4000, chapters: 1, seed: c, longEvery: 9 })
      .replace('# Chapter 1\n\n', '')
      .replaceAll('* * *', () => breaks[c % breaks.length]!)
      .replace(/\. ([A-Z])/, c % 4 === 0 ? '.\r\n$1' : '.\n  $1');
    const heading =
      c % 3 === 0 ? `## Chapter ${c}` : c % 3 === 1 ? `Chapter ${c}: The Sea  ` : `CHAPTER ${c}\nThe line under it.`;
    pieces.push(heading, '### The harbour at night', body.trimEnd());
  }
  return `${pieces.join('\n\n')}\n`;
}

describe('manuscript structure', () => {
  it('numbers chapters from Markdown headings and paragraphs by blank lines, scene breaks apart', () => {
    const text = '# Chapter 1\n\nMara woke.\nShe rose.\n\n* * *\n\nThe harbour.\n\n# Chapter 2\n\n\n  Night fell.  \n';
    const { chapters, blocks } = parseStructure(text);
    expect(chapters.map((c) => [c.number, c.title, c.paragraphCount])).toEqual([
      [1, 'Chapter 1', 2],
      [2, 'Chapter 2', 1],
    ]);
    expect(blocks.map((b) => [b.kind, b.chapter, b.paragraph, slice(text, b)])).toEqual([
      ['heading', 1, null, '# Chapter 1'],
      ['text', 1, 1, 'Mara woke.\nShe rose.'],
      ['break', 1, null, '* * *'],
      ['text', 1, 2, 'The harbour.'],
      ['heading', 2, null, '# Chapter 2'],
      ['text', 2, 1, 'Night fell.'],
    ]);
    expect(chapters[0]!.end).toBe(chapters[1]!.start);
    expect(chapters[1]!.end).toBe(text.length);
  });

  it('recognises "Chapter N" lines and keeps text before the first one as the Opening', () => {
    const text =
      'A dedication.\n\nCHAPTER ONE\n\nFirst.\n\n***\n\nSecond.\n\nChapter 2: The Sea\n\nThird.\n\n#\n\nFourth.';
    const { chapters, blocks } = parseStructure(text);
    expect(chapters.map((c) => [c.number, c.title])).toEqual([
      [0, 'Opening'],
      [1, 'CHAPTER ONE'],
      [2, 'Chapter 2: The Sea'],
    ]);
    expect(blocks.filter((b) => b.kind === 'break')).toHaveLength(2);
    const fourth = blocks.find((b) => slice(text, b) === 'Fourth.')!;
    expect(locationLabel(fourth.chapter, fourth.paragraph)).toBe('Chapter 2, paragraph 2');
  });

  it('uses the highest Markdown heading level for chapters; lower levels stay inside them', () => {
    const text = '# Part One\n\n## A scene title\n\nText.\n\n# Part Two\n\nMore.';
    const { chapters } = parseStructure(text);
    expect(chapters.map((c) => c.title)).toEqual(['Part One', 'Part Two']);
  });

  it('a text with no headings is one chapter named after its file', () => {
    const { chapters, blocks } = parseStructure('One.\n\nTwo.\n', { fallbackTitle: 'draft' });
    expect(chapters).toMatchObject([{ number: 1, title: 'draft', paragraphCount: 2 }]);
    expect(blocks.map((b) => b.paragraph)).toEqual([1, 2]);
  });

  it('finds every paragraph of a generated 40,000-word manuscript, planted ones at their places', () => {
    const text = generateManuscript({
      words: 40_000,
      chapters: 12,
      plant: [{ chapter: 3, paragraph: 4, text: 'Mara had green eyes.' }],
    });
    const { chapters, blocks } = parseStructure(text);
    expect(chapters).toHaveLength(12);
    const planted = blocks.find((b) => slice(text, b) === 'Mara had green eyes.')!;
    expect([planted.chapter, planted.paragraph]).toEqual([3, 4]);
    // Blocks are disjoint, in order, and everything between them is whitespace.
    let at = 0;
    for (const b of blocks) {
      expect(text.slice(at, b.start).trim()).toBe('');
      at = b.end;
    }
    expect(text.slice(at).trim()).toBe('');
  });

  it('a "Chapter N" line that opens a block starts a chapter, the rest of the block its first paragraph', () => {
    const text = 'Chapter 1\nIt rained.\n\nMore rain.\n\nChapter 2\r\nIt snowed.\r\nAll night.\n';
    const { chapters, blocks } = parseStructure(text);
    expect(chapters.map((c) => [c.number, c.title, c.paragraphCount])).toEqual([
      [1, 'Chapter 1', 2],
      [2, 'Chapter 2', 1],
    ]);
    expect(blocks.map((b) => [b.kind, b.chapter, b.paragraph, slice(text, b)])).toEqual([
      ['heading', 1, null, 'Chapter 1'],
      ['text', 1, 1, 'It rained.'],
      ['text', 1, 2, 'More rain.'],
      ['heading', 2, null, 'Chapter 2'],
      ['text', 2, 1, 'It snowed.\r\nAll night.'],
    ]);
    expect(chapters[0]!.end).toBe(chapters[1]!.start);
  });

  it('a Markdown chapter heading directly above its text starts a chapter too', () => {
    const { chapters, blocks } = parseStructure('# Chapter 1\nIt rained.\n\n# Chapter 2\nIt snowed.');
    expect(chapters.map((c) => c.title)).toEqual(['Chapter 1', 'Chapter 2']);
    expect(blocks.map((b) => b.kind)).toEqual(['heading', 'text', 'heading', 'text']);
  });

  it('"## Chapter N" under the book\'s one "# Title": the ## headings are the chapters, the title no paragraph', () => {
    const text = '# The Novel\n\n## Chapter 1\n\nIt rained.\n\n## Chapter 2\n\nIt snowed.\n';
    const { chapters, blocks } = parseStructure(text);
    expect(chapters.map((c) => [c.number, c.title, c.paragraphCount])).toEqual([
      [1, 'Chapter 1', 1],
      [2, 'Chapter 2', 1],
    ]);
    // The title opens the first chapter's span (no empty "Opening" before it) and is not numbered as prose.
    expect(chapters[0]!.start).toBe(0);
    expect(blocks.map((b) => [b.kind, b.chapter, b.paragraph, slice(text, b)])).toEqual([
      ['heading', 1, null, '# The Novel'],
      ['heading', 1, null, '## Chapter 1'],
      ['text', 1, 1, 'It rained.'],
      ['heading', 2, null, '## Chapter 2'],
      ['text', 2, 1, 'It snowed.'],
    ]);
  });

  it('Markdown headings underlined with === or --- (setext) are headings: chapters, never numbered paragraphs', () => {
    // "Chapter One" underlined: the line under it is part of the heading, not the chapter's paragraph 1.
    const text = 'Chapter One\n===========\n\nIt rained.\n\nMore rain.\n\nChapter Two\n===========\nIt snowed.\n';
    const { chapters, blocks } = parseStructure(text);
    expect(chapters.map((c) => [c.number, c.title, c.paragraphCount])).toEqual([
      [1, 'Chapter One', 2],
      [2, 'Chapter Two', 1],
    ]);
    expect(blocks.map((b) => [b.kind, b.chapter, b.paragraph, slice(text, b)])).toEqual([
      ['heading', 1, null, 'Chapter One\n==========='],
      ['text', 1, 1, 'It rained.'],
      ['text', 1, 2, 'More rain.'],
      ['heading', 2, null, 'Chapter Two\n==========='],
      ['text', 2, 1, 'It snowed.'],
    ]);
    // Titled chapters under the book's one title, as "# The Lantern" over "## The Storm" would be.
    const titled = 'The Lantern\r\n===\r\n\r\nThe Storm\r\n---------\r\n\r\nWind.\r\n\r\nThe Calm\r\n--\r\n\r\nSun.';
    const book = parseStructure(titled, { fallbackTitle: 'draft' });
    expect(book.chapters.map((c) => [c.number, c.title, c.paragraphCount])).toEqual([
      [1, 'The Storm', 1],
      [2, 'The Calm', 1],
    ]);
    expect(book.blocks.map((b) => b.kind)).toEqual(['heading', 'heading', 'text', 'heading', 'text']);
    // A folder's chapter file that opens with one: its heading, not its first paragraph.
    const file = 'The Storm\n=========\n\nWind.\n';
    const folder = parseStructure(file, { chapterFiles: [{ title: 'The Storm', start: 0, end: file.length }] });
    expect(folder.blocks.map((b) => [b.kind, b.paragraph])).toEqual([
      ['heading', null],
      ['text', 1],
    ]);
    // Prose above a scene break with no blank line between them stays prose; a lone "---" stays a scene break.
    const prose = 'She left at dawn.\n---\n\nHe stayed.\n\n---\n\nNight.';
    expect(parseStructure(prose).blocks.map((b) => [b.kind, b.paragraph])).toEqual([
      ['text', 1],
      ['text', 2],
      ['break', null],
      ['text', 3],
    ]);
  });

  it('a fenced code block (```) is one paragraph: a "# …" line in it, after a blank line or not, is no heading', () => {
    // A techno-thriller's shell script: its comments are not chapters, and the chapters after it keep their numbers.
    const script = '```\n# back up the logs\n\n# wipe the drive\nrm -rf /\n```';
    const text = `# Chapter 1\n\nShe typed.\n\n${script}\n\nEnter.\n\n# Chapter 2\n\nDark.\n`;
    const { chapters, blocks } = parseStructure(text);
    expect(chapters.map((c) => [c.number, c.title, c.paragraphCount])).toEqual([
      [1, 'Chapter 1', 3],
      [2, 'Chapter 2', 1],
    ]);
    expect(blocks.map((b) => [b.kind, b.chapter, b.paragraph, slice(text, b)])).toEqual([
      ['heading', 1, null, '# Chapter 1'],
      ['text', 1, 1, 'She typed.'],
      ['text', 1, 2, script],
      ['text', 1, 3, 'Enter.'],
      ['heading', 2, null, '# Chapter 2'],
      ['text', 2, 1, 'Dark.'],
    ]);
    // A "```" that no fence closes is a line of prose: the rest of the book is numbered as before.
    const open = '# One\n\n```\n\nA.\n\n# Two\n\nB.';
    expect(parseStructure(open).chapters.map((c) => [c.title, c.paragraphCount])).toEqual([
      ['One', 2],
      ['Two', 1],
    ]);
  });

  it('a one-line paragraph of prose that begins with "Chapter …" is not a heading; a short titled one is', () => {
    const prose = [
      'Chapter two of her life began the day she left.',
      'Chapter two of her life began in the rain, and she did not notice.',
      'Chapter 1. It was the kind of morning that made the harbour smell of tar and old rope.',
      'Prologue, he said, was the worst part of any book.',
    ];
    for (const line of prose) {
      const { chapters } = parseStructure(`Chapter 1\n\n${line}\n\nShe never looked back.\n`);
      expect(
        chapters.map((c) => [c.title, c.paragraphCount]),
        line,
      ).toEqual([['Chapter 1', 2]]);
    }
    const headings = ['Chapter 2: Mr. Darcy Arrives.', 'CHAPTER TWELVE — The Storm', 'Chapter 3 The Long Night'];
    for (const line of headings) {
      const { chapters } = parseStructure(`Chapter 1\n\nText.\n\n${line}\n\nMore.\n`);
      expect(chapters.map((c) => c.title)).toEqual(['Chapter 1', line]);
    }
  });

  it('"Prologue: …" and "Epilogue" lines start chapters; "Part One" lines are headings inside them', () => {
    const text = 'Prologue: The Storm\n\nWind.\n\nPart One\n\nChapter 1\n\nRain.\n\nEpilogue\n\nCalm.';
    const { chapters, blocks } = parseStructure(text);
    expect(chapters.map((c) => [c.title, c.paragraphCount])).toEqual([
      ['Prologue: The Storm', 1],
      ['Chapter 1', 1],
      ['Epilogue', 1],
    ]);
    // "Part One" belongs to the chapter it opens, as a heading, not as the prologue's last paragraph.
    const part = blocks.find((b) => slice(text, b) === 'Part One')!;
    expect([part.kind, part.chapter, part.paragraph]).toEqual(['heading', 2, null]);
    expect(chapters[1]!.start).toBe(part.start);
  });

  it('"Part N" lines are the chapters of a text that has no other chapter headings', () => {
    const { chapters } = parseStructure('Part One\n\nRain.\n\nPart Two: Home\n\nSun.\n\nPart of me stayed.');
    expect(chapters.map((c) => [c.title, c.paragraphCount])).toEqual([
      ['Part One', 1],
      ['Part Two: Home', 2],
    ]);
  });

  it("parses in slices the same structure as at once: chapters, headings, scene breaks, a folder's files", async () => {
    const text = variedNovel();
    const whole = parseStructure(text);
    // It is the novel it says: every kind of block, in thousands (many slices' worth).
    expect(whole.chapters).toHaveLength(201);
    expect(whole.blocks.length).toBeGreaterThan(5000);
    for (const kind of ['heading', 'break', 'text'] as const)
      expect(whole.blocks.filter((b) => b.kind === kind).length, kind).toBeGreaterThan(150);
    expect(await parseStructureAsync(text)).toEqual(whole);

    // Without chapter headings (its fallback title), and as a folder whose files are its chapters.
    const untitled = text.replace(/^(#+ |Chapter \d|CHAPTER \d|PART )/gm, 'The $1');
    expect(await parseStructureAsync(untitled, { fallbackTitle: 'Draft' })).toEqual(
      parseStructure(untitled, { fallbackTitle: 'Draft' }),
    );
    const starts = whole.chapters.map((c) => c.start);
    const chapterFiles = starts.map((start, i) => ({ title: `File ${i}`, start, end: starts[i + 1] ?? text.length }));
    expect(await parseStructureAsync(text, { chapterFiles })).toEqual(parseStructure(text, { chapterFiles }));
  });

  it('lets other calls run while it parses a long text: none waits for the whole parse', async () => {
    // 200,000 short paragraphs (the 48 MB manuscript that held every call for 2.4 s had 1.8 million).
    const text = shortParagraphsManuscript(200_000);
    const { result, answers } = await longestWait(() => parseStructureAsync(text));
    expect(result.chapters.reduce((sum, c) => sum + c.paragraphCount, 0)).toBe(200_000);
    // Parsed at once, no other call was answered until it ended; in slices of ~10 ms, one between each two.
    expect(answers).toBeGreaterThanOrEqual(3);
  });
});
