// Tournaments end to end: choose members, reserve all their worst cases together, run them in parallel, drop the ones
// that fail, match and classify their findings (or judge their prose), score confidence, store, and take the
// writer's verdicts back into quality estimates and agreement rates.
import type {
  ModelSpec,
  Tournament,
  TournamentMember,
  TournamentQuote,
  TournamentResolve,
  TournamentStart,
  TournamentSummary,
} from '../../src-preload/contract';
import { InvalidInputError, isQuireError, NotFoundError } from '../errors';
import type { ChosenBy } from '../orchestrator/chosen-by';
import type { GenerateRequest } from '../providers/spec';
import { groupFindings, type MemberFindings } from './agreement';
import { historicalRate } from './confidence';
import { parseStructured, VERIFICATION_JSON_SCHEMA, verificationSchema } from './verification';
import { familyOf } from './member-selection';
import { usdText } from '../../src-preload/contract/usd-text';
import { chooseSeats, VERIFIER_MAX_OUTPUT, type Seat } from './seating';
import { judgeProse } from './judging';
import {
  boundedForLocal,
  callMember,
  memberAnswer,
  memberNotes,
  memberRunId,
  type MemberAsk,
  type MemberCalls,
} from './member-call';
import { answerKindFor, memberMessages, verifierMessages } from './prompts';
import { scoreFindings, scoreProse, toTournamentFindings, type MemberStanding } from './scoring';
import { lexicalSimilarity } from './similarity';
import { estimateInputTokens } from '../runs/run-request';
import { noAnswer } from '../runs/no-answer';
import { withRoomToThink } from '../runs/room-to-think';
import { plainProblem, repairWithin } from '../runs/task-run';
import type { ModelCallOutcome } from '../runs/run-service';
import { readJson } from '../providers/json-answer';
import { answerJsonSchema, checkAnswer, type FindingsAnswer } from '../tasks/answers';
import { numberParagraphs, QuoteLocator } from '../tasks/quotes';
import { buildAnswer, locateFindings } from '../tasks/task-answers';
import type { LocatedFinding, RunAnswer } from '../../src-preload/contract/tasks';
import type { TournamentDeps } from './tournament-deps';
import { tokenizerPlan } from '../tokens/families';
import { resolveFinding } from './verdicts';

export type { TournamentDeps, TournamentLedger } from './tournament-deps';

/** Errors raised before any member was called: no tournament could be seated. */
export const NOT_SEATED: ReadonlySet<string> = new Set(['unavailable', 'budget_exceeded']);

export class TournamentService {
  /** Each running tournament's stop, with its id once it has one. */
  private readonly inflight = new Map<AbortController, string | null>();

  constructor(private readonly deps: TournamentDeps) {}

  /** Abandons every running tournament (the app is closing): members are aborted and charged for what they used. */
  cancelAll(): void {
    for (const controller of this.inflight.keys()) controller.abort();
  }

  /**
   * The writer stopped tournament `id`: members still answering are stopped (each charged as a stopped run is), no
   * verifier or judge is asked, and it ends as stopped. False when it is not running in this process.
   */
  cancel(id: string): boolean {
    for (const [controller, running] of this.inflight) {
      if (running !== id) continue;
      controller.abort();
      return true;
    }
    return false;
  }

  /** Whether a run of this task should become a tournament (settings: enabled and listed as critical). */
  isCritical(task: string): boolean {
    const t = this.deps.settings().tournament;
    return t.enabled && t.critical_tasks.includes(task) && !this.suggestsOnly(task);
  }

  /** A task that answers with which check to run (Ask Quire): its members would have nothing to agree on. */
  private suggestsOnly(task: string): boolean {
    return this.deps.library?.get(task)?.answer === 'route';
  }

  /**
   * Who would sit at this tournament and the most it may cost (the sum of the members' worst cases, which is what
   * start reserves), without calling anyone. Throws as start would when it cannot be seated.
   */
  async quote(request: TournamentStart): Promise<{
    members: { model_id: string; display_name: string; worst_case_usd: number }[];
    input_tokens: number;
    max_output_tokens: number;
  }> {
    const { seats, inputTokens, maxOutput } = await this.seat(request, []);
    return {
      members: seats.map((s) => ({
        model_id: s.spec.id,
        display_name: s.spec.display_name,
        worst_case_usd: s.heldUsd,
      })),
      input_tokens: inputTokens,
      max_output_tokens: maxOutput,
    };
  }

