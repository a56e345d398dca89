// Matches findings across tournament members and classifies each matched group: consensus (a majority reported it),
// disputed (a minority did) or contradicted (members assert opposites). Pure: the claim similarity is passed in, so
// an embedding measure can replace the lexical one when a local model is resident.
import type { LocatedQuote, Severity } from '../../src-preload/contract/tasks';
import { lexicalSimilarity, opposite, polarity, quoteOverlap, type ClaimSimilarity } from './similarity';

export type AgreementStatus = 'consensus' | 'disputed' | 'contradicted';

/**
 * What matching reads of a member's finding (the task library's finding, its quotes located in the tournament's
 * input): the claim, and every quote with its span in the input (null when it is not there).
 */
export interface Finding {
  claim: string;
  severity: Severity;
  evidence: readonly Pick<LocatedQuote, 'quote' | 'start' | 'end'>[];
}

export interface MemberFindings<F extends Finding = Finding> {
  member_id: string;
  findings: readonly F[];
}

export interface GroupItem<F extends Finding = Finding> {
  member_id: string;
  finding: F;
}

export interface FindingGroup<F extends Finding = Finding> {
  /** Stable within one tournament: f1, f2, … in the order groups are returned. */
  id: string;
  status: AgreementStatus;
  /** The claim and quotes shown first: the supporting side's best-quoted finding (most quotes found, then longest). */
  representative: F;
  /** Members who reported it (the larger side when contradicted). */
  supporters: string[];
  /** Members who asserted the opposite. */
  opposers: string[];
  /** Members who answered but did not mention it. */
  silent: string[];
  items: GroupItem<F>[];
}

/**
 * Two findings are one issue only when BOTH their evidence overlaps and their claims are alike: claims alone merge
 * unrelated findings that share words (or a chat model's embeddings, which find everything alike — the audit's
 * harbour master, storm and dog became one "consensus" that way), and a shared quote alone merges two different
 * points about one sentence. Calibrated on test/fixtures/finding-pairs.json (`npm run bench -- matching` prints the
 * grid; agreement.test.ts holds precision and recall above their floors).
 */
export const MATCH = {
  /**
   * Quotes covering the same span (of any quote of one finding and any of the other): containment, or at least this
   * share of the shorter span (both located) or of shared word bigrams.
   */
  evidence: 0.4,
  /** Claim similarity needed beside overlapping evidence. */
  claim: 0.28,
  /**
   * Claims that assert opposite sides of one question word it differently ("the name changes" / "Tomas is his
   * brother, not a slip"), so over the same evidence a lower similarity still makes them one (contradicted) issue.
   * Also the lexical similarity an injected measure (embeddings) needs before it is consulted at all.
   */
  claimOpposed: 0.15,
  /** Within one member: a finding this similar to an earlier one (same quote) is a repeat, not a new finding. */
  duplicate: 0.85,
} as const;

export type FindingRelation = 'same' | 'different' | 'contradicting';

export interface Relation {
  relation: FindingRelation;
  evidence: number;
  claim: number;
  /** Match strength in [0, 1] (0 when different): linkage order when grouping. */
  score: number;
}

/**
 * How much two findings' evidence covers the same text, in [0, 1]: the best pair of one quote of each. Two located
 * quotes compare by their spans in the input (so copies differing in quote marks, dashes, case or spacing still
 * meet), and always by their words too: a quote that is not in the input has no span, and a short quote is located
 * at the first place its words occur, which need not be the place its model meant.
 */
export function evidenceOverlap(a: Finding['evidence'], b: Finding['evidence']): number {
  let best = 0;
  for (const qa of a) {
    for (const qb of b) {
      best = Math.max(best, spanOverlap(qa, qb), quoteOverlap(qa.quote, qb.quote));
      if (best >= 1) return 1;
    }
  }
  return best;
}

/** The shared share of the shorter of two located spans (1 when one holds the other); 0 when either is not found. */
function spanOverlap(a: Pick<LocatedQuote, 'start' | 'end'>, b: Pick<LocatedQuote, 'start' | 'end'>): number {
  if (a.start === null || a.end === null || b.start === null || b.end === null) return 0;
  const shared = Math.min(a.end, b.end) - Math.max(a.start, b.start);
  const shorter = Math.min(a.end - a.start, b.end - b.start);
  return shared <= 0 || shorter <= 0 ? 0 : shared / shorter;
}

/** Whether two findings report one issue (and, if so, whether they assert opposite sides of it). */
export function relate(a: Finding, b: Finding, similarity: ClaimSimilarity = lexicalSimilarity): Relation {
  const evidence = evidenceOverlap(a.evidence, b.evidence);
  const lexical = lexicalSimilarity(a.claim, b.claim);
  // An injected measure (a resident chat model's embeddings) may lift a pair, never create one from nothing: those
  // embeddings rate every pair of claims alike, so claims with no words in common stay apart.
  const claim =
    similarity === lexicalSimilarity || lexical < MATCH.claimOpposed ? lexical : similarity(a.claim, b.claim);
  if (evidence < MATCH.evidence) return { relation: 'different', evidence, claim, score: 0 };
  const opposed = opposite(a.claim, b.claim);
  const matched = claim >= MATCH.claim || (opposed && claim >= MATCH.claimOpposed);
  if (!matched) return { relation: 'different', evidence, claim, score: 0 };
  return {
    relation: opposed ? 'contradicting' : 'same',
    evidence,
    claim,
    score: 0.5 + 0.25 * evidence + 0.25 * Math.min(1, claim),
  };
}

