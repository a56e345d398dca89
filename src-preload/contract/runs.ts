// Runs: one writing task executed through the orchestrator, with its cost, fallbacks and reasons; every run is kept.
import { z } from 'zod';
import { channel, noInput } from './define';
import type { ErrorInfo } from './errors';
import type { ProviderHealth } from './providers';
import { qualityTierSchema } from './settings';
import type { AlertThreshold } from './constants';

const message = z.strictObject({
  role: z.enum(['system', 'user', 'assistant']),
  content: z.string().max(2_000_000),
});

export const runStartSchema = z.strictObject({
  task: z.string().min(1).max(100),
  /** Plain text (sent as one user message) or chat messages. */
  input: z.union([z.string().min(1).max(2_000_000), z.array(message).min(1).max(500)]),
  tier: qualityTierSchema.optional(),
  model: z.string().min(1).max(200).optional(),
  local_only: z.boolean().optional(),
  max_output_tokens: z.number().int().min(1).max(200_000).optional(),
  stream: z.boolean().optional(),
  /** Structured output. */
  json_schema: z
    .strictObject({ name: z.string().min(1).max(64), schema: z.record(z.string(), z.unknown()) })
    .optional(),
  temperature: z.number().min(0).max(2).optional(),
  seed: z.number().int().optional(),
  /** Run on one model even when the task is critical (settings.tournament) and would run as a tournament. */
  single: z.boolean().optional(),
});
export type RunStart = z.infer<typeof runStartSchema>;

export interface RunAttempt {
  model_id: string;
  provider: string;
  outcome: 'ok' | 'failed' | 'skipped';
  error: { code: string; message: string } | null;
  cost_usd: number;
  latency_ms: number;
}

/** `interrupted`: Quire stopped (a crash, a kill) while the run was in flight; its reservation still counts. */
export type RunStatus = 'running' | 'completed' | 'failed' | 'cancelled' | 'interrupted';

export interface RunRecord {
  run_id: string;
  task: string;
  status: RunStatus;
  /** The model that produced the answer (null when none did). */
  model_id: string | null;
  text: string | null;
  json: unknown;
  /** Models tried after the first, in order. */
  fallbacks: string[];
  attempts: RunAttempt[];
  input_tokens: number | null;
  output_tokens: number | null;
  cost_usd: number;
  latency_ms: number | null;
  cache_hit: boolean;
  /** The decision's reason and its chain. */
  reason: string | null;
  fallback_chain: string[];
  error: ErrorInfo | null;
  rating: number | null;
  created_at: string;
  finished_at: string | null;
}

export type RunSummary = Omit<RunRecord, 'text' | 'json' | 'attempts'>;

/**
 * runs:start's answer: the run, or for a critical task run as a tournament the run of its best member, with the
 * tournament's id so the Workbench can open the whole tournament (null for a plain run).
 */
export type RunStartResult = RunRecord & { tournament_id: string | null };

export interface RunStats {
  total_executions: number;
  completed: number;
  failed: number;
  cancelled: number;
  /** completed / finished; 0 when none. */
  success_rate: number;
  avg_latency_ms: number;
  fallbacks_triggered: number;
  /** Disagreements between models (tournaments record these; single runs have none). */
  conflicts_detected: number;
  cache_hits: number;
  /** Of cacheable runs with the cache on. */
  cache_hit_rate: number;
  total_cost_usd: number;
  model_usage: Record<string, { runs: number; cost_usd: number; input_tokens: number; output_tokens: number }>;
}

/**
 * What runs:start would do and the most it may cost, before it runs: one model (the Workbench shows
 * orchestrator:decide's quote), a tournament (every member's worst case, summed as the run reserves it), or a
 * tournament that cannot be seated, with why (runs:start then runs one model only with `single: true`).
 */
export type RunQuote =
  | { kind: 'single' }
  | {
      kind: 'tournament';
      members: { model_id: string; display_name: string; worst_case_usd: number }[];
      total_usd: number;
    }
  | { kind: 'unseated'; reason: string };

export const runsChannels = {
  'runs:start': channel<RunStartResult>()(runStartSchema, { maxBytes: 8 * 1024 * 1024 }),
  'runs:quote': channel<RunQuote>()(runStartSchema, { maxBytes: 8 * 1024 * 1024 }),
  'runs:cancel': channel<{ cancelled: boolean }>()(z.strictObject({ run_id: z.string().min(1).max(100) })),
  'runs:list': channel<{ runs: RunSummary[] }>()(
    z.union([
      noInput,
      z.strictObject({
        limit: z.number().int().min(1).max(500).optional(),
        task: z.string().min(1).max(100).optional(),
        status: z.enum(['running', 'completed', 'failed', 'cancelled', 'interrupted']).optional(),
      }),
    ]),
  ),
  'runs:get': channel<RunRecord>()(z.strictObject({ run_id: z.string().min(1).max(100) })),
  'runs:rate': channel<RunRecord>()(
    z.strictObject({ run_id: z.string().min(1).max(100), rating: z.number().int().min(0).max(10) }),
  ),
  'runs:stats': channel<RunStats>()(noInput),
};

/** Events the execution layer pushes (runs, spend, provider health). */
export interface ExecutionEvents {
  'run:started': { run_id: string; task: string; model_id: string | null; reason: string; stream: boolean };
  /** One streamed text delta. */
  'run:token': { run_id: string; model_id: string; text: string };
  'run:completed': RunRecord;
  'run:failed': { run_id: string; error: ErrorInfo; record: RunRecord };
  'spend:updated': { month: string; spent_usd: number; reserved_usd: number; budget_usd: number | null };
  'spend:alert': { month: string; threshold: AlertThreshold; spent_usd: number; budget_usd: number };
  'providers:health': { providers: ProviderHealth[] };
}
