// Tournaments end to end: choose members, reserve all their worst cases together, run them in parallel, drop the ones
// that fail, match and classify their findings (or judge their prose), score confidence, store, and take the
// writer's verdicts back into quality estimates and agreement rates.
import type {
  DecideRequest,
  Decision,
  ModelSpec,
  Settings,
  TaskSpec,
  Tournament,
  TournamentFinding,
  TournamentMember,
  TournamentResolve,
  TournamentStart,
  TournamentSummary,
} from '../../src-preload/contract';
import type { EventBus } from '../app/event-bus';
import { BudgetExceededError, ConflictError, InvalidInputError, NotFoundError, UnavailableError } from '../errors';
import type { GenerateRequest, LanguageModel, Usage } from '../providers/spec';
import type { TournamentRepo } from '../store/repos/tournament-repo';
import { groupFindings, type MemberFindings } from './agreement';
import { historicalRate } from './confidence';
import {
  findingsAnswerSchema,
  FINDINGS_JSON_SCHEMA,
  parseStructured,
  VERIFICATION_JSON_SCHEMA,
  verificationSchema,
  type Finding,
} from './findings-schema';
import { JUDGE_JSON_SCHEMA, judgeBouts, judgeMessages, judgeVerdictSchema, summarizeJudgements } from './judge';
import { familyOf, selectMembers, selectVerifier, usd, type SelectionCandidate } from './member-selection';
import { runMember, type MemberLedger, type MemberOutcome } from './member-runner';
import { answerKindFor, memberMessages, verifierMessages } from './prompts';
import { scoreFindings, scoreProse, type MemberStanding } from './scoring';
import { lexicalSimilarity, quoteFound, type ClaimSimilarity } from './similarity';
import { estimateInputTokens } from '../runs/run-request';

export interface TournamentLedger extends MemberLedger {
  /** Reserves every request or none (one IMMEDIATE transaction); throws BudgetExceededError. */
  reserveAll(
    requests: { runId: string; modelId: string; provider: string; task: string; worstCaseUsd: number }[],
  ): { id: number; reservedUsd: number }[];
  release(id: number, note: string, durationMs?: number): void;
}

export interface TournamentDeps {
  decide: (request: DecideRequest) => Decision;
  tasks: ReadonlyMap<string, TaskSpec>;
  model: (id: string) => ModelSpec | undefined;
  /** B's provider factory (ProviderService.model): a LanguageModel for any registry model, local ones included. */
  languageModel: (spec: ModelSpec, timeoutMs: number) => LanguageModel;
  /** The ledger's / breaker's provider name for a model (ProviderService.providerOf). */
  providerOf?: (spec: ModelSpec) => string;
  /** B's per-provider breakers and timeouts (ProviderResilience); cloud members run under them when given. */
  resilience?: {
    execute<T>(provider: string, timeoutMs: number, fn: (signal: AbortSignal) => Promise<T>): Promise<T>;
  };
  ledger: TournamentLedger;
  feedback: {
    record(feedback: { model_id: string; task: string; score: number; source: 'tournament' }): void;
    quality(): (modelId: string, task: string, prior: number) => number;
  };
  settings: () => Settings;
  repo: TournamentRepo;
  events: EventBus;
  /** A's pricing: costUsd for settling, worstCaseUsd for verifier and judge calls. */
  cost: (spec: ModelSpec, usage: Usage) => number;
  worstCase: (spec: ModelSpec, inputTokens: number, maxOutputTokens: number) => number;
  now: () => Date;
  clock: () => number;
  newId: () => string;
  /** When a local model is resident, an embedding measure for claims; the lexical one otherwise. */
  claimSimilarity?: (claims: string[]) => Promise<ClaimSimilarity | undefined>;
}

interface Seat {
  spec: ModelSpec;
  role: TournamentMember['role'];
  worstCaseUsd: number;
  score: number;
}

export class TournamentService {
  private readonly inflight = new Set<AbortController>();

  constructor(private readonly deps: TournamentDeps) {}

  /** Abandons every running tournament (the app is closing): members are aborted and charged for what they used. */
  cancelAll(): void {
    for (const controller of this.inflight) controller.abort();
  }

  /** Whether a run of this task should become a tournament (settings: enabled and listed as critical). */
  isCritical(task: string): boolean {
    const t = this.deps.settings().tournament;
    return t.enabled && t.critical_tasks.includes(task);
  }

  async start(request: TournamentStart): Promise<Tournament> {
    const controller = new AbortController();
    this.inflight.add(controller);
    try {
      return await this.run(request, controller.signal);
    } finally {
      this.inflight.delete(controller);
    }
  }

