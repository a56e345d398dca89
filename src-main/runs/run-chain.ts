// A runs:start run from its request to its stored end: the decision (a refusal is stored as a failed run), the answer
// cache, then the decision's model and its fallbacks in turn, with one repair of an unreadable answer (none for a call
// that came back without an answer: no-answer.ts). Each call's steps are appended in order and the run's row
// (running, failed, completed) is derived from them (run-record.ts).
import type { Decision, ModelSpec } from '../../src-preload/contract';
import { providerLabel } from '../../src-preload/contract/provider-table';
import type { RunRecord, RunStart } from '../../src-preload/contract/runs';
import { CancelledError, InvalidInputError, isQuireError, QuireError } from '../errors';
import type { GenerateRequest } from '../providers/spec';
import type { RunWrite } from '../store/repos/runs-repo';
import { StreamRedactor } from '../keys/stream-redactor';
import { isDeadEnd } from '../providers/dead-end-fetch';
import { joinAnd } from '../../src-preload/contract/list-text';
import { addUsage, settled, type Answered } from './answered-steps';
import { skipped, type ModelAttempts } from './model-attempt';
import { filterNotice, noAnswer, type NoAnswer } from './no-answer';
import { assessAnswer } from './run-assessment';
import type { RunBound } from './run-bound';
import { boundOf, decideFor, whenNoPassageFits } from './run-decision';
import { chosenBy } from '../orchestrator/chosen-by';
import { withAskedEffort, withOwnOutputLimit, withRoomToThink } from './room-to-think';
import { attemptStep, errorInfo, localFallbackStep, movedOn, runRow, type RunStep } from './run-record';
import { cacheKey, cacheable, estimateInputTokens, samplingOf } from './run-request';
import type { RunServiceOptions } from './run-service-options';
import type { LiveText } from './live-text';
import type { RunWriter } from './run-writer';
import {
  answerIsRead,
  askedAgain,
  planRun,
  readStructured,
  repairWithin,
  requestFor,
  storedImages,
  unreadableAnswerError,
  type RunPlan,
} from './task-run';

/** RunService's runs:start path, made once with the parts RunService builds (its clock, row writer and calls). */
export class RunChain {
  constructor(
    private readonly o: RunServiceOptions,
    private readonly monotonic: () => number,
    private readonly writer: RunWriter,
    private readonly attempts: ModelAttempts,
    private readonly live: LiveText,
  ) {}

  async execute(
    runId: string,
    start: RunStart,
    cancel: AbortSignal,
    onToken?: (text: string, modelId: string) => void,
    heldTo?: RunBound,
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
      decision = decideFor(this.o, start, plan, inputTokens);
    } catch (error) {
      // A task that does not exist is a bad request, not a run: nothing is stored.
      if (error instanceof InvalidInputError && error.path === 'task') throw error;
      return await this.fail(blank, startedAt, error, null);
    }
    decision = await whenNoPassageFits(this.o, start, plan, decision);
    const decided: RunWrite = { ...blank, reason: decision.reason, fallback_chain: decision.fallback_chain };
    if (decision.refusal || decision.model_id === null) {
      const refusal = decision.refusal ?? { code: 'unavailable' as const, message: decision.reason };
      return await this.fail(
        decided,
        startedAt,
        new QuireError(refusal.code, refusal.message, {
          advised: 'advised' in refusal && refusal.advised === true,
          tooLong: 'too_long' in refusal && refusal.too_long === true,
        }),
        decision,
      );
    }

