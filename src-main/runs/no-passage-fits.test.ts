// A model kept out by its context alone is offered "a shorter passage may fit" only when some passage could: where it
// cannot hold even the task's own instruction, the refusal gives the numbers and the step that works.
import { describe, expect, it } from 'vitest';
import { endpointModel, useExecutionHarness } from '../../test/support/execution-harness';

const PASSAGE = '# One\n\nMara counted the boats twice.';

describe('a model too small for the task’s instruction', () => {
  const harness = useExecutionHarness();

  it('is refused with the instruction’s tokens and its context, never "a shorter passage may fit"', async () => {
    const h = await harness.host();
    await h.endpoint('main', [{ ...endpointModel('small', 9, 300), display_name: 'Small Reader' }]);
    const quote = await h.call('runs:quote', { task: 'continuity_check', input: PASSAGE });
    const refusal = quote.body.value.decision.refusal;
    expect(refusal.message).not.toMatch(/shorter passage/);
    expect(refusal.message).toMatch(
      /Small Reader reads 300 tokens at once, and this task's instruction alone is [\d,]+ as it counts them: no passage, however short, fits in it\. Choose a model with a larger context\.$/,
    );
    const instruction = Number(/instruction alone is ([\d,]+)/.exec(refusal.message)![1]!.replace(/,/g, ''));
    expect(instruction).toBeGreaterThan(300);
    expect(refusal).toMatchObject({ code: 'unavailable', advised: true, instruction_too_long: true });

    // A run asked for anyway is refused in the same words, and nothing is sent.
    const run = await h.call('runs:start', { task: 'continuity_check', input: PASSAGE });
    expect(run.body.ok).toBe(false);
    expect(run.body.error.message).toBe(refusal.message);
  });

  it('names every such model with its context, the instruction once', async () => {
    const h = await harness.host();
    await h.endpoint('main', [
      { ...endpointModel('small', 9, 300), display_name: 'Small Reader' },
      { ...endpointModel('smaller', 9, 200), display_name: 'Smaller Reader' },
    ]);
    const quote = await h.call('runs:quote', { task: 'continuity_check', input: PASSAGE });
    expect(quote.body.value.decision.refusal.message).toMatch(
      /This task's instruction alone is [\d,]+ tokens as they count them, more than (Small Reader \(300\) and Smaller Reader \(200\)|Smaller Reader \(200\) and Small Reader \(300\)) read at once: no passage, however short, fits in them\. Choose a model with a larger context\.$/,
    );
  });

  it('keeps "a shorter passage" where the instruction fits and the passage with its answer does not', async () => {
    const h = await harness.host();
    await h.endpoint('main', [{ ...endpointModel('mid', 9, 2000), display_name: 'Mid Reader' }]);
    const quote = await h.call('runs:quote', { task: 'continuity_check', input: PASSAGE });
    const refusal = quote.body.value.decision.refusal;
    expect(refusal.message).toMatch(
      /A shorter passage, or a shorter answer than the [\d,]+ tokens now allowed, may fit in Mid Reader \(this needs about [\d,]+ tokens with its answer; it reads 2,000 at once\)\.$/,
    );
    expect(refusal.instruction_too_long).toBeUndefined();
  });
});
