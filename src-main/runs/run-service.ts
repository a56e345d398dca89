// Runs one writing task: asks the orchestrator for a model, reserves its worst case, calls it (streaming under a
// per-provider breaker and timeouts), settles the ledger to the provider's own counts, and falls back along the
// decision's chain on failure (run-chain.ts; the decision and its quoted bound: run-decision.ts). Every run is stored,
// failed ones included: as `running` from its first reservation (same transaction), so a crash leaves an
// `interrupted` run rather than only an orphaned charge.
import { randomUUID } from 'node:crypto';
import type { Decision, ErrorInfo, FixIn, ModelSpec } from '../../src-preload/contract';
import type { RunRecord, RunStart, RunStats, RunSummary } from '../../src-preload/contract/runs';
import type { RunAnswer } from '../../src-preload/contract/tasks';
import { CancelledError, ConflictError, NotFoundError, QuireError } from '../errors';
import type { ChosenBy } from '../orchestrator/chosen-by';
import type { FinishReason, GenerateRequest, Usage } from '../providers/spec';
import type { RunListFilter, RunWrite } from '../store/repos/runs-repo';
import { StreamRedactor } from '../keys/stream-redactor';
import { answeredSteps } from './answered-steps';
import { editedTextOf } from './edited-text';
import { realTimer } from './first-token-deadline';
import { learnedDeadlines } from './learned-deadlines';
import { ModelAttempts } from './model-attempt';
import { assessAnswer } from './run-assessment';
import type { RunBound } from './run-bound';
import { LiveText } from './live-text';
import { RunChain } from './run-chain';
import { boundOf, decideFor, whenNoPassageFits } from './run-decision';
import { attemptStep, errorInfo, runRow, runStats } from './run-record';
import { estimateInputTokens } from './run-request';
import { answerIsRead, planRun } from './task-run';
import type { RunServiceOptions } from './run-service-options';
import { RunWriter } from './run-writer';

/**
 * A caller's run id that already names a run of another task (the same id is that run, so it starts none): the tasks
 * as the writer reads them, and the step. A run in parts' id says the same (app/run-job.ts).
 */
export function otherTaskError(name: string, asked: string): ConflictError {
  return new ConflictError(
    `That run id already names a run of ${name}, not ${asked}. Start ${asked} with a new run id, or without one ` +
      '(Quire then makes one).',
    true,
  );
}

/**
 * A caller's run id that names a run in parts still running on another passage: joined, it would answer with findings
 * quoted from a text the caller did not send.
 */
export function otherPassageError(name: string): ConflictError {
  return new ConflictError(
    `That run id already names a ${name} of another passage, still running. Start this one with a new run id, or ` +
      'without one (Quire then makes one).',
    true,
  );
}

/** One model call as a run of its own (a tournament member, a judge's bout): see {@link RunService.call}. */
export interface ModelCall {
  runId?: string;
  task: string;
  spec: ModelSpec;
  /** Who chose this model: Quire (a tournament it seated, a judge, a run in parts it routed) or the writer; null: not known. */
  chosenBy: ChosenBy | null;
  request: GenerateRequest;
  /** Held already for this call, made with the same run id; null or absent: reserved here. */
  reservation?: { id: number } | null;
  /** Why this model (stored with the run). */
  reason?: string;
  /**
   * The writer's own words the call answers (a tournament's request), stored as runs:start's `request` is: the run
   * reopened on its own says what was asked.
   */
  asked?: string | undefined;
  /**
   * The kept manuscript the call's passage is (a tournament's), stored as runs:start's `manuscript` is: the run's record
   * names it, and a tournament reopened later names it from its members' runs.
   */
  manuscript?: { id: string; offset: number } | undefined;
  cancel?: AbortSignal;
  onToken?: (text: string) => void;
  /** The caller's bound on this call's worst case (a repair within its share of a quote): see ModelAttempts. */
  admit?: ((worstCaseUsd: number) => Error | null) | undefined;
  /**
   * The answer read in its task's form, stored with the run so that reopening it shows findings rather than the raw
   * JSON (a tournament member's); null or absent when it has none.
   */
  read?: (answer: { text: string; json: unknown }) => RunAnswer | null;
}

