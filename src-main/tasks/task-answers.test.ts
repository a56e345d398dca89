import { describe, expect, it } from 'vitest';
import { applyEdits } from '../../src-preload/contract/tasks';
import { anchorEdits, buildAnswer, locateFindings } from './task-answers';

const PASSAGE = 'Chapter 3\n\nMara had green eyes.\n\nChapter 12\n\nHer blue eyes flashed. She smiled.';

describe('task answers', () => {
  it('locates both quotes of a contradiction; an invented quote is flagged and lowers the finding’s confidence', () => {
    const [both, invented] = locateFindings(
      {
        findings: [
          {
            claim: 'Eye colour changes',
            evidence: [
              { quote: 'Mara had green eyes.', location: 'ch. 1' },
              { quote: 'Her blue eyes flashed.', location: null },
            ],
            severity: 'high',
            suggestion: null,
          },
          {
            claim: 'The dog vanishes',
            evidence: [
              { quote: 'The dog barked.', location: 'ch. 12' },
              { quote: 'She smiled.', location: null },
            ],
            severity: 'medium',
          },
        ],
      },
      PASSAGE,
    );
    expect(both!.confidence).toBe(1);
    expect(both!.evidence.map((e) => e.location?.label)).toEqual(['Chapter 3, paragraph 1', 'Chapter 12, paragraph 1']);
    // The model's claimed location is kept beside Quire's, never used as it.
    expect(both!.evidence[0]!.claimed_location).toBe('ch. 1');
    expect(invented!.evidence[0]).toMatchObject({ match: 'not_found', location: null });
    expect(invented!.confidence).toBe(0.5);
    expect(invented!.suggestion).toBeNull();
  });

  it('anchors edits to exact spans; an original not in the passage or overlapping another is flagged, never applied', () => {
    const edits = anchorEdits(
      {
        edits: [
          { original: 'Her blue eyes flashed.', revised: 'Her eyes flashed blue.', reason: 'rhythm' },
          { original: 'She grinned.', revised: 'She smiled.', reason: 'invented' },
          { original: 'eyes flashed', revised: 'eyes shone', reason: 'overlaps' },
          { original: 'She smiled.', revised: 'She smiled at last.', reason: 'beat' },
        ],
      },
      PASSAGE,
    );
    expect(edits.map((e) => e.problem)).toEqual([
      null,
      'The original is not found in your text',
      'It overlaps another edit; apply that one first',
      null,
    ]);
    expect(PASSAGE.slice(edits[0]!.start!, edits[0]!.end!)).toBe('Her blue eyes flashed.');
    expect(edits[0]!.location?.label).toBe('Chapter 12, paragraph 1');
    expect(applyEdits(PASSAGE, edits)).toBe(
      'Chapter 3\n\nMara had green eyes.\n\nChapter 12\n\nHer eyes flashed blue. She smiled at last.',
    );
  });

  it("checks a chapter summary against the passage's chapters: one it invented or one it left out is said, not passed over", () => {
    const passage = [
      '# The Harbour',
      'Mara watched the boats.',
      '# The Lamplight',
      'She turned.',
      '# Ash',
      'It burned.',
    ].join('\n\n');
    const answer = buildAnswer(
      'summary',
      {
        chapters: [
          { chapter: 'Chapter 1: The Harbour', summary: 'Mara waits.' },
          { chapter: 'the lamplight', summary: 'She turns.' },
          { chapter: 'Chapter 9', summary: 'Something else.' },
        ],
      },
      passage,
    );
    expect(answer).toMatchObject({
      kind: 'summary',
      notices: [
        'The summary names a chapter that is not in your text: “Chapter 9”.',
        'The summary leaves out a chapter of your text: “Ash”.',
      ],
    });
    // Every chapter summarised, whatever the model called it: nothing to say.
    const whole = buildAnswer(
      'summary',
      {
        chapters: ['The Harbour', 'The Lamplight', 'Ash'].map((chapter) => ({ chapter, summary: 'x' })),
      },
      passage,
    );
    expect(whole).not.toHaveProperty('notices');
    // A text without headings is one chapter: any name will do.
    expect(
      buildAnswer('summary', { chapters: [{ chapter: 'Opening', summary: 'x' }] }, 'One. Two.'),
    ).not.toHaveProperty('notices');
  });
});
