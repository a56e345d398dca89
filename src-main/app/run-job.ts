// A runs:start whose passage is longer than the chosen model can read at once becomes ONE run with parts, never a
// refusal and never a cut: the passage is split at chapter/scene/paragraph boundaries (manuscripts/splitter.ts), each
// part is one reserved model call through RunService.call with the task's instruction and the story so far, the
// whole job's worst case must fit the budget before part 1, and the parts' findings are merged into the run's answer
// with quotes located in the whole passage (Quire's own numbering). A chapter summary's chapter longer than a part
// is summarised once more from its parts' summaries (summary-combine.ts): those steps follow the parts, in the quote,
// the progress and the run's cost. Finished parts and steps are kept in SQLite (jobs-repo.ts), so a crash loses none
// and the same run id resumes after the last one. Sits above RunService: its internals are not touched. The job's
// plan and quote are job-prepare.ts's and each model call job-calls.ts's; this file runs the job as one run.
import { runStartSchema, type RunQuote, type RunRecord, type RunStart } from '../../src-preload/contract/runs';
import type { AnchoredEdit } from '../../src-preload/contract/tasks';
import {
  BudgetExceededError,
  CancelledError,
  ConflictError,
  NotFoundError,
  UnavailableError,
  isQuireError,
} from '../errors';
import type { EventBus } from '../infra/event-bus';
import type { JobResult, JobRunner } from '../manuscripts/job-runner';
import { locateJobFindings } from '../manuscripts/job-findings';
import type { JobRecord, JobsRepo } from '../manuscripts/jobs-repo';
import { otherPassageError, otherTaskError } from '../runs/run-service';
import { blankRunWrite } from '../runs/run-writer';
import type { RunWrite, RunsRepo } from '../store/repos/runs-repo';
import { paragraphsOf, QuoteLocator } from '../tasks/quotes';
import { chapterNotices } from '../tasks/task-answers';
import { combineStep, partRunId, partRunPrefix, runPart, type JobCallDeps } from './job-calls';
import { jobNotices, mergeSummaries, namedChapters, type PartSummary } from './job-answer';
import { jobQuote, prepareJob, resumedBounds, resumeJob, type JobPrepareDeps, type PreparedJob } from './job-prepare';
import { combineSteps, combinedByChapter, type CombineStep } from './summary-combine';
import { usdLeftText, usdText } from '../../src-preload/contract/usd-text';
import { modelIdParts } from '../../src-preload/contract/model-ids';
import { goneModel } from '../orchestrator/decide-text';
import { MEMORY_SETTING } from '../local/machine';
import { toMicros } from '../store/money';
import type { ChosenBy } from '../orchestrator/chosen-by';

export { partRunId } from './job-calls';
export type { PreparedJob } from './job-prepare';

export interface RunJobsDeps extends JobPrepareDeps, Omit<JobCallDeps, 'tokens'> {
  repo: Pick<RunsRepo, 'save' | 'get' | 'status' | 'request'>;
  runner: JobRunner;
  jobs: Pick<JobsRepo, 'get' | 'partsDone'>;
  events: Pick<EventBus, 'emit'>;
  /** What is left of this month's budget (null: no budget). */
  remainingUsd: () => number | null;
  /** Micro-USD the ledger charged to runs whose ids start with this prefix (Ledger.chargedUnder). */
  chargedUnder: (prefix: string) => number;
  /** Who chose the model of the first call under this prefix (Ledger.chosenUnder). */
  chosenUnder: (prefix: string) => ChosenBy | null;
  /** A task's name as the writer reads it ("Continuity check"). */
  taskName: (task: string) => string;
  monotonic?: () => number;
}

export class RunJobs {
  private readonly active = new Map<string, AbortController>();
  /** Runs in parts in flight by run id, with their task: the same id again joins one, for another task is refused. */
  private readonly pending = new Map<string, { task: string; input: RunStart['input']; record: Promise<RunRecord> }>();
  private readonly monotonic: () => number;

  constructor(private readonly d: RunJobsDeps) {
    this.monotonic = d.monotonic ?? (() => performance.now());
  }

  /** The job for this start, or null when the plain path runs it (prepareJob says when). */
  prepare(start: RunStart): Promise<PreparedJob | null> {
    return prepareJob(this.d, start);
  }

  quote(job: PreparedJob): Extract<RunQuote, { kind: 'job' }> {
    return jobQuote(job);
  }

  /** The run in parts `runId` while it is in flight in this process, else undefined. */
  running(runId: string): Promise<RunRecord> | undefined {
    return this.pending.get(runId)?.record;
  }

