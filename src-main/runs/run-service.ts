// Runs one writing task: asks the orchestrator for a model, reserves its worst case, calls it (streaming under a
// per-provider breaker and timeouts), settles the ledger to the provider's own counts, and falls back along the
// decision's chain on failure. Every run is stored, failed ones included.
import { randomUUID } from 'node:crypto';
import type { DecideRequest, Decision, ErrorInfo, ModelSpec } from '../../src-preload/contract';
import type { RunAttempt, RunRecord, RunStart, RunStats, RunSummary } from '../../src-preload/contract/runs';
import type { EventBus } from '../app/event-bus';
import type { Logger } from '../app/logger';
import { CancelledError, NotFoundError, QuireError, TimeoutError, isQuireError } from '../errors';
import type { Ledger } from '../ledger/ledger';
import { costUsd, worstCaseUsd } from '../orchestrator/pricing';
import { billingOfError, markBilling } from '../providers/provider-errors';
import type { CallableModel, ProviderService } from '../providers/provider-service';
import type { ProviderResilience } from '../providers/resilience';
import type { GenerateRequest, GenerateResult, Usage } from '../providers/spec';
import type { SettingsService } from '../settings/settings-service';
import type { Db } from '../store/database';
import type { RunsRepo, RunWrite } from '../store/repos/runs-repo';
import { cacheKey, cacheable, estimateInputTokens, generateRequest, messagesOf } from './run-request';

export interface RunServiceOptions {
  db: Db;
  decide: (request: DecideRequest) => Decision;
  model: (id: string) => ModelSpec | undefined;
  allModels: () => readonly ModelSpec[];
  providers: ProviderService;
  resilience: ProviderResilience;
  ledger: Ledger;
  repo: RunsRepo;
  recordFeedback: (feedback: { model_id: string; task: string; score: number; source: 'rating' }) => void;
  settings: SettingsService;
  events: EventBus;
  /** Already redacting (the app wraps every logger). */
  logger: Logger;
  redact: (text: string) => string;
  now: () => Date;
  monotonic?: () => number;
  newId?: () => string;
  /** No first token within this long fails the attempt over to the next model (seed 004: failover within 5 s). */
  firstTokenTimeoutMs?: number;
}

interface AttemptResult {
  text: string;
  json: unknown;
  usage: Usage;
}

export class RunService {
  private readonly active = new Map<string, AbortController>();
  private readonly monotonic: () => number;
  private readonly newId: () => string;
  private readonly firstTokenTimeoutMs: number;

  constructor(private readonly o: RunServiceOptions) {
    this.monotonic = o.monotonic ?? (() => performance.now());
    this.newId = o.newId ?? (() => randomUUID());
    this.firstTokenTimeoutMs = o.firstTokenTimeoutMs ?? 4_000;
  }

  /** At start-up: runs a crash interrupted are marked failed (their reservations are the ledger's business). */
  recover(): void {
    this.o.repo.failInterrupted(this.o.now().toISOString());
  }

  get inFlight(): number {
    return this.active.size;
  }

  cancel(runId: string): boolean {
    const controller = this.active.get(runId);
    if (!controller) return false;
    controller.abort(new CancelledError());
    return true;
  }

  /** Cancels every run in flight (app shutdown). */
  cancelAll(): void {
    for (const controller of this.active.values()) controller.abort(new CancelledError());
  }

  async start(start: RunStart): Promise<RunRecord> {
    const runId = this.newId();
    const controller = new AbortController();
    this.active.set(runId, controller);
    try {
      return await this.execute(runId, start, controller.signal);
    } finally {
      this.active.delete(runId);
    }
  }

