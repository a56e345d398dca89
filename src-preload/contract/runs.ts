// Runs: one writing task executed through the orchestrator, with its cost, fallbacks and reasons; every run is kept.
import { z } from 'zod';
import { channel, noInput } from './define';
import type { ErrorInfo } from './errors';
import type { Decision } from './orchestrator';
import type { ProviderHealth } from './providers';
import { qualityTierSchema } from './settings';
import type { AlertThreshold } from './constants';
import { REASONING_EFFORTS, type RunAnswer } from './tasks';
import type { ConfidenceIngredients, TournamentQuote } from './tournaments';
import { MAX_IMAGES_TOTAL_BYTES, runImagesSchema } from './images';
import { MAX_TEXT_CHARS, manuscriptRefSchema } from './manuscripts';

/** The longest writer's request to a task (characters). */
export const MAX_REQUEST_CHARS = 20_000;
/** The longest stop sequence (characters). */
export const MAX_STOP_CHARS = 200;

const message = z.strictObject({
  role: z.enum(['system', 'user', 'assistant']),
  content: z.string().max(MAX_TEXT_CHARS),
});

/** JSON nesting an answer schema may have (a schema level is two: `{"properties": {"a": …}}`); providers allow less. */
export const MAX_SCHEMA_DEPTH = 64;

/** How deep `value` nests, counted without recursion (a schema nested thousands deep must not overflow the stack). */
export function jsonDepth(value: unknown, stopAt = Infinity): number {
  let deepest = 0;
  const pending: [unknown, number][] = [[value, 1]];
  while (pending.length > 0) {
    const [current, depth] = pending.pop()!;
    if (current === null || typeof current !== 'object') continue;
    deepest = Math.max(deepest, depth);
    if (deepest > stopAt) return deepest;
    for (const child of Object.values(current)) pending.push([child, depth + 1]);
  }
  return deepest;
}

export const runStartSchema = z.strictObject({
  /**
   * The caller's id for this run (a UUID): it becomes the run's id, so the caller can follow its events and cancel it
   * before the answer arrives; a repeat with the same id returns that run instead of starting another.
   */
  run_id: z.uuid().optional(),
  task: z.string().min(1).max(100),
  /**
   * The passage (framed by the task's instruction and answered in the task's form), or chat messages sent as they
   * are (a caller's own conversation: no task instruction, no structured answer unless json_schema asks for one).
   */
  input: z.union([z.string().min(1).max(MAX_TEXT_CHARS), z.array(message).min(1).max(500)]),
  /** The writer's own words for a task run on a passage: a question, an outline, what to focus on. */
  request: z.string().min(1).max(MAX_REQUEST_CHARS).optional(),
  /**
   * Images sent with the passage (or the last user message): only models that can see images are considered; a run
   * with images is always one model, never a tournament. The run record keeps their size and SHA-256, not the bytes.
   */
  images: runImagesSchema.optional(),
  tier: qualityTierSchema.optional(),
  model: z.string().min(1).max(200).optional(),
  local_only: z.boolean().optional(),
  max_output_tokens: z.number().int().min(1).max(200_000).optional(),
  stream: z.boolean().optional(),
  /** Structured output. */
  json_schema: z
    .strictObject({
      name: z.string().min(1).max(64),
      schema: z
        .record(z.string(), z.unknown())
        .refine((schema) => jsonDepth(schema, MAX_SCHEMA_DEPTH) <= MAX_SCHEMA_DEPTH, {
          message: `The answer schema nests more than ${MAX_SCHEMA_DEPTH} levels deep; Quire takes up to ${MAX_SCHEMA_DEPTH}.`,
        }),
      /**
       * Held to the schema exactly (OpenAI's strict mode, which takes only a schema written for it: every object closed,
       * every property required). Absent: not strict, as OpenAI's own default; the answer is still checked against it.
       */
      strict: z.boolean().optional(),
    })
    .optional(),
  temperature: z.number().min(0).max(2).optional(),
  seed: z.number().int().optional(),
  /**
   * How hard a reasoning model thinks (OpenAI's `reasoning_effort`), sent where the model thinks and its provider takes
   * it. On a library task's passage it replaces the task's own effort (and the room to think Quire adds for it); on a
   * caller's own messages it goes within the answer's allowance, which counts the thinking (as OpenAI's
   * max_completion_tokens does).
   */
  reasoning_effort: z.enum(REASONING_EFFORTS).optional(),
  /**
   * Nucleus and top-k sampling and OpenAI's repetition penalties: each sent where the model's provider takes it (top_k
   * where OpenAI's API has none, the penalties where Anthropic's has none: not sent).
   */
  top_p: z.number().min(0).max(1).optional(),
  top_k: z.number().int().min(1).optional(),
  frequency_penalty: z.number().min(-2).max(2).optional(),
  presence_penalty: z.number().min(-2).max(2).optional(),
  /** Where the answer ends: the model stops before the first of these it would write (none of it is in the answer). */
  stop: z.array(z.string().min(1).max(MAX_STOP_CHARS)).min(1).max(4).optional(),
  /** Run on one model even when the task is critical (settings.tournament) and would run as a tournament. */
  single: z.boolean().optional(),
  /**
   * The kept manuscript (manuscripts:*) the passage is, or is taken from, and where the passage starts in its text:
   * kept with the run, so the run reopened later (a new window, another text on screen) can open it again and show
   * each quote in it.
   */
  manuscript: manuscriptRefSchema.optional(),
});
export type RunStart = z.infer<typeof runStartSchema>;

