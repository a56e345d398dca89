import { describe, expect, it } from 'vitest';
import { arrivingText, partialAnswer, stoppedText } from './partial-answer';

describe('partialAnswer', () => {
  it('reads the findings whose claims had closed, the one still writing left out', () => {
    const text =
      '{"findings":[{"claim":"Mara\\u2019s eyes change \\"colour\\".","evidence":[{"quote":"green","location":null}],' +
      '"severity":"high","suggestion":null},{"claim":"The boats are cou';
    const answer = partialAnswer(text)!;
    expect(answer).toEqual({ kind: 'findings', items: ['Mara’s eyes change "colour".'] });
    expect(arrivingText(answer)).toBe('1 finding so far:');
    expect(stoppedText(answer)).toBe('Stopped before the answer was complete: 1 finding had arrived whole.');
    expect(stoppedText(answer, 'Cut off')).toBe('Cut off before the answer was complete: 1 finding had arrived whole.');
  });

  it('reads edits, ideas and summaries only once both of their words had arrived', () => {
    expect(
      partialAnswer('{"edits":[{"original":"twice.","revised":", twice.","reason":"r"},{"original":"He said","revis')
        ?.items,
    ).toEqual(['“twice.” → “, twice.”']);
    expect(partialAnswer('```json\n{"items":[{"title":"The lie","detail":"He was there."},{"title":"B"')).toEqual({
      kind: 'list',
      items: ['The lie: He was there.'],
    });
    expect(partialAnswer('{"chapters":[{"chapter":"One","summary":"The tide."}]}')?.items).toEqual(['One: The tide.']);
    expect(partialAnswer('{"steps":[{"task":"continuity_check","target":"Chapter 2","why":"Eyes."}]}')).toEqual({
      kind: 'route',
      items: ['Eyes.'],
    });
  });

  it('knows a structured answer from its first characters, and prose for what it is', () => {
    expect(partialAnswer('{"fin')).toEqual({ kind: null, items: [] });
    expect(arrivingText({ kind: null, items: [] })).toBe('Writing its answer…');
    expect(arrivingText(partialAnswer('{"findings":[')!)).toBe('Writing its findings…');
    expect(stoppedText(partialAnswer('{"edits":[{"orig')!)).toBe('Stopped before a whole edit had arrived.');
    expect(partialAnswer('The storm took the boats.')).toBeNull();
    expect(partialAnswer('{the storm} took the boats')).toBeNull();
    expect(partialAnswer('{"mood":"grey"}')).toBeNull();
  });
});