  /** {@link quote} as the writer reads it before Run: the members and their sum, or why no tournament can sit. */
  async quoteSeats(request: TournamentStart): Promise<TournamentQuote> {
    try {
      const quote = await this.quote(request);
      return {
        kind: 'tournament',
        ...quote,
        total_usd: quote.members.reduce((sum, m) => sum + m.worst_case_usd, 0),
      };
    } catch (error) {
      if (isQuireError(error) && NOT_SEATED.has(error.code)) return { kind: 'unseated', reason: error.message };
      throw error;
    }
  }

  /** One seating for the quote and the start: the same messages (the task's instruction included), so the same sums. */
  private async seat(request: TournamentStart, notes: string[]) {
    const settings = this.deps.settings();
    const task = this.deps.tasks.get(request.task);
    if (!task) throw new InvalidInputError(`Unknown task "${request.task}"`, 'task');
    if (this.suggestsOnly(task.id)) {
      throw new InvalidInputError(
        `${task.display_name} suggests which check to run; it cannot run as a tournament. Run the check it suggests as a tournament instead.`,
        'task',
      );
    }
    const mode = request.mode ?? 'tournament';
    const kind = answerKindFor(task.strength);
    const definition = this.deps.library?.get(task.id);
    // The answer a single run of the task allows (its definition's), so a member is neither cut shorter than the same
    // check run alone nor seated where that run would be refused; the task's typical size only without a definition.
    const maxOutput = request.max_output_tokens ?? definition?.max_output_tokens ?? task.typical_output_tokens;
    const messages = memberMessages(kind, task, request.input, definition, request.request);
    const inputTokens = estimateInputTokens(messages);
    // Counted once per way of counting (models that count alike share it: a long passage is not counted again for
    // each of dozens of candidates), with the schema the member is sent.
    const memberSchema = kind === 'findings' ? answerJsonSchema('findings', [])! : undefined;
    const counted = new Map<string, Promise<number>>();
    const inputOf = (spec: ModelSpec, jsonSchema = memberSchema): Promise<number> => {
      const counter = spec.provider === 'local' ? spec.id : JSON.stringify(tokenizerPlan(spec));
      const key = `${counter}\u0000${jsonSchema?.name ?? ''}`;
      let count = counted.get(key);
      if (!count) {
        count = this.deps.inputTokens?.(spec, { messages, jsonSchema }) ?? Promise.resolve(inputTokens);
        counted.set(key, count);
      }
      return count;
    };
    const ratios = this.deps.ledger.overrunRatios();
    const seats = await chooseSeats(
      { ...this.deps, inputTokens: inputOf, overrunRatio: (spec) => ratios.get(spec.id) ?? 1 },
      request,
      task,
      mode,
      inputTokens,
      maxOutput,
      definition?.reasoning_effort ?? null,
      settings,
      notes,
      estimateInputTokens(memberMessages(kind, task, '', definition, request.request)),
    );
    return { settings, task, mode, kind, maxOutput, definition, messages, inputTokens, seats };
  }

  async start(request: TournamentStart): Promise<Tournament> {
    const controller = new AbortController();
    this.inflight.set(controller, null);
    try {
      return await this.run(request, controller.signal, (id) => this.inflight.set(controller, id));
    } finally {
      this.inflight.delete(controller);
    }
  }