    const sampling = samplingOf(start);
    const request: GenerateRequest = {
      messages,
      maxOutputTokens: decision.max_output_tokens,
      ...(plan.temperature !== undefined ? { temperature: plan.temperature } : {}),
      ...(start.seed !== undefined ? { seed: start.seed } : {}),
      ...(sampling ? { sampling } : {}),
      ...(plan.stop ? { stop: plan.stop } : {}),
      ...(plan.jsonSchema ? { jsonSchema: plan.jsonSchema } : {}),
      ...(plan.images.length > 0 ? { images: plan.images } : {}),
    };
    const key =
      settings.runs.cache_enabled && cacheable({ temperature: plan.temperature })
        ? cacheKey(decision.model_id, request, start.reasoning_effort)
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
            stop_sequence: hit.stop_sequence ?? null,
            ...assessAnswer(this.o, decision, start.task, hit.model_id ?? decision.model_id, hit.json, messages),
          },
          startedAt,
          hit.model_id,
          { text: hit.text ?? '', json: hit.json, usage: { inputTokens: 0, outputTokens: 0 }, warnings: [] },
        );
    }

    // What the quote said at most to: the retry and every fallback are held to it. Worked out when a further call is
    // due, so a run whose first call answers spends no time on it; a bound the caller holds already is the one. The
    // multiples overrunning models are held at are read as the run starts: its own overrun does not stretch its bound.
    let bounded: Promise<RunBound | null> | undefined;
    const overruns = this.o.ledger.overrunRatios();
    const bound = () => (bounded ??= heldTo ? Promise.resolve(heldTo) : boundOf(this.o, plan, decision, overruns));
    // The fallback chain as a loop: each model's calls append what they came to (never changed afterwards), and the
    // run's row at any point — running, failed, completed — is derived from that list.
    const chain = [decision.model_id, ...decision.fallback_chain.filter((id) => id !== decision.model_id)];
    const readAnswer = answerIsRead(plan);
    const steps: RunStep[] = [];
    const row = () => runRow(head, steps);
    const charged = () => steps.reduce((sum, step) => sum + step.costMicros, 0);
    let lastError: unknown = null;
    // Every model that failed, with why: when none answers, the run says what happened to each (unless the run ended
    // on a model it did not try, whose reason names the failure before it).
    const failures: { model: string; why: string; error: unknown }[] = [];
    const failed = (model: string, why: string, error: unknown) => {
      lastError = error;
      failures.push({ model, why, error });
    };
    // The last model's answer when it could not be used (unreadable even after its repair, or cut off at its length
    // limit): kept with the failed run.
    let unreadable: { modelId: string; text: string } | null = null;
    // A model declined the passage: the next one is asked, but a second decline ends the run (the passage is the
    // likely cause, and each decline is paid for).
    let declined = false;
    const deadEnds = new Set<string>();
    // Text handed on to the caller (the gateway's stream), which cannot be taken back: once any has gone out, the run
    // ends with the failure of the model that sent it. A fallback's answer could not carry on from that text, and the
    // caller, whose stream has begun, could not be sent it (yet would pay for it).
    let handedOn = '';
    for (const [index, modelId] of chain.entries()) {
      if (cancel.aborted || handedOn !== '') break;
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
        // Shown in Quire's windows as it comes, an app's gateway call too (a window may follow it from its History).
        const at = this.live.add(runId, spec.id, text);
        this.o.events.emit('run:token', { run_id: runId, model_id: spec.id, text, at });
        // An answer Quire reads may be repaired by a second call, and text handed on cannot be taken back: the caller
        // (the gateway) gets no pieces of it, only the run's answer once it has been read (the Workbench's run:token
        // text is replaced by the answer when the run completes).
        if (readAnswer || !onToken) return;
        handedOn += text;
        onToken(text, spec.id);
      };
      const attempt = async (r: GenerateRequest, admit?: (worstCaseUsd: number) => Error | null) => {
        const stream = new StreamRedactor(this.o.redact, this.o.secretCut);
        const outcome = await this.attempts.attempt({
          runId,
          task: start.task,
          spec,
          chosenBy: chosenBy(decision, spec.id),
          request: r,
          inputTokens: estimateInputTokens(r.messages),
          timeoutMs,
          cancel,
          onToken: streaming ? (text) => show(stream.push(text)) : undefined,
          onQueue: (position) =>
            this.o.events.emit('run:progress', { run_id: runId, model_id: spec.id, queue_position: position }),
          running: row(),
          admit,
          // An app's cap counts the calls its hold covers on disk: a hold a power cut took could not say which app it was
          // for (ledger/standing-hold.ts), so a capped call is sent once its own reservation is on disk.
          waitForDisk: heldTo !== undefined,
        });
        if (streaming) show(stream.flush());
        return outcome;
      };
      // A local model's answer schema is bounded to its output budget (its grammar then always closes the JSON); a
      // reasoning model gets room to think besides the answer's allowance; a caller that set no length, this model's
      // own output limit.
      const sized = plan.ownOutput ? withOwnOutputLimit(spec, request) : request;
      const asked = withRoomToThink(
        spec,
        plan.effort,
        withAskedEffort(spec, plan.askedEffort, requestFor(spec, plan, sized)),
      );
      // A fallback is made only within what the quote left (run-bound.ts); the first call is the one quoted (checked
      // only against a bound the caller holds, which the run's own decision may have moved past since).
      const outcome = await attempt(
        asked,
        index > 0
          ? (await bound())?.admitFallback(charged(), spec.display_name, lastFailedText(failures))
          : heldTo?.admitFirst(spec.display_name),
      );
      if (outcome.ok) {
        const fellBack = localFallbackStep(outcome.localFallback, outcome.attempt.model_id);
        if (fellBack) steps.push(fellBack);
        let answered: Answered = outcome;
        let reading = readStructured(plan, answered.result);
        // The allowance the call was sent (a reasoning model's room to think included), and what the writer may do
        // about an answer it ran out on: ask for more, when they asked for a shorter answer than the task's own.
        const allowance = {
          tokens: asked.maxOutputTokens,
          canLengthen: plan.definition !== undefined && request.maxOutputTokens < plan.definition.max_output_tokens,
        };
        let unanswered: NoAnswer | null = noAnswer(spec, answered.result, reading.ok, allowance);
        // One repair: the unreadable answer goes back with what was wrong. A call that came back without an answer
        // (declined, or cut off at its length limit) is not asked again: it would decline or stop at the same place.
        if (!unanswered && !reading.ok) {
          const first = answered;
          // Charged like any call, but listed as what it was: not an answer, the reason the model was asked again.
          steps.push(await settled(first, askedAgain(reading.problem)));
          this.o.logger.warn(`run ${runId}: ${spec.id}'s answer was unreadable (${reading.problem}); asking once more`);
          const repair = await repairWithin(
            this.o.tokens && (async (model, count) => (await this.o.tokens!.count(model, count)).tokens),
            spec,
            spec.context_window,
            asked,
            first.result.text,
            reading.problem,
          );
          const repaired = await attempt(
            // Its note makes the request longer: the model's own limit is what its context leaves after it.
            plan.ownOutput ? withOwnOutputLimit(spec, repair) : repair,
            (await bound())?.admitRepair(charged(), spec.display_name, reading.problem),
          );
          // A repair that failed, or an answer still unreadable after it, is this model's failure like any other:
          // the run moves on to its next model, within what the quote left (nothing of it was applied).
          if (!repaired.ok) {
            steps.push(attemptStep(repaired.attempt, repaired.costMicros));
            failed(spec.display_name, repaired.attempt.error?.message ?? 'no answer', repaired.error);
            unreadable = null;
            if (cancel.aborted) break;
            continue;
          }
          // The run's tokens are both calls'; the repair's charge closes on its own usage (the first one's is settled).
          answered = {
            ...repaired,
            result: { ...repaired.result, usage: addUsage(first.result.usage, repaired.result.usage) },
          };
          reading = readStructured(plan, answered.result);
          unanswered =
            noAnswer(spec, repaired.result, reading.ok, allowance) ??
            (reading.ok ? null : { error: unreadableAnswerError(spec.display_name, reading.problem), declined: false });
        }
        // Charged what the provider billed; what the model wrote (if anything, and it did not decline) is kept with
        // the failed run.
        if (unanswered) {
          const { error } = unanswered;
          steps.push(await settled(answered, { code: error.code, message: error.message }));
          failed(spec.display_name, error.message, error);
          unreadable = unanswered.declined ? null : { modelId: spec.id, text: answered.result.text };
          if (unanswered.declined && declined) break;
          declined ||= unanswered.declined;
          continue;
        }
        steps.push(attemptStep(answered.attempt));
        // An answer the content filter cut off partway is kept, with a notice saying so (and not kept for the cache).
        const cut = filterNotice(spec, answered.result);
        const completed: RunWrite = {
          ...row(),
          ...(cut ? { error: cut, cache_key: null } : {}),
          truncated: answered.result.finishReason === 'length',
          stop_sequence: answered.result.stopSequence ?? null,
          answer: reading.ok ? reading.answer : null,
          ...assessAnswer(this.o, decision, start.task, answered.attempt.model_id, answered.result.json, messages),
        };
        return await this.writer.complete(completed, startedAt, answered.attempt.model_id, answered.result, answered);
      }
      // The writer stopped it, or the connection broke mid-answer: what had arrived is kept with the run (charged by
      // usage, or at the call's most), so nothing the writer saw vanishes; so is what the caller was handed before the
      // call failed. A later model's whole answer replaces it.
      const partial =
        cancel.aborted && outcome.partialText
          ? { modelId: spec.id, text: outcome.partialText }
          : handedOn !== ''
            ? { modelId: spec.id, text: handedOn }
            : outcome.partialText && outcome.attempt.outcome === 'failed'
              ? { modelId: spec.id, text: outcome.partialText }
              : undefined;
      steps.push(attemptStep(outcome.attempt, outcome.costMicros, partial));
      lastError = outcome.error;
      unreadable = null;
      if (outcome.attempt.outcome !== 'skipped')
        failed(spec.display_name, outcome.attempt.error?.message ?? 'no answer', outcome.error);
      if (spec.provider !== 'local' && isDeadEnd(outcome.error)) deadEnds.add(this.o.providers.providerOf(spec));
      if (cancel.aborted) break;
    }
    // Whoever stopped it says why (the gateway: its app hung up, or the writer revoked it), so the history does not
    // read as if the writer had cancelled it by hand.
    if (cancel.aborted)
      return await this.fail(
        { ...row(), status: 'cancelled' },
        startedAt,
        cancel.reason instanceof CancelledError ? cancel.reason : new CancelledError(),
        decision,
      );
    const error =
      failures.length > 1 && failures.at(-1)!.error === lastError
        ? everyModelFailed(failures)
        : (lastError ?? new QuireError('unavailable', 'No model could run this task'));
    return await this.fail(
      unreadable ? { ...row(), model_id: unreadable.modelId, text: unreadable.text } : row(),
      startedAt,
      handedOn !== '' ? cutShort(error) : error,
      decision,
    );
  }

  /** A provider that refused this run's connection (or is unknown, or untrusted) is not asked again in the same run. */
  private skipDeadEnd(spec: ModelSpec, deadEnds: ReadonlySet<string>) {
    if (spec.provider === 'local') return null;
    const provider = this.o.providers.providerOf(spec);
    if (!deadEnds.has(provider)) return null;
    return skipped(
      spec.id,
      provider,
      'unavailable',
      `${upperFirst(providerLabel(provider))} refused this run's connection a moment ago`,
    );
  }

  private async fail(
    base: Readonly<RunWrite>,
    startedAt: number,
    error: unknown,
    decision: Decision | null,
  ): Promise<never> {
    const { info } = await this.writer.store(base, startedAt, error, decision, true);
    throw QuireError.fromInfo(info);
  }
}

