// Where a coordinator's suggested target ("Chapter 3", "the whole manuscript") is in the text on screen: one chapter
// it names by number, found by its heading however the writer numbered it ("# Chapter 3", "Chapter 3: The Storm",
// "CHAPTER THREE", "# Three", "## III"); anything else (a range, several chapters, the whole text, a chapter the text
// does not have) is the whole text (undefined).

/** One chapter of the text on screen: where it starts and ends, and its heading as written ("Chapter 3: The Storm"). */
export interface TargetSpan {
  start: number;
  end: number;
  heading: string;
}

const UNITS = ['one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine'];
const TEENS = ['ten', 'eleven', 'twelve', 'thirteen', 'fourteen', 'fifteen', 'sixteen', 'seventeen', 'eighteen'];
const TENS = ['twenty', 'thirty', 'forty', 'fifty', 'sixty', 'seventy', 'eighty', 'ninety'];
const WORDS = [...UNITS, ...TEENS, 'nineteen'];
const ROMAN: Record<string, number> = { i: 1, v: 5, x: 10, l: 50, c: 100 };
/** Longest first, so "seventeen" is not read as "seven". */
const alternatives = (words: string[]) => [...words].sort((a, b) => b.length - a.length).join('|');
/** A chapter's number as writers write it: "3", "three", "twenty-one", "III". */
const NUMBER = `(\\d+|(?:${alternatives(TENS)})(?:[ -](?:${alternatives(UNITS)}))?|${alternatives(WORDS)}|[ivxlc]+)\\b`;

/** "3", "Three", "twenty-one", "XIV" as a number; null for any other word. */
export function numberValue(word: string): number | null {
  const w = word.toLowerCase();
  if (/^\d+$/.test(w)) return Number(w);
  if (/^[ivxlc]+$/.test(w)) {
    let total = 0;
    for (let i = 0; i < w.length; i++) {
      const value = ROMAN[w[i]!]!;
      total += value < (ROMAN[w[i + 1] ?? ''] ?? 0) ? -value : value;
    }
    return total > 0 ? total : null;
  }
  const [first, second] = w.split(/[ -]/) as [string, string | undefined];
  const tens = TENS.indexOf(first);
  if (tens >= 0) return (tens + 2) * 10 + (second === undefined ? 0 : UNITS.indexOf(second) + 1);
  const small = WORDS.indexOf(first);
  return small >= 0 ? small + 1 : null;
}

/** "Chapter 3", "chapter three", "Chapter IV (where Mara appears)": the number it names (group 1). */
const WANTED = new RegExp(`\\bchapter\\s+${NUMBER}`, 'i');
/** Right after the chapter named: another, so the target is a range or a list ("Chapter 2 and 3", "One to Three"). */
const MORE = new RegExp(`^\\s*(?:-|–|—|,|&|and|to|through)\\s*(?:chapter\\s+)?${NUMBER}`, 'i');
/** Any line: its Markdown marks (`#` to `######`), if any (group 1), and its title (group 2). */
const LINE = /^(#{1,6}[ \t]+)?(.+?)[ \t]*$/gm;
/** A heading's number: "Chapter Three: …", or a Markdown title that is a number ("Three", "III.", "3 — The Storm"). */
const CHAPTER_TITLE = new RegExp(`^chapter\\s+${NUMBER}`, 'i');
const NUMBER_TITLE = new RegExp(`^${NUMBER}(?:\\s*[:.\\-–—].*)?$`, 'i');

interface Heading {
  index: number;
  /** Markdown level; 0 for a "Chapter N" line without marks. */
  level: number;
  number: number | null;
  title: string;
}

/** The text's headings: every Markdown heading, and every "Chapter N" line. */
function headings(text: string): Heading[] {
  const found: Heading[] = [];
  for (const m of text.matchAll(LINE)) {
    const level = m[1]?.trim().length ?? 0;
    const title = m[2]!.replace(/[ \t]+#+$/, '').trim();
    const named = CHAPTER_TITLE.exec(title);
    // Without Markdown marks only a "Chapter N" line is a heading: a line of prose that is a number is not.
    if (level === 0 && !named) continue;
    const word = named?.[1] ?? NUMBER_TITLE.exec(title)?.[1];
    found.push({ index: m.index, level, number: word === undefined ? null : numberValue(word), title });
  }
  return found;
}

export function targetSpan(text: string, target: string): TargetSpan | undefined {
  const wanted = WANTED.exec(target);
  if (!wanted || /\bchapters\b/i.test(target) || MORE.test(target.slice(wanted.index + wanted[0].length)))
    return undefined;
  const number = numberValue(wanted[1]!);
  const heads = headings(text);
  const at = heads.findIndex((h) => h.number === number);
  if (at < 0) return undefined;
  const head = heads[at]!;
  // It ends where the next chapter begins: a Markdown heading no deeper than its own (a "Chapter N" line: a top one),
  // or a "Chapter N" line; a deeper heading ("## Scene 2", "## 2") is part of it.
  const top = head.level || 1;
  const next = heads.slice(at + 1).find((h) => (h.level === 0 ? h.number !== null : h.level <= top));
  return { start: head.index, end: next?.index ?? text.length, heading: head.title };
}

/**
 * What a suggested step runs on, said before it runs ("Runs on …") or after ("Ran on …"): "Chapter 3: The Storm" as
 * it is, a heading without the word ("One", "III") as the chapter it is ("the chapter “One”").
 */
export function targetText(heading: string | null | undefined, verb: 'Runs' | 'Ran'): string {
  if (!heading) return `${verb} on the whole passage.`;
  const named = /^chapter\b/i.test(heading) ? heading : `the chapter “${heading}”`;
  return `${verb} on ${named} only, not the whole passage.`;
}