  private async run(request: TournamentStart, cancel: AbortSignal, named: (id: string) => void): Promise<Tournament> {
    const notes: string[] = [];
    const { settings, task, mode, kind, maxOutput, definition, messages, seats } = await this.seat(request, notes);

    const id = this.deps.newId();
    named(id);
    const startedAt = this.deps.now();
    const clockStart = this.deps.clock();
    const runId = (spec: ModelSpec, role: string) => memberRunId(id, { role, model_id: spec.id });
    const cloud = seats.filter((s) => s.spec.provider !== 'local');
    // Members the writer named are their choice; members Quire seated (the best in the tier, within the cap) its own.
    const seatedBy: ChosenBy = request.models ? 'writer' : 'quire';
    // Every cloud call's worst case, and every findings member's one repair, held together: all start or none does.
    const repairing = cloud.filter((s) => s.repairUsd > 0);
    const reservations = this.deps.ledger.reserveAll(
      [
        ...cloud.map((s) => ({
          runId: runId(s.spec, s.role),
          modelId: s.spec.id,
          provider: this.providerOf(s.spec),
          task: task.id,
          worstCaseUsd: s.worstCaseUsd,
          chosenBy: seatedBy,
        })),
        ...repairing.map((s) => ({
          runId: `${runId(s.spec, s.role)}/repair`,
          modelId: s.spec.id,
          provider: this.providerOf(s.spec),
          task: task.id,
          worstCaseUsd: s.repairUsd,
          chosenBy: seatedBy,
        })),
      ],
      settings.tournament.cost_cap_usd,
    );
    const reservationOf = new Map(cloud.map((s, i) => [s, reservations[i]!]));
    const repairReservationOf = new Map(repairing.map((s, i) => [s, reservations[cloud.length + i]!]));
    const reservedUsd = reservations.reduce((sum, r) => sum + r.reservedUsd, 0);

    const quality = this.deps.feedback.quality();
    const members: TournamentMember[] = seats.map((s) => ({
      model_id: s.spec.id,
      display_name: s.spec.display_name,
      provider: s.spec.provider,
      family: familyOf(s.spec),
      local: s.spec.provider === 'local',
      role: s.role,
      status: 'pending',
      error: null,
      text: '',
      finding_count: null,
      worst_case_usd: s.heldUsd,
      cost_usd: 0,
      input_tokens: null,
      output_tokens: null,
      duration_ms: null,
      quality: round(quality(s.spec.id, task.id, s.spec.quality)),
      history: round(this.history(s.spec.id, task.id)),
    }));
    const tournament: Tournament = {
      id,
      task: task.id,
      mode,
      kind,
      status: 'running',
      created_at: startedAt.toISOString(),
      finished_at: null,
      request: request.request ?? null,
      members,
      findings: [],
      verification: null,
      judging: null,
      winner: null,
      confidence: null,
      notes,
      reserved_usd: reservedUsd,
      cost_usd: 0,
      wall_ms: null,
      error: null,
    };
    this.deps.repo.save(tournament, request.input);
    this.deps.events.emit('tournament:started', {
      tournament_id: id,
      task: task.id,
      mode,
      members: seats.map((s) => ({ model_id: s.spec.id, role: s.role })),
    });

    const passage = request.input;
    // Kept with every call's run (the inner `request` below is a call's own).
    const asked = request.request;
    // The kept manuscript it ran on, kept with every call's run too: reopened later, it names the manuscript to open.
    const manuscript = request.manuscript;
    // A local member is asked as a single run of the task would be (its grammar's bounds, told in its instruction).
    const asks = new Map<Seat, MemberAsk>();
    const call = async (
      seat: Seat,
      member: TournamentMember,
      request: GenerateRequest,
      repair = false,
    ): Promise<ModelCallOutcome> => {
      const event = { tournament_id: id, model_id: seat.spec.id, role: seat.role };
      member.status = 'running';
      this.deps.events.emit('tournament:member-started', event);
      const outcome = await callMember(
        this.memberCalls(seat.spec, asked, manuscript),
        seat.spec,
        request,
        (repair ? repairReservationOf : reservationOf).get(seat) ?? null,
        `${runId(seat.spec, seat.role)}${repair ? '/repair' : ''}`,
        task.id,
        seatedBy,
        cancel,
        (text) => this.deps.events.emit('tournament:member-token', { ...event, text }),
        // Stored with the member's run: reopened from the history, it reads as findings with their quotes located.
        kind === 'findings' ? (answer) => findingsOf(answer, passage, asks.get(seat)?.bounded ?? null) : undefined,
      );
      if (repair) repairReservationOf.delete(seat);
      Object.assign(member, {
        status: outcome.ok ? 'done' : 'failed',
        error: outcome.error,
        text: outcome.text,
        // A repaired member's cost is both its calls'.
        cost_usd: (repair ? member.cost_usd : 0) + outcome.costUsd,
        input_tokens: outcome.usage.inputTokens ?? null,
        output_tokens: outcome.usage.outputTokens ?? null,
        duration_ms: outcome.durationMs,
      } satisfies Partial<TournamentMember>);
      if (outcome.ok) {
        this.deps.events.emit('tournament:member-done', {
          ...event,
          cost_usd: outcome.costUsd,
          duration_ms: outcome.durationMs,
        });
      } else {
        this.deps.events.emit('tournament:member-failed', {
          ...event,
          code: outcome.error!.code,
          message: outcome.error!.message,
          cost_usd: outcome.costUsd,
        });
      }
      return outcome;
    };

    const memberRequest: GenerateRequest = {
      messages,
      maxOutputTokens: maxOutput,
      temperature: 0,
      // The schema a single run of the task is asked for (a local member is asked as a single run is: boundedForLocal).
      ...(kind === 'findings' ? { jsonSchema: answerJsonSchema('findings', [])! } : {}),
    };
    const answering = seats.filter((s) => s.role !== 'verifier');
    const lengthChosen = request.max_output_tokens !== undefined;
    // A reasoning member is sent room to think besides the answer's allowance, at the task's effort, as a single run
    // of the task is (its seat was priced with it).
    const effort = definition?.reasoning_effort;
    for (const seat of answering) {
      const ask = boundedForLocal(seat.spec, memberRequest, { passage, lengthChosen });
      asks.set(seat, { ...ask, request: withRoomToThink(seat.spec, effort, ask.request) });
    }
    const outcomes = await Promise.all(
      answering.map((seat) =>
        call(seat, members[seats.indexOf(seat)]!, asks.get(seat)!.request).then((o) => ({ seat, o })),
      ),
    );
    const verifierSeat = seats.find((s) => s.role === 'verifier');
    // The writer stopped it: what was held for calls not made goes back, and it ends as stopped.
    const stopped = (): Tournament => {
      for (const unused of repairReservationOf.values()) this.deps.ledger.release(unused.id, 'tournament stopped');
      const verifier = verifierSeat && members[seats.indexOf(verifierSeat)]!;
      const unusedVerifier = verifierSeat && verifier?.status === 'pending' && reservationOf.get(verifierSeat);
      if (unusedVerifier) this.deps.ledger.release(unusedVerifier.id, 'tournament stopped');
      for (const member of members) {
        if (member.error?.code !== 'cancelled') continue;
        member.error = { code: 'cancelled', message: 'Stopped with the tournament before it had answered.' };
      }
      return this.finish(tournament, request.input, clockStart, {
        code: 'cancelled',
        message:
          'You stopped this tournament. Nothing more was sent; each model already asked is charged as a stopped run ' +
          'is (for what arrived, or the most Quire held for it where its provider said nothing).',
      });
    };
    if (cancel.aborted) return stopped();

    // Read each answer as a single run's is (tasks/answers.ts) and locate every quote in the input by Quire's own
    // numbering; an unreadable answer is asked for once more within its reservation (as a single run's is), and one
    // still unreadable drops its member like a failure (both calls charged all the same).
    const locator = new QuoteLocator(request.input);
    const paragraphs = kind === 'findings' ? numberParagraphs(request.input) : [];
    const answers: {
      seat: Seat;
      member: TournamentMember;
      findings: { given: FindingsAnswer['findings']; located: LocatedFinding[] } | null;
      text: string;
    }[] = [];
    for (const outcome of outcomes) {
      const seat = outcome.seat;
      let o = outcome.o;
      const member = members[seats.indexOf(seat)]!;
      // Declined (a refusal, the content filter) or cut off at its length limit: dropped as it is, never repaired (it
      // would decline or stop the same way) and never judged as an answer.
      const unanswered = o.ok
        ? noAnswer(seat.spec, o, kind === 'findings' ? readFindings(o).ok : true, {
            tokens: asks.get(seat)!.request.maxOutputTokens,
            canLengthen: false,
          })
        : null;
      if (unanswered) {
        member.status = 'failed';
        member.error = { code: unanswered.error.code, message: unanswered.error.message };
        notes.push(`${seat.spec.display_name} was dropped: ${unanswered.error.message}`);
        continue;
      }
      let repaired = false;
      if (o.ok && kind === 'findings') {
        const first = readFindings(o);
        if (!first.ok && (seat.spec.provider === 'local' || repairReservationOf.has(seat))) {
          repaired = true;
          const asked = asks.get(seat)!.request;
          const repair = await repairWithin(
            this.deps.inputTokens,
            seat.spec,
            seat.spec.context_window,
            asked,
            o.text,
            first.problem,
          );
          o = await call(seat, member, repair, true);
        }
      }
      if (!o.ok) {
        notes.push(
          `${seat.spec.display_name} was dropped: ${(o.error?.message ?? 'failed').replace(/[.!?]\s*$/, '')} (charged ${usdText(o.costUsd)}).`,
        );
        continue;
      }
      if (kind === 'findings') {
        const checked = readFindings(o);
        if (!checked.ok) {
          // In a single run's words (task-run.ts); the schema check's own ("at findings.0.evidence: …") is the
          // repair request's, not the writer's.
          const what = `did not answer in the form Quire asked for${repaired ? ', even after being asked once more' : ''} (${plainProblem(checked.problem)})`;
          member.status = 'failed';
          member.error = {
            code: 'provider_error',
            message: `${seat.spec.display_name} ${what}, so its answer was left out.`,
          };
          notes.push(`${seat.spec.display_name} was dropped: it ${what}.`);
          continue;
        }
        const given = checked.value as FindingsAnswer;
        member.finding_count = given.findings.length;
        notes.push(...memberNotes(seat.spec, asks.get(seat)!.bounded, o));
        const located = locateFindings(given, locator, paragraphs);
        answers.push({ seat, member, findings: { given: given.findings, located }, text: o.text });
      } else {
        answers.push({ seat, member, findings: null, text: o.text });
      }
    }

    // Repairs not needed are given back (nothing was sent under them).
    for (const unused of repairReservationOf.values()) this.deps.ledger.release(unused.id, 'no repair needed');
    repairReservationOf.clear();
    if (cancel.aborted) return stopped();
    const needed = mode === 'verification' ? 1 : 2;
    if (answers.length < needed) {
      const unused = verifierSeat && reservationOf.get(verifierSeat);
      if (unused) this.deps.ledger.release(unused.id, 'verification skipped');
      return this.finish(tournament, request.input, clockStart, {
        code: 'unavailable',
        message:
          mode === 'verification'
            ? 'The primary model did not answer, so there was nothing to verify.'
            : `Only ${answers.length} of ${answering.length} members answered; a tournament needs at least two.`,
      });
    }

    // Verification mode: the verifier reviews the primary's answer.
    let verdict: 'approve' | 'reject' | null = null;
    if (verifierSeat) {
      const member = members[seats.indexOf(verifierSeat)]!;
      const primary = answers[0]!;
      const review = await call(
        verifierSeat,
        member,
        withRoomToThink(verifierSeat.spec, effort, {
          messages: verifierMessages(
            task,
            request.input,
            { text: primary.text, ...(primary.findings ? { findings: primary.findings.given } : {}) },
            definition,
            request.request,
          ),
          maxOutputTokens: VERIFIER_MAX_OUTPUT,
          temperature: 0,
          jsonSchema: { name: 'verification', schema: VERIFICATION_JSON_SCHEMA },
        }),
      );
      const parsed = review.ok ? parseStructured(verificationSchema, review.json, review.text) : undefined;
      if (review.ok && !parsed) {
        member.status = 'failed';
        member.error = {
          code: 'provider_error',
          message:
            `${verifierSeat.spec.display_name} did not answer its review in the form Quire asked for, so its review ` +
            'was left out; the confidence is without it.',
        };
      }
      if (!parsed) {
        notes.push(`The verifier ${verifierSeat.spec.display_name} gave no verdict; confidence is without one.`);
      }
      verdict = parsed?.verdict ?? null;
      tournament.verification = { verifier_model_id: verifierSeat.spec.id, verdict, issues: parsed?.issues ?? [] };
      // Stopped while the verifier answered: not scored as if it had given no verdict.
      if (cancel.aborted) return stopped();
    }

    const standings: MemberStanding[] = answers.map((a) => ({
      member_id: a.seat.spec.id,
      quality: a.member.quality / 10,
      history: a.member.history,
    }));

    if (kind === 'findings') {
      const memberFindings: MemberFindings<LocatedFinding>[] = answers.map((a) => ({
        member_id: a.seat.spec.id,
        findings: a.findings!.located,
      }));
      const claims = memberFindings.flatMap((m) => m.findings.map((f) => f.claim));
      const similarity = (await this.deps.claimSimilarity?.(claims).catch(() => undefined)) ?? lexicalSimilarity;
      const groups = groupFindings(memberFindings, similarity);
      const scored = scoreFindings(groups, standings, verdict);
      tournament.findings = toTournamentFindings(scored.findings);
      tournament.confidence = scored.result;
    } else {
      if (cancel.aborted) return stopped();
      const judged =
        answers.length >= 2
          ? await judgeProse(
              {
                ...this.deps,
                providerOf: (spec) => this.providerOf(spec),
                reserveAll: (requests, limitUsd) => this.deps.ledger.reserveAll(requests, limitUsd),
                inputTokens: (spec, count) =>
                  this.deps.inputTokens?.(spec, count) ?? Promise.resolve(estimateInputTokens(count.messages)),
                overrunRatio: (spec) => this.deps.ledger.overrunRatios().get(spec.id) ?? 1,
                capLeftUsd:
                  settings.tournament.cost_cap_usd === null
                    ? null
                    : settings.tournament.cost_cap_usd - members.reduce((sum, m) => sum + m.cost_usd, 0),
                execute: (spec, judgeRequest, reservation, judgeRunId) =>
                  callMember(
                    this.memberCalls(spec, asked, manuscript),
                    spec,
                    judgeRequest,
                    reservation,
                    judgeRunId,
                    task.id,
                    'quire',
                    cancel,
                    () => {},
                  ),
              },
              tournament,
              task,
              { passage: request.input, request: request.request, effort: effort ?? null },
              answers,
              notes,
            )
          : null;
      // Stopped while the judge compared: not scored as if there had been no judge.
      if (cancel.aborted) return stopped();
      const scored = scoreProse(judged, standings, verdict);
      tournament.winner = scored.winner;
      tournament.confidence = scored.result;
    }
    return this.finish(tournament, request.input, clockStart, null);
  }

