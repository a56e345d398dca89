import { describe, expect, it } from 'vitest';
import { parseStructured, verificationSchema } from './verification';

describe("a verifier's answer", () => {
  const answer = { verdict: 'reject', issues: ['quote not in text'] };

  it('reads JSON from the provider, from a code fence, or from text around it', () => {
    expect(parseStructured(verificationSchema, answer, '')?.verdict).toBe('reject');
    expect(
      parseStructured(verificationSchema, undefined, '```json\n' + JSON.stringify(answer) + '\n```'),
    ).toBeDefined();
    expect(parseStructured(verificationSchema, undefined, 'Here: ' + JSON.stringify(answer) + ' done')).toBeDefined();
    expect(parseStructured(verificationSchema, undefined, 'no json here')).toBeUndefined();
  });

  it('parses a verifier verdict', () => {
    expect(verificationSchema.parse(answer).verdict).toBe('reject');
    expect(verificationSchema.safeParse({ verdict: 'maybe', issues: [] }).success).toBe(false);
  });
});
