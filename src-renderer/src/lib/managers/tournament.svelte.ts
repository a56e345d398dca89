// Tournaments on the writer's side: the one on screen (live from member events while it runs, then the stored
// record), the writer's accept / dismiss on each finding, and the list of past tournaments.
import type { QuireApi } from '../../../../src-preload/api';
import type { ErrorInfo } from '$contract';
import type {
  AgreementStatus,
  Tournament,
  TournamentFinding,
  TournamentMember,
  TournamentQuote,
  TournamentSummary,
} from '$contract/tournaments';
import { api as defaultApi, Client } from '../api/client';
import { toErrorInfo } from '../api/error-guidance';
import { resource } from '../resource.svelte';
import { DueQuote } from '../due-quote.svelte';

export interface TournamentRequest {
  task: string;
  input: string;
  /** The writer's own words for the task, which every member reads. */
  request?: string;
  /** Exactly these members; otherwise Quire picks the n best distinct candidates. */
  models?: string[];
  n?: number;
  max_output_tokens?: number;
}

/** The findings of a tournament in the order a writer should read them. */
export const STATUS_ORDER: AgreementStatus[] = ['consensus', 'disputed', 'contradicted'];

function liveMember(model_id: string, role: TournamentMember['role']): TournamentMember {
  return {
    model_id,
    display_name: model_id,
    provider: '',
    family: '',
    local: false,
    role,
    status: 'pending',
    error: null,
    text: '',
    finding_count: null,
    worst_case_usd: 0,
    cost_usd: 0,
    input_tokens: null,
    output_tokens: null,
    duration_ms: null,
    quality: 0,
    history: 0,
  };
}

