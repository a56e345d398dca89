// A tournament's quotes in the text on screen, as a single run's are: each found there can be shown in it (selected in
// the passage box). A tournament keeps no offsets of its own (its findings merge several models' quotes), so each quote
// is looked for by Quire's finder, the rule that found it when the tournament ran.
import { QuoteFinder } from '$contract/quote-find';
import type { Tournament, TournamentEvidence } from '$contract/tournaments';

export interface TournamentQuotes {
  /** Where a quote is in the text on screen; null when the tournament did not find it, or the text has no such words. */
  spanOf(evidence: TournamentEvidence): { start: number; end: number } | null;
  /**
   * The tournament found quotes, and none of them is in the text on screen: it ran on another passage or manuscript
   * (or this one was rewritten since), so its places are not here.
   */
  elsewhere: boolean;
}

export function tournamentQuotes(tournament: Pick<Tournament, 'findings'>, passage: string): TournamentQuotes {
  const finder = new QuoteFinder(passage);
  const spans = new Map<string, { start: number; end: number } | null>();
  const spanOf = (evidence: TournamentEvidence) => {
    if (!evidence.found || !passage.trim()) return null;
    if (!spans.has(evidence.quote)) {
      const span = finder.find(evidence.quote);
      spans.set(evidence.quote, span.match === 'not_found' ? null : { start: span.start, end: span.end });
    }
    return spans.get(evidence.quote) ?? null;
  };
  const found = tournament.findings.flatMap((finding) => finding.evidence.filter((evidence) => evidence.found));
  return { spanOf, elsewhere: found.length > 0 && found.every((evidence) => spanOf(evidence) === null) };
}
