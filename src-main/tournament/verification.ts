// What a tournament's verifier answers (approve or reject, with its issues), and reading a structured answer of the
// tournament's own calls (verifier, judge). Members answer in the task library's contract (tasks/answers.ts), read by
// the same code as a single run's answer.
import { z } from 'zod';
import { jsonCandidates } from '../providers/json-answer';

export const verificationSchema = z.object({
  verdict: z.enum(['approve', 'reject']),
  issues: z.array(z.string().max(2000)).max(50).catch([]),
});
export type Verification = z.output<typeof verificationSchema>;

export const VERIFICATION_JSON_SCHEMA = {
  type: 'object',
  properties: {
    verdict: { type: 'string', enum: ['approve', 'reject'] },
    issues: { type: 'array', items: { type: 'string' } },
  },
  required: ['verdict', 'issues'],
  additionalProperties: false,
} as const satisfies Record<string, unknown>;

/**
 * Reads a structured answer: the provider's parsed JSON when it gave one, else the text (models without structured
 * output sometimes wrap JSON in a code fence or a sentence). Returns undefined when nothing valid is found.
 */
export function parseStructured<S extends z.ZodType>(schema: S, json: unknown, text: string): z.output<S> | undefined {
  if (json !== undefined) {
    const direct = schema.safeParse(json);
    if (direct.success) return direct.data;
  }
  for (const candidate of jsonCandidates(text)) {
    let value: unknown;
    try {
      value = JSON.parse(candidate);
    } catch {
      continue;
    }
    const parsed = schema.safeParse(value);
    if (parsed.success) return parsed.data;
  }
  return undefined;
}