export class TournamentManager {
  readonly #client: Client;
  readonly #now: () => number;
  /** The tournament on screen: opened from the store, or built from events while it runs. */
  readonly #current = resource(
    (id: string) => this.#client.call('tournaments:get', { tournament_id: id }),
    null as Tournament | null,
  );
  /** As many as tournaments:list gives: the History lists them among the writer's runs, page by page of runs. */
  readonly #list = resource(() => this.#client.call('tournaments:list', { limit: 200 }), [] as TournamentSummary[]);
  /** What "Run as tournament" would seat and may cost, asked before the writer presses it. */
  readonly #quote = new DueQuote((request: TournamentRequest): Promise<TournamentQuote> =>
    this.#client.call('tournaments:quote', request),
  );
  /** A tournament this screen asked for (or a critical run may start) and whose id is not known yet. */
  #awaitingTask = $state<string | null>(null);
  #starting = $state(false);
  #stopping = $state(false);
  /** Why starting the tournament, or saving a verdict, failed (opening one reports through #current). */
  #actionError = $state.raw<ErrorInfo | null>(null);
  /** finding id → the verdict being saved. */
  #resolving = $state.raw<Record<string, 'accept' | 'dismiss'>>({});

  constructor(api: QuireApi = defaultApi, now: () => number = Date.now) {
    this.#client = new Client(api);
    this.#now = now;
  }

  readonly current = $derived(this.#current.value);
  readonly starting = $derived(this.#starting);
  /** Stop was pressed on the tournament on screen and the host has not answered yet. */
  readonly stopping = $derived(this.#stopping);
  readonly error = $derived(this.#actionError ?? this.#current.error);
  readonly resolving = $derived(this.#resolving);
  readonly list = $derived(this.#list.value);
  /** The quote for the tournament the Workbench would start now; null until asked (or with nothing to run). */
  readonly quote = $derived(this.#quote.value);

  /**
   * The quote for what is on screen has landed: until then "Run as tournament" waits, so the writer sees what every
   * member may cost before anything is spent.
   */
  get quoteReady(): boolean {
    return this.#quote.ready;
  }
  /** Why the tournament could not be quoted, null when it was (or was not asked). */
  get quoteError(): ErrorInfo | null {
    return this.#quote.error;
  }

  /** What a tournament would be changed: the quote on screen is the old one until the new one lands. */
  expectQuote(): void {
    this.#quote.expect();
  }

  /** Asks what a tournament of `request` would seat and cost; null (nothing to run yet) forgets the last answer. */
  loadQuote(request: TournamentRequest | null): Promise<boolean> {
    return this.#quote.load(request);
  }
  readonly listError = $derived(this.#list.error);

  readonly groups = $derived(
    STATUS_ORDER.map((status) => ({
      status,
      findings: (this.#current.value?.findings ?? []).filter((finding) => finding.status === status),
    })),
  );

  /** Follow the next tournament:started for this task (a critical task run through runs:start may start one). */
  expect(task: string): void {
    this.#awaitingTask = task;
  }

  stopExpecting(): void {
    this.#awaitingTask = null;
  }

  /** Runs a tournament by hand; members stream in through events, the stored record replaces them at the end. */
  async start(request: TournamentRequest): Promise<void> {
    if (this.#starting) return;
    this.#starting = true;
    this.#actionError = null;
    this.#current.reset();
    this.#awaitingTask = request.task;
    try {
      // Not ordered against the live record its own events build meanwhile: the stored result replaces that.
      this.#current.set(await this.#client.call('tournaments:start', request));
    } catch (error) {
      this.#actionError = toErrorInfo(error);
      // A tournament that failed after it started is stored: show what its members did.
      const id = this.#current.value?.id;
      if (id) await this.open(id, { keepError: true });
    } finally {
      this.#starting = false;
      this.#awaitingTask = null;
      void this.loadList();
    }
  }

  /**
   * Stops the tournament on screen while it runs: its members stop, and it ends as stopped (the stored record, with
   * what it cost, replaces the live one when tournament:completed comes).
   */
  async stop(): Promise<void> {
    const current = this.#current.value;
    if (!current || current.status !== 'running' || this.#stopping) return;
    this.#stopping = true;
    try {
      await this.#client.call('tournaments:cancel', { tournament_id: current.id });
    } catch (error) {
      this.#actionError = toErrorInfo(error);
    } finally {
      this.#stopping = false;
    }
  }

  async open(id: string, options: { keepError?: boolean } = {}): Promise<boolean> {
    const shown = await this.#current.load(id);
    if (shown && !options.keepError) this.#actionError = null;
    return shown;
  }

  /** The tournament on screen as a Markdown report (tournaments:export); null when there is none or it failed (error). */
  async exportReport(): Promise<{ markdown: string; filename: string } | null> {
    const shown = this.#current.value;
    if (!shown) return null;
    try {
      const report = await this.#client.call('tournaments:export', { tournament_id: shown.id });
      this.#actionError = null;
      return report;
    } catch (error) {
      this.#actionError = toErrorInfo(error);
      return null;
    }
  }

  close(): void {
    this.#current.reset();
    this.#actionError = null;
  }

  /** Accept or dismiss a finding: shown at once, saved, and undone with the reason if saving fails. */
  async resolve(findingId: string, verdict: 'accept' | 'dismiss'): Promise<void> {
    const tournament = this.#current.value;
    if (!tournament || this.#resolving[findingId]) return;
    const before = tournament.findings.find((finding) => finding.id === findingId)?.resolution ?? null;
    this.#setResolution(tournament.id, findingId, verdict === 'accept' ? 'accepted' : 'dismissed');
    this.#resolving = { ...this.#resolving, [findingId]: verdict };
    try {
      const saved = await this.#client.call('tournaments:resolve', {
        tournament_id: tournament.id,
        finding_id: findingId,
        verdict,
      });
      if (this.#current.value?.id === saved.id) this.#current.set(saved);
      this.#actionError = null;
    } catch (error) {
      this.#setResolution(tournament.id, findingId, before);
      this.#actionError = toErrorInfo(error);
    } finally {
      const { [findingId]: _, ...rest } = this.#resolving;
      this.#resolving = rest;
    }
  }

  #setResolution(id: string, findingId: string, resolution: TournamentFinding['resolution']): void {
    this.#current.update((current) =>
      current?.id === id
        ? {
            ...current,
            findings: current.findings.map((finding) =>
              finding.id === findingId ? { ...finding, resolution } : finding,
            ),
          }
        : current,
    );
  }

  loadList(): Promise<boolean> {
    return this.#list.load();
  }

  #member(tournamentId: string, modelId: string, change: (member: TournamentMember) => TournamentMember): void {
    this.#current.update((current) =>
      current?.id === tournamentId && current.status === 'running'
        ? {
            ...current,
            members: current.members.map((member) => (member.model_id === modelId ? change(member) : member)),
          }
        : current,
    );
  }

  listen(): () => void {
    return this.#client.subscribe({
      'tournament:started': ({ tournament_id, task, mode, members }) => {
        if (this.#awaitingTask === null || task !== this.#awaitingTask) return;
        this.#awaitingTask = null;
        this.#current.set({
          id: tournament_id,
          task,
          mode,
          kind: 'findings',
          status: 'running',
          // Replaced by the stored time when the tournament completes.
          created_at: new Date(this.#now()).toISOString(), // eslint-disable-line svelte/prefer-svelte-reactivity
          finished_at: null,
          // The stored tournament, once it completes, has the writer's words.
          request: null,
          members: members.map((member) => liveMember(member.model_id, member.role)),
          findings: [],
          verification: null,
          judging: null,
          winner: null,
          confidence: null,
          notes: [],
          reserved_usd: 0,
          cost_usd: 0,
          wall_ms: null,
          error: null,
        });
      },
      'tournament:member-started': ({ tournament_id, model_id }) =>
        this.#member(tournament_id, model_id, (member) => ({ ...member, status: 'running' })),
      'tournament:member-token': ({ tournament_id, model_id, text }) =>
        this.#member(tournament_id, model_id, (member) => ({ ...member, text: member.text + text })),
      'tournament:member-done': ({ tournament_id, model_id, cost_usd, duration_ms }) =>
        this.#member(tournament_id, model_id, (member) => ({ ...member, status: 'done', cost_usd, duration_ms })),
      'tournament:member-failed': ({ tournament_id, model_id, code, message, cost_usd }) =>
        this.#member(tournament_id, model_id, (member) => ({
          ...member,
          status: 'failed',
          error: { code, message },
          cost_usd,
        })),
      'tournament:completed': ({ tournament_id }) => {
        const current = this.#current.value;
        if (current?.id === tournament_id && current.status === 'running') void this.open(tournament_id);
        void this.loadList();
      },
    });
  }

  reset(): void {
    this.#current.reset();
    this.#list.reset();
    this.#awaitingTask = null;
    this.#starting = false;
    this.#actionError = null;
    this.#resolving = {};
  }
}

export const tournamentManager = new TournamentManager();
