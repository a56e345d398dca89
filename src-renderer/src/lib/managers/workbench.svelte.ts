// The Workbench: a passage, a task, the decision the orchestrator would make for it (model, why, cost quote), the
// run with its streamed output and actual cost, the rating, and the history of runs.
import type { QuireApi } from '../../../../src-preload/api';
import type { ErrorInfo } from '$contract';
import type { Decision } from '$contract/orchestrator';
import type { RunRecord, RunStart, RunSummary } from '$contract/runs';
import { estimateInputTokens } from '$contract/tokens';
import { api as defaultApi, Client } from '../api/client';
import { toErrorInfo } from '../api/error-guidance';
import { resource } from '../resource.svelte';

/** Answer lengths a writer picks from; null leaves the task's own limit. */
export const LENGTHS = {
  task: { label: 'As the task needs', tokens: null },
  short: { label: 'Short (about 150 words)', tokens: 200 },
  medium: { label: 'Medium (about 450 words)', tokens: 600 },
  long: { label: 'Long (about 1,100 words)', tokens: 1500 },
} as const;
export type AnswerLength = keyof typeof LENGTHS;

/** Tokens for the quote: the same estimate the ledger reserves for when the passage is sent as one message. */
export function estimateTokens(text: string): number {
  return estimateInputTokens([{ content: text }]);
}

