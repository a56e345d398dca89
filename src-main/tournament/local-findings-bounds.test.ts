import { describe, expect, it } from 'vitest';
import type { GenerateRequest } from '../providers/spec';
import {
  FINDINGS_JSON_SCHEMA,
  findingsAnswerSchema,
  localFindingsBounds,
  localFindingsJsonSchema,
} from './findings-schema';
import { boundedForLocal } from './member-call';
import { cloudSpec, localSpec } from '../../test/support/tournament-app';

/**
 * The longest text the bounded grammar admits, built independently of the rule: 4-space layout, every string at its
 * cap with each character a 6-byte escape, a string location, the longest severity, the padded empty array, and the
 * four-newline stop trigger.
 */
function widestAnswerBytes(budget: number): number {
  const b = localFindingsBounds(budget);
  const text = (n: number) => '\u00e9'.repeat(n);
  const finding = {
    claim: text(b.claimMaxLength),
    evidence_quote: text(b.quoteMaxLength),
    location: text(b.locationMaxLength),
    severity: 'medium',
  };
  let json = JSON.stringify({ findings: Array.from({ length: b.maxItems }, () => finding) }, null, 4);
  json = json.replaceAll('\u00e9', '\\u00e9');
  if (b.maxItems === 0) json = json.replace('[]', '[\n        \n    ]');
  return json.length + 4;
}

describe('local findings bounds (budget → schema bounds)', () => {
  it('a small budget allows only {"findings": []}', () => {
    for (const budget of [0, 16, 48, 200, 300]) expect(localFindingsBounds(budget).maxItems).toBe(0);
  });

  it('the widest answer the bounds allow always fits the budget, one token per byte', () => {
    // Below 40 tokens even the widest `{"findings": []}` may not fit; nothing smaller can be asked of the grammar.
    let previous = 0;
    for (let budget = 40; budget <= 60_000; budget += 53) {
      const bounds = localFindingsBounds(budget);
      expect(widestAnswerBytes(budget)).toBeLessThanOrEqual(budget);
      expect(bounds.maxItems).toBeGreaterThanOrEqual(previous);
      previous = bounds.maxItems;
    }
    expect(previous).toBe(20);
  });

  it('shrinks the strings until one finding fits, then adds findings at the preferred lengths', () => {
    const tight = localFindingsBounds(800);
    expect(tight.maxItems).toBe(1);
    expect(tight.claimMaxLength).toBeGreaterThanOrEqual(24);
    expect(tight.claimMaxLength).toBeLessThan(160);
    expect(localFindingsBounds(1500)).toMatchObject({ maxItems: 1 });
    expect(localFindingsBounds(6000)).toEqual({
      maxItems: 2,
      claimMaxLength: 160,
      quoteMaxLength: 160,
      locationMaxLength: 40,
    });
  });

  it('bounds the JSON Schema and stays within what the answer schema accepts', () => {
    const schema = localFindingsJsonSchema(localFindingsBounds(6000)) as typeof FINDINGS_JSON_SCHEMA & {
      properties: { findings: { maxItems: number; items: { properties: Record<string, unknown> } } };
    };
    expect(schema.properties.findings.maxItems).toBe(2);
    expect(schema.properties.findings.items.properties.claim).toEqual({ type: 'string', maxLength: 160 });
    expect(schema.required).toEqual(['findings']);
    const longest = 'x'.repeat(160);
    const answer = {
      findings: [{ claim: longest, evidence_quote: longest, location: 'x'.repeat(40), severity: 'low' }],
    };
    expect(findingsAnswerSchema.safeParse(answer).success).toBe(true);
  });

  it('bounds local members only, and tells them the bounds', () => {
    const request: GenerateRequest = {
      messages: [
        { role: 'system', content: 'Answer only with JSON.' },
        { role: 'user', content: 'Chapter 3.' },
      ],
      maxOutputTokens: 200,
      jsonSchema: { name: 'findings', schema: FINDINGS_JSON_SCHEMA },
    };
    expect(boundedForLocal(cloudSpec('gpt-a', 'openai', 9), request)).toBe(request);
    const local = boundedForLocal(localSpec('tiny', 'tiny-fixture'), request);
    expect(local.jsonSchema!.schema).toMatchObject({ properties: { findings: { maxItems: 0 } } });
    expect(local.messages[0]!.content).toContain('Your answer must be {"findings": []}.');
    expect(local.messages[1]).toEqual(request.messages[1]);
    const prose = { ...request, jsonSchema: undefined };
    expect(boundedForLocal(localSpec('tiny', 'tiny-fixture'), prose)).toBe(prose);
  });
});
