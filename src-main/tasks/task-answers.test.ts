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

  it('anchors an edit whose accents are composed differently from the passage’s, and applies it in the passage’s form', () => {
    // Some Mac tools save "é" as "e" + U+0301 (NFD); a model copies it as one "é" (NFC).
    const passage = 'Renée crossed the café. She ordered a crème brûlée and waited.'.normalize('NFD');
    const [edit] = anchorEdits(
      { edits: [{ original: 'Renée crossed the café.', revised: 'Renée entered the café.', reason: 'verb' }] },
      passage,
    );
    expect(edit!.problem).toBeNull();
    expect(passage.slice(edit!.start!, edit!.end!)).toBe('Renée crossed the café.'.normalize('NFD'));
    expect(edit!.original).toBe('Renée crossed the café.'.normalize('NFD'));
    expect(applyEdits(passage, [edit!])).toBe(
      'Renée entered the café. She ordered a crème brûlée and waited.'.normalize('NFD'),
    );
  });

  it('matches a summary’s chapter names to headings whose accents are composed differently (NFD), without notices', () => {
    const passage = ['# Chapitre 1 : L’été', '', 'Elle marchait.', '', '# Chapitre 2 : Le café', '', 'Il buvait.']
      .join('\n')
      .normalize('NFD');
    const chapters = [
      { chapter: 'Chapitre 1 : L’été', summary: 'Elle marche.' },
      { chapter: 'Chapitre 2 : Le café', summary: 'Il boit.' },
    ];
    expect(buildAnswer('summary', { chapters }, passage)).not.toHaveProperty('notices');
  });

  describe('an original that is in the passage more than once', () => {
    const SCENE =
      'Mara asked about the ship. He nodded. The rain came on harder.\n\n' +
      'She asked about the crew. He nodded. Then he left.';
    const edit = (original: string, revised: string) => ({ original, revised, reason: 'beat' });
    const at = (edits: { start: number | null }[]) => edits.map((e) => e.start);
    const first = SCENE.indexOf('He nodded.');
    const second = SCENE.lastIndexOf('He nodded.');

    it('is anchored by the edits around it, in reading order: after the one before it, before the one after it', () => {
      const after = anchorEdits(
        { edits: [edit('She asked about the crew.', 'She asked after the crew.'), edit('He nodded.', 'He shrugged.')] },
        SCENE,
      );
      expect(at(after)).toEqual([SCENE.indexOf('She asked'), second]);
      const before = anchorEdits(
        { edits: [edit('He nodded.', 'He shrugged.'), edit('The rain came on harder.', 'The rain thickened.')] },
        SCENE,
      );
      expect(at(before)).toEqual([first, SCENE.indexOf('The rain')]);
      // Both places edited, in order: each has its own.
      const both = anchorEdits({ edits: [edit('He nodded.', 'He shrugged.'), edit('He nodded.', 'He left.')] }, SCENE);
      expect(at(both)).toEqual([first, second]);
      expect(both.map((e) => e.problem)).toEqual([null, null]);
      expect(applyEdits(SCENE, both)).toBe(
        SCENE.replace('He nodded.', 'He shrugged.').replace('He nodded.', 'He left.'),
      );
    });

    it('is not applied when Quire cannot tell which place it means, and says so; the other edits still apply', () => {
      const edits = anchorEdits(
        { edits: [edit('He nodded.', 'He shrugged.'), edit('Then he left.', 'Then he was gone.')] },
        SCENE,
      );
      expect(edits[0]).toMatchObject({ start: null, end: null, location: null });
      expect(edits[0]!.problem).toBe(
        '“He nodded.” appears in 2 places in your text and Quire cannot tell which one this edit is for; ' +
          'make this change by hand',
      );
      expect(edits[1]).toMatchObject({ start: SCENE.indexOf('Then he left.'), problem: null });
      // Neither “He nodded.” is changed; the unambiguous edit is.
      expect(applyEdits(SCENE, edits)).toBe(SCENE.replace('Then he left.', 'Then he was gone.'));
    });

    it('is not applied when the edits around it are out of reading order (no place is after the one before it)', () => {
      const edits = anchorEdits(
        { edits: [edit('Then he left.', 'Then he was gone.'), edit('He nodded.', 'He shrugged.')] },
        SCENE,
      );
      expect(edits[1]).toMatchObject({ start: null, problem: expect.stringContaining('2 places') });
      expect(applyEdits(SCENE, edits)).toBe(SCENE.replace('Then he left.', 'Then he was gone.'));
    });

    it('is anchored within the part that produced it, and counted there', () => {
      const passage = `Chapter 1\n\nHe nodded. It rained.\n\n${SCENE}`;
      const part = { start: passage.indexOf('Mara'), end: passage.length };
      // Once before the part, twice in it: the part's own two places are the choice, and the notice counts those.
      const [vague] = anchorEdits({ edits: [edit('He nodded.', 'He shrugged.')] }, passage, part);
      expect(vague).toMatchObject({
        start: null,
        problem: expect.stringContaining('2 places in this part of your text'),
      });
      // After the part's first edit: its second place, never the one before the part.
      const placed = anchorEdits(
        { edits: [edit('The rain came on harder.', 'The rain thickened.'), edit('He nodded.', 'He shrugged.')] },
        passage,
        part,
      );
      expect(placed[1]).toMatchObject({ start: passage.lastIndexOf('He nodded.'), problem: null });
      // A part that holds it once places it there, whatever comes before the part.
      const firstPart = { start: 0, end: part.start };
      const [own] = anchorEdits({ edits: [edit('He nodded.', 'He shrugged.')] }, passage, firstPart);
      expect(own).toMatchObject({ start: passage.indexOf('He nodded.'), problem: null });
    });
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
    // A chapter is named by its whole number: "Chapter 99" is not chapter 9 (nor "Chapter 1" chapter 12).
    const numbered = ['# Chapter 9', 'Rain.', '# Chapter 12', 'Sun.'].join('\n\n');
    const named = (...chapters: string[]) =>
      buildAnswer('summary', { chapters: chapters.map((chapter) => ({ chapter, summary: 'x' })) }, numbered);
    expect(named('Chapter 99', 'Chapter 1')).toMatchObject({
      notices: [
        'The summary names a chapter that is not in your text: “Chapter 99”.',
        'The summary names a chapter that is not in your text: “Chapter 1”.',
        'The summary leaves out a chapter of your text: “Chapter 9”.',
        'The summary leaves out a chapter of your text: “Chapter 12”.',
      ],
    });
    expect(named('Chapter 9', 'Chapter 12')).not.toHaveProperty('notices');
    // Text before the first heading is a chapter of its own, which the first entry may name anything.
    expect(named('Untitled', 'Chapter 9', 'Chapter 12')).toMatchObject({ notices: expect.any(Array) });
    const opened = `An epigraph.\n\n${numbered}`;
    const withOpening = (...chapters: string[]) =>
      buildAnswer('summary', { chapters: chapters.map((chapter) => ({ chapter, summary: 'x' })) }, opened);
    expect(withOpening('Untitled', 'Chapter 9', 'Chapter 12')).not.toHaveProperty('notices');
    // A text without headings is one chapter: any name will do.
    expect(
      buildAnswer('summary', { chapters: [{ chapter: 'Opening', summary: 'x' }] }, 'One. Two.'),
    ).not.toHaveProperty('notices');
  });
});
