// The same quote in the same passage is placed at the same chapter and paragraph whether the passage runs whole (a
// model with a large context) or in parts (a small one), over the real HTTP host and the openai SDK against the
// loopback fake: both number the passage as the library does, scene breaks not counted as paragraphs.
import { describe, expect, it } from 'vitest';
import type { LocatedFinding } from '../../src-preload/contract/tasks';
import { continuityResponder } from '../../test/fixtures/continuity-fake';
import { BROWN_EYES, GREEN_EYES, contradictionManuscript } from '../../test/fixtures/manuscript';
import { endpointModel, useExecutionHarness } from '../../test/support/execution-harness';

const h = useExecutionHarness();
/** The planted contradiction (green eyes in 2:3, brown in 9:5) with a scene break just before the green eyes. */
const text = contradictionManuscript().replace(`\n\n${GREEN_EYES}`, `\n\n* * *\n\n${GREEN_EYES}`);

describe('one numbering for single runs and runs in parts', () => {
  it('places the planted contradiction at the same chapter and paragraph both ways', async () => {
    const host = await h.host();
    await host.endpoint('ep', [endpointModel('small', 9, 8192), endpointModel('big', 9, 200_000)]);
    h.server().script('small', { respond: continuityResponder(), inputTokens: 3000, outputTokens: 200 });
    const evidence = [GREEN_EYES, BROWN_EYES].map((quote) => ({ quote, location: null }));
    h.server().script('big', {
      json: { findings: [{ claim: "Mara's eye colour changes", evidence, severity: 'high', suggestion: null }] },
      inputTokens: 3000,
      outputTokens: 200,
    });
    const run = async (model: string) =>
      (await host.call('runs:start', { task: 'continuity_check', input: text, model })).body.value as {
        answer: { findings: LocatedFinding[] };
      };
    const parts = await run('ep/small');
    const whole = await run('ep/big');
    expect(h.server().requests.filter((r) => r.model === 'big')).toHaveLength(1);
    expect(h.server().requests.filter((r) => r.model === 'small').length).toBeGreaterThan(1);
    const at = (r: { answer: { findings: LocatedFinding[] } }) =>
      r.answer.findings[0]!.evidence.map((e) => [e.location?.chapter, e.location?.paragraph]);
    expect(at(parts)).toEqual([
      [2, 3],
      [9, 5],
    ]);
    expect(at(whole)).toEqual(at(parts));
  });
});
