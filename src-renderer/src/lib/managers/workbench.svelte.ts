// The Workbench: a passage, a task, the decision the orchestrator would make for it (model, why, cost quote), the
// run with its streamed output and actual cost, the rating, and the history of runs.
import type { QuireApi } from '../../../../src-preload/api';
import type { ErrorInfo } from '$contract';
import type { Decision } from '$contract/orchestrator';
import type { ExecutionEvents, RunRecord, RunStart, RunStartResult, RunSummary } from '$contract/runs';
import type { TaskInfo } from '$contract/tasks';
import type { TournamentSummary } from '$contract/tournaments';
import { estimateInputTokens } from '$contract/tokens';
import { api as defaultApi, Client } from '../api/client';
import { toErrorInfo } from '../api/error-guidance';
import { resource } from '../resource.svelte';
import { targetSpan, type TargetSpan } from '../route-target';
import { ImageAttachments } from './image-attachments.svelte';
import { TaskLibraryManager, taskLibraryManager } from './task-library.svelte';
import { sessionGet, sessionSet } from '../session-store';

/** Answer lengths a writer picks from; null leaves the task's own limit. */
export const LENGTHS = {
  task: { label: 'As the task needs', tokens: null },
  short: { label: 'Short (about 150 words)', tokens: 200 },
  medium: { label: 'Medium (about 450 words)', tokens: 600 },
  long: { label: 'Long (about 1,100 words)', tokens: 1500 },
} as const;
export type AnswerLength = keyof typeof LENGTHS;
type RunTokenPiece = ExecutionEvents['run:token'];

/** Runs the history lists at a time. */
const HISTORY_PAGE = 50;

/** Tokens for the quote: the same estimate the ledger reserves for when the passage is sent as one message. */
export function estimateTokens(text: string): number {
  return estimateInputTokens([{ content: text }]);
}

