// Matches findings across tournament members and classifies each matched group: consensus (a majority reported it),
// disputed (a minority did) or contradicted (members assert opposites). Pure: the claim similarity is passed in, so
// an embedding measure can replace the lexical one when a local model is resident.
import type { Finding } from './findings-schema';
import { lexicalSimilarity, opposite, polarity, quoteOverlap, type ClaimSimilarity } from './similarity';

export type AgreementStatus = 'consensus' | 'disputed' | 'contradicted';

export interface MemberFindings {
  member_id: string;
  findings: readonly Finding[];
}

export interface GroupItem {
  member_id: string;
  finding: Finding;
}

export interface FindingGroup {
  /** Stable within one tournament: f1, f2, … in the order groups are returned. */
  id: string;
  status: AgreementStatus;
  /** The claim and quote shown first: the supporting side's most-quoted finding. */
  representative: Finding;
  /** Members who reported it (the larger side when contradicted). */
  supporters: string[];
  /** Members who asserted the opposite. */
  opposers: string[];
  /** Members who answered but did not mention it. */
  silent: string[];
  items: GroupItem[];
}

/**
 * Two findings are one issue only when BOTH their evidence overlaps and their claims are alike: claims alone merge
 * unrelated findings that share words (or a chat model's embeddings, which find everything alike — the audit's
 * harbour master, storm and dog became one "consensus" that way), and a shared quote alone merges two different
 * points about one sentence. Calibrated on test/fixtures/finding-pairs.json (`npm run bench -- matching` prints the
 * grid; agreement.test.ts holds precision and recall above their floors).
 */
export const MATCH = {
  /** Quotes covering the same span: containment, or at least this share of shared word bigrams. */
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

/** Whether two findings report one issue (and, if so, whether they assert opposite sides of it). */
export function relate(a: Finding, b: Finding, similarity: ClaimSimilarity = lexicalSimilarity): Relation {
  const evidence = quoteOverlap(a.evidence_quote, b.evidence_quote);
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

export function groupFindings(
  members: readonly MemberFindings[],
  similarity: ClaimSimilarity = lexicalSimilarity,
): FindingGroup[] {
  const nodes: GroupItem[] = [];
  for (const member of members) {
    const kept: Finding[] = [];
    for (const finding of member.findings) {
      const repeat = kept.some(
        (earlier) =>
          quoteOverlap(earlier.evidence_quote, finding.evidence_quote) >= 1 &&
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

function classify(items: GroupItem[], answered: readonly string[]): Omit<FindingGroup, 'id'> {
  // Split the group into sides: an item opposite to the first polar item goes to the other side; items without a
  // polarity (no cue words) stand with the first side.
  const anchor = items.find((item) => polarity(item.finding.claim).size > 0);
  const sideA: GroupItem[] = [];
  const sideB: GroupItem[] = [];
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
  const representative = [...support].sort(
    (x, y) => y.finding.evidence_quote.length - x.finding.evidence_quote.length,
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
