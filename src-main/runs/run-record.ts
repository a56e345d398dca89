// A run as stored and as the API shows it: the write mapped to a RunRecord, errors to their redacted info, the stats.
import type { ErrorInfo } from '../../src-preload/contract';
import type { RunAttempt, RunRecord, RunStats } from '../../src-preload/contract/runs';
import { isQuireError } from '../errors';
import type { Usage } from '../providers/spec';
import type { RunsRepo, RunWrite } from '../store/repos/runs-repo';
import { toUsd } from '../store/money';

/**
 * One thing that happened in a run, in order: moving on along the fallback chain, a call (skipped, failed, answered),
 * a local adapter's own fallback. Made once and never changed; the run's row is derived from the list of them.
 */
export interface RunStep {
  /** Models the run moved on to here (a fallback along the chain, the smaller local model that answered). */
  readonly fallbacks: readonly string[];
  readonly attempts: readonly RunAttempt[];
  /** What this step's calls were charged, micro-dollars (the answer kept as the run's is charged as it is stored). */
  readonly costMicros: number;
  /** The writer stopped this call mid-answer: what had arrived is kept with the run (and was charged by usage). */
  readonly partial?: { readonly modelId: string; readonly text: string } | undefined;
  /** The tokens the provider reported for a call that answered but whose answer was not kept (it was charged by them). */
  readonly usage?: Usage | undefined;
}

/** The run moved on to the next model of its chain. */
export function movedOn(modelId: string): RunStep {
  return { fallbacks: [modelId], attempts: [], costMicros: 0 };
}

/** One call's attempt as a step: nothing more moved, `costMicros` what it was charged. */
export function attemptStep(attempt: RunAttempt, costMicros = 0, partial?: RunStep['partial']): RunStep {
  return { fallbacks: [], attempts: [attempt], costMicros, partial };
}

/** A local adapter's fallback is recorded like a cloud one: the failed attempt, then the model that answered. */
export function localFallbackStep(failed: RunAttempt | null, answeredBy: string): RunStep | null {
  return failed ? { fallbacks: [answeredBy], attempts: [failed], costMicros: 0 } : null;
}

/** The run's row so far: its fixed fields (`head`) and what its steps add up to (attempts, fallbacks, cost, a partial
 * answer a writer's stop kept). A new object each time; neither `head` nor a step is changed. */
export function runRow(head: Readonly<RunWrite>, steps: readonly RunStep[]): RunWrite {
  const attempts: RunAttempt[] = [...head.attempts];
  const fallbacks: string[] = [...head.fallbacks];
  let cost = head.cost_micros;
  let partial: RunStep['partial'];
  // A run no answer was kept from still shows the tokens it was charged for (a completed run's are its answer's).
  let input: number | null = null;
  let output: number | null = null;
  for (const step of steps) {
    attempts.push(...step.attempts);
    fallbacks.push(...step.fallbacks);
    cost += step.costMicros;
    if (step.partial) partial = step.partial;
    if (step.usage?.inputTokens !== undefined) input = (input ?? 0) + step.usage.inputTokens;
    if (step.usage?.outputTokens !== undefined) output = (output ?? 0) + step.usage.outputTokens;
  }
  const row: RunWrite = {
    ...head,
    attempts,
    fallbacks,
    cost_micros: cost,
    input_tokens: head.input_tokens ?? input,
    output_tokens: head.output_tokens ?? output,
  };
  return partial ? { ...row, model_id: partial.modelId, text: partial.text } : row;
}

export function toRecord(w: RunWrite): RunRecord {
  return {
    run_id: w.id,
    task: w.task,
    status: w.status,
    model_id: w.model_id,
    text: w.text,
    json: w.json ?? null,
    fallbacks: w.fallbacks,
    attempts: w.attempts,
    input_tokens: w.input_tokens,
    output_tokens: w.output_tokens,
    cost_usd: toUsd(w.cost_micros),
    latency_ms: w.latency_ms,
    cache_hit: w.cache_hit,
    reason: w.reason,
    fallback_chain: w.fallback_chain,
    error: w.error,
    rating: null,
    created_at: w.created_at,
    finished_at: w.finished_at,
    answer: w.answer,
    truncated: w.truncated,
    task_version: w.task_version,
    stop_sequence: w.stop_sequence ?? null,
    confidence: w.confidence?.value ?? null,
    confidence_ingredients: w.confidence?.ingredients ?? null,
    low_confidence_fallback: w.low_confidence_fallback === true,
  };
}

/** A thrown error as the run stores it and the caller sees it, its message redacted. */
export function errorInfo(error: unknown, redact: (text: string) => string): ErrorInfo {
  if (isQuireError(error)) {
    const info = error.toInfo();
    return { ...info, message: redact(info.message) };
  }
  return {
    code: 'internal',
    message: redact(error instanceof Error ? error.message : String(error)),
    retryable: false,
  };
}

export function runStats(repo: Pick<RunsRepo, 'stats' | 'modelUsage'>): RunStats {
  const s = repo.stats();
  const finished = s.completed + s.failed + s.cancelled;
  const model_usage: RunStats['model_usage'] = {};
  for (const row of repo.modelUsage()) {
    model_usage[row.model_id] = {
      runs: row.runs,
      cost_usd: toUsd(row.cost_micros),
      input_tokens: row.input_tokens,
      output_tokens: row.output_tokens,
    };
  }
  return {
    total_executions: s.total,
    completed: s.completed,
    failed: s.failed,
    cancelled: s.cancelled,
    success_rate: finished === 0 ? 0 : s.completed / finished,
    avg_latency_ms: s.avg_latency_ms ?? 0,
    fallbacks_triggered: s.fallbacks,
    conflicts_detected: s.conflicts,
    avg_confidence: s.avg_confidence === null ? null : Math.round(s.avg_confidence * 1e4) / 1e4,
    low_confidence_fallbacks: s.low_confidence_fallbacks,
    cache_hits: s.cache_hits,
    cache_hit_rate: s.cacheable === 0 ? 0 : s.cache_hits / s.cacheable,
    total_cost_usd: toUsd(s.cost_micros),
    model_usage,
  };
}
