// A runs:start whose passage is longer than the chosen model can read at once becomes ONE run with parts, never a
// refusal and never a cut: the passage is split at chapter/scene/paragraph boundaries (manuscripts/splitter.ts), each
// part is one reserved model call through RunService.call with the task's instruction and the story so far, the
// whole job's worst case must fit the budget before part 1, and the parts' findings are merged into the run's answer
// with quotes located in the whole passage (Quire's own numbering). A chapter summary's chapter longer than a part
// is summarised once more from its parts' summaries (summary-combine.ts): those steps follow the parts, in the quote,
// the progress and the run's cost. Finished parts and steps are kept in SQLite (jobs-repo.ts), so a crash loses none
// and the same run id resumes after the last one. Sits above RunService: its internals are not touched.
import type { DecideRequest, Decision, ModelSpec } from '../../src-preload/contract';
import type { RunQuote, RunRecord, RunStart } from '../../src-preload/contract/runs';
import { estimateTextTokens } from '../../src-preload/contract/tokens';
import {
  BudgetExceededError,
  CancelledError,
  ConflictError,
  InputTooLongError,
  QuireError,
  isQuireError,
} from '../errors';
import type { EventBus } from '../infra/event-bus';
import type { JobResult, JobRunner } from '../manuscripts/job-runner';
import { setUpJob, type JobSetup } from '../manuscripts/job-setup';
import type { JobFinding, JobPart, PartResult, PartUsage, StorySoFar } from '../manuscripts/job-types';
import type { JobsRepo } from '../manuscripts/jobs-repo';
import { renderStory } from '../manuscripts/story';
import { parseStructure, type DocumentStructure } from '../manuscripts/structure';
import { locateJobFindings } from '../manuscripts/job-findings';
import { readJson } from '../providers/json-answer';
import type { ChatMessage, GenerateRequest } from '../providers/spec';
import type { ModelCallOutcome, RunService } from '../runs/run-service';
import { repairRequest, unreadableAnswerError } from '../runs/task-run';
import { blankRunWrite } from '../runs/run-writer';
import { toMicros } from '../store/money';
import type { RunWrite, RunsRepo } from '../store/repos/runs-repo';
import { numberParagraphs, QuoteLocator, type Paragraph } from '../tasks/quotes';
import type { TaskDefinition, TaskLibrary } from '../tasks/task-library';
import { framedInput, taskMessages } from '../tasks/task-messages';
import type { TokenCounter } from '../tokens/token-counter';
import { anchorEdits } from '../tasks/task-answers';
import type { AnchoredEdit } from '../../src-preload/contract/tasks';
import {
  SPLIT_KINDS,
  mergeSummaries,
  partJsonSchema,
  partReader,
  type PartValue,
  type PartForm,
  partSummaries,
  storyFromAnswer,
  type PartSummary,
  type SplitKind,
} from './job-answer';
import { JOIN_MARGIN, type JobQuote } from '../manuscripts/job-plan';
import { runBoundUsd } from '../orchestrator/pricing';
import { RunBound } from '../runs/run-bound';
import { estimateInputTokens } from '../runs/run-request';
import {
  SUMMARY_ITEM_MARGIN,
  combineMessages,
  combineSteps,
  combinedByChapter,
  stepItems,
  stepSummaries,
  type CombineStep,
  type CombinedSummary,
} from './summary-combine';

export interface RunJobsDeps {
  runs: Pick<RunService, 'call'>;
  repo: Pick<RunsRepo, 'save' | 'get'>;
  runner: JobRunner;
  jobs: Pick<JobsRepo, 'get'>;
  decide: (request: DecideRequest) => Decision;
  model: (id: string) => ModelSpec | undefined;
  tokens: Pick<TokenCounter, 'count' | 'textCounter'>;
  library: TaskLibrary;
  events: Pick<EventBus, 'emit'>;
  /** What is left of this month's budget (null: no budget). */
  remainingUsd: () => number | null;
  now: () => Date;
  monotonic?: () => number;
}

