// One gateway call as a Quire run: the model name resolved, the app's limits checked (its token's concurrency, its
// monthly cap held at the run's quoted bound until it settles), the run linked to the app before it starts, then the
// same RunService path as runs:start (decision, ledger reservation, breakers, fallbacks, settlement).
import type { z } from 'zod';
import {
  MAX_REQUEST_CHARS,
  runStartSchema,
  type DecideRequest,
  type Decision,
  type ModelSpec,
  type RunRecord,
  type RunStart,
  type TaskSpec,
} from '../../src-preload/contract';
import type { AnswerKind, ReasoningEffort } from '../../src-preload/contract/tasks';
import { isJsonObject } from '../providers/json-answer';
import type { ChatMessage, JsonSchemaRequest } from '../providers/spec';
import { RunBound } from '../runs/run-bound';
import type { RunService } from '../runs/run-service';
import type { ChosenBy } from '../orchestrator/chosen-by';
import { toUsd } from '../store/money';
import type { GatewayRepo, TokenRow } from './gateway-repo';
import type { WireImage } from './message-content';
import { choiceRequest, resolveModelName } from './model-names';
import { cloudForLocalOnly, localOnlyRefusal, localOnlyWhy, unboundedRefusal, unsetUpRefusal } from './call-refusals';
import { CancelledError } from '../errors';
import { invalidRequest, wire, type WireError } from './wire-errors';
import { usdLeftText, usdText } from '../../src-preload/contract/usd-text';

export interface ChatCall {
  /** The model name as the app sent it. */
  model: string;
  messages: ChatMessage[];
  /** Absent: the app set no limit, and each model may write up to its own (RunPlan.ownOutput). */
  maxOutputTokens?: number | undefined;
  temperature?: number | undefined;
  seed?: number | undefined;
  /** OpenAI's `reasoning_effort`: how hard a reasoning model thinks (runs:start's reasoning_effort). */
  reasoningEffort?: ReasoningEffort | undefined;
  /** Sampling beyond temperature, each passed on where the model's provider takes it. */
  sampling?: { [K in 'top_p' | 'top_k' | 'frequency_penalty' | 'presence_penalty']?: number | undefined };
  /** Stop sequences (OpenAI's `stop`, Anthropic's `stop_sequences`). */
  stop?: string[] | undefined;
  /** `response_format`: JSON mode (JSON_OBJECT) or the app's own schema. */
  jsonSchema?: JsonSchemaRequest | undefined;
  /** Images sent with the last user message, each with the field it came in. */
  images?: WireImage[] | undefined;
}

export interface EmbeddingResult {
  model: string;
  vectors: number[][];
  tokens: number;
}

export interface GatewayCallDeps {
  runs: Pick<RunService, 'start' | 'quote'>;
  /** The orchestrator's decision: whether a name can run now, without running it. */
  decide: (request: DecideRequest) => Decision;
  models: () => readonly ModelSpec[];
  tasks: () => ReadonlyMap<string, TaskSpec>;
  /** A task's name as the writer reads it ("Line edit"). */
  taskName: (task: string) => string;
  repo: Pick<GatewayRepo, 'liveToken' | 'linkRun' | 'holdAndLink' | 'releaseHold'>;
  monthOf: (at: Date) => string;
  now: () => Date;
  newId: () => string;
  /** Calls one token may have in flight; more are refused with 429 (the SDKs retry those). */
  concurrencyPerToken: number;
  /** Embeddings from a loaded local model (never a cloud); stopped between texts once `cancel` aborts. */
  embed: (model: string, texts: string[], cancel: AbortSignal) => Promise<EmbeddingResult>;
  /** Stores an embeddings call as a completed local run, with its $0 ledger row, in one commit. */
  recordEmbedding: (run: {
    runId: string;
    model: string;
    /** The app named the model (else `quire/auto`: the model Quire has loaded). */
    chosenBy: ChosenBy;
    tokens: number;
    inputs: number;
    ms: number;
  }) => void;
  monotonic: () => number;
  /**
   * A task's definition as a `quire/<task>` call is sent it: its system message (its reviewed instruction and answer
   * form) and what it answers with; undefined for a task without one.
   */
  taskDefinition?: (task: string) => { system: string; answer: AnswerKind } | undefined;
}

export interface CallHooks {
  /** The run's id, once it is known (before any token). */
  onRun?: (runId: string) => void;
  onToken?: (text: string, modelId: string) => void;
  cancel?: AbortSignal;
}

export class GatewayCalls {
  private readonly inflight = new Map<string, number>();
  /** Each token's calls in flight, stopped when the writer revokes it (this process's; see {@link stop}). */
  private readonly running = new Map<string, Set<{ signal: AbortSignal; stop: () => void }>>();

