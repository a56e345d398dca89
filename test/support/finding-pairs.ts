// The labelled finding pairs (test/fixtures/finding-pairs.json) and how a matching rule scores on them: precision and
// recall of "one issue" (same or contradicting) and of "contradicting". Shared by the test that holds the floors and
// the benchmark that reports the figures.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Finding, FindingRelation } from '../../src-main/tournament/agreement';

export interface FindingPair {
  id: string;
  label: FindingRelation;
  a: Finding;
  b: Finding;
}

/**
 * A finding of the pair set: a claim and one quote, not located (the pairs have no manuscript), so matching reads the
 * quotes' words.
 */
export function pairFinding(claim: string, quote: string): Finding {
  return { claim, severity: 'medium', evidence: [{ quote, start: null, end: null }] };
}

export function findingPairs(): FindingPair[] {
  const path = join(import.meta.dirname, '..', 'fixtures', 'finding-pairs.json');
  type Stored = Omit<FindingPair, 'a' | 'b'> & Record<'a' | 'b', { claim: string; evidence_quote: string }>;
  const data = JSON.parse(readFileSync(path, 'utf8')) as { pairs: Stored[] };
  return data.pairs.map((p) => ({
    ...p,
    a: pairFinding(p.a.claim, p.a.evidence_quote),
    b: pairFinding(p.b.claim, p.b.evidence_quote),
  }));
}

export interface Scores {
  precision: number;
  recall: number;
  truePositives: number;
  falsePositives: number;
  falseNegatives: number;
}

export interface PairEvaluation {
  /** One issue (same or contradicting) told from two. */
  match: Scores;
  /** Contradicting told from the rest. */
  contradiction: Scores;
  /** Pairs the rule got wrong, with what it said. */
  wrong: { id: string; label: FindingRelation; said: FindingRelation }[];
}

export function evaluatePairs(
  pairs: readonly FindingPair[],
  relate: (a: Finding, b: Finding) => FindingRelation,
): PairEvaluation {
  const said = pairs.map((p) => ({ pair: p, said: relate(p.a, p.b) }));
  const scores = (positive: (r: FindingRelation) => boolean): Scores => {
    let tp = 0;
    let fp = 0;
    let fn = 0;
    for (const { pair, said: s } of said) {
      if (positive(s) && positive(pair.label)) tp++;
      else if (positive(s)) fp++;
      else if (positive(pair.label)) fn++;
    }
    return {
      precision: tp + fp === 0 ? 1 : tp / (tp + fp),
      recall: tp + fn === 0 ? 1 : tp / (tp + fn),
      truePositives: tp,
      falsePositives: fp,
      falseNegatives: fn,
    };
  };
  return {
    match: scores((r) => r !== 'different'),
    contradiction: scores((r) => r === 'contradicting'),
    wrong: said
      .filter((s) => s.said !== s.pair.label)
      .map((s) => ({ id: s.pair.id, label: s.pair.label, said: s.said })),
  };
}