export function groupFindings<F extends Finding>(
  members: readonly MemberFindings<F>[],
  similarity: ClaimSimilarity = lexicalSimilarity,
): FindingGroup<F>[] {
  const nodes: GroupItem<F>[] = [];
  for (const member of members) {
    const kept: F[] = [];
    for (const finding of member.findings) {
      const repeat = kept.some(
        (earlier) =>
          evidenceOverlap(earlier.evidence, finding.evidence) >= 1 &&
          similarity(earlier.claim, finding.claim) >= MATCH.duplicate,
      );
      if (!repeat) kept.push(finding);
    }
    for (const finding of kept) nodes.push({ member_id: member.member_id, finding });
  }

  // Best-first single linkage, refusing any merge that would put two findings of one member in one group: a member's
  // two distinct findings must not be collapsed by a third member's vaguer one.
  const pairs: { i: number; j: number; score: number }[] = [];
  for (let i = 0; i < nodes.length; i++) {
    for (let j = i + 1; j < nodes.length; j++) {
      if (nodes[i]!.member_id === nodes[j]!.member_id) continue;
      const { score } = relate(nodes[i]!.finding, nodes[j]!.finding, similarity);
      if (score > 0) pairs.push({ i, j, score });
    }
  }
  pairs.sort((x, y) => y.score - x.score || x.i - y.i || x.j - y.j);
  const groupOf = nodes.map((_, i) => i);
  const groups = new Map<number, number[]>(nodes.map((_, i) => [i, [i]]));
  for (const { i, j } of pairs) {
    const gi = groupOf[i]!;
    const gj = groupOf[j]!;
    if (gi === gj) continue;
    const a = groups.get(gi)!;
    const b = groups.get(gj)!;
    const membersA = new Set(a.map((n) => nodes[n]!.member_id));
    if (b.some((n) => membersA.has(nodes[n]!.member_id))) continue;
    for (const n of b) groupOf[n] = gi;
    a.push(...b);
    groups.delete(gj);
  }

  const answered = members.map((m) => m.member_id);
  const classified = [...groups.values()].map((indices) =>
    classify(
      indices.map((n) => nodes[n]!),
      answered,
    ),
  );
  const order: Record<AgreementStatus, number> = { contradicted: 0, consensus: 1, disputed: 2 };
  classified.sort(
    (x, y) =>
      order[x.status] - order[y.status] ||
      y.supporters.length - x.supporters.length ||
      severityRank(y.representative) - severityRank(x.representative),
  );
  return classified.map((group, index) => ({ ...group, id: `f${index + 1}` }));
}

function severityRank(finding: Finding): number {
  return finding.severity === 'high' ? 2 : finding.severity === 'medium' ? 1 : 0;
}

function classify<F extends Finding>(items: GroupItem<F>[], answered: readonly string[]): Omit<FindingGroup<F>, 'id'> {
  // Split the group into sides: an item opposite to the first polar item goes to the other side; items without a
  // polarity (no cue words) stand with the first side.
  const anchor = items.find((item) => polarity(item.finding.claim).size > 0);
  const sideA: GroupItem<F>[] = [];
  const sideB: GroupItem<F>[] = [];
  for (const item of items) {
    if (anchor && item !== anchor && opposite(anchor.finding.claim, item.finding.claim)) sideB.push(item);
    else sideA.push(item);
  }
  const [support, oppose] = sideB.length > sideA.length ? [sideB, sideA] : [sideA, sideB];
  const supportIds = new Set(support.map((item) => item.member_id));
  const opposeIds = new Set(oppose.map((item) => item.member_id));
  const supporters = answered.filter((m) => supportIds.has(m));
  const opposers = answered.filter((m) => opposeIds.has(m) && !supportIds.has(m));
  const silent = answered.filter((m) => !supporters.includes(m) && !opposers.includes(m));
  const status: AgreementStatus =
    opposers.length > 0 ? 'contradicted' : supporters.length * 2 > answered.length ? 'consensus' : 'disputed';
  const found = (f: Finding) => f.evidence.filter((e) => e.start !== null).length;
  const quoted = (f: Finding) => f.evidence.reduce((n, e) => n + e.quote.length, 0);
  const representative = [...support].sort(
    (x, y) => found(y.finding) - found(x.finding) || quoted(y.finding) - quoted(x.finding),
  )[0]!.finding;
  return { status, representative, supporters, opposers, silent, items };
}

/**
 * How much the members agree overall, in [0, 1]: the mean over member pairs of (groups both report on the same side)
 * ÷ (groups either reports). Two members who both found nothing agree fully.
 */
export function overallAgreement(groups: readonly FindingGroup[], memberIds: readonly string[]): number {
  if (memberIds.length < 2) return 1;
  let total = 0;
  let pairs = 0;
  for (let i = 0; i < memberIds.length; i++) {
    for (let j = i + 1; j < memberIds.length; j++) {
      const a = memberIds[i]!;
      const b = memberIds[j]!;
      let union = 0;
      let same = 0;
      for (const group of groups) {
        const sa = side(group, a);
        const sb = side(group, b);
        if (sa === 0 && sb === 0) continue;
        union++;
        if (sa === sb) same++;
      }
      total += union === 0 ? 1 : same / union;
      pairs++;
    }
  }
  return total / pairs;
}

function side(group: FindingGroup, member: string): number {
  if (group.supporters.includes(member)) return 1;
  if (group.opposers.includes(member)) return -1;
  return 0;
}
