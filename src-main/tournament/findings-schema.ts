// What analysis tasks answer with in a tournament: a list of findings, each anchored to a verbatim quote, so members'
// answers can be matched and a writer can check the evidence. The zod schema validates what comes back; the JSON
// Schema is what providers are asked to follow (OpenAI json_schema strict, Anthropic tool input, a local grammar).
import { z } from 'zod';

export const SEVERITIES = ['low', 'medium', 'high'] as const;
export type Severity = (typeof SEVERITIES)[number];

export const findingSchema = z.object({
  /** One sentence: what the model asserts ("Mara's eyes are green in ch. 3 but blue in ch. 12"). */
  claim: z.string().trim().min(1).max(2000),
  /** A verbatim span of the manuscript that supports the claim. */
  evidence_quote: z.string().max(4000),
  /** Where the quote sits (chapter, scene, paragraph) when the model can tell. */
  location: z
    .string()
    .max(500)
    .nullish()
    .transform((value) => (value ? value : undefined)),
  severity: z.enum(SEVERITIES).catch('medium'),
});
export interface Finding {
  claim: string;
  evidence_quote: string;
  location?: string | undefined;
  severity: Severity;
}

export const findingsAnswerSchema = z.object({ findings: z.array(findingSchema).max(200) });
export type FindingsAnswer = { findings: Finding[] };

/**
 * Strict-mode compatible (every property required, no extra ones, optional fields as nullable): OpenAI's
 * json_schema strict mode and node-llama-cpp's grammar both accept this subset.
 */
export const FINDINGS_JSON_SCHEMA = {
  type: 'object',
  properties: {
    findings: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          claim: { type: 'string' },
          evidence_quote: { type: 'string' },
          location: { type: ['string', 'null'] },
          severity: { type: 'string', enum: [...SEVERITIES] },
        },
        required: ['claim', 'evidence_quote', 'location', 'severity'],
        additionalProperties: false,
      },
    },
  },
  required: ['findings'],
  additionalProperties: false,
} as const satisfies Record<string, unknown>;

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

function* jsonCandidates(text: string): Generator<string> {
  const trimmed = text.trim();
  yield trimmed;
  const fence = /```(?:json)?\s*([\s\S]*?)```/i.exec(trimmed);
  if (fence?.[1]) yield fence[1].trim();
  const start = trimmed.indexOf('{');
  const end = trimmed.lastIndexOf('}');
  if (start >= 0 && end > start) yield trimmed.slice(start, end + 1);
}
