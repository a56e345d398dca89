// One numbering for the whole app: a quote's chapter and paragraph are the same whether its passage runs whole (a
// single run's findings and edits) or in parts (a job's merged findings), and the same as the library's structure of
// the manuscript — over the layouts writers use. Scene breaks and headings are never paragraphs.
import { describe, expect, it } from 'vitest';
import { anchorEdits, locateFindings } from '../tasks/task-answers';
import { locateJobFindings } from './job-findings';
import { parseStructure } from './structure';

/** Each layout with where its sentences are, as [chapter, paragraph] (chapter 0: before the first heading). */
const LAYOUTS: { name: string; text: string; expected: Record<string, [number, number]> }[] = [
  {
    name: 'scene breaks between paragraphs',
    text: '# Chapter 1\n\nAlpha rose.\n\n* * *\n\nBeta fell.\n\n# Chapter 2\n\nGamma ran.\n\n***\n\nDelta hid.\n',
    expected: { 'Alpha rose.': [1, 1], 'Beta fell.': [1, 2], 'Gamma ran.': [2, 1], 'Delta hid.': [2, 2] },
  },
  {
    name: '"Part One" lines above the chapters',
    text: 'Part One\n\nChapter 1\n\nAlpha rose.\n\nBeta fell.\n\nPart Two: Home\n\nChapter 2\n\nGamma ran.\n',
    expected: { 'Alpha rose.': [1, 1], 'Beta fell.': [1, 2], 'Gamma ran.': [2, 1] },
  },
  {
    name: 'a "Prologue: …" before the chapters and text before it',
    text: 'For M.\n\nPrologue: The Storm\n\nAlpha rose.\n\nChapter 1\n\nBeta fell.\n\nGamma ran.\n',
    expected: { 'For M.': [0, 1], 'Alpha rose.': [1, 1], 'Beta fell.': [2, 1], 'Gamma ran.': [2, 2] },
  },
  {
    name: 'no headings at all',
    text: 'Alpha rose.\n\nBeta fell.\n\n* * *\n\nGamma ran.',
    expected: { 'Alpha rose.': [1, 1], 'Beta fell.': [1, 2], 'Gamma ran.': [1, 3] },
  },
  {
    name: 'CRLF line ends, a heading straight above its text',
    text: 'Chapter 1\r\nAlpha rose.\r\n\r\n* * *\r\n\r\nBeta fell.\r\n\r\nCHAPTER TWO\r\nGamma ran.\r\nDelta hid.\r\n',
    expected: { 'Alpha rose.': [1, 1], 'Beta fell.': [1, 2], 'Gamma ran.': [2, 1], 'Delta hid.': [2, 1] },
  },
  {
    name: '"## Chapter N" under the book\'s "# Title", a "### scene" heading inside',
    text: '# The Novel\n\n## Chapter 1\n\nAlpha rose.\n\n### Night\n\nBeta fell.\n\n## Chapter 2\n\nGamma ran.\n',
    expected: { 'Alpha rose.': [1, 1], 'Beta fell.': [1, 2], 'Gamma ran.': [2, 1] },
  },
];

describe('one numbering: single runs, runs in parts and the library agree', () => {
  for (const { name, text, expected } of LAYOUTS)
    it(name, () => {
      const quotes = Object.keys(expected);
      const claim = { claim: 'Things happen', severity: 'low' as const, evidence: quotes.map((quote) => ({ quote })) };
      const where = (l: { chapter: number; paragraph: number } | null) => (l ? [l.chapter, l.paragraph] : null);
      const single = locateFindings({ findings: [claim] }, text)[0]!.evidence.map((e) => where(e.location));
      const merged = { ...claim, evidence: quotes.map((quote) => ({ quote, location: null })), parts: [0] };
      const parts = locateJobFindings([merged], text)[0]!.evidence.map((e) => where(e.location));
      const edits = anchorEdits({ edits: quotes.map((original) => ({ original, revised: 'X', reason: 'r' })) }, text);
      const library = parseStructure(text).blocks.filter((b) => b.kind === 'text');
      expect(single).toEqual(Object.values(expected));
      expect(parts).toEqual(Object.values(expected));
      expect(edits.map((e) => where(e.location))).toEqual(Object.values(expected));
      // Every prose paragraph the library numbers, and nothing else.
      const numbered = new Set(Object.values(expected).map(([c, p]) => `${c}:${p}`));
      expect(library.map((b) => `${b.chapter}:${b.paragraph}`)).toEqual([...numbered]);
    });
});
