// Runs a multi-part job: parts 1..M in order, each given the bounded story so far from the parts before it, each
// finished part persisted before the next starts (a crash loses no finished part; `run` on the same job resumes after
// the last finished one), progress as "part N of M", cancel between and within parts, and the findings of every part
// merged and de-duplicated at the end. Generic over `runPart` (job-types.ts): the runner never calls a model itself.
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { CancelledError, ConflictError, NotFoundError } from '../errors';
import type { JobPlan, JobQuote } from './job-plan';
import type { FinishedPart, JobsRepo, StoredCombine } from './jobs-repo';
import { mergeFindings } from './merge-findings';
import type { CountText, Part } from './splitter';
import type { Block } from './structure';
import { boundStory } from './story';
import {
  EMPTY_STORY,
  type JobPart,
  type JobProgress,
  type MergedFinding,
  type PartNotices,
  type PartUsage,
  type PartParagraph,
  type RunPart,
  type StorySoFar,
} from './job-types';

export interface JobRunnerOptions {
  repo: JobsRepo;
  now?: () => Date;
  newId?: () => string;
  /** Milliseconds, monotonic (part wall times). */
  monotonic?: () => number;
}

export interface NewJob {
  id?: string;
  task: string;
  model_id: string;
  document_id?: string | null;
  text: string;
  plan: JobPlan;
  /** The steps after the parts (RunOptions.after), kept so a resumed job runs the same ones. */
  combine?: StoredCombine;
  quote: JobQuote;
}

export interface RunOptions {
  signal?: AbortSignal;
  onProgress?: (progress: JobProgress) => void;
  /** The job model's per-text count, to keep the story within its bound. */
  count: CountText;
  /** Steps after the parts, run in order on their answers and kept like parts (numbered after them). */
  after?: AfterSteps;
}

/**
 * Work a job does once its parts are done, on their answers (a chapter longer than a part summarised once more from
 * its parts' summaries): `count` steps known before part 1, each persisted when it finishes, shown in progress as
 * the parts after the last text part, resumed after the last finished one.
 */
export interface AfterSteps {
  count: number;
  /** Step `step` (0-based), given every part's answer and the earlier steps' answers, in order. */
  run: (
    step: number,
    parts: readonly unknown[],
    steps: readonly unknown[],
    signal: AbortSignal,
  ) => Promise<{ answer: unknown; usage: PartUsage; notices?: string[] }>;
}

export interface JobResult {
  job_id: string;
  findings: MergedFinding[];
  /** Each part's own answer (PartResult.answer), in part order: a task that is not findings merges these. */
  answers: unknown[];
  /** Each step's answer after the parts (RunOptions.after), in order. */
  steps: unknown[];
  /** The notices of the parts and steps that gave any (PartResult.notices), in order. */
  notices: PartNotices[];
  parts: number;
  /** Summed over parts and steps; undefined when any one's usage is unknown. */
  usage: { inputTokens: number | undefined; outputTokens: number | undefined };
  story: StorySoFar;
  /** Parts and steps (0-based, steps after the parts) that ran in this call (the rest were finished before). */
  ran: number[];
}

export class JobRunner {
  private readonly now: () => Date;
  private readonly newId: () => string;
  private readonly monotonic: () => number;
  private readonly active = new Set<string>();

  constructor(private readonly options: JobRunnerOptions) {
    this.now = options.now ?? (() => new Date());
    this.newId = options.newId ?? randomUUID;
    this.monotonic = options.monotonic ?? (() => performance.now());
  }

  /** Records the job (input, plan, quote) before any part runs; returns its id. */
  create(job: NewJob): string {
    const id = job.id ?? this.newId();
    this.options.repo.insert({
      id,
      document_id: job.document_id ?? null,
      task: job.task,
      model_id: job.model_id,
      input_text: job.text,
      plan: {
        partTokens: job.plan.partTokens,
        storyTokens: job.plan.budget.storyTokens,
        parts: job.plan.parts,
        blocks: job.plan.blocks,
        ...(job.combine ? { combine: job.combine } : {}),
      },
      quote: job.quote,
      created_at: this.now().toISOString(),
    });
    return id;
  }

  /**
   * What the job's finished parts found, merged as a finished job's are (the steps after the parts are left out): a
   * stopped or failed job's result shows them. Null when no part has finished.
   */
  soFar(jobId: string): Pick<JobResult, 'findings' | 'answers' | 'steps' | 'notices'> | null {
    const job = this.options.repo.get(jobId);
    if (!job) return null;
    const finished = this.options.repo.parts(jobId).filter((p) => p.index < job.plan.parts.length);
    if (finished.length === 0) return null;
    return { ...partsFound(finished), steps: [] };
  }