/** A job ready to run: the model, the split and the whole job's quote. */
export interface PreparedJob {
  spec: ModelSpec;
  definition: TaskDefinition;
  kind: SplitKind;
  setup: JobSetup;
  /** The passage's chapters and paragraphs, parsed once: the plan's cuts and the findings' locations. */
  structure: DocumentStructure;
  system: (part: number, of: number) => string;
  maxOutputTokens: number;
  passageTokens: number;
  /** A chapter summary's chapters longer than a part: how many partial summaries a combine step reads at most. */
  fanIn: number | null;
  /**
   * The whole job, worst case: every part, then every combine step, each with its one repair (the sum of `bounds`).
   */
  quote: JobQuote;
  /** Each call's bound, USD, in the job's order (parts, then combine steps): its own worst case and its repair's. */
  bounds: number[];
  reason: string;
}

/** A part's id as a stored call of its own: `<run id>/part/<n>` (1-based), `/repair` for its one repair. */
export function partRunId(runId: string, part: number, repair = false): string {
  return `${runId}/part/${part}${repair ? '/repair' : ''}`;
}

const STORY_NOTE =
  'Also answer "story": the story so far updated with this part — characters with short notes, facts and timeline ' +
  'entries, each a short sentence that quotes the words it rests on.';

/** What each part is told about being a part; the story so far (findings and summaries) precedes its text. */
function jobNote(kind: SplitKind, part: number, of: number): string {
  const lead = `This is part ${part} of ${of} of a longer text, read in order.`;
  switch (kind) {
    case 'findings':
      return (
        `${lead} "Story so far" (when given) summarises the earlier parts: report what in this part contradicts ` +
        `it, quoting both places (the earlier quote copied from the story so far). ${STORY_NOTE}`
      );
    case 'edits':
      return `${lead} Propose edits for the text given here only, each original copied exactly from it.`;
    case 'summary':
      return (
        `${lead} "Story so far" (when given) summarises the earlier parts: use it to understand this one. ` +
        'Summarise each chapter this part holds; when the part begins inside a chapter whose heading is not in it, ' +
        `summarise that chapter's rest first, as "Untitled". ${STORY_NOTE}`
      );
    default:
      return kind satisfies never;
  }
}

/** What a writer can do about a passage a creative task cannot run in parts. */
const TOO_LONG_ADVICE =
  'this task answers from the whole passage at once, so it is not run in parts. Choose a model with a larger ' +
  'context, or shorten the passage (a scene or a chapter).';

/** More than any chat template's role markers and separators around a system and a user message. */
const FRAMING_BOUND = 256;

/** The smallest request a part may be, for choosing a model when no model can read the whole passage. */
const PART_DECISION_TOKENS = 1024;

export class RunJobs {
  private readonly active = new Map<string, AbortController>();
  private readonly pending = new Map<string, Promise<RunRecord>>();
  private readonly monotonic: () => number;

  constructor(private readonly d: RunJobsDeps) {
    this.monotonic = d.monotonic ?? (() => performance.now());
  }

