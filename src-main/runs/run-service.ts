// Runs one writing task: asks the orchestrator for a model, reserves its worst case, calls it (streaming under a
// per-provider breaker and timeouts), settles the ledger to the provider's own counts, and falls back along the
// decision's chain on failure. Every run is stored, failed ones included: as `running` from its first reservation
// (same transaction), so a crash leaves an `interrupted` run rather than only an orphaned charge.
import { randomUUID } from 'node:crypto';
import type { Decision, ErrorInfo, ModelSpec } from '../../src-preload/contract';
import type { RunRecord, RunStart, RunStats, RunSummary } from '../../src-preload/contract/runs';
import { CancelledError, InvalidInputError, NotFoundError, QuireError } from '../errors';
import type { ChatMessage, GenerateRequest, Usage } from '../providers/spec';
import type { RunWrite } from '../store/repos/runs-repo';
import { StreamRedactor } from '../keys/stream-redactor';
import { isDeadEnd } from '../providers/dead-end-fetch';
import { FirstTokenDeadlines, realTimer } from './first-token-deadline';
import { ModelAttempts, skipped, type AttemptOutcome } from './model-attempt';
import { assessRun } from './run-assessment';
import { attemptStep, errorInfo, localFallbackStep, movedOn, runRow, runStats, type RunStep } from './run-record';
import { cacheKey, cacheable, estimateInputTokens } from './run-request';
import { RunBound } from './run-bound';
import {
  answerIsRead,
  planRun,
  readStructured,
  schemaTokens,
  repairRequest,
  requestFor,
  storedImages,
  unreadableAnswerError,
  type RunPlan,
} from './task-run';
import type { RunServiceOptions } from './run-service-options';
import { RunWriter } from './run-writer';
import { toMicros } from '../store/money';

/** Stored runs read at start-up to seed each model's first-token pace. */
const DEADLINE_SEED_RUNS = 200;

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
  /** The caller's bound on this call's worst case (a repair within its share of a quote): see ModelAttempts. */
  admit?: ((worstCaseUsd: number) => Error | null) | undefined;
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

/** What a caller outside runs:start adds to a run (the gateway): the run's id up front, its tokens, a cancel. */
export interface StartOptions {
  runId?: string;
  /** Every streamed piece of text, in order, with the model sending it (also without run:token events). */
  onToken?: (text: string, modelId: string) => void;
  cancel?: AbortSignal;
  /**
   * Written in the transaction that first stores the run (its reservation, or its end when it never reaches a model):
   * the gateway's link from the run to its app, without a commit of its own. Not written when nothing is stored (a
   * request that is not a run at all).
   */
  firstRow?: () => void;
}

export class RunService {
  private readonly active = new Map<string, AbortController>();
  /** runs:start calls in flight by run id: a repeat with the same caller-chosen id joins the first. */
  private readonly pending = new Map<string, Promise<RunRecord>>();
  private readonly monotonic: () => number;
  private readonly newId: () => string;
  private readonly attempts: ModelAttempts;
  private readonly writer: RunWriter;

  constructor(private readonly o: RunServiceOptions) {
    this.monotonic = o.monotonic ?? (() => performance.now());
    this.newId = o.newId ?? (() => randomUUID());
    this.writer = new RunWriter({ ...o, monotonic: this.monotonic, info: (error) => this.info(error) });
    this.attempts = new ModelAttempts({
      ...o,
      monotonic: this.monotonic,
      deadlines: this.learnedDeadlines(),
      timer: o.timer ?? realTimer,
      info: (error) => this.info(error),
      countInput: o.tokens
        ? async (spec, request) =>
            (
              await o.tokens!.count(spec, {
                messages: request.messages,
                jsonSchema: request.jsonSchema,
                images: request.images,
              })
            ).tokens
        : undefined,
    });
  }

  /** First-token deadlines, seeded with the times to first token of the latest stored runs. */
  private learnedDeadlines(): FirstTokenDeadlines {
    const floor = this.o.firstTokenTimeoutMs;
    const deadlines = new FirstTokenDeadlines(() => floor ?? this.o.settings.get().runs.first_token_floor_s * 1000);
    const recent = this.o.repo.recentAttempts(DEADLINE_SEED_RUNS).reverse();
    for (const attempts of recent)
      for (const a of attempts)
        if (a.outcome === 'ok' && a.first_token_ms !== undefined && a.input_tokens !== undefined)
          deadlines.observe({
            modelId: a.model_id,
            inputTokens: a.input_tokens,
            firstTokenMs: a.first_token_ms,
            local: a.provider === 'local',
          });
    return deadlines;
  }

