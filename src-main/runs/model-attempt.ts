// One model call of a run: breaker and reservation first, then the call (streaming with a first-token timeout where
// the model streams), then the ledger's one rule for settling or keeping the reservation. Falling back along a chain
// is the caller's business (run-chain.ts); a local adapter's own fallback comes back in the outcome.
import type { ErrorInfo, ModelSpec } from '../../src-preload/contract';
import { estimateTextTokens } from '../../src-preload/contract/tokens';
import type { RunAttempt } from '../../src-preload/contract/runs';
import { QuireError, StorageError, TimeoutError, isQuireError } from '../errors';
import { pausedText } from '../errors/circuit-open-error';
import type { ChosenBy } from '../orchestrator/chosen-by';
import { costUsd, worstCaseUsd } from '../orchestrator/pricing';
import { answerWithin } from '../orchestrator/thinking';
import { thinksFirst } from '../../src-preload/contract/registry';
import { LOCAL_FALLBACK_WARNING } from '../providers/local-models';
import { billingOfError } from '../providers/provider-errors';
import type { CallableModel } from '../providers/provider-service';
import type { FinishReason, GenerateRequest, GenerateResult, Usage } from '../providers/spec';
import type { RunWrite } from '../store/repos/runs-repo';
import { toMicros } from '../store/money';
import type { Charge } from '../ledger/charge';
import type { CallEnd } from '../ledger/ledger';
import type { DeadlineTimer, FirstTokenDeadlines } from './first-token-deadline';
import type { RunServiceOptions } from './run-service-options';

export type AttemptDeps = Pick<RunServiceOptions, 'providers' | 'resilience' | 'ledger' | 'repo' | 'logger' | 'now'> & {
  monotonic: () => number;
  /** The one token count of a request for a model (TokenCounter): what the reservation is priced with. */
  countInput?: ((spec: ModelSpec, request: GenerateRequest) => Promise<number>) | undefined;
  /** First-token deadlines per model and input size, learned from each model's own recent times. */
  deadlines: FirstTokenDeadlines;
  timer: DeadlineTimer;
  /** Error to stored / sent info, redacted. */
  info: (error: unknown) => ErrorInfo;
};

/** What a call answered: made once, never changed (a repair's sum of usage is a new result). */
export interface AttemptResult {
  readonly text: string;
  readonly json: unknown;
  /** A JSON answer was asked for and this one could not be read as it. */
  readonly jsonError?: string | undefined;
  readonly usage: Usage;
  readonly warnings: readonly string[];
  /** `length`: the answer stopped at its max output tokens; `content_filter`: the provider's filter stopped it. */
  readonly finishReason?: FinishReason | undefined;
  /** The stop sequence the answer ended at, where the model said which. */
  readonly stopSequence?: string | undefined;
  /** The model declined to answer, in its own words: there is no answer, whatever the text. */
  readonly refusal?: string | undefined;
}

export interface AttemptInput {
  runId: string;
  task: string;
  spec: ModelSpec;
  request: GenerateRequest;
  inputTokens: number;
  timeoutMs: number;
  cancel: AbortSignal;
  onToken?: ((text: string) => void) | undefined;
  /** A local call's place in line for its model (null once it is generating). */
  onQueue?: ((position: number | null) => void) | undefined;
  /** Who chose this model (recorded with the call's ledger row; a held reservation's row has it already). */
  chosenBy: ChosenBy | null;
  /** Sent only once its own reservation is on disk, never out of the standing hold (a call an app's cap limits). */
  waitForDisk?: boolean | undefined;
  /** A reservation the caller already holds for this call (a tournament reserves its members together). */
  held?: { id: number } | null | undefined;
  /**
   * Checks the call's worst case before it is reserved (a run's bound: run-bound.ts): an error it returns refuses the
   * call, nothing reserved or sent. Not asked for a held reservation or a local call (those reserve nothing here).
   */
  admit?: ((worstCaseUsd: number) => Error | null) | undefined;
  /**
   * The run's row as it stands (a snapshot; never changed here): stored as `running`, naming this model, in the
   * transaction that opens the call's charge — so a crash mid-call leaves the run, not only its reservation.
   */
  running: Readonly<RunWrite>;
}