  /** A run id that already names a job (finished, or left unfinished by a crash or a stop). */
  known(runId: string | undefined): boolean {
    return runId !== undefined && this.d.jobs.get(runId) !== undefined;
  }

  /**
   * A run in parts that ended before its end (stopped, cut off by a crash or a quit, failed): its parts done and its
   * parts, both counting the steps after the text parts, as the quote and "part N of M" do. Undefined for any other
   * run, and for one still running.
   */
  resumable(runId: string): { parts_done: number; parts: number } | undefined {
    const job = this.d.jobs.get(runId);
    const status = job && !this.pending.has(runId) ? this.d.repo.status(runId) : undefined;
    if (!job || status === undefined || status === 'completed' || status === 'running') return undefined;
    return { parts_done: this.d.jobs.partsDone(runId), parts: job.quote.parts };
  }

  /** What a resumable run was started with (its stored request), to go on with under its own id. */
  resumeStart(runId: string): RunStart & { run_id: string } {
    if (!this.resumable(runId)) {
      const status = this.d.repo.status(runId);
      throw new ConflictError(
        status === 'completed'
          ? 'This run is already complete: there is nothing left to resume.'
          : status === 'running'
            ? 'This run is still running.'
            : 'Only a run in parts that stopped before its end can be resumed; run this one again instead.',
        status !== 'running',
      );
    }
    const { parts: _parts, ...stored } = (this.d.repo.request(runId) ?? {}) as Record<string, unknown>;
    const start = runStartSchema.safeParse({ ...stored, run_id: runId });
    if (!start.success) {
      const job = this.d.jobs.get(runId)!;
      throw new ConflictError(
        `${this.cannotResume(job)} what it was started with could not be read back. ${this.startOver(job)}`,
        true,
      );
    }
    return { ...start.data, run_id: runId };
  }

  cancel(runId: string): boolean {
    const controller = this.active.get(runId);
    if (!controller) return false;
    controller.abort(new CancelledError());
    return true;
  }

  /**
   * A stopped job resumes only as it was started: its finished parts were read from the stored text, and the parts
   * left are cut from it, so a changed passage (or another task) would be answered for text the writer no longer has.
   */
  private checkResumable(stored: JobRecord, start: RunStart): void {
    const name = this.d.taskName(stored.task);
    if (stored.task !== start.task) {
      const asked = this.d.taskName(start.task);
      throw new ConflictError(
        `This stopped run is a ${name}, not a ${asked}. Resume it as a ${name}, or run ${asked} on its own.`,
        true,
      );
    }
    if (start.input !== stored.input_text) {
      throw new ConflictError(
        `${this.cannotResume(stored)} its passage has changed since it was stopped. ${this.startOver(stored)} To ` +
          'keep them, Resume it on the passage it was started with.',
        true,
      );
    }
  }

  /**
   * The steps after the parts a resumed job goes on with: the ones it was stored with, since its finished steps'
   * answers are taken by position (steps planned again for another context would read other pieces, and leave some
   * out). Refused, nothing sent, when steps are left and the model now reads fewer or longer summaries at once than
   * they were planned for, or when a step has finished and the job was stored without them (an earlier Quire).
   */
  private resumedSteps(stored: JobRecord, job: PreparedJob): CombineStep[] {
    const { parts, blocks, combine } = stored.plan;
    const stepsDone = Math.max(0, this.d.jobs.partsDone(stored.id) - parts.length);
    const cannot = this.cannotResume(stored);
    if (!combine) {
      if (stepsDone > 0) {
        // No step keeps its parts: what they wrote is what the writer has of them.
        const wrote = this.d.repo.get(stored.id)?.answer ? ' What they wrote stays in its Result.' : '';
        throw new ConflictError(
          `${cannot} it was stopped by an earlier version of Quire, which did not keep how it summarises a long ` +
            `chapter from its parts' summaries. ${this.startOver(stored)}${wrote}`,
          true,
        );
      }
      return job.fanIn === null ? [] : combineSteps(parts, blocks, job.structure.chapters, job.fanIn);
    }
    const readsThem =
      job.fanIn !== null && job.fanIn >= (combine.fanIn ?? 0) && job.maxOutputTokens >= combine.maxOutputTokens;
    if (combine.steps.length > stepsDone && !readsThem) {
      // Only the room it had lets it go on with those steps: a local model's is what its memory allows.
      const name = job.spec.display_name;
      const keep =
        job.spec.provider === 'local'
          ? `raise ${MEMORY_SETTING} to what it was when the run stopped, then Resume.`
          : `Resume once ${name} reads as much at once as it did then.`;
      throw new ConflictError(
        `${cannot} ${name} now reads less at once than when it was stopped, too little for the steps left that ` +
          `summarise a long chapter from its parts' summaries. ${this.startOver(stored)} To keep them, ${keep}`,
        true,
      );
    }
    return combine.steps;
  }