  private async execute(runId: string, start: RunStart, cancel: AbortSignal): Promise<RunRecord> {
    const startedAt = this.monotonic();
    const createdAt = this.o.now().toISOString();
    const messages = messagesOf(start.input);
    const inputTokens = estimateInputTokens(messages);
    const settings = this.o.settings.get();
    const timeoutMs = settings.runs.timeout_s * 1000;
    const base: RunWrite = {
      id: runId,
      task: start.task,
      status: 'failed',
      model_id: null,
      request: { ...start, input: typeof start.input === 'string' ? start.input : messages },
      text: null,
      json: undefined,
      reason: null,
      fallback_chain: [],
      attempts: [],
      fallbacks: [],
      input_tokens: null,
      output_tokens: null,
      cost_micros: 0,
      latency_ms: null,
      cache_hit: false,
      cache_key: null,
      error: null,
      created_at: createdAt,
      finished_at: null,
    };

    let decision: Decision;
    try {
      decision = this.o.decide({
        task: start.task,
        input_tokens: inputTokens,
        ...(start.tier ? { tier: start.tier } : {}),
        ...(start.model ? { model: start.model } : {}),
        ...(start.local_only !== undefined ? { local_only: start.local_only } : {}),
        ...(start.max_output_tokens ? { max_output_tokens: start.max_output_tokens } : {}),
        ...this.excluded(),
      });
    } catch (error) {
      return this.fail(base, startedAt, error, null);
    }
    base.reason = decision.reason;
    base.fallback_chain = decision.fallback_chain;
    if (decision.refusal || decision.model_id === null) {
      const refusal = decision.refusal ?? { code: 'unavailable' as const, message: decision.reason };
      return this.fail(base, startedAt, new QuireError(refusal.code, refusal.message), decision);
    }

    const request = generateRequest(start, messages, decision.max_output_tokens);
    const key = settings.runs.cache_enabled && cacheable(start) ? cacheKey(decision.model_id, request) : null;
    base.cache_key = key;
    this.o.events.emit('run:started', {
      run_id: runId,
      task: start.task,
      model_id: decision.model_id,
      reason: decision.reason,
      stream: start.stream === true,
    });
    if (key) {
      const hit = this.o.repo.cached(key);
      if (hit)
        return this.complete(
          { ...base, cache_hit: true },
          startedAt,
          hit.model_id,
          { text: hit.text ?? '', json: hit.json, usage: { inputTokens: 0, outputTokens: 0 } },
          0,
        );
    }

    const chain = [decision.model_id, ...decision.fallback_chain.filter((id) => id !== decision.model_id)];
    let lastError: unknown = null;
    for (const [index, modelId] of chain.entries()) {
      if (cancel.aborted) break;
      if (index > 0) base.fallbacks.push(modelId);
      const spec = this.o.model(modelId);
      if (!spec) {
        base.attempts.push(skipped(modelId, 'unknown', 'unavailable', `${modelId} is not in the registry`));
        continue;
      }
      const provider = spec.provider === 'local' ? 'local' : this.o.providers.providerOf(spec);
      const outcome = await this.attempt(runId, start, spec, provider, request, inputTokens, timeoutMs, cancel);
      base.attempts.push(outcome.attempt);
      if (outcome.ok) {
        return this.complete(base, startedAt, modelId, outcome.result, outcome.costMicros, outcome.settle);
      }
      base.cost_micros += outcome.costMicros;
      lastError = outcome.error;
      if (cancel.aborted) break;
    }
    if (cancel.aborted) return this.fail({ ...base, status: 'cancelled' }, startedAt, new CancelledError(), decision);
    return this.fail(
      base,
      startedAt,
      lastError ?? new QuireError('unavailable', 'No model could run this task'),
      decision,
    );
  }