  /** Runs (or resumes) the job's unfinished parts in order. */
  async run(jobId: string, runPart: RunPart, options: RunOptions): Promise<JobResult> {
    const job = this.options.repo.get(jobId);
    if (!job) throw new NotFoundError('Job', jobId);
    if (this.active.has(jobId)) throw new ConflictError(`Job ${jobId} is already running`);
    this.active.add(jobId);
    const { parts, blocks, storyTokens } = job.plan;
    const signal = options.signal ?? new AbortController().signal;
    try {
      const stored = this.options.repo.parts(jobId);
      const finished = stored.filter((p) => p.index < parts.length);
      const stepsDone = stored.filter((p) => p.index >= parts.length);
      const after = options.after;
      const of = parts.length + (after?.count ?? 0);
      if (job.status !== 'running' && job.status !== 'done') this.options.repo.setStatus(jobId, 'running', null);
      let story = finished.at(-1)?.story ?? EMPTY_STORY;
      const ran: number[] = [];
      /** One call of the job (a part or a step after them): progress, its time, then it is saved before the next. */
      const step = async <R extends { usage: PartUsage }>(
        index: number,
        call: () => Promise<R>,
        saved: (result: R) => Pick<FinishedPart, 'findings' | 'answer' | 'notices' | 'story'>,
        into: FinishedPart[],
      ) => {
        if (signal.aborted) throw new CancelledError();
        options.onProgress?.({ job_id: jobId, part: index + 1, of, phase: 'started' });
        const started = this.monotonic();
        // A call that came back is kept even when a stop landed meanwhile (its answer is paid for): the check above
        // stops the job before the next one. A call the stop cut off throws instead.
        const result = await call();
        const done: FinishedPart = {
          index,
          ...saved(result),
          usage: result.usage,
          wall_ms: this.monotonic() - started,
          finished_at: this.now().toISOString(),
        };
        this.options.repo.finishPart(jobId, done);
        into.push(done);
        ran.push(index);
        options.onProgress?.({ job_id: jobId, part: index + 1, of, phase: 'finished' });
      };
      for (let k = finished.length; k < parts.length; k++) {
        const part = jobPart(job.input_text, parts[k]!, parts.length, blocks);
        await step(
          k,
          () => runPart(part, story, signal),
          (result) => {
            story = boundStory(result.storyUpdate, storyTokens, options.count);
            return {
              findings: result.findings,
              ...(result.answer !== undefined ? { answer: result.answer } : {}),
              ...(result.notices?.length ? { notices: result.notices } : {}),
              story,
            };
          },
          finished,
        );
      }
      const { findings, answers } = partsFound(finished);
      for (let s = stepsDone.length; after && s < after.count; s++) {
        const previous = stepsDone.map((p) => p.answer);
        await step(
          parts.length + s,
          () => after.run(s, answers, previous, signal),
          (result) => ({
            findings: [],
            answer: result.answer,
            ...(result.notices?.length ? { notices: result.notices } : {}),
            story,
          }),
          stepsDone,
        );
      }
      const all = [...finished, ...stepsDone];
      this.options.repo.setStatus(jobId, 'done', job.finished_at ?? this.now().toISOString());
      return {
        job_id: jobId,
        findings,
        answers,
        steps: stepsDone.map((p) => p.answer),
        notices: noticesOf(all),
        parts: parts.length,
        usage: {
          inputTokens: sum(all.map((p) => p.usage.inputTokens)),
          outputTokens: sum(all.map((p) => p.usage.outputTokens)),
        },
        story,
        ran,
      };
    } catch (error) {
      const cancelled = signal.aborted || error instanceof CancelledError;
      this.options.repo.setStatus(
        jobId,
        cancelled ? 'cancelled' : 'failed',
        this.now().toISOString(),
        cancelled ? null : ((error as Error).message ?? String(error)),
      );
      throw cancelled && !(error instanceof CancelledError) ? new CancelledError() : error;
    } finally {
      this.active.delete(jobId);
    }
  }
}

/** What finished parts found: their findings merged, each one's own answer in part order, and their notices. */
function partsFound(finished: readonly FinishedPart[]): Pick<JobResult, 'findings' | 'answers' | 'notices'> {
  return {
    findings: mergeFindings(finished.map((p) => p.findings)),
    answers: finished.map((p) => p.answer),
    notices: noticesOf(finished),
  };
}

function noticesOf(finished: readonly FinishedPart[]): PartNotices[] {
  return finished.flatMap((p) => (p.notices?.length ? [{ index: p.index, notices: p.notices }] : []));
}

/** What runPart is given for part `part`: its exact text and the locations of the blocks it holds. */
export function jobPart(input: string, part: Part, total: number, blocks: readonly Block[]): JobPart {
  const paragraphs: PartParagraph[] = [];
  for (let b = part.firstBlock; b <= part.lastBlock && b < blocks.length; b++) {
    const block = blocks[b]!;
    paragraphs.push({ chapter: block.chapter, paragraph: block.paragraph, start: block.start, end: block.end });
  }
  return {
    index: part.index,
    total,
    text: input.slice(part.start, part.end),
    start: part.start,
    end: part.end,
    tokens: part.tokens,
    paragraphs,
  };
}

function sum(values: (number | undefined)[]): number | undefined {
  let total = 0;
  for (const v of values) {
    if (v === undefined) return undefined;
    total += v;
  }
  return total;
}
