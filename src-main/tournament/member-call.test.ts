import { describe, expect, it } from 'vitest';
import type { GenerateRequest } from '../providers/spec';
import { answerSchema, runAnswerForm } from '../tasks/answer-schema';
import { answerJsonSchema } from '../tasks/answers';
import { boundedForLocal } from './member-call';
import { cloudSpec, localSpec } from '../../test/support/tournament-app';

describe("a member's request", () => {
  const request: GenerateRequest = {
    messages: [
      { role: 'system', content: 'Answer only with JSON.' },
      { role: 'user', content: 'Chapter 3.' },
    ],
    maxOutputTokens: 900,
    jsonSchema: answerJsonSchema('findings', [])!,
  };

  it('a cloud member gets the findings schema a single run sends, as it is', () => {
    expect(boundedForLocal(cloudSpec('gpt-a', 'openai', 9), request)).toBe(request);
  });

  it("a local member gets answer-schema's findings schema bounded to its output budget, messages unchanged", () => {
    const local = boundedForLocal(localSpec('tiny', 'tiny-fixture'), request);
    expect(local.jsonSchema).toEqual(answerSchema(runAnswerForm('findings', []), { maxOutputTokens: 900 }));
    expect(local.jsonSchema).not.toEqual(request.jsonSchema);
    expect(local.messages).toEqual(request.messages);
    // Too small a budget for one finding: the bounded schema admits only {"findings": []}.
    const tiny = boundedForLocal(localSpec('tiny', 'tiny-fixture'), { ...request, maxOutputTokens: 48 });
    expect(tiny.jsonSchema!.schema).toMatchObject({ properties: { findings: { maxItems: 0 } } });
  });

  it('prose passes through, local or not', () => {
    const prose = { ...request, jsonSchema: undefined };
    expect(boundedForLocal(localSpec('tiny', 'tiny-fixture'), prose)).toBe(prose);
  });
});