  private async attempt(
    runId: string,
    start: RunStart,
    spec: ModelSpec,
    provider: string,
    request: GenerateRequest,
    inputTokens: number,
    timeoutMs: number,
    cancel: AbortSignal,
  ): Promise<
    | { ok: true; attempt: RunAttempt; result: AttemptResult; costMicros: number; settle: () => number }
    | { ok: false; attempt: RunAttempt; error: unknown; costMicros: number }
  > {
    const local = spec.provider === 'local';
    if (!local && this.o.resilience.isBlocked(provider)) {
      const error = new QuireError('circuit_open', `${provider} is paused after repeated failures`);
      return { ok: false, attempt: skipped(spec.id, provider, error.code, error.message), error, costMicros: 0 };
    }
    let model: CallableModel;
    try {
      model = this.o.providers.model(spec, timeoutMs);
    } catch (error) {
      const info = this.info(error);
      return { ok: false, attempt: skipped(spec.id, provider, info.code, info.message), error, costMicros: 0 };
    }
    let reservation: { id: number } | null = null;
    if (!local) {
      try {
        reservation = this.o.ledger.reserve({
          runId,
          modelId: spec.id,
          provider,
          task: start.task,
          worstCaseUsd: worstCaseUsd(spec, inputTokens, request.maxOutputTokens, { at: this.o.now() }),
        });
      } catch (error) {
        const info = this.info(error);
        return { ok: false, attempt: skipped(spec.id, provider, info.code, info.message), error, costMicros: 0 };
      }
    }
    const t0 = this.monotonic();
    const call = (signal: AbortSignal) =>
      this.consume(runId, model, spec, request, AbortSignal.any([signal, cancel]), start.stream === true);
    try {
      const result = local
        ? await call(cancel)
        : await this.o.resilience.execute(provider, timeoutMs, (signal) => call(signal));
      const ms = Math.round(this.monotonic() - t0);
      const settle = (): number => {
        if (local) {
          this.o.ledger.recordLocal({ runId, modelId: spec.id, provider, task: start.task }, result.usage, ms);
          return 0;
        }
        if (result.usage.inputTokens === undefined && result.usage.outputTokens === undefined) {
          return this.micros(this.o.ledger.keepReservation(reservation!.id, 'provider reported no usage', ms));
        }
        const cost = costUsd(spec, result.usage, { at: this.o.now() });
        return this.micros(this.o.ledger.settle(reservation!.id, cost, result.usage, ms));
      };
      return {
        ok: true,
        attempt: { model_id: spec.id, provider, outcome: 'ok', error: null, cost_usd: 0, latency_ms: ms },
        result,
        costMicros: 0,
        settle,
      };
    } catch (error) {
      const ms = Math.round(this.monotonic() - t0);
      this.o.logger.warn(`run ${runId}: ${spec.id} failed: ${error instanceof Error ? error.message : String(error)}`);
      let charged = 0;
      if (reservation) {
        if (billingOfError(error) === 'none') this.o.ledger.release(reservation.id, this.info(error).code, ms);
        else
          charged = this.o.ledger.keepReservation(reservation.id, `usage unknown after ${this.info(error).code}`, ms);
      }
      const info = this.info(error);
      return {
        ok: false,
        attempt: {
          model_id: spec.id,
          provider,
          outcome: 'failed',
          error: { code: info.code, message: info.message },
          cost_usd: charged,
          latency_ms: ms,
        },
        error,
        costMicros: this.micros(charged),
      };
    }
  }