  /** At start-up: runs a crash left `running` are marked interrupted (their reservations stay counted as orphans). */
  recover(): number {
    return this.o.repo.markInterrupted(this.o.now().toISOString());
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

  /**
   * Starts a run under the caller's id (or a new one, made before any model is called). The same id again returns
   * that run — the one in flight, or the stored record — rather than starting another.
   */
  start(start: RunStart, options: StartOptions = {}): Promise<RunRecord> {
    const callerId = options.runId ?? start.run_id;
    if (callerId) {
      const inFlight = this.pending.get(callerId);
      if (inFlight) return inFlight;
      const stored = this.o.repo.get(callerId);
      if (stored) {
        if (stored.task !== start.task) {
          return Promise.reject(new QuireError('conflict', `Run ${callerId} is already a ${stored.task} run`));
        }
        return Promise.resolve(stored);
      }
    }
    const runId = callerId ?? this.newId();
    const controller = new AbortController();
    this.active.set(runId, controller);
    const cancel = options.cancel ? AbortSignal.any([controller.signal, options.cancel]) : controller.signal;
    const unlink = options.firstRow ? this.o.repo.withFirstRow(runId, options.firstRow) : undefined;
    const running = (async () => {
      try {
        return await this.execute(runId, start, cancel, options.onToken);
      } finally {
        unlink?.();
        this.active.delete(runId);
        this.pending.delete(runId);
      }
    })();
    this.pending.set(runId, running);
    return running;
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
    const head: RunWrite = {
      ...this.writer.baseWrite(runId, c.task, {
        task: c.task,
        input: c.request.messages,
        max_output_tokens: c.request.maxOutputTokens,
      }),
      reason: c.reason ?? null,
    };
    const stream = new StreamRedactor(this.o.redact);
    const show = (text: string) => {
      if (text !== '') c.onToken?.(text);
    };
    try {
      const outcome = await this.attempts.attempt({
        runId,
        task: c.task,
        spec: c.spec,
        request: c.request,
        inputTokens: estimateInputTokens(c.request.messages),
        timeoutMs: this.o.settings.get().runs.timeout_s * 1000,
        cancel,
        onToken: c.onToken ? (text) => show(stream.push(text)) : undefined,
        held: c.reservation ?? null,
        running: head,
        admit: c.admit,
      });
      if (c.onToken) show(stream.flush());
      if (outcome.ok) {
        const steps = answeredSteps(outcome);
        const assessed = this.assess(null, c.task, outcome.attempt.model_id, outcome.result.json, c.request.messages);
        const record = await this.writer.complete(
          { ...runRow(head, steps), ...assessed },
          startedAt,
          outcome.attempt.model_id,
          outcome.result,
          outcome,
          false,
        );
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
      const status = cancel.aborted ? 'cancelled' : 'failed';
      const { record, info } = await this.writer.store(
        { ...runRow(head, [attemptStep(outcome.attempt, outcome.costMicros)]), status, model_id: c.spec.id },
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

  private async execute(
    runId: string,
    start: RunStart,
    cancel: AbortSignal,
    onToken?: (text: string, modelId: string) => void,
  ): Promise<RunRecord> {
    const startedAt = this.monotonic();
    const plan: RunPlan = planRun(start, this.o.library, this.o.taskIds ?? []);
    const messages = plan.messages;
    const inputTokens = estimateInputTokens(messages);
    const settings = this.o.settings.get();
    const timeoutMs = settings.runs.timeout_s * 1000;
    const blank: RunWrite = {
      ...this.writer.baseWrite(runId, start.task, {
        ...start,
        input: typeof start.input === 'string' ? start.input : messages,
        ...(start.images ? { images: storedImages(plan.images) } : {}),
      }),
      task_version: plan.definition?.version ?? null,
    };

    let decision: Decision;
    try {
      decision = this.decideFor(start, plan, inputTokens);
    } catch (error) {
      // A task that does not exist is a bad request, not a run: nothing is stored.
      if (error instanceof InvalidInputError && error.path === 'task') throw error;
      return await this.fail(blank, startedAt, error, null);
    }
    const decided: RunWrite = { ...blank, reason: decision.reason, fallback_chain: decision.fallback_chain };
    if (decision.refusal || decision.model_id === null) {
      const refusal = decision.refusal ?? { code: 'unavailable' as const, message: decision.reason };
      return await this.fail(decided, startedAt, new QuireError(refusal.code, refusal.message), decision);
    }

    const request: GenerateRequest = {
      messages,
      maxOutputTokens: decision.max_output_tokens,
      ...(plan.temperature !== undefined ? { temperature: plan.temperature } : {}),
      ...(start.seed !== undefined ? { seed: start.seed } : {}),
      ...(plan.jsonSchema ? { jsonSchema: plan.jsonSchema } : {}),
      ...(plan.images.length > 0 ? { images: plan.images } : {}),
    };
    const key =
      settings.runs.cache_enabled && cacheable({ temperature: plan.temperature })
        ? cacheKey(decision.model_id, request)
        : null;
    const head: RunWrite = { ...decided, cache_key: key };
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
        return await this.writer.complete(
          {
            ...head,
            cache_hit: true,
            answer: hit.answer,
            truncated: hit.truncated,
            ...this.assess(decision, start.task, hit.model_id ?? decision.model_id, hit.json, messages),
          },
          startedAt,
          hit.model_id,
          { text: hit.text ?? '', json: hit.json, usage: { inputTokens: 0, outputTokens: 0 }, warnings: [] },
        );
    }

    // What the quote said at most to: the retry and every fallback are held to it. Worked out when a further call is
    // due, so a run whose first call answers spends no time on it.
    let bounded: Promise<RunBound | null> | undefined;
    const bound = () => (bounded ??= this.boundOf(plan, decision));
    // The fallback chain as a loop: each model's calls append what they came to (never changed afterwards), and the
    // run's row at any point — running, failed, completed — is derived from that list.
    const chain = [decision.model_id, ...decision.fallback_chain.filter((id) => id !== decision.model_id)];
    const steps: RunStep[] = [];
    const row = () => runRow(head, steps);
    const charged = () => steps.reduce((sum, step) => sum + step.costMicros, 0);
    let lastError: unknown = null;
    let lastFailed = '';
    const deadEnds = new Set<string>();
    for (const [index, modelId] of chain.entries()) {
      if (cancel.aborted) break;
      if (index > 0) steps.push(movedOn(modelId));
      const spec = this.o.model(modelId);
      if (!spec) {
        steps.push(attemptStep(skipped(modelId, 'unknown', 'unavailable', `${modelId} is not in the registry`)));
        continue;
      }
      const deadEnd = this.skipDeadEnd(spec, deadEnds);
      if (deadEnd) {
        steps.push(attemptStep(deadEnd));
        continue;
      }
      // Streamed text is masked a word at a time, so a key a model echoes split across tokens is still caught.
      const streaming = start.stream === true || onToken !== undefined;
      const show = (text: string) => {
        if (text === '') return;
        if (start.stream === true) this.o.events.emit('run:token', { run_id: runId, model_id: spec.id, text });
        onToken?.(text, spec.id);
      };
      const attempt = async (r: GenerateRequest, admit?: (worstCaseUsd: number) => Error | null) => {
        const stream = new StreamRedactor(this.o.redact);
        const outcome = await this.attempts.attempt({
          runId,
          task: start.task,
          spec,
          request: r,
          inputTokens: estimateInputTokens(r.messages),
          timeoutMs,
          cancel,
          onToken: streaming ? (text) => show(stream.push(text)) : undefined,
          onQueue: (position) =>
            this.o.events.emit('run:progress', { run_id: runId, model_id: spec.id, queue_position: position }),
          running: row(),
          admit,
        });
        if (streaming) show(stream.flush());
        return outcome;
      };
      // A local model's answer schema is bounded to its output budget (its grammar then always closes the JSON).
      const asked = requestFor(spec, plan, request);
      // A fallback is made only within what the quote left (run-bound.ts); the first call is the one quoted.
      const fallbackBound = index > 0 ? await bound() : null;
      const outcome = await attempt(asked, fallbackBound?.admitFallback(charged(), spec.display_name, lastFailed));
      if (outcome.ok) {
        const fellBack = localFallbackStep(outcome.localFallback, outcome.attempt.model_id);
        if (fellBack) steps.push(fellBack);
        let answered: Answered = outcome;
        let reading = readStructured(plan, answered.result);
        // One repair: the unreadable answer goes back with what was wrong; an answer cut off at its length limit is
        // kept as it is (a second try would stop at the same place).
        if (!reading.ok && answered.result.finishReason !== 'length') {
          const first = answered;
          steps.push(await settled(first));
          this.o.logger.warn(`run ${runId}: ${spec.id}'s answer was unreadable (${reading.problem}); asking once more`);
          const repaired = await attempt(
            repairRequest(asked, first.result.text, reading.problem),
            (await bound())?.admitRepair(charged(), spec.display_name, reading.problem),
          );
          if (!repaired.ok) {
            steps.push(attemptStep(repaired.attempt, repaired.costMicros));
            return await this.fail(
              { ...row(), status: cancel.aborted ? 'cancelled' : 'failed', model_id: spec.id },
              startedAt,
              repaired.error,
              decision,
            );
          }
          // The run's tokens are both calls'; the repair's charge closes on its own usage (the first one's is settled).
          answered = {
            ...repaired,
            result: { ...repaired.result, usage: addUsage(first.result.usage, repaired.result.usage) },
          };
          reading = readStructured(plan, answered.result);
          if (!reading.ok) {
            steps.push(await settled(answered));
            return await this.fail(
              { ...row(), model_id: spec.id, text: answered.result.text },
              startedAt,
              unreadableAnswerError(spec.display_name, reading.problem),
              decision,
            );
          }
        }
        steps.push(attemptStep(answered.attempt));
        const completed: RunWrite = {
          ...row(),
          truncated: answered.result.finishReason === 'length',
          answer: reading.ok ? reading.answer : null,
          ...this.assess(decision, start.task, answered.attempt.model_id, answered.result.json, messages),
        };
        return await this.writer.complete(completed, startedAt, answered.attempt.model_id, answered.result, answered);
      }
      // The writer stopped it: what had arrived is kept with the run (and was charged by usage).
      const partial =
        cancel.aborted && outcome.partialText ? { modelId: spec.id, text: outcome.partialText } : undefined;
      steps.push(attemptStep(outcome.attempt, outcome.costMicros, partial));
      lastError = outcome.error;
      if (outcome.attempt.outcome !== 'skipped')
        lastFailed = `${spec.display_name} failed (${outcome.attempt.error?.message ?? 'no answer'})`;
      if (spec.provider !== 'local' && isDeadEnd(outcome.error)) deadEnds.add(this.o.providers.providerOf(spec));
      if (cancel.aborted) break;
    }
    if (cancel.aborted)
      return await this.fail({ ...row(), status: 'cancelled' }, startedAt, new CancelledError(), decision);
    return await this.fail(
      row(),
      startedAt,
      lastError ?? new QuireError('unavailable', 'No model could run this task'),
      decision,
    );
  }

  /**
   * What runs:start would decide for this request and the most the run may spend (its bound), without calling anyone:
   * the figure the Workbench quotes, from the same plan, decision and rule the run holds itself to. Null when no model
   * can run it (the decision says why).
   */
  async quote(start: RunStart): Promise<{ decision: Decision; at_most_usd: number; retry: boolean } | null> {
    const plan = planRun(start, this.o.library, this.o.taskIds ?? []);
    const decision = this.decideFor(start, plan, estimateInputTokens(plan.messages));
    const bound = await this.boundOf(plan, decision);
    return bound ? { decision, at_most_usd: bound.boundUsd, retry: answerIsRead(plan) } : null;
  }

  private decideFor(start: RunStart, plan: RunPlan, inputTokens: number): Decision {
    const maxOutput = start.max_output_tokens ?? plan.definition?.max_output_tokens;
    return this.o.decide({
      task: start.task,
      input_tokens: inputTokens,
      ...(start.tier ? { tier: start.tier } : {}),
      ...(start.model ? { model: start.model } : {}),
      ...(start.local_only !== undefined ? { local_only: start.local_only } : {}),
      ...(maxOutput ? { max_output_tokens: maxOutput } : {}),
      ...(plan.images.length > 0 ? { images: plan.images.map(({ width, height }) => ({ width, height })) } : {}),
      ...this.excluded(),
    });
  }

  /**
   * The run's bound: a model's call and (for an answer Quire reads) its one repair, for the most expensive of the
   * models the decision lists (the chosen one and its fallbacks), so a fallback after a failure that cost nothing
   * always fits; after a charged one, only while what is left covers it. Each is priced on the tokens its reservation
   * will be (the decision's estimate with the schema and images, or the model's own count when higher). Null when
   * nothing was chosen.
   */
  private async boundOf(plan: RunPlan, decision: Decision): Promise<RunBound | null> {
    if (decision.model_id === null || decision.refusal) return null;
    const repair = answerIsRead(plan);
    const at = this.o.now();
    let most: RunBound | null = null;
    for (const id of new Set([decision.model_id, ...decision.fallback_chain])) {
      const spec = this.o.model(id);
      if (!spec || spec.provider === 'local') {
        most ??= new RunBound(0);
        continue;
      }
      let input = decision.input_tokens + schemaTokens(plan) + (decision.images?.tokens ?? 0);
      if (this.o.tokens) {
        const request = { messages: plan.messages, jsonSchema: plan.jsonSchema, images: plan.images };
        input = Math.max(input, (await this.o.tokens.count(spec, request)).tokens);
      }
      const bound = RunBound.of(spec, input, decision.max_output_tokens, repair, at);
      if (!most || bound.boundUsd > most.boundUsd) most = bound;
    }
    return most;
  }

  /** The run's confidence and low-confidence-fallback flag, put on its row before it is stored as completed. */
  private assess(
    decision: Decision | null,
    task: string,
    answeredBy: string,
    json: unknown,
    messages: readonly ChatMessage[],
  ): Pick<RunWrite, 'confidence' | 'low_confidence_fallback'> {
    const quality = this.o.quality?.(answeredBy, task) ?? this.o.model(answeredBy)?.quality ?? 0;
    const { confidence, low_confidence_fallback } = assessRun({ decision, answeredBy, quality, json, messages });
    return { confidence, low_confidence_fallback };
  }

  /** A provider that refused this run's connection (or is unknown, or untrusted) is not asked again in the same run. */
  private skipDeadEnd(spec: ModelSpec, deadEnds: ReadonlySet<string>) {
    if (spec.provider === 'local') return null;
    const provider = this.o.providers.providerOf(spec);
    if (!deadEnds.has(provider)) return null;
    return skipped(spec.id, provider, 'unavailable', `${provider} refused this run's connection a moment ago`);
  }

  private async fail(
    base: Readonly<RunWrite>,
    startedAt: number,
    error: unknown,
    decision: Decision | null,
  ): Promise<never> {
    const { info } = await this.writer.store(base, startedAt, error, decision, true);
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
    return errorInfo(error, this.o.redact);
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

  /** A rating (0–10) feeds the quality estimates of the model that answered; a re-rating replaces it there too. */
  rate(runId: string, rating: number): RunRecord {
    const record = this.get(runId);
    if (!record.model_id || record.status !== 'completed') {
      throw new QuireError('conflict', 'Only a completed run with an answer can be rated');
    }
    this.o.repo.rate(runId, rating);
    this.o.recordFeedback(
      { model_id: record.model_id, task: record.task, score: rating, source: 'rating' },
      record.rating,
    );
    return this.get(runId);
  }

  stats(): RunStats {
    return runStats(this.o.repo);
  }
}

function addUsage(a: Usage, b: Usage): Usage {
  const sum = (x: number | undefined, y: number | undefined) =>
    x === undefined || y === undefined ? undefined : x + y;
  return { inputTokens: sum(a.inputTokens, b.inputTokens), outputTokens: sum(a.outputTokens, b.outputTokens) };
}

type Answered = Extract<AttemptOutcome, { ok: true }>;

/** A call that answered, its answer kept as the run's: the local adapter's own fallback (if any), then its attempt. */
function answeredSteps(outcome: Answered): RunStep[] {
  const fellBack = localFallbackStep(outcome.localFallback, outcome.attempt.model_id);
  return fellBack ? [fellBack, attemptStep(outcome.attempt)] : [attemptStep(outcome.attempt)];
}

/** Charges a call that answered but whose answer is not kept as the run's (before a repair, or a failed one). */
async function settled(outcome: Answered): Promise<RunStep> {
  const charged = await outcome.charge.close(outcome.end);
  return attemptStep({ ...outcome.attempt, cost_usd: charged }, toMicros(charged));
}