  private async run(request: TournamentStart, cancel: AbortSignal): Promise<Tournament> {
    const settings = this.deps.settings();
    const task = this.deps.tasks.get(request.task);
    if (!task) throw new InvalidInputError(`Unknown task "${request.task}"`, 'task');
    const mode = request.mode ?? 'tournament';
    const kind = answerKindFor(task.strength);
    const maxOutput = request.max_output_tokens ?? task.typical_output_tokens;
    const messages = memberMessages(kind, task, request.input);
    const inputTokens = estimateInputTokens(messages);
    const notes: string[] = [];
    const seats = this.seat(request, task, mode, inputTokens, maxOutput, settings, notes);

    const id = this.deps.newId();
    const startedAt = this.deps.now();
    const clockStart = this.deps.clock();
    const runId = (spec: ModelSpec, role: string) => `${id}/${role}/${spec.id}`;
    const cloud = seats.filter((s) => s.spec.provider !== 'local');
    const reservations = this.deps.ledger.reserveAll(
      cloud.map((s) => ({
        runId: runId(s.spec, s.role),
        modelId: s.spec.id,
        provider: this.providerOf(s.spec),
        task: task.id,
        worstCaseUsd: s.worstCaseUsd,
      })),
    );
    const reservationOf = new Map(cloud.map((s, i) => [s, reservations[i]!]));
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
      worst_case_usd: s.worstCaseUsd,
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

    const timeoutMs = settings.runs.timeout_s * 1000;
    const call = async (seat: Seat, member: TournamentMember, request: GenerateRequest): Promise<MemberOutcome> => {
      const reservation = reservationOf.get(seat);
      const event = { tournament_id: id, model_id: seat.spec.id, role: seat.role };
      member.status = 'running';
      this.deps.events.emit('tournament:member-started', event);
      const outcome = await runMember(
        {
          spec: seat.spec,
          provider: this.providerOf(seat.spec),
          model: this.deps.languageModel(seat.spec, timeoutMs),
          ...this.guard(seat.spec, timeoutMs),
          request,
          reservationId: reservation?.id ?? null,
          reservedUsd: reservation?.reservedUsd ?? 0,
          inputTokens: estimateInputTokens(request.messages),
          runId: runId(seat.spec, seat.role),
          task: task.id,
          timeoutMs,
          cancel,
          onToken: (text) => this.deps.events.emit('tournament:member-token', { ...event, text }),
        },
        { ledger: this.deps.ledger, cost: this.deps.cost, clock: this.deps.clock },
      ).catch((error: unknown): MemberOutcome => ({
        ok: false,
        text: '',
        json: undefined,
        usage: { inputTokens: undefined, outputTokens: undefined },
        costUsd: 0,
        durationMs: 0,
        error: { code: 'internal', message: error instanceof Error ? error.message : String(error) },
      }));
      Object.assign(member, {
        status: outcome.ok ? 'done' : 'failed',
        error: outcome.error,
        text: outcome.text,
        cost_usd: outcome.costUsd,
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
      ...(kind === 'findings' ? { jsonSchema: { name: 'findings', schema: FINDINGS_JSON_SCHEMA } } : {}),
    };
    const answering = seats.filter((s) => s.role !== 'verifier');
    const outcomes = await Promise.all(
      answering.map((seat) => call(seat, members[seats.indexOf(seat)]!, memberRequest).then((o) => ({ seat, o }))),
    );

    // Read each answer; an unreadable one drops its member like a failure (it was charged all the same).
    const answers: { seat: Seat; member: TournamentMember; findings: Finding[] | null; text: string }[] = [];
    for (const { seat, o } of outcomes) {
      const member = members[seats.indexOf(seat)]!;
      if (!o.ok) {
        notes.push(`${seat.spec.id} was dropped: ${o.error?.message ?? 'failed'} (charged ${usd(o.costUsd)}).`);
        continue;
      }
      if (kind === 'findings') {
        const parsed = parseStructured(findingsAnswerSchema, o.json, o.text);
        if (!parsed) {
          member.status = 'failed';
          member.error = { code: 'provider_error', message: 'The answer was not the findings JSON asked for.' };
          notes.push(`${seat.spec.id} was dropped: its answer was not readable findings.`);
          continue;
        }
        member.finding_count = parsed.findings.length;
        answers.push({ seat, member, findings: parsed.findings, text: o.text });
      } else {
        answers.push({ seat, member, findings: null, text: o.text });
      }
    }

    const needed = mode === 'verification' ? 1 : 2;
    if (answers.length < needed) {
      const verifierSeat = seats.find((s) => s.role === 'verifier');
      if (verifierSeat) this.releaseUnused(reservationOf.get(verifierSeat), 'verification skipped');
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
    const verifierSeat = seats.find((s) => s.role === 'verifier');
    if (verifierSeat) {
      const member = members[seats.indexOf(verifierSeat)]!;
      const primary = answers[0]!;
      const review = await call(verifierSeat, member, {
        messages: verifierMessages(task, request.input, {
          text: primary.text,
          ...(primary.findings ? { findings: primary.findings } : {}),
        }),
        maxOutputTokens: VERIFIER_MAX_OUTPUT,
        temperature: 0,
        jsonSchema: { name: 'verification', schema: VERIFICATION_JSON_SCHEMA },
      });
      const parsed = review.ok ? parseStructured(verificationSchema, review.json, review.text) : undefined;
      if (review.ok && !parsed) {
        member.status = 'failed';
        member.error = { code: 'provider_error', message: 'The review was not the verdict JSON asked for.' };
      }
      if (!parsed) notes.push(`The verifier ${verifierSeat.spec.id} gave no verdict; confidence is without one.`);
      verdict = parsed?.verdict ?? null;
      tournament.verification = { verifier_model_id: verifierSeat.spec.id, verdict, issues: parsed?.issues ?? [] };
    }

    const standings: MemberStanding[] = answers.map((a) => ({
      member_id: a.seat.spec.id,
      quality: a.member.quality / 10,
      history: a.member.history,
    }));

    if (kind === 'findings') {
      const memberFindings: MemberFindings[] = answers.map((a) => ({
        member_id: a.seat.spec.id,
        findings: a.findings!,
      }));
      const claims = memberFindings.flatMap((m) => m.findings.map((f) => f.claim));
      const similarity = (await this.deps.claimSimilarity?.(claims).catch(() => undefined)) ?? lexicalSimilarity;
      const groups = groupFindings(memberFindings, similarity);
      const scored = scoreFindings(groups, standings, verdict);
      tournament.findings = scored.findings.map((g): TournamentFinding => ({
        id: g.id,
        status: g.status,
        claim: g.representative.claim,
        evidence_quote: g.representative.evidence_quote,
        location: g.representative.location ?? null,
        severity: g.representative.severity,
        quote_found: quoteFound(g.representative.evidence_quote, request.input),
        supporters: g.supporters,
        opposers: g.opposers,
        silent: g.silent,
        statements: g.items.map((item) => ({
          model_id: item.member_id,
          claim: item.finding.claim,
          evidence_quote: item.finding.evidence_quote,
          location: item.finding.location ?? null,
          severity: item.finding.severity,
          quote_found: quoteFound(item.finding.evidence_quote, request.input),
        })),
        confidence: g.confidence,
        resolution: null,
      }));
      tournament.confidence = scored.result;
    } else {
      const judged =
        answers.length >= 2 ? await this.judge(tournament, task, request.input, answers, notes, cancel) : null;
      const scored = scoreProse(judged?.summary ?? null, standings, verdict);
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

  list(options: { task?: string; limit?: number }): TournamentSummary[] {
    return this.deps.repo.list({ ...(options.task ? { task: options.task } : {}), limit: options.limit ?? 50 });
  }

  /**
   * The writer accepts or dismisses a finding. Every model that took a side (or stayed silent) gets an agreement
   * record; those that reported or opposed it get a quality score (10 when the writer sided with them, 0 otherwise).
   * A verdict is final: changing it would count the same finding twice.
   */
  resolve(input: TournamentResolve): Tournament {
    const tournament = this.get(input.tournament_id);
    const finding = tournament.findings.find((f) => f.id === input.finding_id);
    if (!finding) throw new NotFoundError('Finding', input.finding_id);
    const resolution = input.verdict === 'accept' ? 'accepted' : 'dismissed';
    if (finding.resolution === resolution) return tournament;
    if (finding.resolution !== null) {
      throw new ConflictError(`Finding ${finding.id} was already ${finding.resolution}; a verdict cannot be changed.`);
    }
    const accepted = resolution === 'accepted';
    const sides = [
      ...finding.supporters.map((model_id) => ({ model_id, agreed: accepted, scored: true })),
      ...finding.opposers.map((model_id) => ({ model_id, agreed: !accepted, scored: true })),
      ...finding.silent.map((model_id) => ({ model_id, agreed: !accepted, scored: false })),
    ];
    this.deps.repo.resolve(tournament.id, finding.id, resolution, sides, tournament.task, this.deps.now());
    for (const side of sides.filter((s) => s.scored)) {
      this.deps.feedback.record({
        model_id: side.model_id,
        task: tournament.task,
        score: side.agreed ? 10 : 0,
        source: 'tournament',
      });
    }
    return this.get(tournament.id);
  }

  private providerOf(spec: ModelSpec): string {
    return this.deps.providerOf?.(spec) ?? spec.provider;
  }

  private guard(spec: ModelSpec, timeoutMs: number) {
    const resilience = this.deps.resilience;
    if (!resilience || spec.provider === 'local') return {};
    const provider = this.providerOf(spec);
    return { guard: (fn: (signal: AbortSignal) => Promise<void>) => resilience.execute(provider, timeoutMs, fn) };
  }

  private history(modelId: string, task: string): number {
    const { agreed, total } = this.deps.repo.agreement(modelId, task);
    return historicalRate(agreed, total);
  }

  /** Chooses who answers (and who verifies), with their worst cases, or says why no tournament can run. */
  private seat(
    request: TournamentStart,
    task: TaskSpec,
    mode: 'tournament' | 'verification',
    inputTokens: number,
    maxOutput: number,
    settings: Settings,
    notes: string[],
  ): Seat[] {
    const base = {
      task: task.id,
      input_tokens: inputTokens,
      max_output_tokens: maxOutput,
      ...(request.tier ? { tier: request.tier } : {}),
    };
    let pool: SelectionCandidate[];
    let remaining: number | null;
    if (request.models) {
      pool = [];
      remaining = null;
      for (const [index, id] of request.models.entries()) {
        if (pool.some((c) => c.spec.id === id)) throw new InvalidInputError(`${id} is listed twice`, `models.${index}`);
        const decision = this.deps.decide({ ...base, model: id });
        if (decision.refusal || decision.model_id !== id) {
          const message = decision.refusal?.message ?? `${id} cannot run ${task.id}.`;
          if (decision.refusal?.code === 'budget_exceeded') throw new BudgetExceededError(message);
          throw new InvalidInputError(message, `models.${index}`);
        }
        const spec = this.deps.model(id)!;
        remaining = decision.remaining_usd;
        pool.push({
          spec,
          score: decision.candidates.find((c) => c.model_id === id)?.quality ?? spec.quality,
          worst_case_usd: decision.estimate_usd,
        });
      }
    } else {
      const decision = this.deps.decide(base);
      remaining = decision.remaining_usd;
      // The router's order is the tier's order (premium: quality first; budget: cheap first): the score follows it.
      const eligible = decision.candidates.filter((c) => c.status !== 'rejected');
      pool = eligible
        .map((c, index) => ({
          spec: this.deps.model(c.model_id),
          score: eligible.length - index,
          worst_case_usd: c.estimate_usd,
        }))
        .filter((c): c is SelectionCandidate => c.spec !== undefined);
    }
    const cap = settings.tournament.cost_cap_usd;

    if (mode === 'verification') {
      const primary = pool[0];
      const verifier = request.models ? pool[1] : primary && selectVerifier(primary, pool);
      if (!primary || !verifier) {
        throw new UnavailableError('Verification needs two models that can run this task; fewer are available.');
      }
      // The verifier reads the input and the primary's answer (up to maxOutput tokens, counted generously).
      const verifierCost = this.deps.worstCase(verifier.spec, inputTokens + 2 * maxOutput + 200, VERIFIER_MAX_OUTPUT);
      const total = primary.worst_case_usd + verifierCost;
      const limits = [cap, remaining].filter((x): x is number => x !== null);
      if (limits.length && total > Math.min(...limits) + 1e-9) {
        throw new BudgetExceededError(
          `Verification could cost up to ${usd(total)}, more than ${cap !== null && cap <= (remaining ?? Infinity) ? `the ${usd(cap)} tournament cap` : `the ${usd(remaining ?? 0)} left this month`}.`,
        );
      }
      return [
        { spec: primary.spec, role: 'primary', worstCaseUsd: primary.worst_case_usd, score: primary.score },
        { spec: verifier.spec, role: 'verifier', worstCaseUsd: verifierCost, score: verifier.score },
      ];
    }

    const n = request.models?.length ?? request.n ?? settings.tournament.num_models;
    const selection = selectMembers({ candidates: pool, n, cost_cap_usd: cap, remaining_budget_usd: remaining });
    if (!selection.ok) {
      if (selection.reason === 'too_few_candidates') throw new UnavailableError(selection.message);
      throw new BudgetExceededError(selection.message);
    }
    if (request.models && selection.members.length < request.models.length) {
      throw new BudgetExceededError(
        `The chosen models together could cost more than ${usd(selection.limit_usd ?? 0)}; choose fewer or cheaper ones.`,
      );
    }
    notes.push(...selection.notes);
    return selection.members.map((m) => ({
      spec: pool.find((c) => c.spec.id === m.model_id)!.spec,
      role: 'member',
      worstCaseUsd: m.worst_case_usd,
      score: m.score,
    }));
  }

  /**
   * Prose: the best model outside the tournament (else the best member) judges every pair in both orders. Its calls
   * are reserved together before the first; when they do not fit, the writer picks instead.
   */
  private async judge(
    tournament: Tournament,
    task: TaskSpec,
    input: string,
    answers: { seat: Seat; text: string }[],
    notes: string[],
    cancel: AbortSignal,
  ) {
    const ids = answers.map((a) => a.seat.spec.id);
    const decision = this.deps.decide({ task: task.id, exclude: ids });
    const judgeId = decision.model_id ?? ids[0]!;
    const spec = this.deps.model(judgeId);
    if (!spec) return null;
    const bouts = judgeBouts(ids);
    const textOf = new Map(answers.map((a) => [a.seat.spec.id, a.text]));
    const requests = bouts.map((bout) => ({
      bout,
      messages: judgeMessages(task.display_name, input, textOf.get(bout.first)!, textOf.get(bout.second)!),
    }));
    const worst = requests.map((r) =>
      spec.provider === 'local' ? 0 : this.deps.worstCase(spec, estimateInputTokens(r.messages), JUDGE_MAX_OUTPUT),
    );
    let reservations: { id: number; reservedUsd: number }[] = [];
    if (spec.provider !== 'local') {
      try {
        reservations = this.deps.ledger.reserveAll(
          requests.map((_, i) => ({
            runId: `${tournament.id}/judge/${i}`,
            modelId: spec.id,
            provider: this.providerOf(spec),
            task: task.id,
            worstCaseUsd: worst[i]!,
          })),
        );
      } catch (error) {
        if (!(error instanceof BudgetExceededError)) throw error;
        notes.push(`No judge fits the budget (${usd(worst.reduce((a, b) => a + b, 0))}); pick the answer you prefer.`);
        return null;
      }
    }
    const timeoutMs = this.deps.settings().runs.timeout_s * 1000;
    const model = this.deps.languageModel(spec, timeoutMs);
    const verdicts = await Promise.all(
      requests.map(async (r, i) => {
        const outcome = await runMember(
          {
            spec,
            provider: this.providerOf(spec),
            model,
            ...this.guard(spec, timeoutMs),
            request: {
              messages: r.messages,
              maxOutputTokens: JUDGE_MAX_OUTPUT,
              temperature: 0,
              jsonSchema: { name: 'judgement', schema: JUDGE_JSON_SCHEMA },
            },
            reservationId: reservations[i]?.id ?? null,
            reservedUsd: reservations[i]?.reservedUsd ?? 0,
            inputTokens: estimateInputTokens(r.messages),
            runId: `${tournament.id}/judge/${i}`,
            task: task.id,
            timeoutMs,
            cancel,
            onToken: () => {},
          },
          { ledger: this.deps.ledger, cost: this.deps.cost, clock: this.deps.clock },
        );
        tournament.cost_usd += outcome.costUsd;
        return {
          bout: r.bout,
          verdict: outcome.ok ? parseStructured(judgeVerdictSchema, outcome.json, outcome.text) : undefined,
        };
      }),
    );
    const summary = summarizeJudgements(ids, verdicts);
    tournament.judging = {
      judge_model_id: spec.id,
      ranking: summary.ranking.map((r) => ({ model_id: r.member_id, score: r.score, wins: r.wins, pairs: r.pairs })),
      pairs: summary.pairs.map((p) => ({
        a: p.a,
        b: p.b,
        winner: p.winner,
        position_bias: p.position_bias,
        reasons: p.reasons,
      })),
      consistency: summary.consistency,
    };
    if (summary.pairs.some((p) => p.position_bias)) {
      notes.push('The judge changed its mind when the order was swapped on some pairs; those count as ties.');
    }
    return { summary };
  }

  private releaseUnused(reservation: { id: number } | undefined, note: string): void {
    if (reservation) this.deps.ledger.release(reservation.id, note);
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

const VERIFIER_MAX_OUTPUT = 1024;
const JUDGE_MAX_OUTPUT = 300;

function round(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}
