// Finding matching against the hand-labelled pairs that calibrated it (test/fixtures/finding-pairs.json): the floors
// below are what the shipped thresholds must keep; `npm run bench -- matching` prints the figures.
import { describe, expect, it } from 'vitest';
import { evaluatePairs, findingPairs, pairFinding } from '../../test/support/finding-pairs';
import { relate } from './agreement';

/** Floors for the finding-pair set. A false merge misleads the writer more than a missed one, so precision is held higher. */
const FLOORS = { matchPrecision: 0.95, matchRecall: 0.85, contradictionPrecision: 0.9, contradictionRecall: 0.85 };

describe('the finding-pair set', () => {
  const pairs = findingPairs();

  it('holds at least 60 labelled pairs of every kind', () => {
    expect(pairs.length).toBeGreaterThanOrEqual(60);
    for (const label of ['same', 'different', 'contradicting'] as const)
      expect(pairs.filter((p) => p.label === label).length).toBeGreaterThanOrEqual(15);
    expect(new Set(pairs.map((p) => p.id)).size).toBe(pairs.length);
  });

  it('the finding-pair set’s precision/recall stay above the thresholds set for matching and contradiction', () => {
    const result = evaluatePairs(pairs, (a, b) => relate(a, b).relation);
    expect(result.match.precision).toBeGreaterThanOrEqual(FLOORS.matchPrecision);
    expect(result.match.recall).toBeGreaterThanOrEqual(FLOORS.matchRecall);
    expect(result.contradiction.precision).toBeGreaterThanOrEqual(FLOORS.contradictionPrecision);
    expect(result.contradiction.recall).toBeGreaterThanOrEqual(FLOORS.contradictionRecall);
  });

  it('a shared quote alone, or similar claims alone, is never one issue', () => {
    const quote = 'Tomas, the harbour master, waved from the wall';
    const claim = 'The harbour master is called Tobias earlier and Tomas here.';
    const a = pairFinding(claim, quote);
    expect(relate(a, pairFinding('The wall was demolished in chapter 2.', quote)).relation).toBe('different');
    expect(relate(a, pairFinding(claim, 'Biscuit was not by the stove')).relation).toBe('different');
    expect(
      relate(a, pairFinding('The harbour master is Tobias at first and Tomas in this scene.', quote)).relation,
    ).toBe('same');
  });
});
