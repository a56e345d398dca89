import { describe, expect, it } from 'vitest';
import { estimateInputTokens } from '../../src-preload/contract/tokens';
import type { GenerateRequest } from '../providers/spec';
import { answerJsonSchema } from '../tasks/answers';
import { shippedTaskLibrary } from '../tasks/shipped-library';
import { planRun, requestFor } from '../runs/task-run';
import { boundedForLocal } from './member-call';
import { cloudSpec, localSpec } from '../../test/support/tournament-app';

const PASSAGE = 'Chapter 3. Her green eyes. Chapter 12. Her blue eyes flashed.';

describe("a member's request", () => {
  const request: GenerateRequest = {
    messages: [
      { role: 'system', content: 'Answer only with JSON.' },
      { role: 'user', content: `<manuscript>\n${PASSAGE}\n</manuscript>` },
    ],
    maxOutputTokens: 900,
    jsonSchema: answerJsonSchema('findings', [])!,
  };
  const library = shippedTaskLibrary();

  it('a cloud member gets the findings schema a single run sends, as it is', () => {
    const asked = boundedForLocal(cloudSpec('gpt-a', 'openai', 9), request, { passage: PASSAGE, lengthChosen: false });
    expect(asked).toEqual({ request, bounded: null });
    expect(asked.request).toBe(request);
  });

  it('a local member is asked as a single run of the task is: the same bounds, told in its instruction', () => {
    const spec = localSpec('tiny', 'tiny-fixture');
    for (const chosen of [undefined, 900]) {
      // A single run of the check on the same passage, asked with the member's messages.
      const plan = planRun(
        { task: 'continuity_check', input: PASSAGE, ...(chosen ? { max_output_tokens: chosen } : {}) },
        library,
        [...library.keys()],
      );
      const single = requestFor(spec, plan, request);
      const member = boundedForLocal(spec, request, { passage: PASSAGE, lengthChosen: chosen !== undefined });
      expect(member.request, `length ${chosen}`).toEqual(single);
      expect(member.bounded, `length ${chosen}`).toEqual(plan.bounded);
      expect(member.request.messages[0]!.content).toMatch(/^Answer only with JSON\.\n\nKeep your answer within/);
      expect(member.request.messages[1]).toEqual(request.messages[1]);
    }
    // The writer's length is kept; without one, the answer has the room the member's context has left.
    expect(boundedForLocal(spec, request, { passage: PASSAGE, lengthChosen: true }).request.maxOutputTokens).toBe(900);
    expect(
      boundedForLocal(spec, request, { passage: PASSAGE, lengthChosen: false }).request.maxOutputTokens,
    ).toBeGreaterThan(900);
    // A length too short for one finding is given room for one (free), as a single run's is.
    const short = { ...request, maxOutputTokens: 48 };
    const raised = boundedForLocal(spec, short, { passage: PASSAGE, lengthChosen: true });
    expect(raised.request.jsonSchema!.schema).toMatchObject({ properties: { findings: { maxItems: 1 } } });
    expect(raised.bounded?.held).toBe('raised');
    // Only a context without that room holds it to {"findings": []}, and it is told so.
    const full = { ...spec, context_window: estimateInputTokens(request.messages) + 200 };
    const tiny = boundedForLocal(full, short, { passage: PASSAGE, lengthChosen: true });
    expect(tiny.request.jsonSchema!.schema).toMatchObject({ properties: { findings: { maxItems: 0 } } });
    expect(tiny.request.messages[0]!.content).toContain('there is no room for findings here');
  });

  it('prose passes through, local or not', () => {
    const prose = { ...request, jsonSchema: undefined };
    const asked = boundedForLocal(localSpec('tiny', 'tiny-fixture'), prose, { passage: PASSAGE, lengthChosen: false });
    expect(asked.request).toBe(prose);
    expect(asked.bounded).toBeNull();
  });
});