/** What one call came to; never changed once returned (the run derives its row from a list of these). */
export type AttemptOutcome =
  | {
      readonly ok: true;
      readonly attempt: RunAttempt;
      readonly result: AttemptResult;
      /** The call's charge, still open: closed with `end` in the transaction that stores the run. */
      readonly charge: Charge;
      readonly end: CallEnd & { servedBy?: string };
      /** The local adapter answered with a smaller local model: the failed attempt at the one asked for. */
      readonly localFallback: RunAttempt | null;
    }
  | {
      readonly ok: false;
      readonly attempt: RunAttempt;
      readonly error: unknown;
      readonly costMicros: number;
      /** What had streamed in before the failure (a writer's stop keeps it). */
      readonly partialText: string;
    };

/** A stop mid-answer's ledger note, in words (the spend export shows it): its counts are Quire's, not the provider's. */
const STOPPED_MID_ANSWER =
  "stopped mid-answer: the provider sends no counts for a stream cut short, so it is charged by Quire's count of " +
  'the request and of the words that arrived';

export class ModelAttempts {
  constructor(private readonly o: AttemptDeps) {}

  async attempt(a: AttemptInput): Promise<AttemptOutcome> {
    const { runId, spec } = a;
    // Never more than the model writes (a provider refuses a call asking more); held at that much below.
    const most = answerWithin(spec, a.request.maxOutputTokens);
    let request = most === a.request.maxOutputTokens ? a.request : { ...a.request, maxOutputTokens: most };
    const local = spec.provider === 'local';
    const provider = local ? 'local' : this.o.providers.providerOf(spec);
    const ledgerCall = { runId, modelId: spec.id, provider, task: a.task, chosenBy: a.chosenBy };
    // Refused before any call: a reservation the caller holds is given back (nothing was billed).
    const refused = (error: unknown): AttemptOutcome => {
      const info = this.o.info(error);
      if (a.held) this.o.ledger.release(a.held.id, info.code);
      return {
        ok: false,
        attempt: skipped(spec.id, provider, info.code, info.message),
        error,
        costMicros: 0,
        partialText: '',
      };
    };
    if (!local && this.o.resilience.isBlocked(provider)) {
      return refused(
        new QuireError('circuit_open', pausedText(provider, this.o.resilience.waitSeconds(provider)), {
          advised: true,
        }),
      );
    }
    let model: CallableModel;
    try {
      model = this.o.providers.model(spec, a.timeoutMs);
    } catch (error) {
      return refused(error);
    }
    const running: RunWrite = { ...a.running, status: 'running', model_id: spec.id };
    const storeRunning = () => this.o.repo.save(running);
    let charge: Charge;
    let inputTokens = a.inputTokens;
    try {
      if (a.held) {
        // A reservation the caller made: the running row is a commit of its own.
        charge = await this.o.ledger.adopt(a.held.id, ledgerCall, storeRunning);
      } else if (local) {
        charge = await this.o.ledger.openLocal(ledgerCall, storeRunning);
      } else {
        // The whole request as this model reads it (instruction, framing, passage, schema), by its own tokenizer
        // where Quire has it; never below the caller's estimate.
        if (this.o.countInput) inputTokens = Math.max(inputTokens, await this.o.countInput(spec, request));
        const worst = worstCaseUsd(spec, inputTokens, request.maxOutputTokens, { at: this.o.now() });
        // Checked at what the ledger will hold: a model that charged past its holds this month is held at that multiple.
        const turnedAway = a.admit?.(worst * (this.o.ledger.overrunRatios().get(spec.id) ?? 1));
        if (turnedAway) throw turnedAway;
        // Held, with the run row, and on disk before the provider is asked.
        charge = await this.o.ledger.open(
          { ...ledgerCall, worstCaseUsd: worst, ...(a.waitForDisk ? { waitForDisk: true } : {}) },
          storeRunning,
        );
      }
    } catch (error) {
      return refused(error);
    }
    // A reservation still on its way to disk: the SDK prepares the request meanwhile and sends it once it is there.
    // Should the disk fail, the call is stopped before a byte is sent (the signal aborts before the send would start).
    const disk = new AbortController();
    let diskError: unknown = null;
    // Set as the request goes out (client-options.ts): a call the writer stopped before that sent nothing, and its
    // hold is given back.
    let sent = false;
    if (charge.reservation) request = { ...request, onSend: () => void (sent = true) };
    if (charge.reservation && !a.held) {
      request = { ...request, sendAfter: charge.onDisk };
      charge.onDisk.catch((error: unknown) => {
        diskError = new StorageError(
          `Quire could not save this call's cost reservation to disk, so nothing was sent to ${spec.display_name}. Check that the disk has free space, then try again.`,
          { cause: error, advised: true },
        );
        disk.abort(diskError);
      });
    }
    const price = (usage: Usage) => costUsd(spec, usage, { at: this.o.now() });
    const t0 = this.o.monotonic();
    let received = false;
    let partialText = '';
    const onToken = (text: string) => {
      received = true;
      partialText += text;
      a.onToken?.(text);
    };
    let firstTokenMs: number | undefined;
    const call = (signal: AbortSignal) =>
      this.consume(model, spec, request, AbortSignal.any([signal, a.cancel, disk.signal]), {
        onToken,
        onQueue: a.onQueue,
        inputTokens,
        onFirstToken: (ms) => (firstTokenMs = ms),
      });
    try {
      const result = local
        ? await call(a.cancel)
        : await this.o.resilience.execute(provider, a.timeoutMs, (signal) => call(signal));
      const ms = Math.round(this.o.monotonic() - t0);
      const fellBack = local ? localFallbackOf(spec.id, result.warnings) : null;
      const servedBy = fellBack?.to ?? spec.id;
      if (firstTokenMs !== undefined && !fellBack)
        this.o.deadlines.observe({ modelId: spec.id, inputTokens, firstTokenMs, local });
      return {
        ok: true,
        attempt: {
          model_id: servedBy,
          provider,
          outcome: 'ok',
          error: null,
          cost_usd: 0,
          latency_ms: ms,
          ...(firstTokenMs !== undefined ? { first_token_ms: firstTokenMs, input_tokens: inputTokens } : {}),
        },
        result,
        charge,
        // Closed with the completed run row (RunWriter.complete): one transaction.
        end: { usage: result.usage, price, durationMs: ms, servedBy },
        localFallback: fellBack
          ? {
              model_id: spec.id,
              provider,
              outcome: 'failed',
              error: { code: 'local_model_error', message: fellBack.message },
              cost_usd: 0,
              latency_ms: 0,
            }
          : null,
      };
    } catch (thrown) {
      const error = diskError ?? thrown;
      const ms = Math.round(this.o.monotonic() - t0);
      const info = this.o.info(error);
      // What the provider or library itself said (an HTTP body, a socket error) is kept out of the writer's message:
      // it goes to the log, redacted.
      const cause = isQuireError(error) && error.cause instanceof Error ? this.o.info(error.cause).message : '';
      const said = cause && cause !== info.message ? ` (${cause.slice(0, 500)})` : '';
      this.o.logger.warn(`run ${runId}: ${spec.id} failed: ${info.message}${said}`);
      let end: CallEnd;
      // Kept at its reservation (no usage to charge it by, and it may have been billed).
      let keptMost = false;
      // A model that thinks before it answers had thought, billed as output, before its first visible word, and a
      // stream cut short says nothing of how much: stopped mid-answer, it keeps its reservation as a stop before any
      // word does (below), never the price of the words that arrived.
      if (charge.reservation && a.cancel.aborted && received && !thinksFirst(spec)) {
        // The writer stopped it mid-answer: charged by usage — the request's count and what had arrived, counted by
        // the same conservative bound (the provider sends no counts for a stream cut short).
        const usage = { inputTokens, outputTokens: Math.min(request.maxOutputTokens, estimateTextTokens(partialText)) };
        end = { usage, price, durationMs: ms, note: STOPPED_MID_ANSWER };
      } else if (charge.reservation) {
        // The one rule: a failure known to have billed nothing releases; otherwise the usage is unknown (a cut stream
        // carries no final counts) and the reservation is kept. A request that never left has no duration: it was
        // not a call (Spend does not count it, migration 013).
        const neverSent = diskError !== null || (a.cancel.aborted && !sent);
        keptMost = !((neverSent || billingOfError(error) === 'none') && !received);
        end = {
          price,
          unbilled: (neverSent || billingOfError(error) === 'none') && !received,
          note: `usage unknown after ${info.code}`,
          ...(neverSent ? {} : { durationMs: ms }),
        };
      } else {
        end = { price, usage: { inputTokens: undefined, outputTokens: undefined }, durationMs: ms };
      }
      const charged = await charge.close(end);
      // A stop that cost its most surprises the writer who saw no word arrive: the attempt says why.
      const message =
        keptMost && a.cancel.aborted
          ? received
            ? `Stopped after ${spec.display_name} had begun: it thinks before it answers, and that thinking was ` +
              'billed before its first word without saying how much, so Quire counts it at the most it could have cost.'
            : `Stopped after ${spec.display_name} had the request, before its first word: a provider bills a request ` +
              'once it has it and said nothing of what this one came to, so Quire counts it at the most it could have cost.'
          : info.message;
      return {
        ok: false,
        attempt: {
          model_id: spec.id,
          provider,
          outcome: 'failed',
          error: { code: info.code, message },
          cost_usd: charged,
          latency_ms: ms,
          ...(keptMost ? { charged_most: true as const } : {}),
        },
        error,
        costMicros: toMicros(charged),
        partialText,
      };
    }
  }

