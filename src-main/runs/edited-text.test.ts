import { describe, expect, it } from 'vitest';
import type { AnchoredEdit } from '../../src-preload/contract/tasks';
import { editedTextOf } from './edited-text';

const PASSAGE = 'The harbour was quiet. Tobias very slowly walked to the pier.';

function edit(original: string, revised: string, problem: string | null = null): AnchoredEdit {
  const start = PASSAGE.indexOf(original);
  return { original, revised, reason: 'r', start, end: start + original.length, location: null, problem };
}

const answer = {
  kind: 'edits' as const,
  edits: [
    edit('The harbour was quiet.', 'The harbour lay quiet.'),
    edit('very slowly walked', 'trudged'),
    edit('to the pier', 'to the jetty', 'it overlaps another edit'),
  ],
};

describe('editedTextOf: a line edit’s own passage with the edits the writer kept', () => {
  it('applies the accepted edits to the passage the run was given, whatever is on screen now', () => {
    // The Workbench applied them to the text on screen: another passage there, nothing (or the wrong words) came out.
    expect(editedTextOf({ answer }, { task: 'line_edit', input: PASSAGE })).toEqual({
      text: 'The harbour lay quiet. Tobias trudged to the pier.',
      edits: 2,
    });
    expect(editedTextOf({ answer }, { input: PASSAGE }, [0])).toEqual({
      text: 'The harbour was quiet. Tobias trudged to the pier.',
      edits: 1,
    });
  });

  it('says why when there is nothing to apply them to', () => {
    expect(() => editedTextOf({ answer: { kind: 'prose', text: 'x' } }, { input: PASSAGE })).toThrow(
      'This run proposed no edits, so there is no edited text to copy.',
    );
    expect(() => editedTextOf({ answer }, { input: [{ role: 'user', content: PASSAGE }] })).toThrow(
      /did not keep the passage this run was given/,
    );
  });
});