  get(id: string): Tournament {
    const tournament = this.deps.repo.get(id);
    if (!tournament) throw new NotFoundError('Tournament', id);
    return tournament;
  }

  list(options: { task?: string; before?: string; limit?: number }): TournamentSummary[] {
    return this.deps.repo.list({
      ...(options.task ? { task: options.task } : {}),
      ...(options.before ? { before: options.before } : {}),
      limit: options.limit ?? 50,
    });
  }

  /**
   * The writer accepts or dismisses a finding (see {@link resolveFinding}); a verdict is final.
   */
  resolve(input: TournamentResolve): Tournament {
    resolveFinding(this.deps, this.get(input.tournament_id), input);
    return this.get(input.tournament_id);
  }

  private providerOf(spec: ModelSpec): string {
    return this.deps.providerOf?.(spec) ?? spec.provider;
  }

  private memberCalls(
    spec: ModelSpec,
    asked: string | undefined,
    manuscript: MemberCalls['manuscript'] = undefined,
  ): MemberCalls {
    return {
      calls: this.deps.calls,
      provider: this.providerOf(spec),
      logger: this.deps.logger,
      asked,
      ...(manuscript ? { manuscript } : {}),
    };
  }

  private history(modelId: string, task: string): number {
    const { agreed, total } = this.deps.repo.agreement(modelId, task);
    return historicalRate(agreed, total);
  }

