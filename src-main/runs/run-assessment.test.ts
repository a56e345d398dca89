// A run's confidence is said only for answers it measures: claims about the writer's text (findings, summaries).
import { describe, expect, it } from 'vitest';
import { shippedTaskLibrary } from '../tasks/shipped-library';
import { assessAnswer } from './run-assessment';

const library = shippedTaskLibrary();
const o = { library, quality: () => 8, model: () => undefined };
const messages = [{ role: 'user' as const, content: 'Mara came home.' }];

describe("a run's confidence", () => {
  it('is given for findings and summaries, never for ideas, a draft, edits or a route', () => {
    const given = new Map<string, Set<boolean>>();
    for (const [id, definition] of library) {
      const { confidence } = assessAnswer(o, null, id, 'm', null, messages);
      given.set(definition.answer, (given.get(definition.answer) ?? new Set()).add(confidence !== null));
    }
    expect(Object.fromEntries([...given].map(([kind, seen]) => [kind, [...seen]]))).toEqual({
      findings: [true],
      summary: [true],
      edits: [false],
      list: [false],
      prose: [false],
      route: [false],
    });
    expect(assessAnswer(o, null, 'continuity_check', 'm', null, messages).confidence?.value).toBeGreaterThan(0);
  });

  it("keeps a caller's own conversation (a task outside the library) as it was", () => {
    expect(assessAnswer(o, null, 'chat', 'm', null, messages).confidence).not.toBeNull();
  });
});