export interface ModelCallOutcome {
  ok: boolean;
  run_id: string;
  text: string;
  json: unknown;
  usage: Usage;
  costUsd: number;
  durationMs: number;
  /** `retryable` and `advised` as the call's error said them (a caller that passes the error on keeps them). */
  error: { code: string; message: string; retryable?: boolean; advised?: true; fix_in?: FixIn } | null;
  /** Why an answered call ended (a provider's content filter, the length limit); absent for one that failed. */
  finishReason?: FinishReason;
  /** The model declined to answer, in its own words. */
  refusal?: string;
}

/** What a caller outside runs:start adds to a run (the gateway): the run's id up front, its tokens, a cancel. */
export interface StartOptions {
  runId?: string;
  /**
   * Every streamed piece of text, in order, with the model sending it (also without run:token events); none for an
   * answer Quire reads (JSON), which a repair may replace: the run's record carries it. Text handed on here cannot be
   * taken back: once any has been, the run does not fall back to another model (it fails with its model's failure).
   */
  onToken?: (text: string, modelId: string) => void;
  cancel?: AbortSignal;
  /**
   * Written in the transaction that first stores the run (its reservation, or its end when it never reaches a model):
   * the gateway's link from the run to its app, without a commit of its own. Not written when nothing is stored (a
   * request that is not a run at all).
   */
  firstRow?: () => void;
  /**
   * The most the run may spend, already held by the caller (an app's cap, held at the run's quote): every call, the
   * first included, is made only while it fits, so the run never spends past what was held.
   */
  heldTo?: RunBound;
}

export class RunService {
  private readonly active = new Map<string, AbortController>();
  /**
   * runs:start calls in flight by run id, with their task: a repeat with the same caller-chosen id joins the first,
   * one for another task is refused.
   */
  private readonly pending = new Map<string, { task: string; record: Promise<RunRecord> }>();
  private readonly monotonic: () => number;
  private readonly newId: () => string;
  private readonly attempts: ModelAttempts;
  private readonly writer: RunWriter;
  private readonly chain: RunChain;
  /** What each streaming run has shown so far (run:token), for a window that reloads mid-run. */
  private readonly live = new LiveText();

