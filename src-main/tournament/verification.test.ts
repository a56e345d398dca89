import { describe, expect, it } from 'vitest';
import { FINDINGS_JSON_SCHEMA, findingsAnswerSchema, parseStructured, verificationSchema } from './findings-schema';

describe('findings schema', () => {
  const answer = {
    findings: [{ claim: 'Eye colour changes', evidence_quote: 'her blue eyes', location: null, severity: 'high' }],
  };

  it('accepts what the JSON Schema asks for, null location included', () => {
    const parsed = findingsAnswerSchema.parse(answer);
    expect(parsed.findings[0]).toEqual({
      claim: 'Eye colour changes',
      evidence_quote: 'her blue eyes',
      severity: 'high',
    });
    expect(FINDINGS_JSON_SCHEMA.properties.findings.items.required).toEqual(
      Object.keys(FINDINGS_JSON_SCHEMA.properties.findings.items.properties),
    );
  });

  it('reads JSON from the provider, from a code fence, or from text around it', () => {
    expect(parseStructured(findingsAnswerSchema, answer, '')?.findings).toHaveLength(1);
    expect(
      parseStructured(findingsAnswerSchema, undefined, '```json\n' + JSON.stringify(answer) + '\n```'),
    ).toBeDefined();
    expect(parseStructured(findingsAnswerSchema, undefined, 'Here: ' + JSON.stringify(answer) + ' done')).toBeDefined();
    expect(parseStructured(findingsAnswerSchema, undefined, 'no json here')).toBeUndefined();
    expect(parseStructured(findingsAnswerSchema, undefined, '{"findings": [{"claim": ""}]}')).toBeUndefined();
  });

  it('keeps an unknown severity as medium rather than losing the finding', () => {
    const parsed = findingsAnswerSchema.parse({
      findings: [{ claim: 'x', evidence_quote: 'y', severity: 'critical' }],
    });
    expect(parsed.findings[0]!.severity).toBe('medium');
  });

  it('parses a verifier verdict', () => {
    expect(verificationSchema.parse({ verdict: 'reject', issues: ['quote not in text'] }).verdict).toBe('reject');
    expect(verificationSchema.safeParse({ verdict: 'maybe', issues: [] }).success).toBe(false);
  });
});