export interface RunAttempt {
  model_id: string;
  provider: string;
  outcome: 'ok' | 'failed' | 'skipped';
  error: { code: string; message: string } | null;
  cost_usd: number;
  latency_ms: number;
  /** A streamed answer: ms from the call (a local model: from its generation start) to the first token. */
  first_token_ms?: number;
  /** The input tokens estimated for the call (what its first-token deadline was sized for). */
  input_tokens?: number;
  /**
   * The provider reported no usage and may have billed the call (a stop after it had the request, a cut stream): it
   * was charged the most it could have cost, its reservation.
   */
  charged_most?: true;
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
  /**
   * Why a run did not complete; on a completed run, what to know about its answer (the provider's content filter cut
   * it off partway: its text is what came before).
   */
  error: ErrorInfo | null;
  rating: number | null;
  created_at: string;
  finished_at: string | null;
  /** The task's structured answer, its quotes located in the passage (null for chat-message runs and failures). */
  answer: RunAnswer | null;
  /** The answer stopped at its length limit (max output tokens): it may be incomplete. */
  truncated: boolean;
  /**
   * The stop sequence (runs:start `stop`) the answer ended at, where the model said which (Anthropic, a local model, an
   * OpenAI-compatible server that reports it; OpenAI's own API does not). Null for an answer that ended otherwise.
   */
  stop_sequence?: string | null;
  /** The task definition's version the run was asked with (null for chat-message runs). */
  task_version: number | null;
  /** How far the answer can be trusted, 0–1 (null until completed), with what it was made of. */
  confidence?: number | null;
  confidence_ingredients?: ConfidenceIngredients | null;
  /**
   * The answer came from a model below the minimum quality that the writer did not choose, because better ones
   * failed or were unavailable: shown as a low-confidence fallback, never as a plain "Completed".
   */
  low_confidence_fallback?: boolean;
  /**
   * The name the answering model was known by, when the writer added it (an endpoint's model, an imported GGUF) and
   * has removed it since: a run outlives its model. Null when none is kept; the registry's name wins while it has one.
   */
  model_name?: string | null;
  /** The app (its gateway token's name) that sent this run through the gateway; null for the writer's own runs. */
  client?: string | null;
  /**
   * The writer's own words the run was started with (runs:start `request`), as they wrote them; null for none. Only
   * in a run's record (runs:get), not the history's rows: a request may be long.
   */
  request?: string | null;
  /**
   * The kept manuscript the run was given (runs:start `manuscript`), with its title now: null once the writer removed
   * it from Quire. Null for a pasted passage. Only in a run's record (runs:get), as `request` is.
   */
  manuscript?: { id: string; title: string | null; offset: number } | null;
  /**
   * A run in parts that ended before its last part (stopped, cut off by a crash or a quit, or failed): how many of its
   * parts are done and kept. runs:resume goes on after them, on the text it was started with. Absent otherwise.
   */
  resume?: { parts_done: number; parts: number };
  /**
   * A run still streaming its answer (runs:start `stream`, or an app's streaming gateway call), in runs:get: the words
   * its model has written so far, so a window that reloads mid-run, or opens it from the History, shows them. The
   * run:token pieces after them say where they start (`at`).
   */
  live?: { model_id: string; text: string };
}

