// What analysis tasks answer with in a tournament: a list of findings, each anchored to a verbatim quote, so members'
// answers can be matched and a writer can check the evidence. The zod schema validates what comes back; the JSON
// Schema is what providers are asked to follow (OpenAI json_schema strict, Anthropic tool input, a local grammar).
import { z } from 'zod';
import { jsonCandidates } from '../providers/json-answer';

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

export interface LocalFindingsBounds {
  maxItems: number;
  claimMaxLength: number;
  quoteMaxLength: number;
  locationMaxLength: number;
}

const LOCAL_PREFERRED = { claim: 160, quote: 160, location: 40 };
const LOCAL_MIN_CLAIM = 24;
const LOCAL_MAX_ITEMS = 20;
/** A string character's worst case in bytes: a `\uXXXX` escape (UTF-8 itself needs at most 4). */
const WORST_BYTES_PER_CHAR = 6;
/** The grammar's stop trigger: four newlines after the JSON closes. */
const STOP_TRIGGER_BYTES = 4;
/** The grammar may pad an empty array as `[`, newline + 8 spaces, newline + 4 spaces, `]` where stringify writes `[]`. */
const EMPTY_ARRAY_SLACK = 14;

/**
 * The rule that makes a local member's findings JSON always close within its output budget. Under the grammar every
 * sampled token carries at least one byte, so a budget of N tokens always holds N bytes; the widest text the grammar
 * allows is JSON.stringify's 4-space layout (newline + indent is its largest whitespace) with every string character
 * written as a 6-byte `\uXXXX` escape. The string caps start at claim 160 / quote 160 / location 40 characters and
 * shrink in proportion until one finding fits; below a 24-character claim none fits and maxItems is 0 (a valid
 * `{"findings": []}`: the member took part and reported nothing); otherwise as many findings as fit, at most 20.
 */
export function localFindingsBounds(maxOutputTokens: number): LocalFindingsBounds {
  const envelope = worstStructureBytes(0) + EMPTY_ARRAY_SLACK + STOP_TRIGGER_BYTES;
  const perFinding = worstStructureBytes(1) - worstStructureBytes(0); // one finding's structure, separator included
  const room = maxOutputTokens - envelope;
  const preferredChars = LOCAL_PREFERRED.claim + LOCAL_PREFERRED.quote + LOCAL_PREFERRED.location;
  const scale = Math.min(1, (room - perFinding) / (WORST_BYTES_PER_CHAR * preferredChars));
  const claimMaxLength = Math.floor(LOCAL_PREFERRED.claim * scale);
  if (claimMaxLength < LOCAL_MIN_CLAIM)
    return { maxItems: 0, claimMaxLength: 0, quoteMaxLength: 0, locationMaxLength: 0 };
  const quoteMaxLength = Math.floor(LOCAL_PREFERRED.quote * scale);
  const locationMaxLength = Math.floor(LOCAL_PREFERRED.location * scale);
  const findingBytes = perFinding + WORST_BYTES_PER_CHAR * (claimMaxLength + quoteMaxLength + locationMaxLength);
  const maxItems = Math.min(LOCAL_MAX_ITEMS, Math.floor(room / findingBytes));
  return { maxItems, claimMaxLength, quoteMaxLength, locationMaxLength };
}

/** Structure bytes (empty strings, the longest severity) of an answer with `count` findings in the widest layout. */
function worstStructureBytes(count: number): number {
  const severity = SEVERITIES.reduce((a, b) => (b.length > a.length ? b : a));
  const finding = { claim: '', evidence_quote: '', location: '', severity };
  return JSON.stringify({ findings: Array.from({ length: count }, () => finding) }, null, 4).length;
}

/** The findings schema bounded for a local member's budget (cloud members get FINDINGS_JSON_SCHEMA as it is). */
export function localFindingsJsonSchema(bounds: LocalFindingsBounds): Record<string, unknown> {
  const item = FINDINGS_JSON_SCHEMA.properties.findings.items;
  return {
    ...FINDINGS_JSON_SCHEMA,
    properties: {
      findings: {
        type: 'array',
        maxItems: bounds.maxItems,
        items: {
          ...item,
          properties: {
            claim: { type: 'string', maxLength: bounds.claimMaxLength },
            evidence_quote: { type: 'string', maxLength: bounds.quoteMaxLength },
            location: {
              oneOf: [{ type: 'string', maxLength: bounds.locationMaxLength }, { type: 'null' }],
            },
            severity: item.properties.severity,
          },
        },
      },
    },
  };
}
