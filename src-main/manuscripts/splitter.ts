// Splits a long text into parts that each fit a token budget, at the largest boundary that works: chapter, then scene
// (`***`, `* * *`, `#`), then paragraph; a single paragraph longer than the budget is split at sentence boundaries
// (then words, then characters), never dropped. Parts are contiguous spans of the text: concatenated, they give the
// text back exactly, so every paragraph is in some part, in order. Each part's token count is measured with the
// model's own counter on the exact text sent (sums of pieces only choose where to cut).
import type { Block } from './structure';

/** Tokens of a text for one model: the ONE token counter's per-text count (see tokens/token-counter.ts). */
export type CountText = (text: string) => number;

export interface Part {
  /** 0-based. */
  index: number;
  /** [start, end) in the text; part k ends where part k+1 starts. */
  start: number;
  end: number;
  /** count(text.slice(start, end)). */
  tokens: number;
  /** Blocks (paragraphs, headings, breaks) this part holds, whole or in part, by index. */
  firstBlock: number;
  lastBlock: number;
  /** The first / last block continues from the previous part / into the next (a paragraph split at sentences). */
  startsInsideBlock: boolean;
  endsInsideBlock: boolean;
}

/** Finer and finer cuts; `chapter`..`paragraph` follow the structure, the rest cut inside one paragraph. */
type Level = 'chapter' | 'scene' | 'paragraph' | 'sentence' | 'word' | 'character';

interface Unit {
  start: number;
  end: number;
  /** Estimated tokens: exact for one piece, a sum of its pieces' counts for a group. */
  cost: number;
  level: Level;
  firstBlock: number;
  lastBlock: number;
  whole: boolean;
  /** `cost` was counted on exactly [start, end). */
  exact: boolean;
}

export class BudgetTooSmallError extends Error {}

/**
 * Splits `text` (with its `blocks` from parseStructure; none = one block) into parts of at most `budget` tokens.
 * Throws BudgetTooSmallError only when a single character does not fit.
 */
