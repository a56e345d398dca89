// Finding matching on the labelled pair set (test/fixtures/finding-pairs.json): precision and recall of the shipped
// rule (evidence AND claim), beside the rule it replaced (claims alone could match) and a grid of claim thresholds,
// all measured in this run. Timing per pair is reported against a bare lexical similarity call.
import { MATCH, relate, type Finding, type FindingRelation } from '../src-main/tournament/agreement';
import { lexicalSimilarity, opposite, quoteOverlap } from '../src-main/tournament/similarity';
import { evaluatePairs, findingPairs, type PairEvaluation } from '../test/support/finding-pairs';
import { summary, timeEach } from './stats';

/** The rule before issue 15.5: overlapping quotes with a weak claim match, or similar claims with no shared evidence. */
function previousRule(a: Finding, b: Finding, similarity = lexicalSimilarity): FindingRelation {
  const claim = similarity(a.claim, b.claim);
  const quote = quoteOverlap(a.evidence[0]!.quote, b.evidence[0]!.quote);
  const matched = (quote >= 0.4 && claim >= 0.2) || claim >= 0.55;
  return matched ? (opposite(a.claim, b.claim) ? 'contradicting' : 'same') : 'different';
}

function line(label: string, e: PairEvaluation): string {
  const f = (x: number) => x.toFixed(3);
  return (
    `${label}: match P ${f(e.match.precision)} R ${f(e.match.recall)} (fp ${e.match.falsePositives}, fn ${e.match.falseNegatives}); ` +
    `contradiction P ${f(e.contradiction.precision)} R ${f(e.contradiction.recall)}`
  );
}

export async function benchMatching(): Promise<void> {
  const pairs = findingPairs();
  const counts = ['same', 'different', 'contradicting'].map((l) => `${pairs.filter((p) => p.label === l).length} ${l}`);
  console.log(`finding pairs: ${pairs.length} (${counts.join(', ')})`);
  const shipped = evaluatePairs(pairs, (a, b) => relate(a, b).relation);
  console.log(
    line(`shipped (evidence ≥ ${MATCH.evidence} AND claim ≥ ${MATCH.claim} / ${MATCH.claimOpposed} opposed)`, shipped),
  );
  console.log(`  wrong: ${shipped.wrong.map((w) => `${w.id} (${w.label} → ${w.said})`).join(', ') || 'none'}`);
  console.log(
    line('previous rule (claims alone could match; current contradiction cues)', evaluatePairs(pairs, previousRule)),
  );
  // A resident chat model's embeddings rate every pair of claims alike (the audit saw 0.874).
  const flat = () => 0.874;
  console.log(
    line(
      'shipped, flat 0.874 claim similarity',
      evaluatePairs(pairs, (a, b) => relate(a, b, flat).relation),
    ),
  );
  console.log(
    line(
      'previous, flat 0.874 claim similarity',
      evaluatePairs(pairs, (a, b) => previousRule(a, b, flat)),
    ),
  );
  console.log('claim-threshold grid (evidence fixed, opposed threshold fixed):');
  for (const threshold of [0.15, 0.2, 0.25, 0.28, 0.3, 0.35, 0.4]) {
    const e = evaluatePairs(pairs, (a, b) => {
      const r = relate(a, b);
      if (r.relation === 'different' && r.evidence >= MATCH.evidence && r.claim >= threshold) return 'same';
      if (r.relation === 'same' && r.claim < threshold) return 'different';
      return r.relation;
    });
    console.log(`  ${line(`claim ≥ ${threshold.toFixed(2)}`, e)}`);
  }
  const all = () => pairs.forEach((p) => relate(p.a, p.b));
  const bare = () => pairs.forEach((p) => lexicalSimilarity(p.a.claim, p.b.claim));
  await timeEach(50, all);
  const a = await timeEach(300, all);
  const b = await timeEach(300, bare);
  console.log(summary(`relate() over ${pairs.length} pairs`, a));
  console.log(summary(`lexicalSimilarity() alone over ${pairs.length} pairs`, b));
}