  /**
   * A job when the passage of a findings, edits or summary task does not fit the chosen model's usable context; null
   * when it fits (or is not a passage, or cannot be decided here): then the plain path runs it as before. Any other
   * task whose passage does not fit is refused with the numbers (InputTooLongError): never cut.
   */
  async prepare(start: RunStart): Promise<PreparedJob | null> {
    if (typeof start.input !== 'string' || start.json_schema) return null;
    const definition = this.d.library.get(start.task);
    if (!definition) return null;
    let messages: ChatMessage[];
    try {
      messages = taskMessages(definition, { passage: start.input, request: start.request });
    } catch {
      return null;
    }
    const base = {
      task: start.task,
      ...(start.tier ? { tier: start.tier } : {}),
      ...(start.model ? { model: start.model } : {}),
      ...(start.local_only !== undefined ? { local_only: start.local_only } : {}),
    };
    const whole = this.decideOrNull({
      ...base,
      input_tokens: estimateTextTokens(start.input),
      ...(start.max_output_tokens ? { max_output_tokens: start.max_output_tokens } : {}),
    });
    let spec: ModelSpec | undefined;
    // The whole request's count, when the whole-passage path has made it (the refusal below reuses it).
    let requestTokens: number | undefined;
    if (whole?.model_id && !whole.refusal) {
      spec = this.d.model(whole.model_id);
      if (!spec) return null;
      // Most passages fit by far, and every run asks: no counter makes more than 2 tokens of a UTF-8 byte (byte-level
      // vocabularies 1, Claude's estimate 1.75), so a request whose bound fits needs no exact count.
      const bytes = messages.reduce((sum, m) => sum + Buffer.byteLength(m.content), 0);
      if (2 * bytes + FRAMING_BOUND + whole.max_output_tokens <= spec.context_window) return null;
      requestTokens = (await this.d.tokens.count(spec, { messages })).tokens;
      if (requestTokens + whole.max_output_tokens <= spec.context_window) return null;
    } else {
      // No model reads it whole: the best one for a part's size (by tier, budget and quality as always).
      const forParts = this.decideOrNull({
        ...base,
        input_tokens: PART_DECISION_TOKENS,
        max_output_tokens: Math.min(definition.max_output_tokens, start.max_output_tokens ?? 512),
      });
      if (!forParts?.model_id || forParts.refusal) return null;
      spec = this.d.model(forParts.model_id);
      if (!spec) return null;
    }
    if (!SPLIT_KINDS.has(definition.answer)) {
      const output = start.max_output_tokens ?? definition.max_output_tokens;
      // Refused only when it really does not fit this model; any other refusal is the plain path's to give.
      requestTokens ??= (await this.d.tokens.count(spec, { messages })).tokens;
      if (requestTokens + output <= spec.context_window) return null;
      const empty = taskMessages(definition, { passage: '', request: start.request });
      const framing = (await this.d.tokens.count(spec, { messages: empty })).tokens + FRAMING_BOUND;
      throw new InputTooLongError(
        (await this.d.tokens.textCounter(spec)).count(start.input),
        spec.context_window - output - framing,
        spec.display_name,
        `with its answer of up to ${output.toLocaleString('en-US')} tokens and the instruction`,
        TOO_LONG_ADVICE,
      );
    }
    const passageTokens = (await this.d.tokens.textCounter(spec)).count(start.input);
    const kind = definition.answer as SplitKind;
    const text = start.input;
    const structure = parseStructure(text);
    const maxOutputTokens =
      start.max_output_tokens ??
      Math.min(definition.max_output_tokens, Math.max(128, Math.floor(spec.context_window / 4)));
    const instruction = taskMessages(definition, { passage: '', request: start.request })[0]!.content;
    const system = (part: number, of: number) => `${instruction}\n\n${jobNote(kind, part, of)}`;
    const setup = await setUpJob(
      { tokens: this.d.tokens },
      {
        spec,
        text,
        blocks: structure.blocks,
        // Counted with the longest part note and the passage's framing: every part's request is at most this.
        instruction: [
          { role: 'system', content: system(99_999, 99_999) },
          { role: 'user', content: framedInput(definition, { passage: '', request: start.request }) },
        ],
        maxOutputTokens,
      },
    );
    let reason =
      `The passage is ${passageTokens.toLocaleString('en-US')} tokens as ${spec.display_name} counts them (each ` +
      `model counts its own); it reads ${setup.contextWindow.toLocaleString('en-US')} at once (with its answer and ` +
      `the instruction), so it runs in ` +
      `${setup.plan.parts.length} parts, each given the story so far. Nothing is cut.`;
    let fanIn: number | null = null;
    let quote = setup.quote;
    const { budget, parts } = setup.plan;
    // Every call of the job is read as JSON and may get one repair: its bound is its worst case and that repair's.
    const bound = (input: number) => runBoundUsd(spec, input, maxOutputTokens, { repair: true, at: this.d.now() });
    const bounds = parts.map((part) => bound(part.tokens + budget.instructionTokens + budget.storyTokens));
    if (kind === 'summary') {
      const combined = await this.combinePlan(spec, definition, setup, structure, maxOutputTokens);
      fanIn = combined.fanIn;
      quote = combined.quote;
      bounds.push(...combined.inputs.map(bound));
      const chapters = new Set(combined.steps.map((s) => s.chapter)).size;
      if (combined.steps.length > 0)
        reason +=
          fanIn === null
            ? ` ${chapters} chapter${chapters === 1 ? ' is' : 's are'} longer than a part, and this context is too ` +
              "small to summarise a chapter again from its parts' summaries: their summaries are joined."
            : ` ${chapters} chapter${chapters === 1 ? ' is' : 's are'} longer than a part: ${combined.steps.length} ` +
              `more step${combined.steps.length === 1 ? '' : 's'} summarise${combined.steps.length === 1 ? 's' : ''} ` +
              "each from its parts' summaries.";
    }
    return {
      spec,
      definition,
      kind,
      setup,
      structure,
      system,
      maxOutputTokens,
      passageTokens,
      fanIn,
      quote: { ...quote, cost_micros_max: bounds.reduce((sum, usd) => sum + toMicros(usd), 0) },
      bounds,
      reason,
    };
  }

