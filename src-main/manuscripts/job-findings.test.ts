// A job's quotes found in the part that reported them, and its parts' findings merged by place: the same claim about
// the same place is one finding, about the same words at another place another finding.
import { describe, expect, it } from 'vitest';
import { QuoteLocator, type QuoteSpan } from '../tasks/quotes';
import { findInPart, locateJobFindings } from './job-findings';
import type { JobFinding } from './job-types';
import { mergeFindings } from './merge-findings';

const LINE = 'She closed the door — quietly — behind her.';
/** LINE in chapter 1, chapter 2 (the part) and chapter 3; another line only in chapters 1 and 3. */
const text = [
  '# One',
  LINE,
  'The clock had stopped.',
  '# Two',
  'Rain on the roof.',
  LINE,
  '# Three',
  LINE,
  'The clock had stopped.',
].join('\n\n');
const part = { start: text.indexOf('# Two'), end: text.indexOf('# Three') };
const nth = (words: string, n: number) => {
  let at = -1;
  for (let k = 0; k < n; k++) at = text.indexOf(words, at + 1);
  return at;
};

describe('findInPart', () => {
  const locator = new QuoteLocator(text);

  it("finds a quote in the part's own span, not where the same words first appear", () => {
    expect(findInPart(locator, LINE, part)).toEqual({
      match: 'exact',
      start: nth(LINE, 2),
      end: nth(LINE, 2) + LINE.length,
    });
  });

  it('finds a tolerant copy in the part too (the exact words earlier do not draw it away)', () => {
    const found = findInPart(locator, '"She closed the door -- quietly -- behind her."', part);
    expect(found).toMatchObject({ match: 'tolerant', start: nth(LINE, 2) });
  });

  it('finds a quote not in the part before it (a contradiction’s earlier place) rather than after it', () => {
    expect(findInPart(locator, 'The clock had stopped.', part).start).toBe(nth('The clock had stopped.', 1));
    expect(findInPart(locator, 'Rain on the roof.', { start: text.indexOf('# Three'), end: text.length }).start).toBe(
      text.indexOf('Rain on the roof.'),
    );
  });

  it('finds a quote only after the part there, and an invented one nowhere', () => {
    const first = { start: 0, end: part.start };
    expect(findInPart(locator, 'Rain on the roof.', first).start).toBe(text.indexOf('Rain on the roof.'));
    expect(findInPart(locator, 'Nobody said this.', part)).toEqual({ match: 'not_found', start: null, end: null });
  });
});

describe('mergeFindings by place', () => {
  const at = (words: string, n: number): QuoteSpan => ({
    match: 'exact',
    start: nth(words, n),
    end: nth(words, n) + words.length,
  });
  const finding = (claim: string, ...evidence: [string, number][]): JobFinding => ({
    claim,
    severity: 'low',
    evidence: evidence.map(([quote, n]) => ({ quote, location: null, found: at(quote, n) })),
  });

  it('the same claim about the same words at two places is two findings, each at its own place', () => {
    const merged = mergeFindings([[finding('Cliché', [LINE, 1])], [finding('Cliché', [LINE, 2])]]);
    expect(merged.map((f) => f.parts)).toEqual([[0], [1]]);
    const located = locateJobFindings(merged, text);
    expect(located.map((f) => f.evidence.map((e) => e.location?.label))).toEqual([
      ['One, paragraph 1'],
      ['Two, paragraph 2'],
    ]);
  });

  it('the same claim about the same place from two parts is one finding: its evidence joined, its parts both', () => {
    const merged = mergeFindings([
      [finding('The clock stops twice', ['The clock had stopped.', 1], [LINE, 2])],
      [finding('The clock stops twice', ['The clock had stopped.', 1], ['The clock had stopped.', 2])],
    ]);
    expect(merged).toHaveLength(1);
    expect(merged[0]!.parts).toEqual([0, 1]);
    expect(merged[0]!.evidence.map((e) => e.found?.start)).toEqual([
      nth('The clock had stopped.', 1),
      nth(LINE, 2),
      nth('The clock had stopped.', 2),
    ]);
  });

  it('evidence kept without its place (parts stored before it was) still merges by its words', () => {
    const unplaced = (): JobFinding => ({
      claim: 'Lantern',
      severity: 'low',
      evidence: [{ quote: 'lantern', location: null }],
    });
    expect(mergeFindings([[unplaced()], [unplaced()]]).map((f) => f.parts)).toEqual([[0, 1]]);
  });
});
