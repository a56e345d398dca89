// A manuscript's structure as offsets into its text: chapters (from Markdown headings, "Chapter N" lines, or one per
// file), and within them blocks separated by blank lines — headings, scene breaks (`***`, `* * *`, `#`) and prose
// paragraphs numbered from 1 in each chapter. Locations shown to a writer ("chapter 3, paragraph 12") come from here,
// never from what a model claims. Pure: no I/O.

export type BlockKind = 'heading' | 'break' | 'text';

export interface Block {
  kind: BlockKind;
  /** Offsets into the document text, [start, end): the block without its surrounding blank lines. */
  start: number;
  end: number;
  /** Chapter number (see Chapter.number). */
  chapter: number;
  /** Prose paragraphs only: 1-based within the chapter; null for headings and scene breaks. */
  paragraph: number | null;
}

export interface Chapter {
  /** 1-based in reading order; 0 for text before the first chapter heading ("Opening"). */
  number: number;
  title: string;
  start: number;
  end: number;
  /** Index of its first block in DocumentStructure.blocks, and how many it has. */
  firstBlock: number;
  blockCount: number;
  /** Prose paragraphs in it. */
  paragraphCount: number;
}

export interface DocumentStructure {
  chapters: Chapter[];
  blocks: Block[];
}

/** A lone scene-break line: `***`, `* * *`, `#`, `---`, `~~~` and similar. */
const SCENE_BREAK = /^\s*(?:(?:\*\s*){3,}|#|(?:-\s*){3,}|(?:~\s*){3,}|(?:#\s*){3,})\s*$/;
const MD_HEADING = /^(#{1,6})\s+(\S.*?)\s*#*\s*$/;
const CHAPTER_LINE =
  /^\s*(?:chapter|chap\.)\s+(?:\d+|[ivxlcdm]+|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|[a-z-]+teen|twenty[a-z-]*|thirty[a-z-]*|forty[a-z-]*|fifty[a-z-]*)\b.*$|^\s*(?:prologue|epilogue)\s*$/i;

interface RawBlock {
  start: number;
  end: number;
  firstLine: string;
  singleLine: boolean;
}

/** Blocks of non-blank lines, with offsets. Runs in one pass over the text. */
export function rawBlocks(text: string, from = 0, to = text.length): RawBlock[] {
  const blocks: RawBlock[] = [];
  let blockStart = -1;
  let blockEnd = -1;
  let lines = 0;
  let firstLineEnd = -1;
  let pos = from;
  while (pos < to) {
    let nl = text.indexOf('\n', pos);
    if (nl === -1 || nl > to) nl = to;
    let blank = true;
    for (let i = pos; i < nl; i++) {
      const c = text.charCodeAt(i);
      if (c !== 32 && c !== 9 && c !== 13 && c !== 0xa0 && c !== 0xfeff) {
        blank = false;
        break;
      }
    }
    if (blank) {
      if (blockStart !== -1) {
        blocks.push(makeRaw(text, blockStart, blockEnd, firstLineEnd, lines));
        blockStart = -1;
      }
    } else {
      if (blockStart === -1) {
        blockStart = pos;
        lines = 0;
        firstLineEnd = nl;
      }
      blockEnd = nl;
      lines++;
    }
    pos = nl + 1;
  }
  if (blockStart !== -1) blocks.push(makeRaw(text, blockStart, blockEnd, firstLineEnd, lines));
  return blocks;
}

function makeRaw(text: string, start: number, end: number, firstLineEnd: number, lines: number): RawBlock {
  // Trailing \r and spaces belong to the gap, not the paragraph.
  let e = end;
  while (e > start && /\s/.test(text[e - 1]!)) e--;
  let s = start;
  while (s < e && /[ \t\u00a0\ufeff]/.test(text[s]!)) s++;
  return { start: s, end: e, firstLine: text.slice(s, Math.min(firstLineEnd, e)), singleLine: lines === 1 };
}

function headingOf(block: RawBlock, chapterLevel: number | null): string | null {
  if (!block.singleLine) return null;
  const md = MD_HEADING.exec(block.firstLine);
  if (md && chapterLevel !== null && md[1]!.length === chapterLevel) return md[2]!;
  if (CHAPTER_LINE.test(block.firstLine) && block.firstLine.length <= 120) return block.firstLine.trim();
  return null;
}

/** The Markdown heading level that marks chapters: the highest level used on a heading line of its own. */
function chapterLevelOf(blocks: RawBlock[]): number | null {
  let level: number | null = null;
  for (const block of blocks) {
    if (!block.singleLine || SCENE_BREAK.test(block.firstLine)) continue;
    const md = MD_HEADING.exec(block.firstLine);
    if (md && (level === null || md[1]!.length < level)) level = md[1]!.length;
  }
  return level;
}

/**
 * Structure of one text. `fallbackTitle` names the chapter when the text has no chapter headings; `chapterFiles`
 * (folder mode) gives each file's span: each file is one chapter, whatever headings it contains.
 */
export function parseStructure(
  text: string,
  options: { fallbackTitle?: string; chapterFiles?: { title: string; start: number; end: number }[] } = {},
): DocumentStructure {
  const chapters: Chapter[] = [];
  const blocks: Block[] = [];
  if (options.chapterFiles) {
    for (const file of options.chapterFiles) {
      const raw = rawBlocks(text, file.start, file.end);
      const chapter = openChapter(chapters, blocks, chapters.length + 1, file.title, file.start);
      raw.forEach((block, i) => {
        const heading = i === 0 && block.singleLine && MD_HEADING.test(block.firstLine);
        addBlock(blocks, chapter, block, heading ? 'heading' : undefined);
      });
      chapter.end = file.end;
    }
    return { chapters, blocks };
  }
  const raw = rawBlocks(text);
  const level = chapterLevelOf(raw);
  let current: Chapter | null = null;
  let number = 0;
  for (const block of raw) {
    const title = SCENE_BREAK.test(block.firstLine) && block.singleLine ? null : headingOf(block, level);
    if (title !== null) {
      if (current) current.end = block.start;
      current = openChapter(chapters, blocks, ++number, title, block.start);
      addBlock(blocks, current, block, 'heading');
      continue;
    }
    current ??= openChapter(chapters, blocks, 0, 'Opening', 0);
    addBlock(blocks, current, block);
  }
  if (current) current.end = text.length;
  // No chapter headings at all: the whole text is chapter 1.
  if (chapters.length === 1 && chapters[0]!.number === 0) {
    chapters[0]!.number = 1;
    chapters[0]!.title = options.fallbackTitle ?? 'Chapter 1';
    for (const block of blocks) block.chapter = 1;
  }
  return { chapters, blocks };
}

function openChapter(chapters: Chapter[], blocks: Block[], number: number, title: string, start: number): Chapter {
  const chapter: Chapter = {
    number,
    title,
    start,
    end: start,
    firstBlock: blocks.length,
    blockCount: 0,
    paragraphCount: 0,
  };
  chapters.push(chapter);
  return chapter;
}

function addBlock(blocks: Block[], chapter: Chapter, raw: RawBlock, forced?: BlockKind): void {
  const kind: BlockKind = forced ?? (raw.singleLine && SCENE_BREAK.test(raw.firstLine) ? 'break' : 'text');
  blocks.push({
    kind,
    start: raw.start,
    end: raw.end,
    chapter: chapter.number,
    paragraph: kind === 'text' ? ++chapter.paragraphCount : null,
  });
  chapter.blockCount++;
}

/** "Chapter 3, paragraph 12" (or "Opening, paragraph 2"): what a writer reads and jumps to. */
export function locationLabel(chapter: number, paragraph: number | null): string {
  const where = chapter === 0 ? 'Opening' : `Chapter ${chapter}`;
  return paragraph === null ? where : `${where}, paragraph ${paragraph}`;
}
