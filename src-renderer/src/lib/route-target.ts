// Where a coordinator's suggested target ("Chapter 3", "the whole manuscript") is in the text on screen: one chapter
// it names by number, found by its heading ("# Chapter 3", "Chapter 3: The Storm"); anything else (a range, several
// chapters, the whole text, a chapter the text does not have) is the whole text (undefined).
const HEADING = /^(?:#{1,6}[ \t]+)?chapter[ \t]+(\d+)\b.*$/gim;

/** One chapter of the text on screen: where it starts and ends, and its heading as written ("Chapter 3: The Storm"). */
export interface TargetSpan {
  start: number;
  end: number;
  heading: string;
}

export function targetSpan(text: string, target: string): TargetSpan | undefined {
  const wanted = /\bchapter\s+(\d+)\b/i.exec(target);
  if (!wanted || /\bchapters\b|\d\s*(?:-|–|—|to|and)\s*\d/i.test(target)) return undefined;
  const heads = [...text.matchAll(HEADING)];
  const at = heads.findIndex((m) => Number(m[1]) === Number(wanted[1]));
  if (at < 0) return undefined;
  const head = heads[at]!;
  return { start: head.index, end: heads[at + 1]?.index ?? text.length, heading: head[0].replace(/^#+/, '').trim() };
}

/** What a suggested step runs on, said before it runs ("Runs on …") or after ("Ran on …"). */
export function targetText(heading: string | null | undefined, verb: 'Runs' | 'Ran'): string {
  return heading ? `${verb} on ${heading} only, not the whole passage.` : `${verb} on the whole passage.`;
}