  /**
   * A chapter summary's combine steps and the whole job's quote with them: each step reads at most `fanIn` summaries,
   * each at most a part's answer (plus its label), so its request fits the context with its answer. Null fan-in (no
   * steps, the pieces joined, as the reason says) when the context cannot hold two summaries and an answer. The
   * quote's cost is left to the caller, which sums every call's bound (`inputs` are the steps' input tokens).
   */
  private async combinePlan(
    spec: ModelSpec,
    definition: TaskDefinition,
    setup: JobSetup,
    structure: DocumentStructure,
    maxOutputTokens: number,
  ): Promise<{ fanIn: number | null; steps: CombineStep[]; quote: JobQuote; inputs: number[] }> {
    const { parts, blocks } = setup.plan;
    const spanning = combineSteps(parts, blocks, structure.chapters, 2);
    const framing = new Map<string, number>();
    for (const title of new Set(spanning.map((s) => s.title)))
      framing.set(
        title,
        (await this.d.tokens.count(spec, { messages: combineMessages(definition, title, []) })).tokens,
      );
    const widest = Math.max(0, ...framing.values());
    const item = maxOutputTokens + SUMMARY_ITEM_MARGIN;
    const fanIn = Math.floor((setup.contextWindow - maxOutputTokens - widest - JOIN_MARGIN) / item);
    if (spanning.length === 0 || fanIn < 2) return { fanIn: null, steps: spanning, quote: setup.quote, inputs: [] };
    const steps = combineSteps(parts, blocks, structure.chapters, fanIn);
    const quote = { ...setup.quote };
    const inputs: number[] = [];
    for (const step of steps) {
      const input = framing.get(step.title)! + stepItems(step) * item;
      inputs.push(input);
      quote.parts += 1;
      quote.input_tokens_max += input;
      quote.output_tokens_max += maxOutputTokens;
    }
    return { fanIn, steps, quote, inputs };
  }

  quote(job: PreparedJob): Extract<RunQuote, { kind: 'job' }> {
    const q = job.quote;
    return {
      kind: 'job',
      model_id: job.spec.id,
      display_name: job.spec.display_name,
      parts: q.parts,
      input_tokens_max: q.input_tokens_max,
      output_tokens_max: q.output_tokens_max,
      total_usd: q.cost_micros_max / 1e6,
      reason: job.reason,
    };
  }