export function splitIntoParts(text: string, blocks: readonly Block[], count: CountText, budget: number): Part[] {
  if (text.length === 0) return [];
  if (!(budget >= 1)) throw new BudgetTooSmallError(`A part budget of ${budget} tokens cannot hold any text`);
  const list: readonly Pick<Block, 'kind' | 'chapter' | 'start'>[] =
    blocks.length > 0 ? blocks : [{ kind: 'text', chapter: 1, start: 0 }];
  // Block i covers [bounds[i], bounds[i+1]): its text and the blank lines after it (text before block 0 joins it).
  const bounds = list.map((b, i) => (i === 0 ? 0 : b.start));
  bounds.push(text.length);
  // Block costs are counted lazily: a chapter that fits whole is counted once, as one text, and never block by block.
  const costs = new Array<number>(list.length).fill(-1);
  const blockCost = (i: number) =>
    costs[i]! >= 0 ? costs[i]! : (costs[i] = count(text.slice(bounds[i], bounds[i + 1])));
  const blockUnit = (first: number, last: number, level: Level): Unit => {
    let cost = 0;
    for (let i = first; i <= last; i++) cost += blockCost(i);
    return {
      start: bounds[first]!,
      end: bounds[last + 1]!,
      cost,
      level,
      firstBlock: first,
      lastBlock: last,
      whole: true,
      exact: first === last,
    };
  };

  // Chapters as the first units (a book's title or a "Part Two" line above a chapter's heading is in the chapter, so
  // no part ends between them); a too-large one is split into its scenes, then paragraphs, on demand below. A chapter
  // likely to fit (judged by the tokens per character counted so far) is counted exactly as a whole; one that will
  // not is costed from its blocks straight away, so text is not counted twice for nothing.
  const units: Unit[] = [];
  let countedChars = 0;
  let countedTokens = 0;
  let from = 0;
  for (let i = 1; i <= list.length; i++)
    if (i === list.length || list[i]!.chapter !== list[from]!.chapter) {
      const start = bounds[from]!;
      const end = bounds[i]!;
      const guess = countedChars > 0 ? ((end - start) * countedTokens) / countedChars : 0;
      const unit =
        guess <= budget * 1.1
          ? {
              start,
              end,
              cost: count(text.slice(start, end)),
              level: 'chapter' as const,
              firstBlock: from,
              lastBlock: i - 1,
              whole: true,
              exact: true,
            }
          : blockUnit(from, i - 1, 'chapter');
      countedChars += end - start;
      countedTokens += unit.cost;
      units.push(unit);
      from = i;
    }

  const finer = (unit: Unit): Unit[] | null => {
    switch (unit.level) {
      case 'chapter': {
        const scenes: Unit[] = [];
        let s = unit.firstBlock;
        for (let i = unit.firstBlock + 1; i <= unit.lastBlock + 1; i++)
          if (i > unit.lastBlock || list[i]!.kind === 'break') {
            scenes.push(blockUnit(s, i - 1, 'scene'));
            s = i;
          }
        return scenes.length > 1 ? scenes : finer({ ...unit, level: 'scene' });
      }
      case 'scene': {
        const paragraphs: Unit[] = [];
        for (let i = unit.firstBlock; i <= unit.lastBlock; i++) paragraphs.push(blockUnit(i, i, 'paragraph'));
        return paragraphs.length > 1 ? paragraphs : finer({ ...unit, level: 'paragraph' });
      }
      case 'paragraph':
        return pieces(unit, 'sentence', sentenceStarts);
      case 'sentence':
        return pieces(unit, 'word', wordStarts);
      case 'word':
        return pieces(unit, 'character', characterStarts);
      case 'character':
        return null;
    }
  };

  const pieces = (unit: Unit, level: Level, starts: (text: string, from: number, to: number) => number[]): Unit[] => {
    const cuts = starts(text, unit.start, unit.end);
    const out: Unit[] = [];
    for (let k = 0; k < cuts.length; k++) {
      const start = cuts[k]!;
      const end = k + 1 < cuts.length ? cuts[k + 1]! : unit.end;
      out.push({ ...unit, start, end, level, cost: count(text.slice(start, end)), whole: false, exact: true });
    }
    return out.length > 1 ? out : (finer({ ...unit, level }) ?? out);
  };

  // `pending` is a stack (next unit last), so cutting a unit into thousands of pieces costs no array shifting.
  const pending = units.reverse();
  const pushAll = (xs: Unit[]) => {
    for (let k = xs.length - 1; k >= 0; k--) pending.push(xs[k]!);
  };
  const cutFiner = (unit: Unit) => {
    const children = finer(unit);
    if (!children) throw new BudgetTooSmallError(`A part budget of ${budget} tokens cannot hold a single character`);
    pushAll(children);
  };
  const parts: Part[] = [];
  while (pending.length > 0) {
    const taken: Unit[] = [];
    let estimate = 0;
    // One token of slack per join: a tokenizer may merge or split across a cut, and an estimate that lands exactly
    // on the budget would send the exact check below into a search instead of passing first time.
    while (pending.length > 0 && estimate + pending.at(-1)!.cost + (taken.length > 0 ? taken.length : 0) <= budget) {
      const unit = pending.pop()!;
      estimate += unit.cost;
      taken.push(unit);
    }
    if (taken.length === 0) {
      cutFiner(pending.pop()!);
      continue;
    }
    // The estimate chose the cut; the exact text decides: the longest prefix of `taken` whose real count fits.
    const tokensOf = (n: number) => count(text.slice(taken[0]!.start, taken[n - 1]!.end));
    let fit: number;
    let fitTokens = 0;
    const all = taken.length === 1 && taken[0]!.exact ? taken[0]!.cost : tokensOf(taken.length);
    if (all <= budget) [fit, fitTokens] = [taken.length, all];
    else {
      let lo = 0;
      let hi = taken.length - 1;
      while (lo < hi) {
        const mid = Math.ceil((lo + hi) / 2);
        const tokens = tokensOf(mid);
        if (tokens <= budget) [lo, fitTokens] = [mid, tokens];
        else hi = mid - 1;
      }
      fit = lo;
      if (fit > 0 && fitTokens === 0) fitTokens = tokensOf(fit);
    }
    pushAll(taken.slice(Math.max(fit, 1)));
    if (fit === 0) {
      // One unit whose pieces summed under the budget but whose whole text does not: cut it finer.
      cutFiner(taken[0]!);
      continue;
    }
    const first = taken[0]!;
    const last = taken[fit - 1]!;
    parts.push({
      index: parts.length,
      start: first.start,
      end: last.end,
      tokens: fitTokens,
      firstBlock: first.firstBlock,
      lastBlock: last.lastBlock,
      startsInsideBlock: !first.whole && first.start !== bounds[first.firstBlock],
      endsInsideBlock: !last.whole && last.end !== bounds[last.lastBlock + 1],
    });
  }
  return parts;
}

/**
 * Sentence starts in [from, to): after . ! ? … (and closing quotes/brackets) and whitespace; after a full-width
 * 。！？ (and closing 」』）…), which Japanese and Chinese follow with no space; or after a newline.
 */
function sentenceStarts(text: string, from: number, to: number): number[] {
  const cuts = [from];
  const re = /[.!?…]+["'”’)\]]*\s+|[。！？]+[」』”’）)\]]*\s*|\n+/g;
  re.lastIndex = from;
  for (let m = re.exec(text); m && m.index < to; m = re.exec(text)) {
    const at = m.index + m[0].length;
    if (at < to && at > cuts.at(-1)!) cuts.push(at);
  }
  return cuts;
}

function wordStarts(text: string, from: number, to: number): number[] {
  const cuts = [from];
  const re = /\s+/g;
  re.lastIndex = from;
  for (let m = re.exec(text); m && m.index < to; m = re.exec(text)) {
    const at = m.index + m[0].length;
    if (at < to && at > cuts.at(-1)!) cuts.push(at);
  }
  return cuts;
}

const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/** Longer than any real character (a family emoji is 11 code units): stacked accents ("Zalgo" text), cut by code point. */
const MAX_GRAPHEME = 32;

/**
 * Characters as a reader sees them (grapheme clusters): a surrogate pair, a letter and its combining accent, an emoji
 * and its skin-tone modifier are never cut apart.
 */
function characterStarts(text: string, from: number, to: number): number[] {
  const cuts: number[] = [];
  for (const { index, segment } of graphemes.segment(text.slice(from, to))) {
    if (segment.length <= MAX_GRAPHEME) cuts.push(from + index);
    else
      for (let at = 0; at < segment.length; at += segment.codePointAt(at)! > 0xffff ? 2 : 1)
        cuts.push(from + index + at);
  }
  return cuts;
}
