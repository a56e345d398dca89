// Whether a passage runs in parts, and if so the job ready to run: the model, the split, each call's bound and the
// whole job's worst-case quote (a chapter summary's combine steps included), with the reason a writer reads.
import type { DecideRequest, Decision, ModelSpec, Refusal } from '../../src-preload/contract';
import { onlyContextKeepsOut } from '../../src-preload/contract/orchestrator';
import type { RunQuote, RunStart } from '../../src-preload/contract/runs';
import { estimateInputTokens, estimateTextTokens } from '../../src-preload/contract/tokens';
import { InputTooLongError } from '../errors';
import { setUpJob, type JobSetup } from '../manuscripts/job-setup';
import type { StoredPlan } from '../manuscripts/jobs-repo';
import { JOIN_MARGIN, type JobQuote } from '../manuscripts/job-plan';
import { nextTurn } from '../manuscripts/slices';
import { parseStructureAsync, type DocumentStructure } from '../manuscripts/structure';
import { RETRY_NOTE_TOKENS } from '../orchestrator/pricing';
import { outputAllowance } from '../orchestrator/thinking';
import type { ChatMessage } from '../providers/spec';
import { RunBound } from '../runs/run-bound';
import { toMicros } from '../store/money';
import { leastAnswerTokens, passageCost } from '../tasks/answer-schema';
import type { TaskDefinition, TaskLibrary } from '../tasks/task-library';
import { framedInput, taskMessages } from '../tasks/task-messages';
import type { TokenCounter } from '../tokens/token-counter';
import { chosenBy, type ChosenBy } from '../orchestrator/chosen-by';
import { SPLIT_KINDS, type SplitKind } from './job-answer';
import { SUMMARY_ITEM_MARGIN, combineMessages, combineSteps, stepItems, type CombineStep } from './summary-combine';

/**
 * What preparing a job reads: the decision, the registry, the token counter, the task library, the clock and the
 * stored manuscripts' structure.
 */
export interface JobPrepareDeps {
  decide: (request: DecideRequest) => Decision;
  model: (id: string) => ModelSpec | undefined;
  tokens: Pick<TokenCounter, 'count' | 'textCounter'>;
  library: TaskLibrary;
  now: () => Date;
  /** The chapters and paragraphs of the stored manuscript whose text this is (ManuscriptsService.structureOf). */
  manuscriptStructure?: (text: string) => Promise<DocumentStructure | undefined>;
  /** The multiple each model's holds are raised to this month after it charged more than held (Ledger's). */
  overrunRatios: () => ReadonlyMap<string, number>;
}

