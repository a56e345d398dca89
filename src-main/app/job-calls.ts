// Each model call of a multi-part run: a part (its text after the story so far; its answer read, each quote located
// in the whole passage, in the part's own span first, and carried into the next part's story) or a combine step,
// each stored as a run of its own with one repair. On a local model each call is bounded and told its limits as a
// single run is; what reaching them means (notices, an edit that may be cut short never applied) goes with its answer.
// A reasoning model is sent room to think besides the answer's allowance on every call, as a single run is.
import type { RunStart } from '../../src-preload/contract/runs';
import { CancelledError, QuireError } from '../errors';
import { findInPart } from '../manuscripts/job-findings';
import type { JobFinding, JobPart, PartResult, PartUsage, StorySoFar } from '../manuscripts/job-types';
import { renderStory } from '../manuscripts/story';
import { thinksFirst } from '../../src-preload/contract/registry';
import { readJson } from '../providers/json-answer';
import type { ChatMessage, GenerateRequest } from '../providers/spec';
import { RunBound } from '../runs/run-bound';
import { estimateInputTokens } from '../runs/run-request';
import type { ModelCallOutcome, RunService } from '../runs/run-service';
import { noAnswer } from '../runs/no-answer';
import { withRoomToThink } from '../runs/room-to-think';
import { repairWithin, unreadableAnswerError } from '../runs/task-run';
import type { TokenCounter } from '../tokens/token-counter';
import { toMicros } from '../store/money';
import { paragraphAt, type Paragraph, type QuoteLocator } from '../tasks/quotes';
import { anchorEdits } from '../tasks/task-answers';
import { limitsReached, markCut, type LimitsReached } from '../tasks/answer-limits';
import { framedInput } from '../tasks/task-messages';
import {
  partJsonSchema,
  partReader,
  partRequest,
  partSummaries,
  storyFromAnswer,
  type PartForm,
  type PartValue,
  type SplitKind,
} from './job-answer';
import type { PreparedJob } from './job-prepare';
import { combineMessages, stepSummaries, type CombineStep, type CombinedSummary } from './summary-combine';

/** What a call of the job needs: the runs service that reserves, calls and stores it, and the clock. */
export interface JobCallDeps {
  runs: Pick<RunService, 'call'>;
  tokens: Pick<TokenCounter, 'count'>;
  now: () => Date;
}

/** A part's id as a stored call of its own: `<run id>/part/<n>` (1-based), `/repair` for its one repair. */
export function partRunId(runId: string, part: number, repair = false): string {
  return `${partRunPrefix(runId)}${part}${repair ? '/repair' : ''}`;
}

/** What every part run's id of a run starts with. */
export function partRunPrefix(runId: string): string {
  return `${runId}/part/`;
}

export async function runPart(
  d: JobCallDeps,
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
    jobCall<K>(d, start, job, runId, part.index + 1, part.total, messages, form, signal);
  if (job.kind === 'edits') {
    const { value, usage, reached } = await ask({ kind: 'edits' });
    // Anchored in this part's span of the whole passage: offsets and locations are the whole passage's.
    const anchored = anchorEdits(value, locator.text, part, paragraphs);
    const answer = reached ? markCut(anchored, reached) : anchored;
    return { findings: [], answer, storyUpdate: story, usage, ...noticesOf(reached) };
  }
  if (job.kind === 'summary') {
    const form = { kind: 'summary', chapters: chapters.map((c) => c.title), story: true } as const;
    const { value, usage, reached } = await ask(form);
    const entries = value.chapters;
    const first = chapters[0];
    const continued = first && first.start < part.start ? first.number : null;
    const answer = partSummaries(entries, chapters, continued);
    return { findings: [], answer, storyUpdate: storyFromAnswer(value.story, story), usage, ...noticesOf(reached) };
  }
  const { value: found, usage, reached } = await ask({ kind: 'findings', story: true });
  const findings: JobFinding[] = found.findings.map((f) => ({
    claim: f.claim,
    severity: f.severity,
    ...(f.suggestion ? { suggestion: f.suggestion } : {}),
    evidence: f.evidence.map((e) => {
      // In this part first: the same words elsewhere in the passage are another place.
      const span = findInPart(locator, e.quote, part);
      const at = span.start === null ? undefined : paragraphAt(paragraphs, span.start);
      return { quote: e.quote, location: at ? { chapter: at.chapter, paragraph: at.paragraph } : null, found: span };
    }),
  }));
  return { findings, storyUpdate: storyFromAnswer(found.story, story), usage, ...noticesOf(reached) };
}

/** A call's notices as its result carries them: absent when it reached no limit (or had none). */
function noticesOf(reached: LimitsReached | null): { notices?: string[] } {
  return reached && reached.notices.length > 0 ? { notices: reached.notices } : {};
}

/**
 * Combine step `index` (call `offset + index + 1` of the job): the chapter's summary from the summaries it reads. One
 * summary needs no call and none gives none (a part that answered no piece of the chapter).
 */