  /**
   * Streams when the model can, else one generate call. The first-token deadline fits the work (input size, the
   * model's own recent pace, a floor); for a local model it starts only when generation does, so loading the model
   * and waiting in line for it never count.
   */
  private async consume(
    model: CallableModel,
    spec: ModelSpec,
    request: GenerateRequest,
    signal: AbortSignal,
    hooks: StreamHooks,
  ): Promise<AttemptResult> {
    if (!spec.capabilities.streaming) {
      const result: GenerateResult = await model.generate(request, signal);
      return {
        text: result.text,
        json: result.json,
        jsonError: result.jsonError,
        usage: result.usage,
        warnings: result.warnings,
        finishReason: result.finishReason,
        stopSequence: result.stopSequence,
        refusal: result.refusal,
      };
    }
    const firstToken = new AbortController();
    const waitMs = this.o.deadlines.deadlineMs(spec.id, hooks.inputTokens, {
      reasoning: spec.capabilities.reasoning === true,
      local: spec.provider === 'local',
      // Images go up before any answer can come down.
      uploadBytes: request.images?.reduce((sum, image) => sum + image.data_base64.length, 0),
    });
    let timedOut = false;
    let disarm: (() => void) | null = null;
    let armedAt = this.o.monotonic();
    const arm = () => {
      disarm?.();
      armedAt = this.o.monotonic();
      disarm = this.o.timer.set(() => {
        timedOut = true;
        firstToken.abort();
      }, waitMs);
    };
    const stop = () => {
      disarm?.();
      disarm = null;
    };
    let waiting = true;
    // A local call arms its deadline when its generation starts (the status part); a cloud call at once.
    if (spec.provider !== 'local') arm();
    let text = '';
    try {
      for await (const part of model.stream(request, AbortSignal.any([signal, firstToken.signal]))) {
        if (part.type === 'status') {
          if (!waiting) continue;
          hooks.onQueue?.(part.generating ? null : part.queue_position);
          if (part.generating) arm();
          continue;
        }
        if (waiting) {
          waiting = false;
          stop();
          hooks.onFirstToken(Math.round(this.o.monotonic() - armedAt));
        }
        if (part.type === 'text-delta') {
          text += part.text;
          hooks.onToken(part.text);
        } else {
          const json = request.jsonSchema && part.json !== undefined;
          return {
            text: json ? JSON.stringify(part.json) : text,
            json: part.json,
            jsonError: part.jsonError,
            usage: part.usage,
            warnings: part.warnings,
            finishReason: part.finishReason,
            stopSequence: part.stopSequence,
            refusal: part.refusal,
          };
        }
      }
      throw new QuireError('provider_error', `${spec.display_name} ended its answer before finishing it`);
    } catch (error) {
      if (timedOut && !signal.aborted) {
        throw new TimeoutError(
          `${spec.display_name} sent nothing within ${formatSeconds(waitMs)} (the “Wait for a first word” in Settings → Runs)`,
        );
      }
      throw error;
    } finally {
      stop();
    }
  }
}

interface StreamHooks {
  inputTokens: number;
  onToken: (text: string) => void;
  onQueue: ((position: number | null) => void) | undefined;
  /** Time from the deadline's start (the call; a local model's generation) to the first token, ms. */
  onFirstToken: (ms: number) => void;
}

function formatSeconds(ms: number): string {
  const s = ms / 1000;
  return `${Number.isInteger(s) ? s : s.toFixed(1)} s`;
}

/** The local adapter's `local_fallback:<from>-><to>: <why>` warning (local-provider.ts), if it fell back. */
function localFallbackOf(from: string, warnings: readonly string[]): { to: string; message: string } | null {
  const prefix = `${LOCAL_FALLBACK_WARNING}${from}->`;
  for (const warning of warnings) {
    if (!warning.startsWith(prefix)) continue;
    const rest = warning.slice(prefix.length);
    const end = rest.indexOf(': ');
    if (end > 0) return { to: rest.slice(0, end), message: rest.slice(end + 2) };
  }
  return null;
}

export function skipped(modelId: string, provider: string, code: string, message: string): RunAttempt {
  return { model_id: modelId, provider, outcome: 'skipped', error: { code, message }, cost_usd: 0, latency_ms: 0 };
}