  /** A run id that already names a job (finished, or left unfinished by a crash or a stop). */
  known(runId: string | undefined): boolean {
    return runId !== undefined && this.d.jobs.get(runId) !== undefined;
  }

  cancel(runId: string): boolean {
    const controller = this.active.get(runId);
    if (!controller) return false;
    controller.abort(new CancelledError());
    return true;
  }

  /** Runs the job as the run `runId` (the caller's, or new); the same id again joins or resumes it. */
  run(start: RunStart, job: PreparedJob | null, runId: string): Promise<RunRecord> {
    const inFlight = this.pending.get(runId);
    if (inFlight) return inFlight;
    const controller = new AbortController();
    this.active.set(runId, controller);
    const running = this.execute(start, job, runId, controller.signal).finally(() => {
      this.active.delete(runId);
      this.pending.delete(runId);
    });
    this.pending.set(runId, running);
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
    if (stored && storedRun?.status === 'completed') return storedRun;
    if (stored && stored.task !== start.task) throw new ConflictError(`Run ${runId} is already a ${stored.task} run`);
    const job = prepared ?? (await this.prepare(start));
    if (!job) throw new QuireError('conflict', `Run ${runId} cannot be resumed: its passage no longer needs parts`);
    const { spec, definition, quote } = job;
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
    if (!stored) {
      // The whole job's worst case must fit what is left before part 1 runs; each part still reserves its own.
      const remaining = this.d.remainingUsd();
      const total = quote.cost_micros_max / 1e6;
      if (remaining !== null && total > remaining + 1e-9) {
        throw new BudgetExceededError(
          `This passage runs in ${quote.parts} parts on ${spec.display_name}, which may cost up to ` +
            `$${total.toFixed(4)} in all; $${Math.max(0, remaining).toFixed(4)} of this month's budget is left. ` +
            'Nothing was run.',
        );
      }
      this.d.runner.create({
        id: runId,
        task: start.task,
        model_id: spec.id,
        text,
        plan: job.setup.plan,
        quote,
      });
    }
    // The steps after the parts follow the plan the job was stored with (a resumed job's, as its parts do).
    const plan = stored?.plan ?? job.setup.plan;
    const steps = job.fanIn === null ? [] : combineSteps(plan.parts, plan.blocks, job.structure.chapters, job.fanIn);
    this.d.repo.save(base);
    this.d.events.emit('run:started', {
      run_id: runId,
      task: start.task,
      model_id: spec.id,
      reason: job.reason,
      stream: false,
    });
    const paragraphs = numberParagraphs(text);
    // One locator for the job: the whole text is folded once for every part's quotes and the merged findings'.
    const locator = new QuoteLocator(text);
    const partIds: string[] = [];
    try {
      const result = await this.d.runner.run(
        runId,
        (part, story, partSignal) => this.runPart(start, job, runId, locator, paragraphs, part, story, partSignal),
        {
          signal,
          count: job.setup.count,
          after: {
            count: steps.length,
            run: (step, parts, done, stepSignal) =>
              this.combineStep(start, job, runId, plan.parts.length, steps, step, parts, done, stepSignal),
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
      const { answer, json } = jobAnswer(job, result, locator, steps);
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
      const record: RunWrite = {
        ...this.totals(base, runId, parts),
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

  /** The run's cost and one attempt per part call made so far (read back from the parts' own stored runs). */
  private totals(base: RunWrite, runId: string, parts: number): RunWrite {
    let micros = 0;
    const attempts: RunWrite['attempts'] = [];
    for (let n = 1; n <= parts; n++)
      for (const id of [partRunId(runId, n), partRunId(runId, n, true)]) {
        const run = this.d.repo.get(id);
        if (!run) continue;
        micros += toMicros(run.cost_usd);
        attempts.push(...run.attempts);
      }
    return { ...base, cost_micros: micros, attempts };
  }

  private async runPart(
    start: RunStart,
    job: PreparedJob,
    runId: string,
    locator: QuoteLocator,
    paragraphs: readonly Paragraph[],
    part: JobPart,
    story: StorySoFar,
    signal: AbortSignal,
  ): Promise<PartResult> {
    const { definition } = job;
    const told = renderStory(story);
    const passage = framedInput(definition, { passage: part.text, request: start.request });
    // A summary part answers one entry per chapter it holds (the one it begins inside included).
    const numbers = new Set(part.paragraphs.map((p) => p.chapter));
    const chapters = job.structure.chapters.filter((c) => numbers.has(c.number));
    const messages: ChatMessage[] = [
      { role: 'system', content: job.system(part.index + 1, part.total) },
      { role: 'user', content: told ? `${told}\n\n${passage}` : passage },
    ];
    const ask = <K extends SplitKind>(form: PartForm & { kind: K }) =>
      this.ask<K>(start, job, runId, part.index + 1, part.total, messages, form, signal);
    if (job.kind === 'edits') {
      const { value, usage } = await ask({ kind: 'edits' });
      // Anchored in this part's span of the whole passage: offsets and locations are the whole passage's.
      const answer = anchorEdits(value, locator.text, part, paragraphs);
      return { findings: [], answer, storyUpdate: story, usage };
    }
    if (job.kind === 'summary') {
      const form = { kind: 'summary', chapters: chapters.map((c) => c.title), story: true } as const;
      const { value, usage } = await ask(form);
      const entries = value.chapters;
      const first = chapters[0];
      const continued = first && first.start < part.start ? first.number : null;
      const answer = partSummaries(entries, chapters, continued);
      return { findings: [], answer, storyUpdate: storyFromAnswer(value.story, story), usage };
    }
    const { value: found, usage } = await ask({ kind: 'findings', story: true });
    const findings: JobFinding[] = found.findings.map((f) => ({
      claim: f.claim,
      severity: f.severity,
      ...(f.suggestion ? { suggestion: f.suggestion } : {}),
      evidence: f.evidence.map((e) => {
        const hit = locator.locate(e.quote, paragraphs);
        return {
          quote: e.quote,
          location: hit.location ? { chapter: hit.location.chapter, paragraph: hit.location.paragraph } : null,
        };
      }),
    }));
    return { findings, storyUpdate: storyFromAnswer(found.story, story), usage };
  }

  /**
   * Combine step `index` (call `offset + index + 1` of the job): the chapter's summary from the summaries it reads. One
   * summary needs no call and none gives none (a part that answered no piece of the chapter).
   */
  private async combineStep(
    start: RunStart,
    job: PreparedJob,
    runId: string,
    offset: number,
    steps: readonly CombineStep[],
    index: number,
    partAnswers: readonly unknown[],
    stepAnswers: readonly unknown[],
    signal: AbortSignal,
  ): Promise<{ answer: CombinedSummary | null; usage: PartUsage }> {
    const step = steps[index]!;
    const summaries = stepSummaries(steps, index, partAnswers, stepAnswers);
    const none = { inputTokens: 0, outputTokens: 0 };
    if (summaries.length === 0) return { answer: null, usage: none };
    if (summaries.length === 1) return { answer: { chapter: step.chapter, summary: summaries[0]! }, usage: none };
    const messages = combineMessages(job.definition, step.title, summaries);
    const n = offset + index + 1;
    const form = { kind: 'summary', chapters: [step.title], story: false } as const;
    const { value, usage } = await this.ask(start, job, runId, n, offset + steps.length, messages, form, signal);
    const entries = value.chapters;
    // Asked for one entry; were there more, every word is kept, in order.
    return { answer: { chapter: step.chapter, summary: entries.map((e) => e.summary).join(' ') }, usage };
  }

  /** Call `n` of `of` of the job with its one repair, read in `form`; fails the job when it cannot be read. */
  private async ask<K extends SplitKind>(
    start: RunStart,
    job: PreparedJob,
    runId: string,
    n: number,
    of: number,
    messages: ChatMessage[],
    form: PartForm & { kind: K },
    signal: AbortSignal,
  ): Promise<{ value: PartValue[K]; usage: PartUsage }> {
    const { spec, definition } = job;
    const request: GenerateRequest = {
      messages,
      maxOutputTokens: job.maxOutputTokens,
      ...(definition.temperature !== undefined ? { temperature: definition.temperature } : {}),
      jsonSchema: partJsonSchema(spec, job.maxOutputTokens, form),
    };
    const call = (r: GenerateRequest, admit?: (worstCaseUsd: number) => Error | null) =>
      this.d.runs.call({
        runId: partRunId(runId, n, admit !== undefined),
        task: start.task,
        spec,
        request: r,
        reason: `Part ${n} of ${of} of run ${runId}`,
        cancel: signal,
        admit,
      });
    let outcome = await call(request);
    failIfNotOk(outcome, signal);
    let reading = readPart(outcome, form.kind);
    let usage: PartUsage = outcome.usage;
    if (!reading.ok) {
      // The repair only within this call's share of the quote (a job resumed on another plan: its own bound).
      const bound = new RunBound(
        job.bounds[n - 1] ??
          runBoundUsd(spec, estimateInputTokens(messages), job.maxOutputTokens, { repair: true, at: this.d.now() }),
      );
      outcome = await call(
        repairRequest(request, outcome.text, reading.problem),
        bound.admitRepair(toMicros(outcome.costUsd), spec.display_name, reading.problem),
      );
      failIfNotOk(outcome, signal);
      usage = {
        inputTokens: add(usage.inputTokens, outcome.usage.inputTokens),
        outputTokens: add(usage.outputTokens, outcome.usage.outputTokens),
      };
      reading = readPart(outcome, form.kind);
      if (!reading.ok) throw unreadableAnswerError(spec.display_name, reading.problem);
    }
    return { value: reading.value, usage };
  }

  private decideOrNull(request: DecideRequest): Decision | null {
    try {
      return this.d.decide(request);
    } catch {
      return null;
    }
  }
}

function failIfNotOk(outcome: ModelCallOutcome, signal: AbortSignal): void {
  if (signal.aborted) throw new CancelledError();
  if (!outcome.ok) {
    const error = outcome.error ?? { code: 'provider_error', message: 'The model did not answer' };
    // The part's number (a repair's id ends in /repair: partRunId).
    const part = outcome.run_id.split('/part/')[1]!.split('/')[0];
    throw new QuireError(error.code as never, `Part ${part}: ${error.message}`);
  }
}

/** The run's answer from the parts' answers: findings merged and located, edits in order, summaries per chapter. */
function jobAnswer(
  job: PreparedJob,
  result: JobResult,
  locator: QuoteLocator,
  steps: readonly CombineStep[],
): { answer: RunWrite['answer']; json: Record<string, unknown> } {
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
      return { answer: { kind: 'summary', chapters }, json: { chapters } };
    }
    default:
      return job.kind satisfies never;
  }
}

function readPart<K extends SplitKind>(outcome: ModelCallOutcome, kind: K) {
  const reading = outcome.json !== undefined ? { ok: true as const, value: outcome.json } : readJson(outcome.text);
  if (!reading.ok) return reading;
  const parsed = partReader(kind).safeParse(reading.value);
  return parsed.success
    ? { ok: true as const, value: parsed.data }
    : { ok: false as const, problem: parsed.error.issues[0]?.message ?? 'not in the asked form' };
}

function add(a: number | undefined, b: number | undefined): number | undefined {
  return a === undefined || b === undefined ? undefined : a + b;
}