/** A job ready to run: the model, the split and the whole job's quote. */
export interface PreparedJob {
  spec: ModelSpec;
  definition: TaskDefinition;
  kind: SplitKind;
  setup: JobSetup;
  /**
   * The passage's chapters and paragraphs (a stored manuscript's own, else parsed once): the plan's cuts and the
   * findings' locations.
   */
  structure: DocumentStructure;
  system: (part: number, of: number) => string;
  /** The answer's allowance of each call (what a summary part's answer, read by a combine step, is at most). */
  maxOutputTokens: number;
  /**
   * What each call may produce: the answer's allowance and, for a reasoning model, its room to think at the task's
   * effort (orchestrator/thinking.ts), which it spends out of the same allowance. The parts and the combine steps are
   * cut to leave it in the context, and every bound and the quote count it.
   */
  outputTokens: number;
  passageTokens: number;
  /** A chapter summary's chapters longer than a part: how many partial summaries a combine step reads at most. */
  fanIn: number | null;
  /** The combine steps after the parts, in order, with `fanIn` (none when it is null). */
  steps: CombineStep[];
  /**
   * The whole job, worst case: every part, then every combine step, each with its one repair (the sum of `bounds`).
   */
  quote: JobQuote;
  /** Each call's bound, USD, in the job's order (parts, then combine steps): its own worst case and its repair's. */
  bounds: number[];
  /** One call's bound, USD, for `inputTokens` in: as `bounds` are made (a resumed job's parts of another plan). */
  callBound: (inputTokens: number) => number;
  reason: string;
  /**
   * Who chose the model: one decision for every part and step. A resumed job's is its first call's as the ledger
   * recorded it (run-job.ts; planned again, its model is named, which would read as the writer's pick); null: unknown.
   */
  chosenBy: ChosenBy | null;
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

const n = (value: number) => value.toLocaleString('en-US');

/** The smallest text a part may hold, for choosing a model when no model can read the whole passage. */
const PART_DECISION_TOKENS = 1024;

/**
 * Why no job was prepared: `refusal` null when the passage runs whole (or is not a passage, or cannot be decided
 * here), else the decision's refusal of a model for a part.
 */
export interface NoJob {
  refusal: Refusal | null;
}

const WHOLE: NoJob = { refusal: null };

/**
 * A job when the passage of a findings, edits or summary task does not fit the chosen model's usable context; null
 * when it fits (or is not a passage, or cannot be decided here): then the plain path runs it as before. Any other
 * task whose passage does not fit is refused with the numbers (InputTooLongError): never cut.
 */
export async function prepareJob(d: JobPrepareDeps, start: RunStart): Promise<PreparedJob | null> {
  const job = await jobFor(d, start);
  return 'spec' in job ? job : null;
}

/** The decision refused the model the writer picked only because its context is too small. */
function pickedTooSmall(decision: Decision, picked: string | undefined): boolean {
  if (!picked || decision.mode !== 'forced' || decision.refusal?.code !== 'unavailable') return false;
  const candidate = decision.candidates.find((c) => c.model_id === picked);
  return !!candidate && onlyContextKeepsOut(candidate.reasons, candidate.local);
}

/**
 * A stopped job planned again on `modelId`, the model its parts were cut for, or why it cannot be. A budget too small
 * for that model does not stop it here: the check before its next part says so with the parts' own figures.
 */
export function resumeJob(d: JobPrepareDeps, start: RunStart, modelId: string): Promise<PreparedJob | NoJob> {
  return jobFor(d, { ...start, model: modelId }, true);
}

async function jobFor(d: JobPrepareDeps, start: RunStart, resuming = false): Promise<PreparedJob | NoJob> {
  if (typeof start.input !== 'string' || start.json_schema) return WHOLE;
  const definition = d.library.get(start.task);
  if (!definition) return WHOLE;
  let messages: ChatMessage[];
  try {
    messages = taskMessages(definition, { passage: start.input, request: start.request });
  } catch {
    return WHOLE;
  }
  const base = {
    task: start.task,
    ...(start.tier ? { tier: start.tier } : {}),
    ...(start.model ? { model: start.model } : {}),
    ...(start.local_only !== undefined ? { local_only: start.local_only } : {}),
  };
  // The decision is asked for the whole request, the task's instruction with the passage: asked for the passage
  // alone, it chose a model whose context the instruction and the answer already filled, and the run then refused.
  const requestEstimate = estimateInputTokens(messages);
  // Each pass over a long passage (2 million characters at most) is let go between: at once they held other calls.
  await nextTurn();
  // With the answer the run allows (the writer's length, else the task's own), as the run's decision is asked.
  const whole = decideOrNull(d, {
    ...base,
    input_tokens: requestEstimate,
    max_output_tokens: start.max_output_tokens ?? definition.max_output_tokens,
  });
  let spec: ModelSpec | undefined;
  let chooser: ChosenBy | null;
  // The whole request's count, when the whole-passage path has made it (the refusal below reuses it).
  let requestTokens: number | undefined;
  // The passage's estimate, once: the decision for a part's size takes it from the request's.
  let passageEstimate: number;
  if (whole?.model_id && !whole.refusal) {
    spec = d.model(whole.model_id);
    if (!spec) return WHOLE;
    chooser = chosenBy(whole, spec.id);
    // Most passages fit by far, and every run asks: no counter makes more than 2 tokens of a UTF-8 byte (byte-level
    // vocabularies 1, Claude's estimate 1.75), so a request whose bound fits needs no exact count.
    const bytes = messages.reduce((sum, m) => sum + Buffer.byteLength(m.content), 0);
    if (2 * bytes + FRAMING_BOUND + whole.max_output_tokens <= spec.context_window) return WHOLE;
    requestTokens = (await d.tokens.count(spec, { messages })).tokens;
    if (requestTokens + whole.max_output_tokens <= spec.context_window) return WHOLE;
  } else if (whole?.refusal?.code === 'budget_exceeded') {
    // A model reads it whole, but the budget left does not cover it: parts would cost more (the instruction goes with
    // each), so the plain path refuses it with its numbers.
    return WHOLE;
  } else if ((passageEstimate = estimateTextTokens(start.input)) <= PART_DECISION_TOKENS) {
    // No model takes it whole, but the passage is no longer than a part: splitting it cannot help (what does not fit
    // is the instruction and the answer), so the plain path refuses it with the decision's words and what may fit.
    return WHOLE;
  } else {
    // No model reads it whole: the best one for a part's size (by tier, budget and quality as always).
    const forParts = decideOrNull(d, {
      ...base,
      input_tokens: requestEstimate - passageEstimate + PART_DECISION_TOKENS,
      max_output_tokens: Math.min(definition.max_output_tokens, start.max_output_tokens ?? 512),
    });
    // A resumed job's model that the budget no longer covers is still its model: what is left is checked with the
    // figures of its parts before the next one, not a part-sized guess.
    const overBudget = resuming && forParts?.refusal?.code === 'budget_exceeded';
    // The model the writer picked, kept out by its context alone: the parts are planned on it, so the run is split
    // or refused with its figures (what its context holds, what is left for text), never only "too long for it".
    const tooSmall = !!forParts && pickedTooSmall(forParts, start.model);
    const id = overBudget || tooSmall ? start.model : forParts?.refusal ? undefined : forParts?.model_id;
    spec = id ? d.model(id) : undefined;
    if (!spec) return { refusal: forParts?.refusal ?? null };
    chooser = tooSmall ? 'writer' : forParts && !overBudget ? chosenBy(forParts, spec.id) : null;
  }
  if (!SPLIT_KINDS.has(definition.answer)) {
    const output = start.max_output_tokens ?? definition.max_output_tokens;
    // Refused only when it really does not fit this model; any other refusal is the plain path's to give.
    requestTokens ??= (await d.tokens.count(spec, { messages })).tokens;
    if (requestTokens + output <= spec.context_window) return WHOLE;
    const empty = taskMessages(definition, { passage: '', request: start.request });
    const framing = (await d.tokens.count(spec, { messages: empty })).tokens + FRAMING_BOUND;
    const inputTokens = (await d.tokens.textCounter(spec)).count(start.input);
    const room = spec.context_window - output - framing;
    // The instruction and the answer fill the model's context by themselves: no passage, however short, runs there.
    if (room <= 0)
      throw InputTooLongError.noRoom(
        inputTokens,
        room,
        spec.display_name,
        `its ${n(spec.context_window)}-token context cannot hold the task's ${n(framing)}-token instruction (as ` +
          `${spec.display_name} counts it) with its answer of up to ${n(output)} tokens`,
      );
    throw new InputTooLongError(
      inputTokens,
      room,
      spec.display_name,
      `with its answer of up to ${n(output)} tokens and the instruction`,
      TOO_LONG_ADVICE,
    );
  }
  await nextTurn();
  const passageTokens = (await d.tokens.textCounter(spec)).count(start.input);
  await nextTurn();
  const kind = definition.answer as SplitKind;
  const text = start.input;
  // A manuscript's text is numbered as the library numbers it (a folder's files are its chapters, headings or not).
  const structure = (await d.manuscriptStructure?.(text)) ?? (await parseStructureAsync(text));
  await nextTurn();
  const asked =
    start.max_output_tokens ??
    Math.min(definition.max_output_tokens, Math.max(128, Math.floor(spec.context_window / 4)));
  // A local model's findings are never held below the least answer that reports one (tasks/answer-limits.ts askLocal):
  // its tokens cost nothing, and the parts are cut to leave it that room.
  const maxOutputTokens =
    spec.provider === 'local' && kind === 'findings'
      ? Math.max(asked, leastAnswerTokens({ kind, story: true }, passageCost(text)))
      : asked;
  // A reasoning model thinks out of its output allowance: sent only the answer's, a part could think through all of
  // it and answer nothing, charged. Every call gets room to think, so the parts leave it and the quote counts it.
  const outputTokens = outputAllowance(spec, maxOutputTokens, definition.reasoning_effort);
  const instruction = taskMessages(definition, { passage: '', request: start.request })[0]!.content;
  const system = (part: number, of: number) => `${instruction}\n\n${jobNote(kind, part, of)}`;
  const setup = await setUpJob(
    { tokens: d.tokens },
    {
      spec,
      text,
      blocks: structure.blocks,
      // Counted with the longest part note and the passage's framing: every part's request is at most this.
      instruction: [
        { role: 'system', content: system(99_999, 99_999) },
        { role: 'user', content: framedInput(definition, { passage: '', request: start.request }) },
      ],
      maxOutputTokens: outputTokens,
      thinkingTokens: outputTokens - maxOutputTokens,
    },
  );
  let reason =
    `The passage is ${passageTokens.toLocaleString('en-US')} tokens as ${spec.display_name} counts them (each ` +
    `model counts its own); it reads ${setup.contextWindow.toLocaleString('en-US')} at once (with its answer and ` +
    `the instruction), so it runs in ` +
    `${setup.plan.parts.length} parts, each given the story so far. Nothing is cut.`;
  let fanIn: number | null = null;
  let steps: CombineStep[] = [];
  let quote = setup.quote;
  const { budget, parts } = setup.plan;
  // Every call of the job is read as JSON and may get one repair: its bound is its worst case and that repair's, each
  // with every token it may produce (a reasoning model's room to think included), at the multiple the ledger will
  // hold the model's calls at after an overrun, as a single run's bound is: otherwise the quote said less than the
  // parts hold, and a part's promised repair no longer fitted its share.
  const overrun = d.overrunRatios().get(spec.id);
  const at = d.now();
  const bound = (input: number) => RunBound.of(spec, input, outputTokens, { repair: true, at, overrun }).boundUsd;
  const bounds = parts.map((part) => bound(part.tokens + budget.instructionTokens + budget.storyTokens));
  if (kind === 'summary') {
    const combined = await combinePlan(
      d,
      spec,
      definition,
      start.request,
      setup,
      structure,
      maxOutputTokens,
      outputTokens,
    );
    fanIn = combined.fanIn;
    if (fanIn !== null) steps = combined.steps;
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
    outputTokens,
    passageTokens,
    fanIn,
    steps,
    quote: { ...quote, cost_micros_max: bounds.reduce((sum, usd) => sum + toMicros(usd), 0) },
    bounds,
    callBound: bound,
    reason,
    chosenBy: resuming ? null : chooser,
  };
}

/**
 * A chapter summary's combine steps and the whole job's quote with them: each step reads at most `fanIn` summaries,
 * each at most a part's answer (`maxOutputTokens`, plus its label), after the instruction and the writer's
 * `request` every step is sent, so its request fits the context with what the step may produce (`outputTokens`: its answer and a reasoning model's room to think). Null fan-in (no steps, the
 * pieces joined, as the reason says) when the context cannot hold two summaries and that. The quote's cost is left to
 * the caller, which sums every call's bound (`inputs` are the steps' input tokens).
 */
async function combinePlan(
  d: JobPrepareDeps,
  spec: ModelSpec,
  definition: TaskDefinition,
  request: string | undefined,
  setup: JobSetup,
  structure: DocumentStructure,
  maxOutputTokens: number,
  outputTokens: number,
): Promise<{ fanIn: number | null; steps: CombineStep[]; quote: JobQuote; inputs: number[] }> {
  const { parts, blocks } = setup.plan;
  const spanning = combineSteps(parts, blocks, structure.chapters, 2);
  // A step's request without its summaries: the instruction, the chapter's name and the writer's request it is sent.
  const framing = new Map<string, number>();
  for (const title of new Set(spanning.map((s) => s.title))) {
    const messages = combineMessages(definition, title, [], request);
    framing.set(title, (await d.tokens.count(spec, { messages })).tokens);
  }
  const widest = Math.max(0, ...framing.values());
  const item = maxOutputTokens + SUMMARY_ITEM_MARGIN;
  const fanIn = Math.floor((setup.contextWindow - outputTokens - widest - RETRY_NOTE_TOKENS - JOIN_MARGIN) / item);
  if (spanning.length === 0 || fanIn < 2) return { fanIn: null, steps: spanning, quote: setup.quote, inputs: [] };
  const steps = combineSteps(parts, blocks, structure.chapters, fanIn);
  const quote = { ...setup.quote };
  const inputs: number[] = [];
  for (const step of steps) {
    const input = framing.get(step.title)! + stepItems(step) * item;
    inputs.push(input);
    quote.parts += 1;
    quote.input_tokens_max += input;
    quote.output_tokens_max += outputTokens;
  }
  return { fanIn, steps, quote, inputs };
}

/**
 * A resumed job's bounds for the plan it was stored with, which may not be the plan made again now (the model's
 * context changed): each stored part's from its own tokens; each of its `steps` combine steps at the most one call can
 * send, the model's context less the answer (a step reads summaries not yet written).
 */
export function resumedBounds(job: PreparedJob, plan: StoredPlan, steps: number): number[] {
  const instruction = job.setup.plan.budget.instructionTokens;
  const parts = plan.parts.map((part) => job.callBound(part.tokens + instruction + plan.storyTokens));
  const step = job.callBound(job.setup.contextWindow - job.outputTokens);
  return [...parts, ...Array.from({ length: steps }, () => step)];
}

/** The job's quote as runs:start answers it. */
export function jobQuote(job: PreparedJob): Extract<RunQuote, { kind: 'job' }> {
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

function decideOrNull(d: JobPrepareDeps, request: DecideRequest): Decision | null {
  try {
    return d.decide(request);
  } catch {
    return null;
  }
}
