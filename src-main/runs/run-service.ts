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
  providers: Pick<ProviderService, 'model' | 'providerOf'>;
  resilience: Pick<ProviderResilience, 'isBlocked' | 'execute'>;
  ledger: Ledger;
  repo: RunsRepo;
  recordFeedback: (feedback: { model_id: string; task: string; score: number; source: 'rating' }) => void;
  settings: Pick<SettingsService, 'get'>;
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

interface AttemptInput {
  runId: string;
  task: string;
  spec: ModelSpec;
  request: GenerateRequest;
  inputTokens: number;
  timeoutMs: number;
  cancel: AbortSignal;
  onToken?: ((text: string) => void) | undefined;
  /** A reservation the caller already holds for this call (a tournament reserves its members together). */
  held?: { id: number } | null | undefined;
}

/** One model call as a run of its own (a tournament member, a judge's bout): see {@link RunService.call}. */
export interface ModelCall {
  runId?: string;
  task: string;
  spec: ModelSpec;
  request: GenerateRequest;
  /** Held already for this call, made with the same run id; null or absent: reserved here. */
  reservation?: { id: number } | null;
  /** Why this model (stored with the run). */
  reason?: string;
  cancel?: AbortSignal;
  onToken?: (text: string) => void;
}

export interface ModelCallOutcome {
  ok: boolean;
  run_id: string;
  text: string;
  json: unknown;
  usage: Usage;
  costUsd: number;
  durationMs: number;
  error: { code: string; message: string } | null;
}

