import { describe, expect, it } from 'vitest';
import { evidenceOverlap, groupFindings, overallAgreement, type Finding, type MemberFindings } from './agreement';

/** A finding with one quote, not located (matching reads its words). */
const f = (claim: string, quote: string, severity: Finding['severity'] = 'medium'): Finding => ({
  claim,
  evidence: [{ quote, start: null, end: null }],
  severity,
});
/** A finding whose quotes were located at these spans of the input. */
const at = (claim: string, ...spans: [string, number, number][]): Finding => ({
  claim,
  evidence: spans.map(([quote, start, end]) => ({ quote, start, end })),
  severity: 'high',
});

const eyes = (claim = "Mara's eye colour changes from green to blue") => f(claim, 'her blue eyes flashed', 'high');
const inn = f('The Crooked Inn burns down twice, in chapter 3 and chapter 9', 'the Crooked Inn was ash');

describe('matching and classifying findings', () => {
  it('three members reporting the same issue in their own words make one consensus finding', () => {
    const members: MemberFindings[] = [
      { member_id: 'a', findings: [eyes()] },
      { member_id: 'b', findings: [f("Mara's eyes change colour: green in ch. 3, blue in ch. 12", 'her blue eyes')] },
      { member_id: 'c', findings: [f('Eye colour inconsistency for Mara (green vs blue)', 'blue eyes flashed')] },
    ];
    const groups = groupFindings(members);
    expect(groups).toHaveLength(1);
    expect(groups[0]).toMatchObject({ id: 'f1', status: 'consensus', supporters: ['a', 'b', 'c'], silent: [] });
    expect(overallAgreement(groups, ['a', 'b', 'c'])).toBe(1);
  });

  it('two agree and one differs: a consensus the odd one missed, and a dispute that lists the odd one', () => {
    const members: MemberFindings[] = [
      { member_id: 'a', findings: [eyes()] },
      { member_id: 'b', findings: [eyes("Mara's eyes change colour between chapters")] },
      { member_id: 'c', findings: [inn] },
    ];
    const groups = groupFindings(members);
    expect(groups.map((g) => g.status)).toEqual(['consensus', 'disputed']);
    expect(groups[0]).toMatchObject({ supporters: ['a', 'b'], silent: ['c'] });
    expect(groups[1]).toMatchObject({ supporters: ['c'], silent: ['a', 'b'] });
    expect(groups[1]!.representative.claim).toContain('Crooked Inn');
    expect(overallAgreement(groups, ['a', 'b', 'c'])).toBeCloseTo((1 + 0 + 0) / 3, 6);
  });

  it('members asserting opposites over the same quote are contradicted, with both sides named', () => {
    const members: MemberFindings[] = [
      { member_id: 'a', findings: [eyes()] },
      { member_id: 'b', findings: [eyes("Mara's eye colour changes between chapters 3 and 12")] },
      {
        member_id: 'c',
        findings: [f("Mara's eye colour does not change; blue is the reflection of the sea", 'her blue eyes', 'low')],
      },
    ];
    const groups = groupFindings(members);
    expect(groups).toHaveLength(1);
    expect(groups[0]).toMatchObject({ status: 'contradicted', supporters: ['a', 'b'], opposers: ['c'] });
  });

  it('keeps two different points about one sentence apart', () => {
    const quote = 'Mara walked into the London fog, her blue eyes stinging';
    const members: MemberFindings[] = [
      {
        member_id: 'a',
        findings: [f("Mara's eye colour changes to blue", quote), f('Mara is in Paris, not London', quote)],
      },
      { member_id: 'b', findings: [f("Mara's eye colour is blue here but green before", quote)] },
    ];
    const groups = groupFindings(members);
    expect(groups).toHaveLength(2);
    expect(groups[0]).toMatchObject({ status: 'consensus', supporters: ['a', 'b'] });
    expect(groups[1]).toMatchObject({ status: 'disputed', supporters: ['a'], silent: ['b'] });
  });

  it('counts a member repeating itself once', () => {
    const members: MemberFindings[] = [
      { member_id: 'a', findings: [eyes(), eyes()] },
      { member_id: 'b', findings: [] },
    ];
    const groups = groupFindings(members);
    expect(groups).toHaveLength(1);
    expect(groups[0]!.items).toHaveLength(1);
  });

  it('members who all find nothing agree fully', () => {
    expect(
      overallAgreement(
        groupFindings([
          { member_id: 'a', findings: [] },
          { member_id: 'b', findings: [] },
        ]),
        ['a', 'b'],
      ),
    ).toBe(1);
  });

  it('uses an injected claim similarity (embedding hook), over shared evidence only', () => {
    const members: MemberFindings[] = [
      { member_id: 'a', findings: [f('alpha beta gamma delta epsilon', 'the same quote here')] },
      { member_id: 'b', findings: [f('alpha beta omega sigma psi', 'the same quote here')] },
    ];
    expect(groupFindings(members)).toHaveLength(2);
    expect(groupFindings(members, () => 0.95)).toHaveLength(1);
    // Claims with nothing in common are not made alike by an embedding.
    const apart: MemberFindings[] = [
      { member_id: 'a', findings: [f('alpha', 'the same quote here')] },
      { member_id: 'b', findings: [f('omega', 'the same quote here')] },
    ];
    expect(groupFindings(apart, () => 0.95)).toHaveLength(2);
  });

  it('never merges unrelated findings on claim similarity alone (the audit: harbour master, storm, dog at 0.874)', () => {
    const members: MemberFindings[] = [
      { member_id: 'a', findings: [f('The harbour master is Tobias, then Tomas', 'Tomas, the harbour master, waved')] },
      { member_id: 'b', findings: [f('The storm moves from Tuesday to Thursday', "since Thursday's storm")] },
      {
        member_id: 'c',
        findings: [f('Biscuit the dog goes missing and is forgotten', 'Biscuit was not by the stove')],
      },
    ];
    // A resident chat model's embeddings find everything alike.
    const groups = groupFindings(members, () => 0.874);
    expect(groups).toHaveLength(3);
    expect(groups.map((g) => g.status)).toEqual(['disputed', 'disputed', 'disputed']);
  });

  it('matches on every quote: a contradiction cited at both places meets a finding that cites either one', () => {
    const both = at(
      "Mara's eyes are green in chapter 3 but blue in chapter 12",
      ['her green eyes', 30, 44],
      ['her blue eyes flashed', 200, 221],
    );
    const laterOnly = at("Mara's eye colour changes from green to blue", ['blue eyes flashed', 204, 221]);
    const groups = groupFindings([
      { member_id: 'a', findings: [both] },
      { member_id: 'b', findings: [laterOnly] },
    ]);
    expect(groups).toHaveLength(1);
    expect(groups[0]).toMatchObject({ status: 'consensus', supporters: ['a', 'b'] });
    // The finding citing both places is shown first.
    expect(groups[0]!.representative).toBe(both);
  });

  it('located quotes meet by their spans, whatever marks or case their copies used', () => {
    // Two copies of one sentence, one with curly quotes and different case, located at one span.
    const a = at('Tom says he never met Mara', ['\u201cI never met her,\u201d Tom said', 100, 128]);
    const b = at('Tom claims never to have met Mara', ['"i never met her," tom said', 100, 128]);
    expect(evidenceOverlap(a.evidence, b.evidence)).toBe(1);
    // Spans apart share nothing, unless their words do (a short quote is located where its words first occur).
    const apart = at('x', ['the storm came', 10, 24]);
    expect(evidenceOverlap(apart.evidence, at('y', ['a quiet morning', 300, 315]).evidence)).toBe(0);
    expect(evidenceOverlap(apart.evidence, at('y', ['the storm came', 400, 414]).evidence)).toBe(1);
  });
});
