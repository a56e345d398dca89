// Tournaments on the writer's side: the one on screen (live from member events while it runs, then the stored
// record), the writer's accept / dismiss on each finding, and the list of past tournaments.
import type { ErrorInfo } from '../../../../src-preload/contract';
import type {
  AgreementStatus,
  Tournament,
  TournamentFinding,
  TournamentMember,
  TournamentSummary,
} from '../../../../src-preload/contract/tournaments';
import { call } from '../api/client';
import { toErrorInfo } from '../api/error-guidance';
import { subscribe } from '../api/events';

export interface TournamentRequest {
  task: string;
  input: string;
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
  #current = $state<Tournament | null>(null);
  /** A tournament this screen asked for (or a critical run may start) and whose id is not known yet. */
  #awaitingTask = $state<string | null>(null);
  #starting = $state(false);
  #error = $state<ErrorInfo | null>(null);
  /** finding id → the verdict being saved. */
  #resolving = $state<Record<string, 'accept' | 'dismiss'>>({});
  #list = $state<TournamentSummary[]>([]);
  #listError = $state<ErrorInfo | null>(null);

  get current() {
    return this.#current;
  }
  get starting() {
    return this.#starting;
  }
  get error() {
    return this.#error;
  }
  get resolving() {
    return this.#resolving;
  }
  get list() {
    return this.#list;
  }
  get listError() {
    return this.#listError;
  }

  readonly running = $derived(this.#current?.status === 'running');
  readonly groups = $derived(
    STATUS_ORDER.map((status) => ({
      status,
      findings: (this.#current?.findings ?? []).filter((finding) => finding.status === status),
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
    this.#error = null;
    this.#current = null;
    this.#awaitingTask = request.task;
    try {
      this.#current = await call('tournaments:start', request);
    } catch (error) {
      this.#error = toErrorInfo(error);
      // A tournament that failed after it started is stored: show what its members did.
      const id = this.#current?.id;
      if (id) await this.open(id, { keepError: true });
    } finally {
      this.#starting = false;
      this.#awaitingTask = null;
      void this.loadList();
    }
  }

  async open(id: string, options: { keepError?: boolean } = {}): Promise<void> {
    try {
      this.#current = await call('tournaments:get', { tournament_id: id });
      if (!options.keepError) this.#error = null;
    } catch (error) {
      this.#error = toErrorInfo(error);
    }
  }

  close(): void {
    this.#current = null;
    this.#error = null;
  }

  /** Accept or dismiss a finding: shown at once, saved, and undone with the reason if saving fails. */
  async resolve(findingId: string, verdict: 'accept' | 'dismiss'): Promise<void> {
    const tournament = this.#current;
    if (!tournament || this.#resolving[findingId]) return;
    const before = tournament.findings.find((finding) => finding.id === findingId)?.resolution ?? null;
    this.#setResolution(tournament.id, findingId, verdict === 'accept' ? 'accepted' : 'dismissed');
    this.#resolving = { ...this.#resolving, [findingId]: verdict };
    try {
      const saved = await call('tournaments:resolve', { tournament_id: tournament.id, finding_id: findingId, verdict });
      if (this.#current?.id === saved.id) this.#current = saved;
      this.#error = null;
    } catch (error) {
      this.#setResolution(tournament.id, findingId, before);
      this.#error = toErrorInfo(error);
    } finally {
      const { [findingId]: _, ...rest } = this.#resolving;
      this.#resolving = rest;
    }
  }

  #setResolution(id: string, findingId: string, resolution: TournamentFinding['resolution']): void {
    if (this.#current?.id !== id) return;
    this.#current = {
      ...this.#current,
      findings: this.#current.findings.map((finding) =>
        finding.id === findingId ? { ...finding, resolution } : finding,
      ),
    };
  }

  async loadList(): Promise<void> {
    try {
      this.#list = await call('tournaments:list', { limit: 50 });
      this.#listError = null;
    } catch (error) {
      this.#listError = toErrorInfo(error);
    }
  }

  #member(tournamentId: string, modelId: string, change: (member: TournamentMember) => TournamentMember): void {
    const current = this.#current;
    if (current?.id !== tournamentId || current.status !== 'running') return;
    this.#current = {
      ...current,
      members: current.members.map((member) => (member.model_id === modelId ? change(member) : member)),
    };
  }

  listen(): () => void {
    return subscribe({
      'tournament:started': ({ tournament_id, task, mode, members }) => {
        if (this.#awaitingTask === null || task !== this.#awaitingTask) return;
        this.#awaitingTask = null;
        this.#current = {
          id: tournament_id,
          task,
          mode,
          kind: 'findings',
          status: 'running',
          // Replaced by the stored time when the tournament completes.
          created_at: new Date(Date.now()).toISOString(), // eslint-disable-line svelte/prefer-svelte-reactivity
          finished_at: null,
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
        };
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
        if (this.#current?.id === tournament_id && this.#current.status === 'running') void this.open(tournament_id);
        void this.loadList();
      },
    });
  }

  reset(): void {
    this.#current = null;
    this.#awaitingTask = null;
    this.#starting = false;
    this.#error = null;
    this.#resolving = {};
    this.#list = [];
    this.#listError = null;
  }
}

export const tournamentManager = new TournamentManager();
