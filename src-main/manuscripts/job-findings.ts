// A multi-part job's merged findings as the run's answer: every quote located in the whole text (exact, then
// tolerant; "not found in your text" lowers the finding's confidence), its location from the text's structure
// (structure.ts: chapters by headings, prose paragraphs numbered without headings and scene breaks), the numbering a
// stored manuscript shows, so a finding jumps to its paragraph. Never from what a model claimed.
import type { LocatedFinding } from '../../src-preload/contract/tasks';
import { paragraphAt, QuoteLocator } from '../tasks/quotes';
import { locateFindings } from '../tasks/task-answers';
import type { MergedFinding } from './job-types';
import { locationLabel, parseStructure, type DocumentStructure } from './structure';

/**
 * `text`: the whole text, or the QuoteLocator the job already made for it (so it is folded once for all its quotes);
 * `structure`: parseStructure of the text, when the caller has it.
 */
export function locateJobFindings(
  merged: readonly MergedFinding[],
  text: string | QuoteLocator,
  structure?: DocumentStructure,
): LocatedFinding[] {
  const locator = typeof text === 'string' ? new QuoteLocator(text) : text;
  const located = locateFindings(
    {
      findings: merged.map((f) => ({
        claim: f.claim,
        severity: f.severity,
        suggestion: f.suggestion ?? null,
        evidence: f.evidence.map((e) => ({ quote: e.quote, location: null })),
      })),
    },
    locator,
    // Located in the structure below, not in the passage's paragraph numbering (it would be counted for nothing).
    [],
  );
  return inStructure(located, structure ?? parseStructure(locator.text));
}

/**
 * Locations in the passage's structure (manuscripts/structure.ts: chapters by headings, prose paragraphs numbered
 * without headings and scene breaks), the numbering a stored manuscript shows, so a finding jumps to its paragraph.
 */
function inStructure(findings: LocatedFinding[], { blocks, chapters }: DocumentStructure): LocatedFinding[] {
  const titles = new Map(chapters.map((c) => [c.number, c.title]));
  return findings.map((f) => ({
    ...f,
    evidence: f.evidence.map((e) => {
      if (e.start === null) return e;
      const block = paragraphAt(blocks, e.start);
      if (!block) return e;
      const title = titles.get(block.chapter) ?? null;
      return {
        ...e,
        location: {
          chapter: block.chapter,
          chapter_title: title,
          paragraph: block.paragraph ?? 0,
          label: locationLabel(block.chapter, block.paragraph),
        },
      };
    }),
  }));
}
