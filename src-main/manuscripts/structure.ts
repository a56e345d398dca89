// A manuscript's structure as offsets into its text: chapters (from Markdown headings, "Chapter N" lines, or one per
// file), and within them blocks separated by blank lines — headings, scene breaks (`***`, `* * *`, `#`) and prose
// paragraphs numbered from 1 in each chapter. Locations shown to a writer ("chapter 3, paragraph 12") come from here,
// never from what a model claims. Pure: no I/O. A long text is parsed in slices (parseStructureAsync), so the app's
// other calls are answered meanwhile.
import { inSlices, runSteps, type Steps } from './slices';

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
  /** Whether the text names it (a heading, or a folder's chapter file): not the "Opening", nor a text without headings. */
  named: boolean;
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

/**
 * The version of the numbering below: raised whenever parseStructure numbers a text differently, so manuscripts stored
 * with an earlier one are numbered again (ManuscriptsService.renumberStale). 2: headings straight above their text,
 * "## Chapter N" under a "# Title", prose that begins "Chapter two of…" (2026-12). 3: headings underlined with
 * `===` / `---` (2026-12). 4: a fenced code block (```) one paragraph, its "# …" lines no headings (2026-12).
 */
export const STRUCTURE_VERSION = 4;

/** A lone scene-break line: `***`, `* * *`, `#`, `---`, `~~~` and similar. */
const SCENE_BREAK = /^\s*(?:(?:\*\s*){3,}|#|(?:-\s*){3,}|(?:~\s*){3,}|(?:#\s*){3,})\s*$/;
const MD_HEADING = /^(#{1,6})\s+(\S.*?)\s*#*\s*$/;
/** The line under a Markdown heading written "setext" style: `===` for a level-1 heading, `---` for level 2. */
const SETEXT_UNDERLINE = /^ {0,3}(=+|-+)\s*$/;
const NUMBER =
  '(?:\\d+|[ivxlcdm]+|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|[a-z-]+teen|' +
  '(?:twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)[a-z-]*|(?:one-)?hundred[a-z-]*)';
/** "Chapter 3", "CHAPTER TWELVE: The Storm", "Ch. 4", "Prologue", "Epilogue — Ten Years Later"; group 1: the rest. */
const CHAPTER_LINE = new RegExp(
  `^\\s*(?:(?:chapter\\s+|chap\\.\\s*|ch\\.\\s*)${NUMBER}|prologue|epilogue|interlude)\\b(.*)$`,
  'i',
);
/** "Part One", "PART II: The Return"; group 1: the rest. */
const PART_LINE = new RegExp(`^\\s*part\\s+${NUMBER}\\b(.*)$`, 'i');
/** A title after a chapter's number: at most this many words. */
const MAX_TITLE_WORDS = 10;
const TITLE_SEPARATOR = /^\s*[:.\-–—]/;
const SENTENCE_END = /[.!?,;…]["'”’)\]]*$/;

/**
 * Whether what follows "Chapter 3" (or "Part One", "Prologue") on its line makes it a heading rather than prose: a
 * heading's title is short (at most MAX_TITLE_WORDS words), and one that follows the number without a separator does
 * not end like a sentence. So "Chapter 2: Mr. Darcy Arrives." and "Chapter 3 The Long Night" are headings, while "Chapter
 * two of her life began the day she left." (no separator, a sentence's end) and any longer line are prose.
 */
function isTitle(rest: string): boolean {
  const title = rest.replace(TITLE_SEPARATOR, '').trim();
  if (title === '') return true;
  // "Prologue's end", "Prologue, he said, …": the word is part of a sentence.
  if (!/^\s/.test(rest) && !TITLE_SEPARATOR.test(rest)) return false;
  if (title.split(/\s+/).length > MAX_TITLE_WORDS) return false;
  return TITLE_SEPARATOR.test(rest) || !SENTENCE_END.test(title);
}

/**
 * What a line is as a heading: a Markdown one with its level, a chapter line ("Chapter N", "Prologue"…), a part line
 * ("Part One"), or none.
 */
type LineHeading =
  { kind: 'markdown'; level: number; title: string } | { kind: 'chapter' | 'part'; title: string } | null;

function lineHeading(line: string): LineHeading {
  if (SCENE_BREAK.test(line)) return null;
  const md = MD_HEADING.exec(line);
  if (md) return { kind: 'markdown', level: md[1]!.length, title: md[2]! };
  const chapter = CHAPTER_LINE.exec(line);
  if (chapter && isTitle(chapter[1]!)) return { kind: 'chapter', title: line.trim() };
  const part = PART_LINE.exec(line);
  if (part && isTitle(part[1]!)) return { kind: 'part', title: line.trim() };
  return null;
}

interface RawBlock {
  start: number;
  end: number;
  firstLine: string;
  singleLine: boolean;
  /** A setext heading (its title line and the underline): its Markdown level. */
  setext?: number;
}

/** Lines or blocks parsed between two stops: well under a millisecond of work. */
const STEP = 1024;

/** A line that opens or closes a Markdown code fence: group 1, its backticks. */
const FENCE = /^ {0,3}(`{3,})[^`\n]*$/;
const CLOSING_FENCE = /^ {0,3}(`{3,})[ \t\r]*$/gm;

/**
 * Where the code fence opened by `ticks` backticks on the line ending at `from` is closed (the end of its closing
 * line), or -1 when nothing before `to` closes it: an unclosed "```" is a line of prose, not the rest of the book.
 */
function fenceEnd(text: string, from: number, to: number, ticks: number): number {
  CLOSING_FENCE.lastIndex = from;
  for (let m = CLOSING_FENCE.exec(text); m && m.index < to; m = CLOSING_FENCE.exec(text))
    if (m[1]!.length >= ticks) return Math.min(m.index + m[0].length, to);
  return -1;
}

/**
 * Blocks of non-blank lines, with offsets. Runs in one pass over the text. A fenced code block (```) is one block,
 * blank lines and all: a "# comment" line in a script the story quotes is neither a heading nor a paragraph of its own.
 */
function* rawBlocks(text: string, from = 0, to = text.length): Steps<RawBlock[]> {
  const blocks: RawBlock[] = [];
  let blockStart = -1;
  let blockEnd = -1;
  let lines = 0;
  let firstLineEnd = -1;
  let pos = from;
  // The end of the fenced code block the lines are in (-1: none); from the first fence that is not closed, the
  // shortest fence nothing closes, so the text is searched for closing fences once, not once per "```" line.
  let fenced = -1;
  let unclosed = Infinity;
  for (let line = 1; pos < to; line++) {
    if (line % STEP === 0) yield;
    let nl = text.indexOf('\n', pos);
    if (nl === -1 || nl > to) nl = to;
    if (pos > fenced && text.charCodeAt(pos + text.slice(pos, pos + 4).search(/\S|$/)) === 96) {
      const ticks = FENCE.exec(text.slice(pos, nl))?.[1]?.length ?? 0;
      if (ticks >= 3 && ticks < unclosed) {
        fenced = fenceEnd(text, nl, to, ticks);
        if (fenced === -1) unclosed = ticks;
      }
    }
    let blank = pos >= fenced;
    for (let i = pos; blank && i < nl; i++) {
      const c = text.charCodeAt(i);
      if (c !== 32 && c !== 9 && c !== 13 && c !== 0xa0 && c !== 0xfeff) blank = false;
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
  return { start: s, end: e, firstLine: text.slice(s, Math.min(firstLineEnd, e)).trimEnd(), singleLine: lines === 1 };
}

/** The end of the line at `from`, within `block`. */
function lineEnd(text: string, from: number, block: RawBlock): number {
  const nl = text.indexOf('\n', from);
  return nl === -1 || nl >= block.end ? block.end : nl;
}

/**
 * The level of the Markdown heading a block opens with, written "setext" style (its title, underlined with `===` or
 * `---` on the next line), and where its underline ends; null for any other block. A `---` line straight under a
 * sentence is the writer's scene break, not a heading: that title must read as one (see isTitle).
 */
function setextOf(text: string, block: RawBlock): { level: number; end: number } | null {
  if (block.singleLine) return null;
  const underlineStart = lineEnd(text, block.start, block) + 1;
  const end = lineEnd(text, underlineStart, block);
  const level = setextLevel(block.firstLine, text.slice(underlineStart, end));
  return level === null ? null : { level, end };
}

/** The level of `title` underlined with `underline` as a setext heading (=== 1, --- 2), or null when it is not one. */
function setextLevel(titleLine: string, underlineLine: string): number | null {
  const underline = SETEXT_UNDERLINE.exec(underlineLine);
  const title = titleLine.trim();
  if (!underline || title === '' || MD_HEADING.test(title) || SCENE_BREAK.test(title)) return null;
  const level = underline[1]!.startsWith('=') ? 1 : 2;
  if (level === 2 && (title.split(/\s+/).length > MAX_TITLE_WORDS || SENTENCE_END.test(title))) return null;
  return level;
}

/**
 * The title of the setext heading a text opens with (a chapter file's "The Storm" over "=========", by the rule its
 * numbering follows), or null.
 */
export function openingSetextTitle(text: string): string | null {
  const [title = '', underline = ''] = text.replace(/^\s*\n/, '').split('\n', 2);
  return setextLevel(title, underline) === null ? null : title.trim();
}

/**
 * A block's opening heading split off as a block of its own — a setext heading with its underline, or, when `lines`,
 * a heading line ("Chapter 3" straight above its text) — then the rest of the block, split again (a title above a
 * chapter heading above the text). Null when the block opens with no heading.
 */
function splitHeading(text: string, block: RawBlock, lines: boolean): RawBlock[] | null {
  const setext = setextOf(text, block);
  const end = setext
    ? setext.end
    : lines && !block.singleLine && lineHeading(block.firstLine) !== null
      ? lineEnd(text, block.start, block)
      : -1;
  if (end === -1) return null;
  const firstLineEnd = lineEnd(text, block.start, block);
  const heading = { ...makeRaw(text, block.start, end, firstLineEnd, setext ? 2 : 1), setext: setext?.level };
  if (end >= block.end) return [heading];
  const nextLineEnd = lineEnd(text, end + 1, block);
  const rest = makeRaw(text, end + 1, block.end, nextLineEnd, nextLineEnd === block.end ? 1 : 2);
  return [heading, ...(splitHeading(text, rest, lines) ?? [rest])];
}

/** The blocks with the headings that open them split off (splitHeading). */
function* headingsSplitOff(text: string, raw: RawBlock[]): Steps<RawBlock[]> {
  const blocks: RawBlock[] = [];
  for (let i = 0; i < raw.length; i++) {
    if (i % STEP === STEP - 1) yield;
    const block = raw[i]!;
    const split = splitHeading(text, block, true);
    if (split) blocks.push(...split);
    else blocks.push(block);
  }
  return blocks;
}

/** What a block is as a heading (see lineHeading): a setext heading, or a heading line on its own. */
function blockHeading(block: RawBlock): LineHeading {
  if (block.setext !== undefined) return { kind: 'markdown', level: block.setext, title: block.firstLine.trim() };
  return block.singleLine ? lineHeading(block.firstLine) : null;
}

/**
 * The Markdown heading level that marks chapters: the highest level used by more than one heading — so a book's one
 * "# Title" above its "## Chapter N" headings is not taken for its only chapter — else the highest level used.
 * `counts`: how many Markdown headings of each level the text has.
 */
function chapterLevelOf(counts: ReadonlyMap<number, number>): number | null {
  const levels = [...counts.keys()].sort((a, b) => a - b);
  return levels.find((l) => counts.get(l)! > 1) ?? levels[0] ?? null;
}

export interface StructureOptions {
  fallbackTitle?: string;
  chapterFiles?: { title: string; start: number; end: number }[];
}

/**
 * Structure of one text. `fallbackTitle` names the chapter when the text has no chapter headings; `chapterFiles`
 * (folder mode) gives each file's span: each file is one chapter, whatever headings it contains.
 *
 * A chapter starts at a Markdown heading of the chapter level (chapterLevelOf), a "Chapter N" / "Prologue" line (see
 * isTitle for what makes one a heading and not prose), or a "Part N" line in a text with neither — each on a line of
 * its own or opening its block. Any other heading line (a book's title, a "Part Two" above "Chapter 9", a "### Scene"
 * heading) is a heading of the chapter it opens (of the one it is in when text follows it), never a paragraph.
 */
export function parseStructure(text: string, options: StructureOptions = {}): DocumentStructure {
  return runSteps(structureSteps(text, options));
}

/**
 * parseStructure's structure, parsed in slices (slices.ts) with the app's other calls let run between them: a 48 MB
 * manuscript of 1.8 million short paragraphs takes seconds to parse, and a spend figure, other runs and the gateway's
 * requests waited for all of it. Not in a worker thread: the structure is used on this one, and copying its 1.8
 * million blocks back from a worker held this thread longer than parsing them.
 */
export function parseStructureAsync(text: string, options: StructureOptions = {}): Promise<DocumentStructure> {
  return inSlices(structureSteps(text, options));
}

/** The work of parseStructure (see there), in steps. */
function* structureSteps(text: string, options: StructureOptions): Steps<DocumentStructure> {
  const chapters: Chapter[] = [];
  const blocks: Block[] = [];
  if (options.chapterFiles) {
    for (const file of options.chapterFiles) {
      const found = yield* rawBlocks(text, file.start, file.end);
      // A file's own opening heading ("# The Storm", or underlined) is its heading, not its first paragraph.
      const opening = found[0] && splitHeading(text, found[0], false);
      const raw = opening ? [...opening, ...found.slice(1)] : found;
      const chapter = openChapter(chapters, blocks, chapters.length + 1, file.title, file.start, true);
      for (let i = 0; i < raw.length; i++) {
        if (i % STEP === STEP - 1) yield;
        const block = raw[i]!;
        const heading = block.setext !== undefined || (i === 0 && block.singleLine && MD_HEADING.test(block.firstLine));
        addBlock(blocks, chapter, block, heading ? 'heading' : undefined);
      }
      chapter.end = file.end;
    }
    return { chapters, blocks };
  }
  const raw = yield* headingsSplitOff(text, yield* rawBlocks(text));
  const headings: LineHeading[] = [];
  // How many Markdown headings of each level, and whether any line is a "Chapter N" one.
  const levelCounts = new Map<number, number>();
  let chapterLines = false;
  for (let i = 0; i < raw.length; i++) {
    if (i % STEP === STEP - 1) yield;
    const heading = blockHeading(raw[i]!);
    if (heading?.kind === 'markdown') levelCounts.set(heading.level, (levelCounts.get(heading.level) ?? 0) + 1);
    chapterLines ||= heading?.kind === 'chapter';
    headings.push(heading);
  }
  const level = chapterLevelOf(levelCounts);
  const partsAreChapters = level === null && !chapterLines;
  const opensChapter = (h: NonNullable<LineHeading>) =>
    h.kind === 'chapter' || (h.kind === 'markdown' ? h.level === level : partsAreChapters);
  let current: Chapter | null = null;
  let number = 0;
  // Headings that open no chapter, waiting to learn whether a chapter heading follows them (they open it too).
  let pending: RawBlock[] = [];
  const flush = (chapter: Chapter) => {
    for (const block of pending) addBlock(blocks, chapter, block, 'heading');
    pending = [];
  };
  for (let i = 0; i < raw.length; i++) {
    if (i % STEP === STEP - 1) yield;
    const block = raw[i]!;
    const heading = headings[i];
    if (heading && opensChapter(heading)) {
      const start = pending[0]?.start ?? block.start;
      if (current) current.end = start;
      current = openChapter(chapters, blocks, ++number, heading.title, start, true);
      flush(current);
      addBlock(blocks, current, block, 'heading');
    } else if (heading) {
      pending.push(block);
    } else {
      current ??= openChapter(chapters, blocks, 0, 'Opening', 0, false);
      flush(current);
      addBlock(blocks, current, block);
    }
  }
  if (pending.length > 0) flush((current ??= openChapter(chapters, blocks, 0, 'Opening', 0, false)));
  if (current) current.end = text.length;
  // No chapter headings at all: the whole text is chapter 1.
  if (chapters.length === 1 && chapters[0]!.number === 0) {
    chapters[0]!.number = 1;
    chapters[0]!.title = options.fallbackTitle ?? 'Chapter 1';
    for (let i = 0; i < blocks.length; i++) {
      if (i % STEP === STEP - 1) yield;
      blocks[i]!.chapter = 1;
    }
  }
  return { chapters, blocks };
}

function openChapter(
  chapters: Chapter[],
  blocks: Block[],
  number: number,
  title: string,
  start: number,
  named: boolean,
): Chapter {
  const chapter: Chapter = {
    number,
    title,
    named,
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

/**
 * "Chapter 3, paragraph 12" (or "Opening, paragraph 2"): a note's place in the story so far a model reads. What a
 * writer reads is quotes.ts locationOf, which names the chapter by its heading.
 */
export function locationLabel(chapter: number, paragraph: number | null): string {
  const where = chapter === 0 ? 'Opening' : `Chapter ${chapter}`;
  return paragraph === null ? where : `${where}, paragraph ${paragraph}`;
}