  private cannotResume(stored: JobRecord): string {
    return `${this.d.taskName(stored.task)} cannot pick up where it left off:`;
  }

  /** "its 3 finished parts are kept." (the steps after the parts counted, as "part N of M" counts them) */
  private kept(stored: JobRecord): string {
    const done = this.d.jobs.partsDone(stored.id);
    return done === 1 ? 'its 1 finished part is kept.' : `its ${done} finished parts are kept.`;
  }

  /**
   * What running a stopped run again means when it cannot go on: a new run from the start, its finished parts' work
   * done and paid for again ("Running it again starts over and pays again for the work of its 3 finished parts (this
   * run has cost $0.0123 so far)."; on a local model, done again at no cost).
   */
  private startOver(stored: JobRecord): string {
    const done = this.d.jobs.partsDone(stored.id);
    const parts = done === 1 ? 'its 1 finished part' : `its ${done} finished parts`;
    const paid = this.d.chargedUnder(partRunPrefix(stored.id)) / 1e6;
    return paid > 0
      ? `Running it again starts over and pays again for the work of ${parts} (this run has cost ${usdText(paid)} so far).`
      : `Running it again starts over and does the work of ${parts} again.`;
  }

  /**
   * The job a stopped run goes on with: planned again on the model its parts were cut for (another may be chosen now,
   * with a smaller context). When it cannot be, nothing is sent and the finished parts stay for a later Resume; the
   * writer reads why and the step that keeps them, never "run it again" as the fix (that pays for them again).
   */
  private async resumedJob(runId: string, stored: JobRecord | undefined, start: RunStart): Promise<PreparedJob> {
    if (!stored) throw new NotFoundError('Run', runId);
    const job = await resumeJob(this.d, start, stored.model_id);
    // Planned again on its model, named: who chose it is what its first call recorded, not the naming.
    if ('spec' in job) return { ...job, chosenBy: this.d.chosenUnder(partRunPrefix(runId)) };
    const cannot = this.cannotResume(stored);
    const kept = this.kept(stored);
    const spec = this.d.model(stored.model_id);
    if (!spec) {
      const { name, gone } = goneModel(stored.model_id);
      const kind = modelIdParts(stored.model_id).kind;
      const again =
        kind === 'endpoint'
          ? 'Add that endpoint again in Settings → AI Intelligence, with the same name and model'
          : kind === 'local'
            ? 'Add it again on the Models screen'
            : null;
      const step = again
        ? `${again}, then Resume: ${kept}`
        : `Only that model can go on from its finished parts. ${this.startOver(stored)}`;
      throw new UnavailableError(`${cannot} its parts were cut for ${name}, which ${gone}. ${step}`, { advised: true });
    }
    if (job.refusal)
      throw new UnavailableError(
        `${cannot} ${job.refusal.message} ${job.refusal.advised ? 'Then Resume' : 'Resume once it can run'}: ${kept}`,
        { advised: true },
      );
    throw new ConflictError(
      `${cannot} ${spec.display_name} now reads the whole passage at once, so it is no longer run in parts. ` +
        this.startOver(stored),
      true,
    );
  }

  /**
   * Runs the job as the run `runId` (the caller's, or new); the same id again joins or resumes it, and is refused for
   * another task, or another passage while it runs (joined, its answer would quote a text the caller did not send).
   */
  run(start: RunStart, job: PreparedJob | null, runId: string): Promise<RunRecord> {
    const inFlight = this.pending.get(runId);
    if (inFlight && inFlight.task !== start.task)
      return Promise.reject(otherTaskError(this.d.taskName(inFlight.task), this.d.taskName(start.task)));
    if (inFlight && inFlight.input !== start.input)
      return Promise.reject(otherPassageError(this.d.taskName(inFlight.task)));
    if (inFlight) return inFlight.record;
    const controller = new AbortController();
    this.active.set(runId, controller);
    const running = this.execute(start, job, runId, controller.signal).finally(() => {
      this.active.delete(runId);
      this.pending.delete(runId);
    });
    this.pending.set(runId, { task: start.task, input: start.input, record: running });
    return running;
  }