  constructor(private readonly o: GatewayCallDeps) {}

  /** Runs the call for `token`; throws a WireError (or the run's QuireError) when it is refused or fails. */
  chat(token: TokenRow, call: ChatCall, hooks: CallHooks = {}): Promise<RunRecord> {
    return this.admitted(token, async (live, revoked) => {
      const start = this.runStart(live, call);
      const runId = this.o.newId();
      const cancel = hooks.cancel ? AbortSignal.any([hooks.cancel, revoked]) : revoked;
      let hold = 0;
      try {
        // The cap is checked and the run's bound held in SQLite, in one transaction, so two processes sharing the data
        // directory count each other's calls; the run is then held to that bound.
        const capped = await this.holdForCap(live, start, runId);
        hold = capped?.micros ?? 0;
        hooks.onRun?.(runId);
        return await this.o.runs.start(start, {
          runId,
          // Without a cap, the run → app link is written with the run's first row (no commit of its own).
          ...(capped ? { heldTo: capped } : { firstRow: () => this.o.repo.linkRun(runId, live) }),
          ...(hooks.onToken ? { onToken: hooks.onToken } : {}),
          cancel,
        });
      } catch (error) {
        throw (
          localOnlyRefusal(live, start, error) ??
          unboundedRefusal(start, error) ??
          // The names an app can call are weighed for text: with images, the refusal's own words say what can see them.
          (start.images
            ? null
            : unsetUpRefusal(error, (id) => this.unavailable(live, id), {
                models: this.o.models,
                tasks: this.o.tasks,
              })) ??
          error
        );
      } finally {
        if (hold > 0) this.o.repo.releaseHold(runId);
      }
    });
  }

  /**
   * Why the app cannot call `name` now, in the words its call would get (a cloud model for a "local models only" app,
   * no key, not downloaded), or null when it can: the decision a call starts with, without the call. The budget is
   * left out (it changes with every call, and a call over it is told so with a 429), as is the text's length.
   */
  unavailable(token: TokenRow, name: string): string | null {
    const choice = resolveModelName(name, { models: this.o.models, tasks: this.o.tasks });
    if (!choice) return wire.modelNotFound(name).message;
    if (token.local_only && choice.kind === 'model' && choice.spec.provider !== 'local') {
      return cloudForLocalOnly(token, choice.spec);
    }
    // Asked as for a short text: whether a passage fits a model's context is the call's own, like the budget.
    const decision = this.o.decide({
      ...choiceRequest(choice),
      input_tokens: 1,
      ...(token.local_only ? { local_only: true } : {}),
    });
    if (decision.refusal?.code !== 'unavailable') return null;
    return token.local_only && choice.kind !== 'model'
      ? localOnlyWhy(token, decision.refusal.message)
      : decision.refusal.message;
  }

  /**
   * Stops every call of the token in flight in this process (the writer revoked it): each ends as a stopped run,
   * charged by the ledger's rule, and its app is told why. Returns how many were stopped.
   */
  stop(tokenId: string): number {
    const running = this.running.get(tokenId);
    for (const call of running ?? []) call.stop();
    return running?.size ?? 0;
  }

  /**
   * An embeddings call as a Quire run: local, $0, linked to the app, so it shows in the run history and under the
   * app's name in Spend like its chat calls. `cancel` (the app hung up) stops it between texts, and nothing is recorded.
   */
  embed(
    token: TokenRow,
    model: string,
    texts: string[],
    cancel?: AbortSignal,
  ): Promise<EmbeddingResult & { runId: string }> {
    return this.admitted(token, async (live, revoked) => {
      const started = this.o.monotonic();
      const result = await this.o.embed(model, texts, cancel ? AbortSignal.any([cancel, revoked]) : revoked);
      const runId = this.o.newId();
      this.o.repo.linkRun(runId, live);
      this.o.recordEmbedding({
        runId,
        model: result.model,
        chosenBy: model === 'quire/auto' ? 'quire' : 'writer',
        tokens: result.tokens,
        inputs: texts.length,
        ms: Math.round(this.o.monotonic() - started),
      });
      return { ...result, runId };
    });
  }

  /**
   * A seat for one of the app's requests, taken at the door before its body is read and given back once it has been
   * answered: an app holds no more request bodies in Quire's memory (each up to the body limit) than calls it may run.
   */
  seat(token: TokenRow): () => void {
    const taken = this.inflight.get(token.id) ?? 0;
    if (taken >= this.o.concurrencyPerToken) {
      throw wire.busy(
        `"${token.name}" already has ${taken} requests in Quire (running, or still being sent), its limit; this one can be retried shortly.`,
      );
    }
    this.inflight.set(token.id, taken + 1);
    let held = true;
    return () => {
      if (!held) return;
      held = false;
      const left = (this.inflight.get(token.id) ?? 1) - 1;
      if (left > 0) this.inflight.set(token.id, left);
      else this.inflight.delete(token.id);
    };
  }