export class WorkbenchManager {
  readonly #client: Client;
  readonly #newRunId: () => string;
  #text = $state('');
  /** The writer's own words for the task (a question, an outline); '' for none. */
  #request = $state('');
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
        // Only spaces and blank lines are no passage: the decision is asked as for none (runs:quote refuses them).
        ...(this.#text.trim() ? { input_tokens: this.#tokensSent() } : {}),
        ...this.#options(),
        ...(this.images.count > 0 ? { images: this.images.sizes } : {}),
      }),
    null as Decision | null,
    // A decision for other inputs would quote the wrong model and cost.
    { clearOnError: true },
  );
  #running = $state(false);
  /** The run this screen started, by the id it chose before asking: its events are followed, no one else's. */
  #liveRunId = $state<string | null>(null);
  /** The live run's place in line for its local model (1 = next); null when it is not waiting. */
  #queuePosition = $state<number | null>(null);
  /**
   * The live run's model and its words so far, kept whatever the window shows meanwhile (another run opened from the
   * history).
   */
  readonly #own = $state<Words>({ model: null, text: '' });
  /** A run split into parts: which part is running or just finished ("part N of M"); null for a one-call run. */
  #part = $state.raw<{ part: number; of: number; phase: 'started' | 'finished' } | null>(null);
  /** Where the passage the run was given starts in the text on screen (a suggested step may run on one chapter). */
  #runOffset = $state(0);
  /** The chapter of the text on screen the run was given, by its heading, when not the whole text; else null. */
  #runPart = $state<string | null>(null);
  /** The live run's own offset and chapter, for when it is on screen again after another run was opened meanwhile. */
  #livePlace = { offset: 0, part: null as string | null };
  /** The live run's first words have arrived and the history was asked again, to list it (its row is stored by then). */
  #liveListed = false;
  /** The finished run on screen: just run, or reopened from the history. */
  readonly #result = resource(
    (runId: string) => this.#client.call('runs:get', { run_id: runId }),
    null as RunRecord | null,
  );
  /** Set when a critical task ran as a tournament (settings.tournament): the result is its best member's run. */
  #tournamentId = $state<string | null>(null);
  /** Why the run, its cancel or its rating failed (reopening a run reports through #result). */
  #runError = $state.raw<ErrorInfo | null>(null);
  #replaced = $state.raw<{ text: string; fileName: string | null } | null>(null);
  /** The library's manuscript the text on screen was opened from, while it is that manuscript's text; else null. */
  #manuscriptId = $state<string | null>(null);
  /** After a reload: the kept manuscript whose text was on screen but too long for the session store. */
  #toReopen = $state<string | null>(null);
  /** The last run, when it ran in parts and was stopped: what it was started with, to go on from where it stopped. */
  #resumable = $state.raw<{ start: RunStart & { run_id: string }; offset: number } | null>(null);
  /** The writer pressed Stop on the live run: its "cancelled" is what they asked for, not an error to report. */
  #stopAsked = false;
  /**
   * The live run was started before this window reloaded: followed again (runs:wait), from the words its model had
   * written (runs:get's `live`), then the rest as it comes; its record when it ends.
   */
  #rejoined = $state(false);
  /**
   * A run whose words so far are on their way (a reload's rejoin, or a run opened from the history while it streams),
   * with the pieces streamed meanwhile: each goes where it starts once those words are in.
   */
  #catchingUp: { runId: string; pieces: RunTokenPiece[] } | null = null;
  /**
   * A run another window (or tab) is running, opened from the history while it streams: its words so far, followed
   * apart from this window's own run's (which may be streaming too).
   */
  #following = $state<(Words & { runId: string }) | null>(null);
  #rating = $state(false);
  /** Run by run, the edits the writer rejected (their places in the run's answer); the rest are accepted. */
  #rejectedEdits = $state.raw<Record<string, number[]>>({});
  /** Pages of the history the writer has brought in ("Show older runs"): a reload asks for as many again. */
  #historyPages = 1;
  /** The one task the history shows; '' for all of them. */
  #historyTask = $state('');
  /** What the history has open (a run, or a tournament), kept so a reload of the window opens it again. */
  #historyOpen: HistoryOpen | null = null;
  /** After a reload: what the history had open, until reshow() opens it again. */
  #toReshow: HistoryOpen | null = null;
  readonly #history = resource(
    async () => {
      const task = this.#historyTask ? { task: this.#historyTask } : {};
      const pages = this.#historyPages;
      const [runs, tournaments] = await Promise.all([
        // A tournament's calls are listed as one entry (tournaments:list), so each page is of the writer's own runs.
        listPages(
          pages,
          async (before) =>
            (
              await this.#client.call('runs:list', {
                limit: HISTORY_PAGE,
                tournament_calls: false,
                ...task,
                ...(before ? { before } : {}),
              })
            ).runs,
          (run) => run.run_id,
        ),
        listPages(
          pages,
          (before) =>
            this.#client.call('tournaments:list', { limit: HISTORY_PAGE, ...task, ...(before ? { before } : {}) }),
          (tournament) => tournament.id,
        ),
      ]);
      return {
        runs: runs.items,
        tournaments: tournaments.items,
        older: { runs: runs.older, tournaments: tournaments.older },
      };
    },
    { runs: [] as RunSummary[], tournaments: [] as TournamentSummary[], older: { runs: false, tournaments: false } },
  );

  /** Images sent with the passage: only models that see images are chosen, and the quote counts them. */
  readonly images = new ImageAttachments();

  /** What each task does and whether it needs the writer's own words. */
  readonly #library: TaskLibraryManager;

  readonly #drafts: DraftStore;

  constructor(
    api: QuireApi = defaultApi,
    newRunId: () => string = () => crypto.randomUUID(),
    library: TaskLibraryManager = new TaskLibraryManager(api),
    drafts: DraftStore = sessionDrafts,
  ) {
    this.#client = new Client(api);
    this.#newRunId = newRunId;
    this.#library = library;
    this.#drafts = drafts;
    const draft = drafts.load();
    if (draft) {
      this.#text = draft.text;
      this.#fileName = draft.fileName;
      this.#task = draft.task;
      this.#request = draft.request;
      this.#model = draft.model ?? '';
      this.#localOnly = draft.localOnly ?? false;
      this.#length = draft.length ?? 'task';
      this.#replaced = draft.replaced ?? null;
      this.#manuscriptId = draft.manuscriptId ?? null;
      this.#rejectedEdits = draft.rejectedEdits ?? {};
      if (draft.history) {
        this.#historyPages = draft.history.pages;
        this.#historyTask = draft.history.task;
        this.#historyOpen = this.#toReshow = draft.history.open;
      }
      // Its text was left out of the store (too long): the library still has it.
      if (draft.text === '' && draft.manuscriptId) this.#toReopen = draft.manuscriptId;
    }
  }

  /** What the writer has typed, opened and chosen, kept for this session (a reload must not lose a pasted passage). */
  #keepDraft(): void {
    this.#drafts.save({
      text: this.#text,
      fileName: this.#fileName,
      task: this.#task,
      request: this.#request,
      model: this.#model,
      localOnly: this.#localOnly,
      length: this.#length,
      replaced: this.#replaced,
      manuscriptId: this.#manuscriptId,
      rejectedEdits: this.#rejectedEdits,
      history: { pages: this.#historyPages, task: this.#historyTask, open: this.#historyOpen },
    });
  }

  readonly text = $derived(this.#text);
  readonly fileName = $derived(this.#fileName);
  readonly task = $derived(this.#task);
  readonly request = $derived(this.#request);
  /** The run being followed (its id was chosen here before runs:start was called). */
  readonly liveRunId = $derived(this.#liveRunId);
  readonly model = $derived(this.#model);
  readonly localOnly = $derived(this.#localOnly);
  readonly length = $derived(this.#length);
  readonly decision = $derived(this.#decision.value);
  readonly deciding = $derived(this.#decision.loading);
  readonly decisionError = $derived(this.#decision.error);

  readonly running = $derived(this.#running);
  readonly rejoined = $derived(this.#rejoined);
  readonly liveModel = $derived(this.#own.model);
  readonly queuePosition = $derived(this.#queuePosition);
  /**
   * The window shows its own run under way (not a run opened from the history meanwhile): its model's words as they
   * come, and its Stop.
   */
  readonly showingLive = $derived(
    this.#running && (this.#result.value === null || this.#result.value.run_id === this.#liveRunId),
  );
  /** The words so far of the run on screen while it streams: this window's own, or another's followed. */
  readonly streamed = $derived(this.#following?.text ?? (this.showingLive ? this.#own.text : ''));
  readonly part = $derived(this.#part);
  /** The live run's part N of M while it is the run on screen (not above another run opened from the history). */
  readonly liveProgress = $derived(this.showingLive ? this.#part : null);
  /** Add to a finding's offsets to find its quote in the text on screen. */
  readonly runOffset = $derived(this.#runOffset);
  /** The chapter the run on screen was given ("Chapter 2"), when a suggested step ran on it alone; else null. */
  readonly runPart = $derived(this.#runPart);
  /** The finished run on screen (just run, or reopened from the history). */
  readonly result = $derived(this.#result.value);
  /**
   * The kept manuscript the run on screen was given, while another text (or none) is on screen: its quotes are in
   * that manuscript, not here (`title` null: removed from Quire since). Null for a run on the text on screen, or on a
   * pasted passage.
   */
  get runElsewhere(): { id: string; title: string | null } | null {
    const manuscript = this.#result.value?.manuscript;
    if (!manuscript || manuscript.id === this.manuscriptOnScreen) return null;
    return { id: manuscript.id, title: manuscript.title };
  }
  readonly tournamentId = $derived(this.#tournamentId);
  readonly runError = $derived(this.#runError ?? this.#result.error);
  readonly rating = $derived(this.#rating);
  readonly history = $derived(this.#history.value.runs);
  /** The writer's tournaments, a page of them for each page of runs. */
  readonly historyTournaments = $derived(this.#history.value.tournaments);
  /** Which of the two have more stored than are listed. */
  readonly historyOlder = $derived(this.#history.value.older);
  /** Older runs or tournaments than those listed may be stored: "Show older runs" brings in the next page. */
  readonly hasOlder = $derived(this.#history.value.older.runs || this.#history.value.older.tournaments);
  readonly historyLoading = $derived(this.#history.loading);
  readonly historyError = $derived(this.#history.error);

  /** The passage's tokens (0 for no passage, or one of only spaces and blank lines: nothing the writer wrote). */
  readonly inputTokens = $derived(this.#text.trim() ? estimateTokens(this.#text) : 0);
  /** The task's entry in the library (its description for the Workbench, whether it takes a request); null unknown. */
  get taskInfo(): TaskInfo | null {
    return this.#library.info(this.#task);
  }
  /** Whether the task needs the writer's own words, welcomes them, or does not use them. */
  readonly requestMode = $derived(this.taskInfo?.request ?? 'optional');
  /** The task cannot run until the writer says what they want. */
  readonly needsRequest = $derived(this.requestMode === 'required' && this.#request.trim() === '');
  readonly canRun = $derived(
    this.#text.trim().length > 0 &&
      this.#task !== '' &&
      !this.needsRequest &&
      !!this.#decision.value?.model_id &&
      !this.#decision.loading,
  );

  /** Loads the task library (once is enough: it ships with the app). */
  loadLibrary(): Promise<boolean> {
    return this.#library.load();
  }

  /** The passage's tokens, and the request's when one is sent (counted as a message of its own: never fewer). */
  #tokensSent(): number {
    const request = this.#sentRequest();
    return this.inputTokens + (request ? estimateTokens(request) : 0);
  }

  /** The request as sent: trimmed, and '' for a task that does not use one. */
  #sentRequest(): string {
    return this.requestMode === 'none' ? '' : this.#request.trim();
  }

  setText(text: string, fileName: string | null = null): void {
    this.#text = text;
    this.#fileName = fileName;
    this.#replaced = null;
    this.#manuscriptId = null;
    this.#toReopen = null;
    this.#keepDraft();
  }

  /**
   * The writer typed or pasted in the box: the opened file's name heads it while the box holds an edit of that file's
   * text, not once its text was replaced (pasted or typed over, emptied).
   */
  edit(text: string): void {
    this.setText(text, this.#fileName !== null && keepsMostOf(this.#text, text) ? this.#fileName : null);
  }

  /**
   * A file (or a kept manuscript, `manuscriptId`) opened in place of the passage on screen. The passage it replaced
   * is kept, across a reload too, until the writer types or opens something else, so it can be put back: a pasted
   * passage is nowhere else.
   */
  openText(text: string, fileName: string, manuscriptId: string | null = null): void {
    const before =
      this.#text.trim() !== '' && this.#text !== text ? { text: this.#text, fileName: this.#fileName } : null;
    this.#text = text;
    this.#fileName = fileName;
    this.#replaced = before;
    this.#manuscriptId = manuscriptId;
    this.#toReopen = null;
    this.#keepDraft();
  }

  /**
   * The new version of the manuscript on screen, opened again from its file or folder, in place of its old copy. That
   * copy is not offered back ("Put it back": it stays in the library); the passage the manuscript replaced still is.
   */
  newVersion(manuscript: { id: string; text: string; title: string }): void {
    const replaced = this.#replaced;
    this.openText(manuscript.text, manuscript.title, manuscript.id);
    this.#replaced = replaced;
    this.#keepDraft();
  }

  /**
   * The kept manuscript whose text is the passage on screen (kept over a reload of the window too), so the library can
   * say when its file changes; null for none, or while `toReopen` still brings its text back.
   */
  get manuscriptOnScreen(): string | null {
    return this.#toReopen === null ? this.#manuscriptId : null;
  }

  /** The kept manuscript to ask the library for, after a reload that could not keep its text; null for none. */
  get toReopen(): string | null {
    return this.#toReopen;
  }

  /** The manuscript `toReopen` named, from the library: on screen again, with the passage it replaced still offered. */
  reopened(manuscript: { id: string; text: string; title: string }): void {
    if (manuscript.id !== this.#toReopen) return;
    this.#toReopen = null;
    this.#text = manuscript.text;
    this.#fileName = manuscript.title;
  }

  /** The library no longer has the manuscript `toReopen` named: nothing comes back (the passage it replaced stays). */
  notReopened(): void {
    this.#toReopen = null;
    this.#manuscriptId = null;
    this.#keepDraft();
  }

  /** The passage the last opened file replaced, while it can still be put back. */
  get replaced(): { text: string; fileName: string | null } | null {
    return this.#replaced;
  }

  /** Puts back the passage the last opened file replaced. */
  undoOpen(): void {
    const before = this.#replaced;
    if (before) this.setText(before.text, before.fileName);
  }

  setTask(task: string): void {
    // The last run's error was about that run: the writer has moved on (its record stays on screen).
    if (task !== this.#task) this.#runError = null;
    this.#task = task;
    this.#keepDraft();
  }

  setRequest(request: string): void {
    this.#request = request;
    this.#keepDraft();
  }

  /** '' lets the orchestrator (or the active pack) choose. */
  setModel(model: string): void {
    if (model !== this.#model) this.#runError = null;
    this.#model = model;
    this.#keepDraft();
  }

  setLocalOnly(localOnly: boolean): void {
    this.#localOnly = localOnly;
    this.#keepDraft();
  }

  setLength(length: AnswerLength): void {
    this.#length = length;
    this.#keepDraft();
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

  #images(): Pick<RunStart, 'images'> {
    return this.images.count > 0 ? { images: this.images.forRun } : {};
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
    this.#following = null;
    this.#own.model = null;
    this.#queuePosition = null;
    this.#own.text = '';
    this.#part = null;
    this.#result.reset();
    this.#tournamentId = null;
    this.#runError = null;
  }

  /**
   * What runs:start would be sent now (for runs:quote, so the quote is for exactly what runs); null without text, or
   * without the request the task needs.
   */
  runRequest(): RunStart | null {
    if (!this.#task || !this.#text.trim() || this.needsRequest) return null;
    const request = this.#sentRequest();
    return {
      task: this.#task,
      input: this.#text,
      ...(request ? { request } : {}),
      ...this.#options(),
      ...this.#images(),
    };
  }

  /**
   * Runs the task on the passage; output streams in through run:token, the record arrives when it settles.
   * `single`: one model even where a tournament was due (the writer confirmed it after being told why).
   */
  async run(options: { single?: boolean; span?: TargetSpan } = {}): Promise<void> {
    if (this.#running || !this.#task || !this.#text.trim() || this.needsRequest) return;
    const request = this.#sentRequest();
    this.#runPart = options.span?.heading ?? null;
    await this.#start(
      {
        run_id: this.#newRunId(),
        task: this.#task,
        input: options.span ? this.#text.slice(options.span.start, options.span.end) : this.#text,
        ...(request ? { request } : {}),
        stream: true,
        ...this.#options(),
        ...(options.single ? { single: true } : {}),
        ...this.#images(),
        // Kept with the run: reopened later with something else on screen, it can name the manuscript to open.
        ...(this.manuscriptOnScreen
          ? { manuscript: { id: this.manuscriptOnScreen, offset: options.span?.start ?? 0 } }
          : {}),
      },
      options.span?.start ?? 0,
    );
  }

  /**
   * A run in parts the writer stopped goes on from its last finished part: the same request under the same run id
   * (the host keeps the parts done, so none is paid for twice).
   */
  async resume(): Promise<void> {
    if (this.#running) return;
    const stopped = this.#resumable;
    const shown = this.#result.value;
    if (stopped && shown?.run_id === stopped.start.run_id) return this.#start(stopped.start, stopped.offset);
    // Reopened from the history (after a restart, say): the host goes on from the request the run was started with.
    if (shown?.resume) {
      const runId = shown.run_id;
      return this.#follow(runId, 0, () => this.#client.call('runs:resume', { run_id: runId }), null);
    }
  }

  /**
   * A run in parts that ended before its last part, while it is the result on screen: stopped here, or reopened
   * from the history (stopped, cut off by a crash or a quit, or failed).
   */
  readonly canResume = $derived(
    !this.#running &&
      ((this.#resumable !== null &&
        this.#result.value?.run_id === this.#resumable.start.run_id &&
        this.#result.value.status === 'cancelled') ||
        (this.#result.value?.resume !== undefined && this.#result.value.status !== 'running')),
  );

  #start(start: RunStart & { run_id: string }, offset: number): Promise<void> {
    return this.#follow(start.run_id, offset, () => this.#client.call('runs:start', start), start);
  }

  /** Runs `call` as the run `runId` on screen; `start`, when it is what the run was started with, for Resume. */
  async #follow(
    runId: string,
    offset: number,
    call: () => Promise<RunStartResult>,
    start: (RunStart & { run_id: string }) | null,
  ): Promise<void> {
    this.#running = true;
    this.#clearRun();
    this.#liveRunId = runId;
    this.#stopAsked = false;
    this.#runOffset = offset;
    this.#livePlace = { offset, part: this.#runPart };
    this.#liveListed = false;
    // A reload from here on follows the run again rather than lose it (rejoin()).
    this.#drafts.saveLiveRun({ runId, offset });
    try {
      const record = await call();
      this.#result.set(record);
      this.#tournamentId = record.tournament_id;
      if (record.status !== 'completed' && record.error) this.#reportRunError(record.error);
    } catch (error) {
      this.#reportRunError(toErrorInfo(error));
      // A run that failed after it started is stored under our id: show its record (partial text, attempts, cost).
      if (!(await this.#result.load(runId))) this.#result.reset();
    } finally {
      // Its own place in the text on screen, whatever run was opened from the history meanwhile.
      if (this.#result.value?.run_id === runId) ({ offset: this.#runOffset, part: this.#runPart } = this.#livePlace);
      // Ran in parts and was stopped: it can go on from its last finished part.
      this.#resumable =
        start && this.#part !== null && this.#result.value?.status === 'cancelled' ? { start, offset } : null;
      this.#running = false;
      this.#rejoined = false;
      this.#liveRunId = null;
      this.#queuePosition = null;
      this.#drafts.saveLiveRun(null);
      if (this.#result.value) this.#keepOpen({ kind: 'run', id: this.#result.value.run_id });
      void this.loadHistory();
      void this.decide();
    }
  }

  /**
   * After a reload: the run this window was following, if it is still going, is followed again — the words its model
   * had written, then the rest as it comes, its Stop, and its record when it ends (runs:wait never starts a run). One
   * that ended meanwhile is shown as reopened from the history.
   */
  async rejoin(): Promise<void> {
    const live = this.#drafts.loadLiveRun();
    if (!live || this.#running) return;
    let record: RunRecord;
    let pieces: RunTokenPiece[];
    try {
      ({ loaded: record, pieces } = await this.#catchUp(live.runId, () =>
        this.#client.call('runs:get', { run_id: live.runId }),
      ));
    } catch {
      // Gone (a tournament's own id, a data folder changed): nothing to follow.
      this.#drafts.saveLiveRun(null);
      return;
    }
    if (this.#running) return;
    if (record.status !== 'running') {
      this.#drafts.saveLiveRun(null);
      await this.reopen(live.runId);
      return;
    }
    const runId = live.runId;
    const wait = async () => ({ ...(await this.#client.call('runs:wait', { run_id: runId })), tournament_id: null });
    const following = this.#follow(runId, live.offset, wait, null);
    this.#rejoined = true;
    this.#showLive(this.#own, record.live, pieces);
    return following;
  }

  /**
   * The coordinator's suggestion in one click: its task on its target — the chapter it names when the text on screen
   * has it, else the whole text.
   */
  async runSuggested(step: { task: string; target: string }): Promise<void> {
    if (this.#running) return;
    this.setTask(step.task);
    await this.run({ span: targetSpan(this.#text, step.target) });
  }

  #reportRunError(error: ErrorInfo): void {
    if (error.code === 'cancelled' && this.#stopAsked) return;
    this.#runError = error;
  }

  async cancel(): Promise<void> {
    if (!this.#liveRunId) return;
    this.#stopAsked = true;
    try {
      await this.#client.call('runs:cancel', { run_id: this.#liveRunId });
    } catch (error) {
      this.#runError = toErrorInfo(error);
    }
  }

  /** The edits of the run `runId` the writer rejected, by their place in its answer. */
  rejectedEdits(runId: string): readonly number[] {
    return this.#rejectedEdits[runId] ?? [];
  }

  /**
   * The writer accepts or rejects one edit of a run: kept for the session with the draft, so opening another run or
   * reloading the window does not turn a "no" back into a "yes" (and into the text "Copy the edited text" gives).
   */
  acceptEdit(runId: string, index: number, accepted: boolean): void {
    const others = this.rejectedEdits(runId).filter((i) => i !== index);
    const rejected = accepted ? others : [...others, index].sort((a, b) => a - b);
    const { [runId]: _old, ...rest } = this.#rejectedEdits;
    this.#rejectedEdits = rejected.length > 0 ? { ...rest, [runId]: rejected } : rest;
    this.#keepDraft();
  }

  /** 0–10, fed to the quality estimates the orchestrator ranks with. */
  async rate(score: number): Promise<void> {
    const run = this.#result.value;
    if (!run) return;
    this.#rating = true;
    try {
      await this.#result.apply(() => this.#client.call('runs:rate', { run_id: run.run_id, rating: score }));
      this.#history.update((history) => ({
        ...history,
        runs: history.runs.map((item) => (item.run_id === run.run_id ? { ...item, rating: score } : item)),
      }));
      this.#runError = null;
    } catch (error) {
      this.#runError = toErrorInfo(error);
    } finally {
      this.#rating = false;
    }
  }

  /** The run on screen as a Markdown report (runs:export); null when there is none or it failed (see runError). */
  async exportReport(): Promise<{ markdown: string; filename: string } | null> {
    const run = this.#result.value;
    if (!run) return null;
    try {
      // The report says which edits the writer took, as "Copy the edited text" does.
      const rejected_edits = [...this.rejectedEdits(run.run_id)];
      return await this.#client.call('runs:export', { run_id: run.run_id, rejected_edits });
    } catch (error) {
      this.#runError = toErrorInfo(error);
      return null;
    }
  }

  /**
   * "Copy the edited text" of the run on screen: the passage that run was given with the edits the writer kept
   * (runs:edited_text), never the text on screen now, which may be another passage. Null when there is no run or it
   * failed (see runError).
   */
  async editedText(): Promise<string | null> {
    const run = this.#result.value;
    if (!run) return null;
    try {
      const rejected_edits = [...this.rejectedEdits(run.run_id)];
      return (await this.#client.call('runs:edited_text', { run_id: run.run_id, rejected_edits })).text;
    } catch (error) {
      this.#runError = toErrorInfo(error);
      return null;
    }
  }

  loadHistory(): Promise<boolean> {
    return this.#history.load();
  }

  /** The task the history shows ('' for all). */
  get historyTask(): string {
    return this.#historyTask;
  }

  /** Shows one task's runs (or every task's, ''), from the newest. */
  setHistoryTask(task: string): Promise<boolean> {
    this.#historyTask = task;
    this.#historyPages = 1;
    this.#keepDraft();
    return this.#history.load();
  }

  /** The next page of older runs, kept in the list from then on. */
  loadOlder(): Promise<boolean> {
    if (!this.hasOlder) return Promise.resolve(false);
    this.#historyPages++;
    this.#keepDraft();
    return this.#history.load();
  }

  /** Shows a past run (its output, cost and reasons) in place of the current one. */
  async reopen(runId: string): Promise<boolean> {
    // From here the run on screen is the one asked for; a failure to fetch it shows as the run's error.
    this.#runError = null;
    // This window's own run keeps its words as they come whatever is on screen. Another run opened while it streams
    // (another window's): the pieces that arrive meanwhile wait for its words so far.
    const own = runId === this.#liveRunId;
    this.#following = null;
    const load = () => this.#result.load(runId);
    const { loaded: shown, pieces } = own ? { loaded: await load(), pieces: [] } : await this.#catchUp(runId, load);
    const record = this.#result.value;
    if (shown && record) {
      this.#tournamentId = null;
      // Where its passage starts in its manuscript (a suggested step's chapter), for when that manuscript is on screen.
      ({ offset: this.#runOffset, part: this.#runPart } = own
        ? this.#livePlace
        : { offset: record.manuscript?.offset ?? 0, part: null });
      // Another's, still streaming: its words so far, then the rest as they come.
      if (!own && record.status === 'running') {
        this.#following = { runId, model: null, text: '' };
        this.#showLive(this.#following, record.live, pieces);
      }
      // A run in parts that can go on says what happened beside its Resume, not as an error to start again.
      this.#runError = record.status === 'completed' || record.resume ? null : record.error;
      this.#keepOpen({ kind: 'run', id: runId });
    }
    return shown;
  }

  /**
   * The tournament the history has open (null: closed), kept with the draft so a reload opens it again; closed, the
   * run on screen is what stays open.
   */
  showingTournament(id: string | null): void {
    if (id) return this.#keepOpen({ kind: 'tournament', id });
    if (this.#historyOpen?.kind !== 'tournament') return;
    const run = this.#result.value;
    this.#keepOpen(run ? { kind: 'run', id: run.run_id } : null);
  }

  #keepOpen(open: HistoryOpen | null): void {
    if (open?.kind === this.#historyOpen?.kind && open?.id === this.#historyOpen?.id) return;
    this.#historyOpen = open;
    this.#keepDraft();
  }

  /**
   * After a reload of the window: the run the history had open is shown again (unless a run this window followed is
   * rejoined instead); a tournament's id is given back, for the Workbench to open. Once only.
   */
  async reshow(): Promise<string | null> {
    const open = this.#toReshow;
    this.#toReshow = null;
    if (!open || this.#drafts.loadLiveRun()) return null;
    if (open.kind === 'tournament') return open.id;
    // Gone since (another data folder): the window comes back as it would with nothing open, not with an error.
    if (!(await this.reopen(open.id))) {
      this.#result.reset();
      this.#keepOpen(null);
    }
    return null;
  }

  listen(): () => void {
    return this.#client.subscribe({
      'run:started': ({ run_id, model_id }) => {
        // Only the run this screen started (other windows, the gateway, a tournament run the same task too).
        if (run_id === this.#liveRunId) this.#own.model = model_id;
      },
      'run:progress': ({ run_id, queue_position }) => {
        if (run_id === this.#liveRunId) this.#queuePosition = queue_position;
      },
      'run:part': ({ run_id, part, of, phase }) => {
        if (run_id === this.#liveRunId) this.#part = { part, of, phase };
      },
      'run:token': (piece) => {
        if (piece.run_id === this.#catchingUp?.runId) {
          this.#catchingUp.pieces.push(piece);
          return;
        }
        if (piece.run_id === this.#liveRunId) {
          this.#queuePosition = null;
          this.#place(this.#own, piece);
          if (!this.#liveListed) {
            this.#liveListed = true;
            void this.loadHistory();
          }
        } else if (piece.run_id === this.#following?.runId) this.#place(this.#following, piece);
      },
      'run:completed': (record) => this.#ended(record),
      'run:failed': ({ record }) => this.#ended(record),
    });
  }

  /** Loads run `runId` holding back the pieces it streams meanwhile, for {@link #showLive} after its words so far. */
  async #catchUp<T>(runId: string, load: () => Promise<T>): Promise<{ loaded: T; pieces: RunTokenPiece[] }> {
    const catchingUp = { runId, pieces: [] as RunTokenPiece[] };
    this.#catchingUp = catchingUp;
    try {
      return { loaded: await load(), pieces: catchingUp.pieces };
    } finally {
      if (this.#catchingUp === catchingUp) this.#catchingUp = null;
    }
  }

  /** A run still streaming: its words so far (runs:get's `live`), then the pieces streamed meanwhile. */
  #showLive(words: Words, live: RunRecord['live'], pieces: readonly RunTokenPiece[]): void {
    if (live) this.#place(words, { ...live, at: 0 });
    for (const piece of pieces) this.#place(words, piece);
  }

  /**
   * A streamed piece at its place in its model's answer: a fallback's answer starts afresh, and a piece the window
   * has already (the words so far a reload got back with the run) is not added twice.
   */
  #place(words: Words, { model_id, text, at }: { model_id: string; text: string; at: number }): void {
    if (model_id !== words.model) {
      words.model = model_id;
      words.text = '';
    }
    const shown = words.text.length;
    if (at <= shown && at + text.length > shown) words.text += text.slice(shown - at);
  }

  /** Any run ended: the history shows it, and a run on screen that was reopened while running shows how it ended. */
  #ended(record: RunRecord): void {
    void this.loadHistory();
    const shown = this.#result.value;
    if (shown?.run_id === record.run_id && shown.status === 'running' && record.run_id !== this.#liveRunId) {
      void this.reopen(record.run_id);
    }
  }

  reset(): void {
    this.#text = '';
    this.#fileName = null;
    this.#task = '';
    this.#request = '';
    this.#model = '';
    this.#localOnly = false;
    this.#length = 'task';
    this.#replaced = null;
    this.#manuscriptId = null;
    this.#toReopen = null;
    this.#decision.reset();
    this.#running = false;
    this.#rejoined = false;
    this.#clearRun();
    this.#runOffset = 0;
    this.#runPart = null;
    this.#rating = false;
    this.#rejectedEdits = {};
    this.#history.reset();
    this.#historyPages = 1;
    this.#historyTask = '';
    this.#historyOpen = null;
    this.#toReshow = null;
    this.images.reset();
  }
}

/**
 * Whether an edit from `before` to `after` kept at least half of `before` around the part it changed (one input event
 * changes one stretch of the box). Compared a stretch at a time, so a keystroke in a whole manuscript stays quick.
 */
export function keepsMostOf(before: string, after: string): boolean {
  if (before.length === 0) return false;
  const most = Math.min(before.length, after.length);
  const head = sameRun(most, (i, n) => before.slice(i, i + n) === after.slice(i, i + n));
  const tail = sameRun(
    most - head,
    (i, n) =>
      before.slice(before.length - i - n, before.length - i) === after.slice(after.length - i - n, after.length - i),
  );
  return (head + tail) * 2 >= before.length;
}

/** How many leading characters (of at most `most`) `same(i, n)` says match: in stretches, then one by one. */
function sameRun(most: number, same: (i: number, n: number) => boolean): number {
  let i = 0;
  for (const stretch of [65_536, 256, 1]) while (i + stretch <= most && same(i, stretch)) i += stretch;
  return i;
}

/** The Workbench's passage, its file name, task, request and choices: what a reload would otherwise lose. */
export interface WorkbenchDraft {
  text: string;
  fileName: string | null;
  task: string;
  request: string;
  /** '' lets Quire choose. */
  model?: string;
  localOnly?: boolean;
  length?: AnswerLength;
  /** The passage an opened file replaced, while it can be put back. */
  replaced?: { text: string; fileName: string | null } | null;
  /** The kept manuscript the text is, so a text too long to keep here comes back from the library. */
  manuscriptId?: string | null;
  /** Run by run, the places of the edits the writer rejected. */
  rejectedEdits?: Record<string, number[]>;
  /** The history as the writer left it: pages brought in, the task shown, the run or tournament open. */
  history?: { pages: number; task: string; open: HistoryOpen | null };
}

/** A run or a tournament open from the history. */
export interface HistoryOpen {
  kind: 'run' | 'tournament';
  id: string;
}

/** The run a window was following, by its id, and where its passage starts in the text on screen. */
export interface LiveRun {
  runId: string;
  offset: number;
}

export interface DraftStore {
  load(): WorkbenchDraft | null;
  save(draft: WorkbenchDraft): void;
  /** Kept apart from the draft: a run on a whole manuscript is followed again even when its text is too large to keep. */
  loadLiveRun(): LiveRun | null;
  saveLiveRun(run: LiveRun | null): void;
}

/** Larger passages are not kept (the session store holds a few MB); a whole manuscript is kept by the library. */
export const MAX_DRAFT_CHARS = 1_000_000;
const DRAFT_KEY = 'quire.workbench.draft';
const LIVE_RUN_KEY = 'quire.workbench.live-run';

/**
 * The draft in the window's sessionStorage: it survives a reload (or a renderer restart) while Quire runs, and is gone
 * when Quire quits. (A manuscript opened from a file is kept in Quire's library; a pasted passage is the writer's
 * own copy, never written to disk by the window.)
 */
export const sessionDrafts: DraftStore = {
  load() {
    try {
      const raw = sessionGet(DRAFT_KEY);
      const draft = raw ? (JSON.parse(raw) as Partial<WorkbenchDraft>) : null;
      if (!draft || typeof draft.text !== 'string') return null;
      return {
        text: draft.text,
        fileName: typeof draft.fileName === 'string' ? draft.fileName : null,
        task: typeof draft.task === 'string' ? draft.task : '',
        request: typeof draft.request === 'string' ? draft.request : '',
        model: typeof draft.model === 'string' ? draft.model : '',
        localOnly: draft.localOnly === true,
        length: typeof draft.length === 'string' && draft.length in LENGTHS ? draft.length : 'task',
        replaced:
          typeof draft.replaced?.text === 'string'
            ? {
                text: draft.replaced.text,
                fileName: typeof draft.replaced.fileName === 'string' ? draft.replaced.fileName : null,
              }
            : null,
        manuscriptId: typeof draft.manuscriptId === 'string' ? draft.manuscriptId : null,
        rejectedEdits: rejectedEditsOf(draft.rejectedEdits),
        history: historyOf(draft.history),
      };
    } catch {
      return null;
    }
  },
  save(draft) {
    // A kept manuscript's text too long to keep here is left out: the library gives it back by its id. A pasted one
    // that long is not kept, and neither is the rest (an older draft must not come back in its place).
    const long = draft.text.length > MAX_DRAFT_CHARS;
    const kept =
      long && !draft.manuscriptId
        ? null
        : JSON.stringify({
            ...draft,
            text: long ? '' : draft.text,
            replaced: draft.replaced && draft.replaced.text.length <= MAX_DRAFT_CHARS ? draft.replaced : null,
          });
    // A full store: an older draft must not come back in place of this one.
    if (!sessionSet(DRAFT_KEY, kept)) sessionSet(DRAFT_KEY, null);
  },
  loadLiveRun() {
    try {
      const raw = sessionGet(LIVE_RUN_KEY);
      const run = raw ? (JSON.parse(raw) as Partial<LiveRun>) : null;
      if (!run || typeof run.runId !== 'string' || typeof run.offset !== 'number') return null;
      return { runId: run.runId, offset: run.offset };
    } catch {
      return null;
    }
  },
  saveLiveRun(run) {
    // Unavailable: a reload mid-run shows the run in the history instead.
    sessionSet(LIVE_RUN_KEY, run ? JSON.stringify(run) : null);
  },
};

/** The history's place a draft kept; anything not of its shape is left out (the history starts at its top). */
function historyOf(kept: unknown): WorkbenchDraft['history'] {
  if (typeof kept !== 'object' || kept === null) return undefined;
  const { pages, task, open } = kept as Record<string, unknown>;
  if (!Number.isInteger(pages) || (pages as number) < 1 || typeof task !== 'string') return undefined;
  const place = open as Partial<HistoryOpen> | null | undefined;
  const shown =
    (place?.kind === 'run' || place?.kind === 'tournament') && typeof place.id === 'string'
      ? { kind: place.kind, id: place.id }
      : null;
  return { pages: Math.min(pages as number, 100), task, open: shown };
}

/** The rejected edits a draft kept: each run's places that are whole numbers; anything else is left out. */
function rejectedEditsOf(kept: unknown): Record<string, number[]> {
  if (typeof kept !== 'object' || kept === null) return {};
  const runs: Record<string, number[]> = {};
  for (const [runId, places] of Object.entries(kept)) {
    const rejected = Array.isArray(places) ? places.filter((i): i is number => Number.isInteger(i)) : [];
    if (rejected.length > 0) runs[runId] = rejected;
  }
  return runs;
}

export const workbenchManager = new WorkbenchManager(defaultApi, undefined, taskLibraryManager);

/**
 * The first `pages` pages of a list the host gives newest first, each after the last item of the one before; `older`:
 * the last page was full, so more may be stored.
 */
async function listPages<T>(
  pages: number,
  page: (before: string | undefined) => Promise<T[]>,
  key: (item: T) => string,
): Promise<{ items: T[]; older: boolean }> {
  const items: T[] = [];
  for (let n = 0; n < pages; n++) {
    const next = await page(items.length > 0 ? key(items.at(-1)!) : undefined);
    items.push(...next);
    if (next.length < HISTORY_PAGE) return { items, older: false };
  }
  return { items, older: true };
}

/** A streaming run's model and its words so far (a fallback's answer starts afresh). */
interface Words {
  model: string | null;
  text: string;
}