export type RunSummary = Omit<
  RunRecord,
  'text' | 'json' | 'attempts' | 'answer' | 'request' | 'manuscript' | 'live'
> & {
  /** The start of the writer's request ({@link requestPreview}), so a row can be told from another; null for none. */
  request_preview?: string | null;
  /**
   * A run that did not complete but kept the words that had arrived (a draft cut off mid-answer, an answer stopped
   * part-way, one Quire could not read): reopening it shows them.
   */
  words_kept?: boolean;
};

/** Characters of the writer's request a history row shows. */
export const REQUEST_PREVIEW_CHARS = 120;

/** The start of a request for a history row, "…" where it goes on; null for none. */
export function requestPreview(request: string | null | undefined): string | null {
  if (!request) return null;
  return request.length > REQUEST_PREVIEW_CHARS ? `${request.slice(0, REQUEST_PREVIEW_CHARS).trimEnd()}…` : request;
}

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
  /** Contradicted findings: members of a tournament asserting opposite sides (single runs have none). */
  conflicts_detected: number;
  /** Mean confidence of completed runs (null when none carries one). */
  avg_confidence?: number | null;
  /** Completed runs answered by a low-confidence fallback. */
  low_confidence_fallbacks?: number;
  cache_hits: number;
  /** Of cacheable runs with the cache on. */
  cache_hit_rate: number;
  total_cost_usd: number;
  model_usage: Record<string, { runs: number; cost_usd: number; input_tokens: number; output_tokens: number }>;
}

/** One model answers (RunQuote). */
export type SingleRunQuote = {
  /**
   * One model answers: `at_most_usd` is the most the run may spend (0 when nothing can run it: the decision says
   * why), its call and, when `retry` (Quire reads the answer in a form), one retry of an answer it cannot read.
   * A fallback after a failure is made only within it.
   */
  kind: 'single';
  at_most_usd: number;
  retry: boolean;
  /**
   * The model whose worst case `at_most_usd` is: the decision's own, or a dearer fallback the run may need (the
   * Workbench names it, since the figure is then far above what the chosen model costs). Null when none is priced.
   */
  set_by: string | null;
  /**
   * The decision the run itself makes — a refusal when nothing can run it: its tokens count what is really sent —
   * the task's instruction and the writer's request with the passage — and its answer length is the run's. The
   * Workbench shows it before Run in place of its own orchestrator:decide, which sees only the passage.
   */
  decision: Decision;
};

/** A passage longer than the model reads at once runs in parts (RunQuote). */
export type JobRunQuote = {
  /**
   * The passage is longer than the chosen model can read at once: it runs as one run in `parts` parts (each its
   * own reserved call with the task's instruction and the story so far), findings merged. The bounds cover every
   * part, worst case: a full story so far in, the longest answer out.
   */
  kind: 'job';
  model_id: string;
  display_name: string;
  parts: number;
  input_tokens_max: number;
  output_tokens_max: number;
  total_usd: number;
  /** Why it is split, with the numbers. */
  reason: string;
};

/**
 * What runs:start would do and the most it may cost, before it runs: one model (the Workbench shows
 * orchestrator:decide's quote), a tournament (every member's worst case, summed as the run reserves it), or a
 * tournament that cannot be seated, with why (runs:start then runs one model only with `single: true`).
 */
export type RunQuote =
  | SingleRunQuote
  | Extract<TournamentQuote, { kind: 'tournament' }>
  | (Extract<TournamentQuote, { kind: 'unseated' }> & {
      /** What Run does on one model instead, once the writer agrees (`single: true`): the most that may cost. */
      instead?: SingleRunQuote | JobRunQuote;
    })
  | JobRunQuote;

/** A passage or conversation (8 MB) and its images, in base64 (4/3 of their bytes). */
export const RUN_START_MAX_BYTES = 8 * 1024 * 1024 + Math.ceil((MAX_IMAGES_TOTAL_BYTES * 4) / 3) + 64 * 1024;