  /**
   * One call of the app's, whatever its kind (its seat taken at the door, see {@link seat}): stopped should the writer
   * revoke the token, and run with the token as it is now. The doors checked the token before the body arrived, and
   * the writer may have revoked it, switched on "local models only" or lowered its cap since: it is read again once
   * the call is registered, so a revoke either comes before that read or stops the call.
   */
  private async admitted<T>(token: TokenRow, call: (live: TokenRow, revoked: AbortSignal) => Promise<T>): Promise<T> {
    const revoked = new AbortController();
    // The reason is what the run's record says in the history.
    const entry = {
      signal: revoked.signal,
      stop: () =>
        revoked.abort(
          new CancelledError(`Access for "${token.name}" was revoked while this ran, so Quire stopped it.`),
        ),
    };
    const running = this.running.get(token.id) ?? new Set();
    this.running.set(token.id, running.add(entry));
    try {
      const live = this.o.repo.liveToken(token.id);
      if (!live) {
        throw wire.unauthorized(
          `Access for "${token.name}" was revoked in Quire before this request ran, so it was not run and nothing was charged.`,
        );
      }
      return await call(live, revoked.signal);
    } catch (error) {
      if (!revoked.signal.aborted) throw error;
      throw wire.unauthorized(
        `Access for "${token.name}" was revoked in Quire while this request ran, so it was stopped. Any answer that had arrived is charged, as is a request the provider had already received.`,
      );
    } finally {
      running.delete(entry);
      if (running.size === 0) this.running.delete(token.id);
    }
  }

  /** The runs:start request the call stands for, checked with runs:start's own schema. */
  private runStart(token: TokenRow, call: ChatCall): RunStart {
    const choice = resolveModelName(call.model, { models: this.o.models, tasks: this.o.tasks });
    if (!choice) throw wire.modelNotFound(call.model);
    if (token.local_only && choice.kind === 'model' && choice.spec.provider !== 'local') {
      throw wire.forbidden(cloudForLocalOnly(token, choice.spec));
    }
    // quire/<task> on one text (and the app's own system message, if any) runs the task as Quire does: its instruction,
    // the text as its passage, its answer's form, temperature and length, its answer read and recorded with the task's
    // version. A conversation of several turns keeps its messages, led by the task's instruction.
    const asTask = choice.kind === 'task' ? taskInput(call.messages) : null;
    const definition = choice.kind === 'task' ? this.o.taskDefinition?.(choice.task) : undefined;
    const jsonSchema =
      choice.kind === 'task' ? this.taskJson(call, choice.task, definition, asTask !== null) : call.jsonSchema;
    const start = {
      ...choiceRequest(choice),
      input: asTask
        ? asTask.passage
        : choice.kind === 'task'
          ? withTaskSystem(definition, call.messages)
          : call.messages,
      ...(asTask?.request ? { request: asTask.request } : {}),
      single: true,
      ...(token.local_only ? { local_only: true } : {}),
      ...(call.maxOutputTokens !== undefined ? { max_output_tokens: call.maxOutputTokens } : {}),
      ...(call.temperature !== undefined ? { temperature: call.temperature } : {}),
      ...(call.seed !== undefined ? { seed: call.seed } : {}),
      ...(call.reasoningEffort !== undefined ? { reasoning_effort: call.reasoningEffort } : {}),
      ...Object.fromEntries(Object.entries(call.sampling ?? {}).filter(([, value]) => value !== undefined)),
      ...(call.stop && call.stop.length > 0 ? { stop: call.stop } : {}),
      ...(jsonSchema ? { json_schema: jsonSchema } : {}),
      ...(call.images && call.images.length > 0 ? { images: call.images.map((i) => i.image) } : {}),
    };
    const parsed = runStartSchema.safeParse(start);
    if (!parsed.success) throw this.limitPassed(parsed.error.issues[0]!, start, call);
    return parsed.data;
  }