  /** Streams when the model can (first-token timeout, tokens pushed when asked), else one generate call. */
  private async consume(
    runId: string,
    model: CallableModel,
    spec: ModelSpec,
    request: GenerateRequest,
    signal: AbortSignal,
    push: boolean,
  ): Promise<AttemptResult> {
    if (!spec.capabilities.streaming) {
      const result: GenerateResult = await model.generate(request, signal);
      return { text: result.text, json: result.json, usage: result.usage };
    }
    const firstToken = new AbortController();
    const waitMs = spec.capabilities.reasoning ? this.firstTokenTimeoutMs * 8 : this.firstTokenTimeoutMs;
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      firstToken.abort();
    }, waitMs);
    let text = '';
    try {
      for await (const part of model.stream(request, AbortSignal.any([signal, firstToken.signal]))) {
        clearTimeout(timer);
        if (part.type === 'text-delta') {
          text += part.text;
          if (push) this.o.events.emit('run:token', { run_id: runId, model_id: spec.id, text: part.text });
        } else {
          return { text: request.jsonSchema ? JSON.stringify(part.json) : text, json: part.json, usage: part.usage };
        }
      }
      throw markBilling(
        new QuireError('provider_error', `${model.provider} ended the stream without finishing`),
        'unknown',
      );
    } catch (error) {
      if (timedOut && !signal.aborted) {
        throw markBilling(new TimeoutError(`${model.provider} sent nothing within ${waitMs / 1000} s`), 'unknown');
      }
      throw error;
    } finally {
      clearTimeout(timer);
    }
  }

  private complete(
    base: RunWrite,
    startedAt: number,
    modelId: string | null,
    result: AttemptResult,
    priorMicros: number,
    settle?: () => number,
  ): RunRecord {
    const latency = Math.round(this.monotonic() - startedAt);
    let record!: RunRecord;
    // Settling and storing the run commit together: one fsync, and never a run without its charge.
    this.o.db.transaction(() => {
      const charged = settle ? settle() : 0;
      const write: RunWrite = {
        ...base,
        status: 'completed',
        model_id: modelId,
        text: result.text,
        json: result.json,
        input_tokens: result.usage.inputTokens ?? null,
        output_tokens: result.usage.outputTokens ?? null,
        cost_micros: priorMicros + base.cost_micros + charged,
        latency_ms: latency,
        finished_at: this.o.now().toISOString(),
      };
      const last = write.attempts.at(-1);
      if (last && last.outcome === 'ok') last.cost_usd = charged / 1_000_000;
      this.o.repo.save(write);
      record = toRecord(write);
    })();
    this.o.events.emit('run:completed', record);
    return record;
  }

  private fail(base: RunWrite, startedAt: number, error: unknown, decision: Decision | null): never {
    const info = this.info(error);
    const write: RunWrite = {
      ...base,
      status: base.status === 'cancelled' ? 'cancelled' : 'failed',
      reason: base.reason ?? decision?.reason ?? null,
      latency_ms: Math.round(this.monotonic() - startedAt),
      error: info,
      finished_at: this.o.now().toISOString(),
    };
    this.o.repo.save(write);
    const record = toRecord(write);
    this.o.events.emit('run:failed', { run_id: base.id, error: info, record });
    throw new QuireError(info.code, info.message, { retryable: info.retryable });
  }

  private excluded(): { exclude?: string[] } {
    const exclude = this.o
      .allModels()
      .filter((spec) => spec.provider !== 'local' && this.o.resilience.isBlocked(this.o.providers.providerOf(spec)))
      .map((spec) => spec.id);
    return exclude.length > 0 ? { exclude } : {};
  }

  private info(error: unknown): ErrorInfo {
    if (isQuireError(error)) {
      const info = error.toInfo();
      return { ...info, message: this.o.redact(info.message) };
    }
    return {
      code: 'internal',
      message: this.o.redact(error instanceof Error ? error.message : String(error)),
      retryable: false,
    };
  }

  private micros(usd: number): number {
    return Math.round(usd * 1_000_000);
  }

  get(runId: string): RunRecord {
    const record = this.o.repo.get(runId);
    if (!record) throw new NotFoundError('Run', runId);
    return record;
  }

  list(
    filter: { limit?: number | undefined; task?: string | undefined; status?: RunRecord['status'] | undefined } = {},
  ): RunSummary[] {
    return this.o.repo.list({ limit: filter.limit ?? 50, task: filter.task, status: filter.status });
  }

  /** A rating (0–10) feeds the quality estimates of the model that answered. */
  rate(runId: string, rating: number): RunRecord {
    const record = this.get(runId);
    if (!record.model_id || record.status !== 'completed') {
      throw new QuireError('conflict', 'Only a completed run with an answer can be rated');
    }
    this.o.repo.rate(runId, rating);
    this.o.recordFeedback({ model_id: record.model_id, task: record.task, score: rating, source: 'rating' });
    return this.get(runId);
  }

  stats(): RunStats {
    const s = this.o.repo.stats();
    const finished = s.completed + s.failed + s.cancelled;
    const model_usage: RunStats['model_usage'] = {};
    for (const row of this.o.repo.modelUsage()) {
      model_usage[row.model_id] = {
        runs: row.runs,
        cost_usd: row.cost_micros / 1_000_000,
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
      conflicts_detected: 0,
      cache_hits: s.cache_hits,
      cache_hit_rate: s.cacheable === 0 ? 0 : s.cache_hits / s.cacheable,
      total_cost_usd: s.cost_micros / 1_000_000,
      model_usage,
    };
  }
}

function skipped(modelId: string, provider: string, code: string, message: string): RunAttempt {
  return { model_id: modelId, provider, outcome: 'skipped', error: { code, message }, cost_usd: 0, latency_ms: 0 };
}

function toRecord(w: RunWrite): RunRecord {
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
    cost_usd: w.cost_micros / 1_000_000,
    latency_ms: w.latency_ms,
    cache_hit: w.cache_hit,
    reason: w.reason,
    fallback_chain: w.fallback_chain,
    error: w.error,
    rating: null,
    created_at: w.created_at,
    finished_at: w.finished_at,
  };
}
