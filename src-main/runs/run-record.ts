// A run as stored and as the API shows it: the write mapped to a RunRecord, errors to their redacted info, the stats.
import type { ErrorInfo } from '../../src-preload/contract';
import type { RunRecord, RunStats } from '../../src-preload/contract/runs';
import { isQuireError } from '../errors';
import type { RunsRepo, RunWrite } from '../store/repos/runs-repo';
import { toUsd } from '../store/money';

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
