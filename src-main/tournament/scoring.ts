// Puts confidences on a tournament's outcome: each matched finding and the result as a whole (see confidence.ts for
// the formula). Pure.
import { overallAgreement, type Finding, type FindingGroup } from './agreement';
import { confidence, mean, type Confidence, type VerifierVerdict } from './confidence';
import type { JudgeSummary } from './judge';
import type { LocatedFinding, LocatedQuote } from '../../src-preload/contract/tasks';
import type { TournamentEvidence, TournamentFinding } from '../../src-preload/contract/tournaments';

export interface MemberStanding {
  member_id: string;
  /** Quality estimate for the task, 0–1 (FeedbackService estimate / 10). */
  quality: number;
  /** Historical agreement rate, 0–1. */
  history: number;
}

export type ScoredGroup<F extends Finding = Finding> = FindingGroup<F> & { confidence: Confidence };

/**
 * The share of the supporting side's quotes found in the input (null when it quoted nothing): a finding resting on a
 * quote the writer never wrote is less sure, as a single run's is.
 */
function quotesFound(group: FindingGroup): number | null {
  const quotes = group.items
    .filter((item) => group.supporters.includes(item.member_id))
    .flatMap((item) => item.finding.evidence);
  return quotes.length === 0 ? null : quotes.filter((q) => q.start !== null).length / quotes.length;
}

export function scoreFindings<F extends Finding>(
  groups: readonly FindingGroup<F>[],
  members: readonly MemberStanding[],
  verifier: VerifierVerdict | null,
): { findings: ScoredGroup<F>[]; result: Confidence } {
  const answered = members.length;
  const standing = new Map(members.map((m) => [m.member_id, m]));
  const of = (ids: readonly string[], key: 'quality' | 'history') =>
    mean(
      ids.map((id) => standing.get(id)?.[key] ?? 0),
      0,
    );
  const findings = groups.map((group) => ({
    ...group,
    confidence: confidence({
      agreement: answered >= 2 ? group.supporters.length / answered : null,
      opposition: answered >= 2 ? group.opposers.length / answered : 0,
      quality: of(group.supporters, 'quality'),
      history: of(group.supporters, 'history'),
      verifier,
      quotes: quotesFound(group),
    }),
  }));
  const ids = members.map((m) => m.member_id);
  const result = confidence({
    agreement: answered >= 2 ? overallAgreement(groups, ids) : null,
    opposition: 0,
    quality: of(ids, 'quality'),
    history: of(ids, 'history'),
    verifier,
  });
  return { findings, result };
}

/**
 * Prose: the best answer's share of its swapped-order comparisons (ties count half) is the agreement, read with the
 * winner's own standing. A judge that flips with the order makes every such pair a tie, which lowers it.
 */
export function scoreProse(
  judge: JudgeSummary | null,
  members: readonly MemberStanding[],
  verifier: VerifierVerdict | null,
): { winner: string | null; result: Confidence } {
  const top = judge?.ranking[0];
  const winner = top?.member_id ?? members[0]?.member_id ?? null;
  const standing = members.find((m) => m.member_id === winner);
  return {
    winner,
    result: confidence({
      agreement: judge && top && members.length >= 2 ? top.score : null,
      opposition: 0,
      quality: standing?.quality ?? 0,
      history: standing?.history ?? 0.5,
      verifier,
    }),
  };
}

/** A quote as shown: Quire's place for it, or none when it is not in the text the members read. */
function shownEvidence(quote: LocatedQuote): TournamentEvidence {
  return { quote: quote.quote, location: quote.location, found: quote.match !== 'not_found' };
}

/** The stored, shown form of scored groups (their quotes already located in the input the members saw). */
export function toTournamentFindings(groups: readonly ScoredGroup<LocatedFinding>[]): TournamentFinding[] {
  return groups.map((g) => ({
    id: g.id,
    status: g.status,
    claim: g.representative.claim,
    evidence: g.representative.evidence.map(shownEvidence),
    severity: g.representative.severity,
    suggestion: g.representative.suggestion,
    supporters: g.supporters,
    opposers: g.opposers,
    silent: g.silent,
    statements: g.items.map((item) => ({
      model_id: item.member_id,
      claim: item.finding.claim,
      evidence: item.finding.evidence.map(shownEvidence),
      severity: item.finding.severity,
      suggestion: item.finding.suggestion,
    })),
    confidence: g.confidence,
    resolution: null,
  }));
}