type AttemptOutcome =
  | { ok: true; attempt: RunAttempt; result: AttemptResult; costMicros: number; settle: () => number }
  | { ok: false; attempt: RunAttempt; error: unknown; costMicros: number };

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

  /**
   * Runs one given model call as a stored run — the same path as runs:start's attempts (breaker, timeouts, streaming,
   * the ledger's one rule for settling) without choosing a model or falling back. Pushes no run:* events (the caller
   * has its own) and never throws: a failure comes back as `ok: false`, charged by the same rule.
   */
  async call(c: ModelCall): Promise<ModelCallOutcome> {
    const runId = c.runId ?? this.newId();
    const controller = new AbortController();
    this.active.set(runId, controller);
    const cancel = c.cancel ? AbortSignal.any([controller.signal, c.cancel]) : controller.signal;
    const startedAt = this.monotonic();
    const base = this.baseWrite(runId, c.task, {
      task: c.task,
      input: c.request.messages,
      max_output_tokens: c.request.maxOutputTokens,
    });
    base.reason = c.reason ?? null;
    try {
      const outcome = await this.attempt({
        runId,
        task: c.task,
        spec: c.spec,
        request: c.request,
        inputTokens: estimateInputTokens(c.request.messages),
        timeoutMs: this.o.settings.get().runs.timeout_s * 1000,
        cancel,
        onToken: c.onToken,
        held: c.reservation ?? null,
      });
      base.attempts.push(outcome.attempt);
      if (outcome.ok) {
        const record = this.complete(base, startedAt, c.spec.id, outcome.result, 0, outcome.settle, false);
        return {
          ok: true,
          run_id: runId,
          text: outcome.result.text,
          json: outcome.result.json,
          usage: outcome.result.usage,
          costUsd: record.cost_usd,
          durationMs: outcome.attempt.latency_ms,
          error: null,
        };
      }
      base.cost_micros += outcome.costMicros;
      const status = cancel.aborted ? 'cancelled' : 'failed';
      const { record, info } = this.store(
        { ...base, status, model_id: c.spec.id },
        startedAt,
        outcome.error,
        null,
        false,
      );
      return {
        ok: false,
        run_id: runId,
        text: '',
        json: undefined,
        usage: { inputTokens: undefined, outputTokens: undefined },
        costUsd: record.cost_usd,
        durationMs: outcome.attempt.latency_ms,
        error: { code: info.code, message: info.message },
      };
    } finally {
      this.active.delete(runId);
    }
  }

  private baseWrite(runId: string, task: string, request: unknown): RunWrite {
    return {
      id: runId,
      task,
      status: 'failed',
      model_id: null,
      request,
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
      created_at: this.o.now().toISOString(),
      finished_at: null,
    };
  }

  private async execute(runId: string, start: RunStart, cancel: AbortSignal): Promise<RunRecord> {
    const startedAt = this.monotonic();
    const messages = messagesOf(start.input);
    const inputTokens = estimateInputTokens(messages);
    const settings = this.o.settings.get();
    const timeoutMs = settings.runs.timeout_s * 1000;
    const base = this.baseWrite(runId, start.task, {
      ...start,
      input: typeof start.input === 'string' ? start.input : messages,
    });

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
      const outcome = await this.attempt({
        runId,
        task: start.task,
        spec,
        request,
        inputTokens,
        timeoutMs,
        cancel,
        onToken:
          start.stream === true
            ? (text) => this.o.events.emit('run:token', { run_id: runId, model_id: spec.id, text })
            : undefined,
      });
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

  private async attempt(a: AttemptInput): Promise<AttemptOutcome> {
    const { runId, spec, request } = a;
    const local = spec.provider === 'local';
    const provider = local ? 'local' : this.o.providers.providerOf(spec);
    const ledgerCall = { runId, modelId: spec.id, provider, task: a.task };
    // Refused before any call: a reservation the caller holds is given back (nothing was billed).
    const refused = (error: unknown): AttemptOutcome => {
      const info = this.info(error);
      if (a.held) this.o.ledger.release(a.held.id, info.code);
      return { ok: false, attempt: skipped(spec.id, provider, info.code, info.message), error, costMicros: 0 };
    };
    if (!local && this.o.resilience.isBlocked(provider)) {
      return refused(new QuireError('circuit_open', `${provider} is paused after repeated failures`));
    }
    let model: CallableModel;
    try {
      model = this.o.providers.model(spec, a.timeoutMs);
    } catch (error) {
      return refused(error);
    }
    let reservation: { id: number } | null = a.held ?? null;
    if (!local && !reservation) {
      try {
        reservation = this.o.ledger.reserve({
          ...ledgerCall,
          worstCaseUsd: worstCaseUsd(spec, a.inputTokens, request.maxOutputTokens, { at: this.o.now() }),
        });
      } catch (error) {
        return refused(error);
      }
    }
    const price = (usage: Usage) => costUsd(spec, usage, { at: this.o.now() });
    const t0 = this.monotonic();
    let received = false;
    const onToken = (text: string) => {
      received = true;
      a.onToken?.(text);
    };
    const call = (signal: AbortSignal) =>
      this.consume(model, spec, request, AbortSignal.any([signal, a.cancel]), onToken);
    try {
      const result = local
        ? await call(a.cancel)
        : await this.o.resilience.execute(provider, a.timeoutMs, (signal) => call(signal));
      const ms = Math.round(this.monotonic() - t0);
      // Runs inside complete()'s transaction, so the charge and the run row commit together.
      const settle = (): number => {
        if (!reservation) {
          this.o.ledger.recordLocal(ledgerCall, result.usage, ms);
          return 0;
        }
        return this.micros(this.o.ledger.close(reservation.id, { usage: result.usage, price, durationMs: ms }));
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
      const info = this.info(error);
      this.o.logger.warn(`run ${runId}: ${spec.id} failed: ${info.message}`);
      let charged = 0;
      if (reservation) {
        // The one rule: a failure known to have billed nothing releases; otherwise the usage is unknown (a cut stream
        // carries no final counts) and the reservation is kept.
        charged = this.o.ledger.close(reservation.id, {
          price,
          unbilled: billingOfError(error) === 'none' && !received,
          note: `usage unknown after ${info.code}`,
          durationMs: ms,
        });
      } else {
        this.o.ledger.recordLocal(ledgerCall, { inputTokens: undefined, outputTokens: undefined }, ms);
      }
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
    model: CallableModel,
    spec: ModelSpec,
    request: GenerateRequest,
    signal: AbortSignal,
    onToken: (text: string) => void,
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
          onToken(part.text);
        } else {
          const json = request.jsonSchema && part.json !== undefined;
          return { text: json ? JSON.stringify(part.json) : text, json: part.json, usage: part.usage };
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
    emit = true,
  ): RunRecord {
    const latency = Math.round(this.monotonic() - startedAt);
    let record!: RunRecord;
    // Settling and storing the run commit together: one fsync, and never a run without its charge. Spend events
    // follow the commit.
    this.o.ledger.atomically(() => {
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
    });
    if (emit) this.o.events.emit('run:completed', record);
    return record;
  }

  private fail(base: RunWrite, startedAt: number, error: unknown, decision: Decision | null): never {
    const { info } = this.store(base, startedAt, error, decision, true);
    throw new QuireError(info.code, info.message, { retryable: info.retryable });
  }

  /** Stores a run that did not complete (failed or cancelled). */
  private store(
    base: RunWrite,
    startedAt: number,
    error: unknown,
    decision: Decision | null,
    emit: boolean,
  ): { record: RunRecord; info: ErrorInfo } {
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
    if (emit) this.o.events.emit('run:failed', { run_id: base.id, error: info, record });
    return { record, info };
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