  private async execute(
    start: RunStart,
    prepared: PreparedJob | null,
    runId: string,
    signal: AbortSignal,
  ): Promise<RunRecord> {
    const stored = this.d.jobs.get(runId);
    const storedRun = this.d.repo.get(runId);
    if (stored && storedRun?.status === 'completed') {
      if (stored.task !== start.task) throw otherTaskError(this.d.taskName(stored.task), this.d.taskName(start.task));
      return storedRun;
    }
    if (stored) this.checkResumable(stored, start);
    const planned = prepared ?? (await this.resumedJob(runId, stored, start));
    // A resumed job goes on with the parts and the steps it was stored with, each held to its own bound (the model's
    // context may have changed since, and planned again now the passage would be other parts).
    const steps = stored ? this.resumedSteps(stored, planned) : planned.steps;
    const job = stored ? { ...planned, bounds: resumedBounds(planned, stored.plan, steps.length) } : planned;
    const plan = stored?.plan ?? job.setup.plan;
    const { spec, definition } = job;
    // The run's parts as it was quoted when it started (a resumed job's plan is the stored one).
    const quote = stored?.quote ?? job.quote;
    const text = start.input as string;
    const startedAt = this.monotonic();
    const base: RunWrite = {
      ...blankRunWrite(
        runId,
        start.task,
        { ...start, parts: quote.parts },
        storedRun?.created_at ?? this.d.now().toISOString(),
      ),
      status: 'running',
      model_id: spec.id,
      reason: job.reason,
      task_version: definition.version,
    };
    // What is left to run, worst case, must fit what is left of the budget before it starts (the whole job before
    // part 1, the parts and steps left on Resume); each call still reserves its own.
    const done = stored ? this.d.jobs.partsDone(runId) : 0;
    const remaining = this.d.remainingUsd();
    const total = job.bounds.slice(done).reduce((sum, usd) => sum + toMicros(usd), 0) / 1e6;
    if (remaining !== null && total > remaining + 1e-9) {
      const cost = `may cost up to ${usdText(total)} in all; ${usdLeftText(remaining)} of this month's budget is left.`;
      if (!stored)
        throw new BudgetExceededError(
          `This passage runs in ${quote.parts} parts on ${spec.display_name}, which ${cost} Nothing was run.`,
        );
      const left = job.bounds.length - done;
      throw new BudgetExceededError(
        `${this.cannotResume(stored)} its ${left === 1 ? '1 part' : `${left} parts`} left on ${spec.display_name} ${cost} ` +
          `Nothing was run. Raise the monthly budget in Settings → AI Intelligence, then Resume: ` +
          this.kept(stored),
        { advised: true },
      );
    }
    if (!stored) {
      this.d.runner.create({
        id: runId,
        task: start.task,
        model_id: spec.id,
        text,
        plan: job.setup.plan,
        combine: { fanIn: job.fanIn, maxOutputTokens: job.maxOutputTokens, steps: job.steps },
        quote,
      });
    }
    this.d.repo.save(base);
    this.d.events.emit('run:started', {
      run_id: runId,
      task: start.task,
      model_id: spec.id,
      reason: job.reason,
      stream: false,
    });
    // The job's structure (a folder's files are its chapters), numbered as its findings are: one numbering.
    const paragraphs = paragraphsOf(job.structure);
    // One locator for the job: the whole text is folded once for every part's quotes and the merged findings'.
    const locator = new QuoteLocator(text);
    const partIds: string[] = [];
    try {
      const result = await this.d.runner.run(
        runId,
        (part, story, partSignal) => runPart(this.d, start, job, runId, locator, paragraphs, part, story, partSignal),
        {
          signal,
          count: job.setup.count,
          after: {
            count: steps.length,
            run: (step, parts, done, stepSignal) =>
              combineStep(this.d, start, job, runId, plan.parts.length, steps, step, parts, done, stepSignal),
          },
          onProgress: (p) => {
            if (p.phase === 'started') partIds.push(partRunId(runId, p.part));
            this.d.events.emit('run:part', {
              run_id: runId,
              part: p.part,
              of: p.of,
              phase: p.phase,
              model_id: spec.id,
              part_run_id: partRunId(runId, p.part),
            });
          },
        },
      );
      const { answer, json } = jobAnswer(job, result, locator, steps, result.parts + steps.length, text.length);
      const record: RunWrite = {
        ...this.totals(base, runId, result.parts + steps.length),
        status: 'completed',
        input_tokens: result.usage.inputTokens ?? null,
        output_tokens: result.usage.outputTokens ?? null,
        answer,
        json,
        text: JSON.stringify(json),
        latency_ms: Math.round(this.monotonic() - startedAt),
        finished_at: this.d.now().toISOString(),
      };
      this.d.repo.save(record);
      const saved = this.d.repo.get(runId)!;
      this.d.events.emit('run:completed', saved);
      return saved;
    } catch (error) {
      const cancelled = signal.aborted || error instanceof CancelledError;
      const parts = (this.d.jobs.get(runId)?.plan.parts.length ?? 0) + steps.length;
      const info = isQuireError(error)
        ? { code: error.code, message: error.message, retryable: error.retryable }
        : { code: 'internal' as const, message: String((error as Error)?.message ?? error), retryable: false };
      // What the finished parts found is kept with the stopped (or failed) run, so its Result shows it.
      const soFar = this.d.runner.soFar(runId);
      // Its summary is checked against the chapters its finished parts read, not the ones they never reached.
      const found = soFar
        ? jobAnswer(job, soFar, locator, [], parts, plan.parts[soFar.answers.length - 1]?.end ?? 0)
        : null;
      const record: RunWrite = {
        ...this.totals(base, runId, parts),
        ...(found ? { answer: found.answer, json: found.json, text: JSON.stringify(found.json) } : {}),
        status: cancelled ? 'cancelled' : 'failed',
        error: cancelled ? { code: 'cancelled', message: 'Stopped by the writer', retryable: false } : info,
        latency_ms: Math.round(this.monotonic() - startedAt),
        finished_at: this.d.now().toISOString(),
      };
      this.d.repo.save(record);
      const saved = this.d.repo.get(runId)!;
      this.d.events.emit('run:failed', { run_id: runId, error: saved.error!, record: saved });
      throw cancelled ? new CancelledError() : error;
    }
  }