export async function combineStep(
  d: JobCallDeps,
  start: RunStart,
  job: PreparedJob,
  runId: string,
  offset: number,
  steps: readonly CombineStep[],
  index: number,
  partAnswers: readonly unknown[],
  stepAnswers: readonly unknown[],
  signal: AbortSignal,
): Promise<{ answer: CombinedSummary | null; usage: PartUsage; notices?: string[] }> {
  const step = steps[index]!;
  const summaries = stepSummaries(steps, index, partAnswers, stepAnswers);
  const none = { inputTokens: 0, outputTokens: 0 };
  if (summaries.length === 0) return { answer: null, usage: none };
  if (summaries.length === 1) return { answer: { chapter: step.chapter, summary: summaries[0]! }, usage: none };
  const messages = combineMessages(job.definition, step.title, summaries, start.request);
  const n = offset + index + 1;
  const form = { kind: 'summary', chapters: [step.title], story: false } as const;
  const { value, usage, reached } = await jobCall(
    d,
    start,
    job,
    runId,
    n,
    offset + steps.length,
    messages,
    form,
    signal,
  );
  const entries = value.chapters;
  // Asked for one entry; were there more, every word is kept, in order.
  const answer = { chapter: step.chapter, summary: entries.map((e) => e.summary).join(' ') };
  return { answer, usage, ...noticesOf(reached) };
}

/**
 * Call `n` of `of` of the job with its one repair, read in `form`; fails the job when it cannot be read. `reached`:
 * what a local model's answer reaching its bounds means (null for a provider's).
 */
async function jobCall<K extends SplitKind>(
  d: JobCallDeps,
  start: RunStart,
  job: PreparedJob,
  runId: string,
  n: number,
  of: number,
  messages: ChatMessage[],
  form: PartForm & { kind: K },
  signal: AbortSignal,
): Promise<{ value: PartValue[K]; usage: PartUsage; reached: LimitsReached | null }> {
  const { spec, definition } = job;
  const { request: answer, bounded } = partRequest(
    spec,
    {
      messages,
      maxOutputTokens: job.maxOutputTokens,
      ...(definition.temperature !== undefined ? { temperature: definition.temperature } : {}),
      jsonSchema: partJsonSchema(form),
    },
    form,
    { context: job.setup.contextWindow, chosen: start.max_output_tokens ?? null },
  );
  // A reasoning model gets room to think within what its context leaves after the request as the token counter the
  // parts were cut with counts it: they left that room, and the estimate, an upper bound, could find a full part left
  // none. Counted only for a model that thinks on a task with an effort (the others are sent the request as it is).
  const effort = definition.reasoning_effort;
  const request =
    effort && thinksFirst(spec)
      ? withRoomToThink(spec, effort, answer, (await d.tokens.count(spec, answer)).tokens)
      : answer;
  const call = (r: GenerateRequest, admit?: (worstCaseUsd: number) => Error | null) =>
    d.runs.call({
      runId: partRunId(runId, n, admit !== undefined),
      task: start.task,
      spec,
      // Unknown (a resumed job whose first call was stored before Quire recorded it): left out of the comparison.
      chosenBy: job.chosenBy,
      request: r,
      reason: `Part ${n} of ${of} of run ${runId}`,
      cancel: signal,
      admit,
    });
  let outcome = await call(request);
  failIfNotOk(outcome, signal);
  let reading = readPart(outcome, form.kind);
  let usage: PartUsage = outcome.usage;
  // Declined, or cut off at its length limit: asked again, it would decline or stop the same way (no repair).
  const unanswered = noAnswer(spec, outcome, reading.ok, {
    tokens: request.maxOutputTokens,
    canLengthen: false,
  });
  if (unanswered) throw unanswered.error;
  if (!reading.ok) {
    // Stopped meanwhile: its answer cannot be used, and no repair is asked.
    if (signal.aborted) throw new CancelledError();
    // The repair only within this call's share of the quote (a job resumed on another plan: its own bound).
    const bound = new RunBound(job.bounds[n - 1] ?? job.callBound(estimateInputTokens(messages)));
    outcome = await call(
      // Within the model's context: a long unreadable answer stays out (the plan kept room for the note alone).
      await repairWithin(
        async (spec, count) => (await d.tokens.count(spec, count)).tokens,
        spec,
        job.setup.contextWindow,
        request,
        outcome.text,
        reading.problem,
      ),
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
  return { value: reading.value, usage, reached: bounded && limitsReached(bounded, reading.written) };
}

/**
 * A call that did not answer fails the job (stopped by the writer: as cancelled). One that answered is used even when
 * the writer stopped meanwhile: it is paid for, so its part is kept and the job stops before the next call.
 */
function failIfNotOk(outcome: ModelCallOutcome, signal: AbortSignal): void {
  if (outcome.ok) return;
  if (signal.aborted) throw new CancelledError();
  const error = outcome.error ?? { code: 'provider_error', message: 'The model did not answer' };
  // The part's number (a repair's id ends in /repair: partRunId).
  const part = outcome.run_id.split('/part/')[1]!.split('/')[0];
  // The part's own step and retry stay its: no general step is added after a message that ends with one.
  throw new QuireError(error.code as never, `Part ${part}: ${error.message}`, {
    retryable: error.retryable ?? false,
    advised: error.advised ?? false,
    ...(error.fix_in ? { fixIn: error.fix_in } : {}),
  });
}

/** The call's answer read in `kind`'s form, with the JSON as the model wrote it (before its strings were trimmed). */
function readPart<K extends SplitKind>(outcome: ModelCallOutcome, kind: K) {
  const reading = outcome.json !== undefined ? { ok: true as const, value: outcome.json } : readJson(outcome.text);
  if (!reading.ok) return reading;
  const parsed = partReader(kind).safeParse(reading.value);
  return parsed.success
    ? { ok: true as const, value: parsed.data, written: reading.value }
    : { ok: false as const, problem: parsed.error.issues[0]?.message ?? 'not in the asked form' };
}

function add(a: number | undefined, b: number | undefined): number | undefined {
  return a === undefined || b === undefined ? undefined : a + b;
}
