import { describe, expect, it } from 'vitest';
import { memberAnswer } from './member-answer';

describe("a tournament member's answer as shown", () => {
  it('reads findings as their claims and severities', () => {
    const sent = JSON.stringify({
      findings: [
        { claim: "Mara's eyes change colour", severity: 'high', evidence: [{ quote: 'her blue eyes' }] },
        { claim: 'The harbour moves', evidence: [] },
      ],
    });
    expect(memberAnswer(sent)).toEqual({
      kind: 'findings',
      findings: [
        { claim: "Mara's eyes change colour", severity: 'high' },
        { claim: 'The harbour moves', severity: null },
      ],
    });
    expect(memberAnswer('{"findings":[]}')).toEqual({ kind: 'findings', findings: [] });
  });

  it('keeps prose, a half-streamed answer and anything not in the findings form as text', () => {
    for (const text of [
      'The tide went out.',
      '{"findings":[{"claim":"Ma',
      '{"items":[]}',
      '[1,2]',
      'null',
      '{"findings":[{"x":1}]}',
    ])
      expect(memberAnswer(text)).toEqual({ kind: 'text', text });
  });
});