  /**
   * A limit of Quire's runs that the wire's own checks leave to the run (a task's passage and request), said in the
   * app's terms: its messages, never the run's fields or zod's wording.
   */
  private limitPassed(issue: z.core.$ZodIssue, start: Record<string, unknown>, call: ChatCall): WireError {
    const [field, index] = issue.path;
    const name = this.o.taskName(String(start.task));
    // An image is checked as the Workbench's are (its type, size, the bytes' own format): said at the app's field.
    const image = field === 'images' && typeof index === 'number' ? call.images?.[index] : undefined;
    if (image) {
      const said = issue.message.endsWith('.') ? issue.message : `${issue.message}.`;
      return wire.invalid(`${image.param}: ${said}`, image.param);
    }
    if (field === 'images') return wire.invalid(`messages: ${issue.message}.`, 'messages');
    if (field === 'input' && issue.path.length === 1 && issue.code === 'too_small') {
      return wire.invalid(
        `The text for ${name} to work on (the user message) is empty. Send the text as the user message.`,
        'messages',
      );
    }
    if (field === 'request' && issue.code === 'too_big') {
      return wire.invalid(
        `The system message may be at most ${MAX_REQUEST_CHARS.toLocaleString('en-US')} characters long when it asks a task (${call.model}): it is your request to ${name}. Send the text to work on as the user message.`,
        'messages',
      );
    }
    return invalidRequest(start, issue);
  }

  /**
   * What `response_format` asks of `quire/<task>`, which answers in its task's own form. JSON mode is met by a task that
   * answers in JSON: on one text by its own schema, which the answer is read by (so JSON mode adds nothing); in a
   * conversation, whose answer the task's instruction asks in that form, by JSON mode holding it to an object. A schema
   * of the app's own, or JSON from a task that writes prose, cannot be honoured: refused, saying why and what works.
   */
  private taskJson(
    call: ChatCall,
    task: string,
    definition: { answer: AnswerKind } | undefined,
    oneText: boolean,
  ): JsonSchemaRequest | undefined {
    const json = call.jsonSchema;
    if (!json) return undefined;
    const name = this.o.taskName(task);
    if (definition?.answer === 'prose') {
      throw wire.invalid(
        `response_format: ${call.model} (${name}) writes prose, not a JSON object. Send the request without response_format, or ask quire/auto or a model id for JSON.`,
        'response_format',
      );
    }
    if (!isJsonObject(json)) {
      throw wire.invalid(
        `response_format: ${call.model} answers in ${name}'s own JSON form, so it cannot follow another schema. Send the request without response_format (its answer is a JSON object already), or send your schema to quire/auto or a model id.`,
        'response_format',
      );
    }
    return oneText ? undefined : json;
  }

  /**
   * For a token with a cap: the most the run may spend — its quote's bound, the figure the run holds itself to (a
   * call, the repair of an unreadable answer, every fallback, at the multiple of a model's overruns) — checked against
   * the cap with every process's calls counted and held, with the run's link to its app, in one transaction. Null for
   * a token without a cap, or a run that no model can do (it refuses itself, linked with its first row).
   */
  private async holdForCap(token: TokenRow, start: RunStart, runId: string): Promise<RunBound | null> {
    if (token.monthly_cap_micros === null) return null;
    const quote = (await this.o.runs.quote(start)).bound;
    // A quote that found nothing to run it holds nothing, and the run is held to that: should a model be back by the
    // start, only a free (local) call could run under the cap, never one it did not hold.
    const bound = quote ? new RunBound(quote.at_most_usd, quote.set_by) : new RunBound(0);
    const refused = this.o.repo.holdAndLink(runId, token, {
      micros: bound.micros,
      limit: token.monthly_cap_micros,
      month: this.o.monthOf(this.o.now()),
    });
    if (refused) {
      const cap = toUsd(token.monthly_cap_micros);
      const left = Math.max(0, token.monthly_cap_micros - refused.counted);
      throw wire.quota(
        `"${token.name}" has a monthly cap of ${usdText(cap)} in Quire. This call could cost up to ${usdText(bound.boundUsd)}, but only ${usdLeftText(toUsd(left))} of the cap is left this month. To go on this month, raise it in Quire → Settings → AI Intelligence → Let other apps use Quire → Change limits for ${token.name}; the cap starts again next month.`,
      );
    }
    return bound;
  }
}

/**
 * `quire/<task>` as a conversation of several turns: the task's own system message leads the conversation (merged with
 * the app's system message, which follows it), so the model does that task on the app's text rather than chatting
 * about it.
 */
function withTaskSystem(definition: { system: string } | undefined, messages: ChatMessage[]): ChatMessage[] {
  if (!definition) return messages;
  const [first, ...rest] = messages;
  if (first?.role === 'system')
    return [{ role: 'system', content: `${definition.system}\n\n${first.content}` }, ...rest];
  return [{ role: 'system', content: definition.system }, ...messages];
}

/** One text to do the task on, and the app's system message as the writer's request; null for a conversation. */
function taskInput(messages: readonly ChatMessage[]): { passage: string; request: string | undefined } | null {
  const [first, second, ...rest] = messages;
  if (rest.length > 0) return null;
  if (first?.role === 'user' && second === undefined) return { passage: first.content, request: undefined };
  if (first?.role === 'system' && second?.role === 'user') return { passage: second.content, request: first.content };
  return null;
}