function upperFirst(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/**
 * The run's error when more than one model failed: what happened to each, in order, with the code (which picks the
 * next step shown) of the failure the writer can act on — one whose step is taken in a place (a refused key: Settings),
 * else the first, the model the run was for; not the last, a fallback whose own refusal (a local model the text did
 * not fit) would send the writer the wrong way. Models that failed the same way are named together, the reason said
 * once: four unreadable answers are one sentence, not four copies of it with their advice ("None of the 2 models
 * Quire tried could do this. Claude Sonnet 4.6 and GPT-5.5 each did not answer in the form Quire asked for…").
 */
function everyModelFailed(failures: readonly { model: string; why: string; error: unknown }[]): QuireError {
  const groups = new Map<string, { models: string[]; why: string; named: boolean }>();
  for (const { model, why } of failures) {
    const sentence = /[.!?…][”"’)]?$/.test(why) ? why : `${why}.`;
    // A reason that begins with the model's name reads on from the names ("… each did not answer…").
    const named = sentence.startsWith(`${model} `);
    const rest = named ? sentence.slice(model.length) : sentence;
    const key = `${named ? 'named' : 'after'}\u0000${rest}`;
    const group = groups.get(key);
    if (group) {
      if (!group.models.includes(model)) group.models.push(model);
    } else groups.set(key, { models: [model], why: rest, named });
  }
  const each = [...groups.values()].map(({ models, why, named }) => {
    const who = joinAnd(models);
    if (!named) return `${who}: ${why}`;
    return models.length > 1 ? `${who} each${why}` : `${who}${why}`;
  });
  const errors = failures.map((failure) => failure.error).filter(isQuireError);
  const actionable = errors.find((error) => error.fixIn !== undefined) ?? errors[0];
  // Each failure's own step (an unreadable answer's "Try again, or choose another model") is in the message: once any
  // is, the general one would repeat it.
  return new QuireError(
    actionable?.code ?? 'unavailable',
    `None of the ${failures.length} models Quire tried could do this. ${each.join(' ')}`,
    {
      retryable: true,
      advised: errors.some((error) => error.advised),
      ...(actionable?.fixIn ? { fixIn: actionable.fixIn } : {}),
    },
  );
}

/**
 * The run's error when its model failed after part of its answer was handed on: what happened, then that the caller
 * has the answer up to there and no other model was asked, and the step that gets a whole answer.
 */
function cutShort(error: unknown): QuireError {
  // Masked as the run stores it (RunWriter.store), like any other error.
  const { code, message, retryable } = errorInfo(error, (text) => text);
  return new QuireError(
    code,
    `${/[.!?]$/.test(message) ? message : `${message}.`} The answer sent so far stops there: Quire asked no other ` +
      'model, since another answer cannot carry on from text already sent. Send the request again for a whole answer.',
    { retryable, advised: true },
  );
}

/** "<model> failed (<why>)": the last failure, as the reason a fallback was not tried names it. */
function lastFailedText(failures: readonly { model: string; why: string }[]): string {
  const last = failures.at(-1);
  return last ? `${last.model} failed (${last.why})` : '';
}