  constructor(private readonly o: RunServiceOptions) {
    this.monotonic = o.monotonic ?? (() => performance.now());
    this.newId = o.newId ?? (() => randomUUID());
    this.writer = new RunWriter({ ...o, monotonic: this.monotonic, info: (error) => this.info(error) });
    this.attempts = new ModelAttempts({
      ...o,
      monotonic: this.monotonic,
      deadlines: learnedDeadlines(o),
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
    this.chain = new RunChain(o, this.monotonic, this.writer, this.attempts, this.live);
  }

  /** At start-up: runs a crash left `running` are marked interrupted (their reservations stay counted as orphans). */
  recover(): number {
    return this.o.repo.markInterrupted(this.o.now().toISOString());
  }

  get inFlight(): number {
    return this.active.size;
  }

  /** The run `runId` while it is in flight in this process (it settles to its record), else undefined. */
  running(runId: string): Promise<RunRecord> | undefined {
    return this.pending.get(runId)?.record;
  }

  /** Whether `runId` names a run, in flight or stored: runs:start under it returns that run (start). */
  known(runId: string | undefined): boolean {
    return runId !== undefined && (this.pending.has(runId) || this.o.repo.has(runId));
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
   * that run — the one in flight, or the stored record — rather than starting another; for another task it is
   * refused.
   */
  start(start: RunStart, options: StartOptions = {}): Promise<RunRecord> {
    const callerId = options.runId ?? start.run_id;
    if (callerId) {
      const inFlight = this.pending.get(callerId);
      const stored = inFlight ? undefined : this.o.repo.get(callerId);
      const task = inFlight?.task ?? stored?.task;
      if (task !== undefined && task !== start.task) {
        const name = this.o.taskName ?? ((id: string) => id);
        return Promise.reject(otherTaskError(name(task), name(start.task)));
      }
      if (inFlight) return inFlight.record;
      if (stored) return Promise.resolve(stored);
    }
    const runId = callerId ?? this.newId();
    const controller = new AbortController();
    this.active.set(runId, controller);
    const cancel = options.cancel ? AbortSignal.any([controller.signal, options.cancel]) : controller.signal;
    const unlink = options.firstRow ? this.o.repo.withFirstRow(runId, options.firstRow) : undefined;
    const running = (async () => {
      try {
        return await this.chain.execute(runId, start, cancel, options.onToken, options.heldTo);
      } finally {
        unlink?.();
        this.active.delete(runId);
        this.pending.delete(runId);
        this.live.end(runId);
      }
    })();
    this.pending.set(runId, { task: start.task, record: running });
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
        ...(c.asked ? { request: c.asked } : {}),
        ...(c.manuscript ? { manuscript: c.manuscript } : {}),
      }),
      reason: c.reason ?? null,
    };
    const stream = new StreamRedactor(this.o.redact, this.o.secretCut);
    const show = (text: string) => {
      if (text !== '') c.onToken?.(text);
    };
    try {
      const outcome = await this.attempts.attempt({
        runId,
        task: c.task,
        spec: c.spec,
        chosenBy: c.chosenBy,
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
        const assessed = assessAnswer(
          this.o,
          null,
          c.task,
          outcome.attempt.model_id,
          outcome.result.json,
          c.request.messages,
        );
        const record = await this.writer.complete(
          { ...runRow(head, steps), ...assessed, answer: c.read?.(outcome.result) ?? null },
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
          ...(outcome.result.finishReason ? { finishReason: outcome.result.finishReason } : {}),
          ...(outcome.result.refusal !== undefined ? { refusal: outcome.result.refusal } : {}),
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
        error: {
          code: info.code,
          message: info.message,
          retryable: info.retryable,
          ...(info.advised ? { advised: true as const } : {}),
          ...(info.fix_in ? { fix_in: info.fix_in } : {}),
        },
      };
    } finally {
      this.active.delete(runId);
    }
  }

  /**
   * What runs:start would decide for this request and the most the run may spend (its bound), without calling anyone:
   * the figure the Workbench quotes, from the same plan, decision and rule the run holds itself to. `bound` is null
   * when no model can run it (the decision says why).
   */
  async quote(start: RunStart): Promise<{
    decision: Decision;
    bound: { at_most_usd: number; retry: boolean; set_by: string | null } | null;
  }> {
    const plan = planRun(start, this.o.library, this.o.taskIds ?? []);
    const decision = await whenNoPassageFits(
      this.o,
      start,
      plan,
      decideFor(this.o, start, plan, estimateInputTokens(plan.messages)),
    );
    const bound = await boundOf(this.o, plan, decision, this.o.ledger.overrunRatios());
    return {
      decision,
      bound: bound ? { at_most_usd: bound.boundUsd, retry: answerIsRead(plan), set_by: bound.setBy } : null,
    };
  }

  private info(error: unknown): ErrorInfo {
    return errorInfo(error, this.o.redact);
  }

  /** The run's record; one still streaming has the words its model has written so far (`live`). */
  get(runId: string): RunRecord {
    const record = this.o.repo.get(runId);
    if (!record) throw new NotFoundError('Run', runId);
    const live = record.status === 'running' ? this.live.get(runId) : undefined;
    return live ? { ...record, live } : record;
  }

  /** A line edit's own passage with the edits the writer kept applied (edited-text.ts); `record`, when read already. */
  editedText(
    runId: string,
    rejected: readonly number[] = [],
    record: Pick<RunRecord, 'answer'> = this.get(runId),
  ): { text: string; edits: number } {
    return editedTextOf(record, this.o.repo.request(runId), rejected);
  }

  list(filter: Partial<RunListFilter> = {}): RunSummary[] {
    return this.o.repo.list({ ...filter, limit: filter.limit ?? 50 });
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