  private finish(
    tournament: Tournament,
    input: string,
    clockStart: number,
    error: { code: string; message: string } | null,
  ): Tournament {
    tournament.status = error ? 'failed' : 'done';
    tournament.error = error;
    tournament.finished_at = this.deps.now().toISOString();
    tournament.wall_ms = Math.round(this.deps.clock() - clockStart);
    tournament.cost_usd = round(tournament.cost_usd + tournament.members.reduce((sum, m) => sum + m.cost_usd, 0));
    this.deps.repo.save(tournament, input);
    this.deps.events.emit('tournament:completed', { tournament_id: tournament.id, status: tournament.status });
    return this.get(tournament.id);
  }
}

function round(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}

/** A member's answer read as findings, as a single run's is (tasks/answers.ts). */
function readFindings(o: Pick<ModelCallOutcome, 'text' | 'json'>) {
  const reading = o.json !== undefined ? { ok: true as const, value: o.json } : readJson(o.text);
  return reading.ok ? checkAnswer('findings', [], reading.value) : reading;
}

/** A member's readable findings as its run's answer, quotes located in the passage; null when unreadable. */
function findingsOf(
  o: Pick<ModelCallOutcome, 'text' | 'json'>,
  passage: string,
  bounded: MemberAsk['bounded'],
): RunAnswer | null {
  const checked = readFindings(o);
  // With what a local member's bounds mean for it, as a single run's answer has (its notices).
  return checked.ok ? memberAnswer(buildAnswer('findings', checked.value, passage), bounded, o) : null;
}