  /**
   * The run's cost from the ledger — every call of its parts, a part stopped and asked again on Resume included (its
   * stored run is replaced by the new one, its charge is not) — with the attempts and the tokens the parts' stored
   * runs reported.
   */
  private totals(base: RunWrite, runId: string, parts: number): RunWrite {
    const attempts: RunWrite['attempts'] = [];
    let input = 0;
    let output = 0;
    for (let n = 1; n <= parts; n++)
      for (const id of [partRunId(runId, n), partRunId(runId, n, true)]) {
        const run = this.d.repo.get(id);
        if (!run) continue;
        attempts.push(...run.attempts);
        input += run.input_tokens ?? 0;
        output += run.output_tokens ?? 0;
      }
    return {
      ...base,
      cost_micros: this.d.chargedUnder(partRunPrefix(runId)),
      attempts,
      input_tokens: input > 0 ? input : null,
      output_tokens: output > 0 ? output : null,
    };
  }
}

/**
 * The run's answer from the parts' answers: findings merged and located, edits in order, summaries per chapter (with
 * what they got wrong about the chapters the parts read, up to `readTo`); with the notices of the calls (of `of`)
 * that gave any.
 */
function jobAnswer(
  job: PreparedJob,
  result: Pick<JobResult, 'findings' | 'answers' | 'steps' | 'notices'>,
  locator: QuoteLocator,
  steps: readonly CombineStep[],
  of: number,
  readTo: number,
): { answer: RunWrite['answer']; json: Record<string, unknown> } {
  const read = mergedAnswer(job, result, locator, steps, readTo);
  const notices = jobNotices(result.notices, of);
  if (notices.length === 0) return read;
  return { ...read, answer: { ...read.answer, notices: [...(read.answer.notices ?? []), ...notices] } };
}

function mergedAnswer(
  job: PreparedJob,
  result: Pick<JobResult, 'findings' | 'answers' | 'steps'>,
  locator: QuoteLocator,
  steps: readonly CombineStep[],
  readTo: number,
): { answer: NonNullable<RunWrite['answer']>; json: Record<string, unknown> } {
  switch (job.kind) {
    case 'findings':
      return {
        answer: { kind: 'findings', findings: locateJobFindings(result.findings, locator, job.structure) },
        json: { findings: result.findings },
      };
    case 'edits': {
      const edits = (result.answers as AnchoredEdit[][]).flat();
      return {
        answer: { kind: 'edits', edits },
        json: { edits: edits.map(({ original, revised, reason }) => ({ original, revised, reason })) },
      };
    }
    case 'summary': {
      const chapters = mergeSummaries(result.answers as PartSummary[][], combinedByChapter(steps, result.steps));
      const notices = chapterNotices(chapters, namedChapters(job.structure, readTo));
      return { answer: { kind: 'summary', chapters, ...(notices.length > 0 ? { notices } : {}) }, json: { chapters } };
    }
    default:
      return job.kind satisfies never;
  }
}
