// Where a multi-part job's findings are: each quote found in the part that reported it (the same words elsewhere in
// the manuscript are another place), exact then tolerant ("not found in your text" lowers the finding's confidence),
// and the merged findings as the run's answer, located in the text's structure (structure.ts: chapters by headings or
// by a folder's files, prose paragraphs numbered without headings and scene breaks), the numbering a stored
// manuscript shows, so a finding jumps to its paragraph. Never from what a model claimed.
import type { LocatedFinding, LocatedQuote } from '../../src-preload/contract/tasks';
import { locationAt, paragraphsOf, QuoteLocator, type QuoteSpan, type TextRange } from '../tasks/quotes';
import { findingConfidence } from '../tasks/task-answers';
import type { MergedFinding } from './job-types';
import { parseStructure, type DocumentStructure } from './structure';

/**
 * Where a quote a part reported is in the whole text: in the part's own span first; else before it (a contradiction's
 * earlier place, quoted from the story so far), the first there; else anywhere.
 */
export function findInPart(locator: QuoteLocator, quote: string, part: TextRange): QuoteSpan {
  let found = locator.find(quote, part);
  if (found.match === 'not_found') found = locator.find(quote, { start: 0, end: part.end });
  if (found.match === 'not_found') found = locator.find(quote);
  return found;
}

/**
 * The merged findings as the run's answer: each quote where its part found it (a part stored before that was kept:
 * its first place in the whole text). `text`: the whole text, or the QuoteLocator the job already made for it (so it
 * is folded once for all its quotes); `structure`: the job's structure of the text, when the caller has it.
 */
export function locateJobFindings(
  merged: readonly MergedFinding[],
  text: string | QuoteLocator,
  structure?: DocumentStructure,
): LocatedFinding[] {
  const locator = typeof text === 'string' ? new QuoteLocator(text) : text;
  const parsed = structure ?? parseStructure(locator.text);
  // Numbered and labelled as a single run does it (quotes.ts): the same quote reads the same place either way.
  const paragraphs = paragraphsOf(parsed);
  return merged.map((f) => {
    const evidence = f.evidence.map((e): LocatedQuote => {
      const span = e.found ?? locator.find(e.quote);
      const location = span.start === null ? null : locationAt(paragraphs, span.start);
      return { quote: e.quote, ...span, location, claimed_location: null };
    });
    return {
      claim: f.claim,
      severity: f.severity,
      suggestion: f.suggestion ?? null,
      evidence,
      confidence: findingConfidence(evidence),
    };
  });
}