export const runsChannels = {
  'runs:start': channel<RunStartResult>()(runStartSchema, { maxBytes: RUN_START_MAX_BYTES }),
  'runs:quote': channel<RunQuote>()(runStartSchema, { maxBytes: RUN_START_MAX_BYTES }),
  'runs:cancel': channel<{ cancelled: boolean }>()(z.strictObject({ run_id: z.string().min(1).max(100) })),
  /**
   * Goes on with a run in parts that ended before its last part (its record's `resume`), from the request it was
   * started with: the parts done are not run (or paid for) again. After a crash too.
   */
  'runs:resume': channel<RunStartResult>()(z.strictObject({ run_id: z.string().min(1).max(100) })),
  'runs:list': channel<{ runs: RunSummary[] }>()(
    z.union([
      noInput,
      z.strictObject({
        limit: z.number().int().min(1).max(500).optional(),
        task: z.string().min(1).max(100).optional(),
        status: z.enum(['running', 'completed', 'failed', 'cancelled', 'interrupted']).optional(),
        /**
         * false leaves out the calls of tournaments (each member, verifier and judge is a run of its own): the
         * history a writer reads has each tournament once, from tournaments:list. Absent: every run is listed.
         */
        tournament_calls: z.boolean().optional(),
        /** The next page: the runs listed after this one (older, or as old and stored before it). */
        before: z.string().min(1).max(100).optional(),
      }),
    ]),
  ),
  'runs:get': channel<RunRecord>()(z.strictObject({ run_id: z.string().min(1).max(100) })),
  /**
   * The run's record once it has ended: a run in flight (one call, or a run in parts) is waited for, any other is
   * answered at once. A window that reloaded while its run went on follows it again with this, never starting one.
   */
  'runs:wait': channel<RunRecord>()(z.strictObject({ run_id: z.string().min(1).max(100) })),
  'runs:rate': channel<RunRecord>()(
    z.strictObject({ run_id: z.string().min(1).max(100), rating: z.number().int().min(0).max(10) }),
  ),
  'runs:stats': channel<RunStats>()(noInput),
  /**
   * A run's answer as a Markdown report (findings with their quotes and locations, edits, summaries). `rejected_edits`:
   * the edits the writer rejected, by their place in the answer, the rest accepted; without it the edits are proposed.
   */
  'runs:export': channel<{ markdown: string; filename: string }>()(
    z.strictObject({
      run_id: z.string().min(1).max(100),
      rejected_edits: z.array(z.number().int().min(0)).max(10_000).optional(),
    }),
  ),
  /**
   * A line edit's "Copy the edited text": the passage that run was given, as it was sent, with its edits applied but
   * for `rejected_edits` (by their place in the answer) and any that cannot be; `edits`, how many were applied. Not the
   * text on the Workbench now, which may be another passage.
   */
  'runs:edited_text': channel<{ text: string; edits: number }>()(
    z.strictObject({
      run_id: z.string().min(1).max(100),
      rejected_edits: z.array(z.number().int().min(0)).max(10_000).optional(),
    }),
  ),
};

/** Events the execution layer pushes (runs, spend, provider health). */
export interface ExecutionEvents {
  'run:started': { run_id: string; task: string; model_id: string | null; reason: string; stream: boolean };
  /**
   * Where a run stands before its answer starts: a local run waiting for its model hears its place in line
   * (`queue_position` 1 = next); null once the model is generating for it.
   */
  'run:progress': { run_id: string; model_id: string; queue_position: number | null };
  /**
   * A run split into parts (its passage longer than the model's context): part `part` of `of` has started or
   * finished. The run's id is the caller's; each part is also a stored call of its own (`part_run_id`).
   */
  'run:part': {
    run_id: string;
    part: number;
    of: number;
    phase: 'started' | 'finished';
    model_id: string;
    part_run_id: string;
  };
  /** One streamed text delta, and where it starts in its model's answer (a fallback's answer starts again at 0). */
  'run:token': { run_id: string; model_id: string; text: string; at: number };
  'run:completed': RunRecord;
  'run:failed': { run_id: string; error: ErrorInfo; record: RunRecord };
  'spend:updated': { month: string; spent_usd: number; reserved_usd: number; budget_usd: number | null };
  'spend:alert': { month: string; threshold: AlertThreshold; spent_usd: number; budget_usd: number };
  /** A provider charged more than Quire held for the call (its own token counts): charged in full and counted. */
  'spend:overrun': {
    month: string;
    ledger_id: number;
    run_id: string | null;
    model_id: string;
    reserved_usd: number;
    charged_usd: number;
    overrun_usd: number;
    budget_usd: number | null;
  };
  'providers:health': { providers: ProviderHealth[] };
}