export class WorkbenchManager {
  readonly #client: Client;
  #text = $state('');
  #fileName = $state<string | null>(null);
  #task = $state<string>('');
  #model = $state<string>('');
  #localOnly = $state(false);
  #length = $state<AnswerLength>('task');
  /** What would run for the passage and task; an answer to an older question is never shown over a newer one. */
  readonly #decision = resource(
    () =>
      this.#client.call('orchestrator:decide', {
        task: this.#task,
        ...(this.#text ? { input_tokens: this.inputTokens } : {}),
        ...this.#options(),
      }),
    null as Decision | null,
    // A decision for other inputs would quote the wrong model and cost.
    { clearOnError: true },
  );
  #running = $state(false);
  /** The run being streamed; null until run:started names it. */
  #liveRunId = $state<string | null>(null);
  #liveModel = $state<string | null>(null);
  #streamed = $state('');
  /** The finished run on screen: just run, or reopened from the history. */
  readonly #result = resource(
    (runId: string) => this.#client.call('runs:get', { run_id: runId }),
    null as RunRecord | null,
  );
  /** Set when a critical task ran as a tournament (settings.tournament): the result is its best member's run. */
  #tournamentId = $state<string | null>(null);
  /** Why the run, its cancel or its rating failed (reopening a run reports through #result). */
  #runError = $state.raw<ErrorInfo | null>(null);
  #rating = $state(false);
  readonly #history = resource(
    async () => (await this.#client.call('runs:list', { limit: 50 })).runs,
    [] as RunSummary[],
  );

  constructor(api: QuireApi = defaultApi) {
    this.#client = new Client(api);
  }

  get text() {
    return this.#text;
  }
  get fileName() {
    return this.#fileName;
  }
  get task() {
    return this.#task;
  }
  get model() {
    return this.#model;
  }
  get localOnly() {
    return this.#localOnly;
  }
  get length() {
    return this.#length;
  }
  get decision() {
    return this.#decision.value;
  }
  get deciding() {
    return this.#decision.loading;
  }
  get decisionError() {
    return this.#decision.error;
  }

  get running() {
    return this.#running;
  }
  get liveModel() {
    return this.#liveModel;
  }
  get streamed() {
    return this.#streamed;
  }
  /** The finished run on screen (just run, or reopened from the history). */
  get result() {
    return this.#result.value;
  }
  get tournamentId() {
    return this.#tournamentId;
  }
  get runError() {
    return this.#runError ?? this.#result.error;
  }
  get rating() {
    return this.#rating;
  }
  get history() {
    return this.#history.value;
  }
  get historyError() {
    return this.#history.error;
  }

  readonly inputTokens = $derived(estimateTokens(this.#text));
  readonly canRun = $derived(
    this.#text.trim().length > 0 && this.#task !== '' && !!this.#decision.value?.model_id && !this.#decision.loading,
  );

  setText(text: string, fileName: string | null = null): void {
    this.#text = text;
    this.#fileName = fileName;
  }

  setTask(task: string): void {
    this.#task = task;
  }

  /** '' lets the orchestrator (or the active pack) choose. */
  setModel(model: string): void {
    this.#model = model;
  }

  setLocalOnly(localOnly: boolean): void {
    this.#localOnly = localOnly;
  }

  setLength(length: AnswerLength): void {
    this.#length = length;
  }

  /** The request fields the decision and the run share, so the quote is for exactly what runs. */
  #options(): { model?: string; local_only?: boolean; max_output_tokens?: number } {
    const tokens = LENGTHS[this.#length].tokens;
    return {
      ...(this.#model ? { model: this.#model } : {}),
      ...(this.#localOnly ? { local_only: true } : {}),
      ...(tokens ? { max_output_tokens: tokens } : {}),
    };
  }

  /** Asks what would run for the current passage and task; a newer question supersedes an older answer. */
  async decide(): Promise<boolean> {
    if (!this.#task) {
      this.#decision.reset();
      return false;
    }
    return this.#decision.load();
  }

  /** Forgets the last run: its live stream, result, tournament and error. */
  #clearRun(): void {
    this.#liveRunId = null;
    this.#liveModel = null;
    this.#streamed = '';
    this.#result.reset();
    this.#tournamentId = null;
    this.#runError = null;
  }

  /** What runs:start would be sent now (for runs:quote, so the quote is for exactly what runs); null without text. */
  runRequest(): RunStart | null {
    if (!this.#task || !this.#text.trim()) return null;
    return { task: this.#task, input: this.#text, ...this.#options() };
  }

  /**
   * Runs the task on the passage; output streams in through run:token, the record arrives when it settles.
   * `single`: one model even where a tournament was due (the writer confirmed it after being told why).
   */
  async run(options: { single?: boolean } = {}): Promise<void> {
    if (this.#running || !this.#task || !this.#text.trim()) return;
    this.#running = true;
    this.#clearRun();
    try {
      const record = await this.#client.call('runs:start', {
        task: this.#task,
        input: this.#text,
        stream: true,
        ...this.#options(),
        ...(options.single ? { single: true } : {}),
      });
      this.#result.set(record);
      this.#tournamentId = record.tournament_id;
      if (record.status !== 'completed' && record.error) this.#runError = record.error;
    } catch (error) {
      this.#runError = toErrorInfo(error);
    } finally {
      this.#running = false;
      this.#liveRunId = null;
      void this.loadHistory();
      void this.decide();
    }
  }

  async cancel(): Promise<void> {
    if (!this.#liveRunId) return;
    try {
      await this.#client.call('runs:cancel', { run_id: this.#liveRunId });
    } catch (error) {
      this.#runError = toErrorInfo(error);
    }
  }

  /** 0–10, fed to the quality estimates the orchestrator ranks with. */
  async rate(score: number): Promise<void> {
    const run = this.#result.value;
    if (!run) return;
    this.#rating = true;
    try {
      await this.#result.apply(() => this.#client.call('runs:rate', { run_id: run.run_id, rating: score }));
      this.#history.update((history) =>
        history.map((item) => (item.run_id === run.run_id ? { ...item, rating: score } : item)),
      );
      this.#runError = null;
    } catch (error) {
      this.#runError = toErrorInfo(error);
    } finally {
      this.#rating = false;
    }
  }

  loadHistory(): Promise<boolean> {
    return this.#history.load();
  }

  /** Shows a past run (its output, cost and reasons) in place of the current one. */
  async reopen(runId: string): Promise<boolean> {
    // From here the run on screen is the one asked for; a failure to fetch it shows as the run's error.
    this.#runError = null;
    const shown = await this.#result.load(runId);
    const record = this.#result.value;
    if (shown && record) {
      this.#tournamentId = null;
      this.#streamed = '';
      this.#runError = record.status === 'completed' ? null : record.error;
    }
    return shown;
  }

  listen(): () => void {
    return this.#client.subscribe({
      'run:started': ({ run_id, task, model_id }) => {
        // The run this screen started: the first one for our task while we wait for its id.
        if (this.#running && this.#liveRunId === null && task === this.#task) {
          this.#liveRunId = run_id;
          this.#liveModel = model_id;
        }
      },
      'run:token': ({ run_id, model_id, text }) => {
        if (run_id !== this.#liveRunId) return;
        // A fallback starts a fresh answer from another model.
        if (model_id !== this.#liveModel) {
          this.#liveModel = model_id;
          this.#streamed = '';
        }
        this.#streamed += text;
      },
      'run:completed': () => void this.loadHistory(),
      'run:failed': () => void this.loadHistory(),
    });
  }

  reset(): void {
    this.#text = '';
    this.#fileName = null;
    this.#task = '';
    this.#model = '';
    this.#localOnly = false;
    this.#length = 'task';
    this.#decision.reset();
    this.#running = false;
    this.#clearRun();
    this.#rating = false;
    this.#history.reset();
  }
}

export const workbenchManager = new WorkbenchManager();
