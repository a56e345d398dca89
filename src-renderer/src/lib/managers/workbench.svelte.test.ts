import { describe, expect, it } from 'vitest';
import { FakeApi } from '../../../../test/renderer/fake-api';
import { decision, runRecord, runSummary, tournamentSummary } from '../../../../test/renderer/fixtures';
import { TaskLibraryManager } from './task-library.svelte';
import {
  estimateTokens,
  MAX_DRAFT_CHARS,
  sessionDrafts,
  WorkbenchManager,
  type DraftStore,
  type LiveRun,
  type WorkbenchDraft,
} from './workbench.svelte';

const PASSAGE = 'The clock struck thirteen.';

/** The n-th run id a manager with this (hex) tag chooses: a UUID, as runs:start requires. */
const id = (n: number, tag = 'f') => `${tag.padStart(8, '0')}-0000-4000-8000-${String(n).padStart(12, '0')}`;

/** Run ids the manager chooses, in order. */
function runIds(tag = 'f') {
  let n = 0;
  return () => id(++n, tag);
}

function setup(fake = new FakeApi(), newRunId = runIds()) {
  fake.answer('orchestrator:decide', ({ task, model }) => decision(task, model ?? 'gpt'));
  fake.answer('runs:list', { runs: [runSummary('r0')] });
  fake.answer('tournaments:list', []);
  const manager = new WorkbenchManager(fake, newRunId);
  manager.listen();
  return { fake, manager };
}

/**
 * Runs, presses Stop while runs:start is held (after `during`), and settles it as the host does a stopped run. Returns
 * the held runs:start calls, for the next one.
 */
async function stopRun(fake: FakeApi, manager: WorkbenchManager, during: () => void = () => undefined) {
  const starts = fake.hold('runs:start');
  const running = manager.run();
  during();
  fake.answer('runs:cancel', { cancelled: true });
  await manager.cancel();
  fake.answer('runs:get', runRecord(id(1), { status: 'cancelled' }));
  (await starts.next()).reject('cancelled', 'The run was cancelled');
  await running;
  return starts;
}

/** A draft store in memory, as the window's session store is across a reload: one per window. */
function memoryDrafts(): DraftStore {
  let draft: WorkbenchDraft | null = null;
  let live: LiveRun | null = null;
  return {
    load: () => draft,
    save: (d) => void (draft = d),
    loadLiveRun: () => live,
    saveLiveRun: (run) => void (live = run),
  };
}

/** A workbench with a passage and a task, and the decision for them. */
async function ready(fake?: FakeApi, newRunId?: () => string) {
  const context = setup(fake, newRunId);
  context.manager.setText(PASSAGE, 'chapter.txt');
  context.manager.setTask('line_edit');
  await context.manager.decide();
  return context;
}

describe('WorkbenchManager', () => {
  it('asks what would run for exactly the passage, task, model, privacy and length chosen', async () => {
    const { fake, manager } = await ready();
    expect(manager.decision?.model_id).toBe('gpt');
    expect(manager.canRun).toBe(true);
    manager.setModel('claude');
    manager.setLocalOnly(true);
    manager.setLength('short');
    await manager.decide();
    expect(fake.inputsOf('orchestrator:decide')).toEqual([
      { task: 'line_edit', input_tokens: estimateTokens(PASSAGE) },
      {
        task: 'line_edit',
        input_tokens: estimateTokens(PASSAGE),
        model: 'claude',
        local_only: true,
        max_output_tokens: 200,
      },
    ]);
    expect(manager.decision?.model_id).toBe('claude');
    expect(manager.inputTokens).toBe(estimateTokens(PASSAGE));
    manager.setText('');
    expect(manager.inputTokens).toBe(0);
  });

  it('asks about a passage of only spaces and blank lines as about none: no quote for tokens of nothing', async () => {
    // The card above Run read "About 21 tokens in", with a cost, for a box that looked empty, beside "Paste or open a
    // passage first." (runs:quote refuses such a passage outright).
    const { fake, manager } = setup();
    manager.setTask('line_edit');
    manager.setText('   \n\n\t  \n');
    await manager.decide();
    expect(fake.inputsOf('orchestrator:decide').at(-1)).toEqual({ task: 'line_edit' });
    expect(manager.inputTokens).toBe(0);
    expect(manager.runRequest()).toBeNull();
  });

  it('shows the answer to the newest question even when an older one answers later', async () => {
    const { fake, manager } = setup();
    const ask = (task: string) => () => {
      manager.setTask(task);
      const deciding = manager.decide();
      expect(manager.deciding).toBe(true);
      expect(manager.canRun).toBe(false);
      return deciding;
    };
    await fake.answerLastFirst('orchestrator:decide', [
      [ask('line_edit'), decision('line_edit', 'gpt')],
      [ask('continuity_check'), decision('continuity_check', 'claude')],
    ]);
    expect(manager.decision).toMatchObject({ task: 'continuity_check', model_id: 'claude' });
    expect(manager.deciding).toBe(false);
  });

  it('shows no decision, and why, when the host refuses to decide; none without a task', async () => {
    const { fake, manager } = await ready();
    fake.fail('orchestrator:decide', 'budget_exceeded', 'The month’s budget is spent');
    await manager.decide();
    expect(manager.decision).toBeNull();
    expect(manager.decisionError).toMatchObject({ code: 'budget_exceeded' });
    expect(manager.canRun).toBe(false);
    manager.setTask('');
    await expect(manager.decide()).resolves.toBe(false);
    expect(manager.decision).toBeNull();
  });

  it('shows the live local run’s place in line until its model starts writing', async () => {
    const { fake, manager } = await ready();
    const starts = fake.hold('runs:start');
    const running = manager.run();
    const call = await starts.next();
    const r1 = (call.input as { run_id: string }).run_id;
    fake.emit('run:started', { run_id: r1, task: 'line_edit', model_id: 'tiny', reason: '', stream: true });
    fake.emit('run:progress', { run_id: r1, model_id: 'tiny', queue_position: 3 });
    fake.emit('run:progress', { run_id: 'other', model_id: 'tiny', queue_position: 1 });
    expect(manager.queuePosition).toBe(3);
    fake.emit('run:progress', { run_id: r1, model_id: 'tiny', queue_position: 1 });
    expect(manager.queuePosition).toBe(1);
    fake.emit('run:progress', { run_id: r1, model_id: 'tiny', queue_position: null });
    expect(manager.queuePosition).toBeNull();
    call.resolve({ ...runRecord(r1, { model_id: 'tiny' }), tournament_id: null });
    await running;
    expect(manager.queuePosition).toBeNull();
  });

  it('shows part N of M of its own run split into parts, and clears it when the run ends', async () => {
    const { fake, manager } = await ready();
    const starts = fake.hold('runs:start');
    const running = manager.run();
    const call = await starts.next();
    const r1 = (call.input as { run_id: string }).run_id;
    const part = (run_id: string, n: number, phase: 'started' | 'finished') =>
      fake.emit('run:part', { run_id, part: n, of: 14, phase, model_id: 'tiny', part_run_id: `${run_id}/part/${n}` });
    part(r1, 1, 'started');
    part('other', 9, 'finished');
    expect(manager.part).toEqual({ part: 1, of: 14, phase: 'started' });
    part(r1, 1, 'finished');
    part(r1, 2, 'started');
    expect(manager.part).toEqual({ part: 2, of: 14, phase: 'started' });
    expect(manager.liveProgress).toEqual({ part: 2, of: 14, phase: 'started' });
    // Another run opened from the history meanwhile: the progress is this run's, shown only with it.
    fake.answer('runs:get', runRecord('r0', { status: 'completed', text: 'Older.' }));
    await manager.reopen('r0');
    expect(manager.liveProgress).toBeNull();
    fake.answer('runs:get', runRecord(r1, { status: 'running', text: null }));
    await manager.reopen(r1);
    expect(manager.liveProgress).toEqual({ part: 2, of: 14, phase: 'started' });
    call.resolve({ ...runRecord(r1), tournament_id: null });
    await running;
    manager.setText('# Chapter 1\n\nOne.\n\n# Chapter 2\n\nTwo.\n');
    const next = manager.run();
    expect(manager.part).toBeNull();
    (await starts.next()).resolve({ ...runRecord('r2'), tournament_id: null });
    await next;
  });

  it('runs the coordinator’s suggested task on the chapter it names, and jumps within the whole text', async () => {
    const { fake, manager } = await ready();
    const text = '# Chapter 1\n\nOne.\n\n# Chapter 2\n\nMara’s eyes.\n';
    manager.setText(text);
    const starts = fake.hold('runs:start');
    const running = manager.runSuggested({ task: 'character_consistency', target: 'Chapter 2' });
    const call = await starts.next();
    expect(call.input).toMatchObject({ task: 'character_consistency', input: '# Chapter 2\n\nMara’s eyes.\n' });
    expect(manager.task).toBe('character_consistency');
    expect(manager.runOffset).toBe(text.indexOf('# Chapter 2'));
    // Said beside its result: only that chapter was sent.
    expect(manager.runPart).toBe('Chapter 2');
    call.resolve({ ...runRecord('r3'), tournament_id: null });
    await running;
    expect(manager.runPart).toBe('Chapter 2');
    const whole = manager.runSuggested({ task: 'continuity_check', target: 'the whole manuscript' });
    const second = await starts.next();
    expect(second.input).toMatchObject({ task: 'continuity_check', input: text });
    expect(manager.runOffset).toBe(0);
    expect(manager.runPart).toBeNull();
    second.resolve({ ...runRecord('r4'), tournament_id: null });
    await whole;
  });

  it('a run on a kept manuscript says which and where; reopened with other text on screen, it names it to open', async () => {
    const { fake, manager } = await ready();
    const text = '# Chapter 1\n\nOne.\n\n# Chapter 2\n\nMara’s eyes.\n';
    manager.openText(text, 'The Lighthouse Keeper', 'm1');
    fake.answer('runs:start', ({ run_id }) => ({ ...runRecord(run_id ?? 'none'), tournament_id: null }));
    await manager.runSuggested({ task: 'character_consistency', target: 'Chapter 2' });
    const offset = text.indexOf('# Chapter 2');
    expect(fake.inputsOf('runs:start').at(-1)).toMatchObject({ manuscript: { id: 'm1', offset } });
    // A pasted passage is no manuscript's.
    manager.setText('Pasted.');
    await manager.run();
    expect(fake.inputsOf('runs:start').at(-1)).not.toHaveProperty('manuscript');

    // A new window: nothing on screen. The run names its manuscript, and its quotes wait for it.
    const later = new WorkbenchManager(fake, runIds('e'), new TaskLibraryManager(fake), memoryDrafts());
    fake.answer('runs:get', runRecord('r1', { manuscript: { id: 'm1', title: 'The Lighthouse Keeper', offset } }));
    await later.reopen('r1');
    expect(later.runElsewhere).toEqual({ id: 'm1', title: 'The Lighthouse Keeper' });
    expect(later.runOffset).toBe(offset);
    later.openText(text, 'The Lighthouse Keeper', 'm1');
    expect(later.runElsewhere).toBeNull();
    expect(later.runOffset).toBe(offset);
  });

  it('streams the run’s answer, starts afresh on a fallback, then shows the stored run and the new history', async () => {
    const { fake, manager } = await ready();
    const R1 = id(1);
    const starts = fake.hold('runs:start');
    const running = manager.run();
    expect(manager.running).toBe(true);
    const call = await starts.next();
    expect(call.input).toMatchObject({ run_id: R1, task: 'line_edit', input: PASSAGE, stream: true });
    expect(manager.liveRunId).toBe(R1);
    fake.emit('run:started', { run_id: 'other', task: 'theme_analysis', model_id: 'x', reason: '', stream: true });
    fake.emit('run:started', { run_id: R1, task: 'line_edit', model_id: 'gpt', reason: '', stream: true });
    fake.emit('run:token', { run_id: R1, model_id: 'gpt', text: 'The clock ', at: 0 });
    fake.emit('run:token', { run_id: 'other', model_id: 'x', text: 'noise', at: 0 });
    expect(manager.streamed).toBe('The clock ');
    expect(manager.liveModel).toBe('gpt');
    fake.emit('run:token', { run_id: R1, model_id: 'claude', text: 'It was ', at: 0 });
    fake.emit('run:token', { run_id: R1, model_id: 'claude', text: 'noon.', at: 7 });
    expect(manager.streamed).toBe('It was noon.');
    expect(manager.liveModel).toBe('claude');

    call.resolve({ ...runRecord(R1, { model_id: 'claude' }), tournament_id: null });
    await running;
    await fake.settled();
    expect(manager.running).toBe(false);
    expect(manager.result).toMatchObject({ run_id: R1, model_id: 'claude' });
    expect(manager.runError).toBeNull();
    expect(manager.history.map((run) => run.run_id)).toEqual(['r0']);
    // The decision is asked again after a run: the budget moved.
    expect(fake.countOf('orchestrator:decide')).toBe(2);
  });

  it('a reload mid-run follows the run again: the words so far, then the rest, each once; its Stop works; its record shows when it ends', async () => {
    const fake = new FakeApi();
    fake.answer('orchestrator:decide', ({ task, model }) => decision(task, model ?? 'gpt'));
    fake.answer('runs:list', { runs: [] });
    fake.answer('tournaments:list', []);
    const drafts = memoryDrafts();
    const first = new WorkbenchManager(fake, runIds(), new TaskLibraryManager(fake), drafts);
    first.setText(PASSAGE);
    first.setTask('line_edit');
    // Its runs:start is still waiting for the run when the window goes.
    const starts = fake.hold('runs:start');
    void first.run();
    await starts.next();
    const R1 = id(1);
    expect(drafts.loadLiveRun()).toEqual({ runId: R1, offset: 0 });
    // The window reloads: a new manager on the same session store. Its run is still going at the host.
    const reloaded = new WorkbenchManager(fake, runIds('e'), new TaskLibraryManager(fake), drafts);
    reloaded.listen();
    const gets = fake.hold('runs:get');
    const waits = fake.hold('runs:wait');
    const following = reloaded.rejoin();
    const get = await gets.next();
    // Streamed while its words so far are on their way: one piece they have already, one after them.
    fake.emit('run:token', { run_id: R1, model_id: 'gpt', text: 'struck ', at: 10 });
    fake.emit('run:token', { run_id: R1, model_id: 'gpt', text: 'noon', at: 17 });
    expect(reloaded.streamed).toBe('');
    get.resolve(
      runRecord(R1, {
        status: 'running',
        model_id: null,
        text: null,
        live: { model_id: 'gpt', text: 'The clock struck ' },
      }),
    );
    const wait = await waits.next();
    expect(wait.input).toEqual({ run_id: R1 });
    expect([reloaded.running, reloaded.rejoined, reloaded.liveRunId]).toEqual([true, true, R1]);
    expect(reloaded.streamed).toBe('The clock struck noon');
    expect(reloaded.liveModel).toBe('gpt');
    fake.emit('run:token', { run_id: R1, model_id: 'gpt', text: '.', at: 21 });
    expect(reloaded.streamed).toBe('The clock struck noon.');
    fake.answer('runs:cancel', { cancelled: true });
    await reloaded.cancel();
    expect(fake.inputsOf('runs:cancel')).toEqual([{ run_id: R1 }]);
    wait.resolve(runRecord(R1, { status: 'cancelled', text: 'The clock struck noon.' }));
    await following;
    expect([reloaded.running, reloaded.rejoined]).toEqual([false, false]);
    expect(reloaded.result).toMatchObject({ run_id: R1, status: 'cancelled', text: 'The clock struck noon.' });
    // The Stop the writer asked for is no error; the run was followed, never started again.
    expect(reloaded.runError).toBeNull();
    expect(fake.countOf('runs:start')).toBe(1);
    expect(drafts.loadLiveRun()).toBeNull();
    // Another reload finds nothing to follow.
    await new WorkbenchManager(fake, runIds('d'), new TaskLibraryManager(fake), drafts).rejoin();
    expect(fake.countOf('runs:get')).toBe(1);
  });

  it('a run that ended while the window reloaded is shown as it ended; one the host does not know is let go', async () => {
    const fake = new FakeApi();
    const drafts = memoryDrafts();
    drafts.saveLiveRun({ runId: id(1), offset: 0 });
    fake.answer('runs:get', runRecord(id(1), { status: 'completed', text: 'Done.' }));
    const reloaded = new WorkbenchManager(fake, runIds(), new TaskLibraryManager(fake), drafts);
    await reloaded.rejoin();
    expect(reloaded.running).toBe(false);
    expect(reloaded.result).toMatchObject({ run_id: id(1), status: 'completed', text: 'Done.' });
    expect(fake.countOf('runs:wait')).toBe(0);
    expect(drafts.loadLiveRun()).toBeNull();
    drafts.saveLiveRun({ runId: id(2), offset: 0 });
    fake.fail('runs:get', 'not_found', 'No such run');
    await reloaded.rejoin();
    expect(drafts.loadLiveRun()).toBeNull();
    expect(reloaded.runError).toBeNull();
  });

  it('a run reopened from the history while it runs follows its words, and shows how it ended when it ends', async () => {
    const { fake, manager } = setup();
    fake.answer(
      'runs:get',
      runRecord('r7', { status: 'running', text: null, live: { model_id: 'gpt', text: 'Mara ' } }),
    );
    await manager.reopen('r7');
    expect(manager.result?.status).toBe('running');
    expect(manager.streamed).toBe('Mara ');
    fake.emit('run:token', { run_id: 'r7', model_id: 'gpt', text: 'waits.', at: 5 });
    fake.emit('run:token', { run_id: 'r8', model_id: 'gpt', text: 'Elsewhere.', at: 0 });
    expect(manager.streamed).toBe('Mara waits.');
    fake.answer('runs:get', runRecord('r7', { status: 'completed', text: 'Ended.' }));
    fake.emit('run:completed', runRecord('r7', { status: 'completed', text: 'Ended.' }));
    await fake.settled();
    expect(manager.result).toMatchObject({ status: 'completed', text: 'Ended.' });
  });

  it('its own run opened again from the history while it streams shows the words so far, then the rest, each once', async () => {
    const { fake, manager } = await ready();
    const R1 = id(1);
    const starts = fake.hold('runs:start');
    const running = manager.run();
    const call = await starts.next();
    fake.emit('run:token', { run_id: R1, model_id: 'gpt', text: 'The clock ', at: 0 });
    // The writer looks at an older run meanwhile; the answer goes on arriving.
    fake.answer('runs:get', runRecord('r0', { status: 'completed', text: 'Older.' }));
    await manager.reopen('r0');
    fake.emit('run:token', { run_id: R1, model_id: 'gpt', text: 'struck ', at: 10 });
    expect(manager.result?.text).toBe('Older.');
    // And back to the run under way: one piece arrives while its words so far are on their way.
    const gets = fake.hold('runs:get');
    const reopening = manager.reopen(R1);
    const get = await gets.next();
    fake.emit('run:token', { run_id: R1, model_id: 'gpt', text: 'noon', at: 17 });
    get.resolve(runRecord(R1, { status: 'running', text: null, live: { model_id: 'gpt', text: 'The clock struck ' } }));
    await reopening;
    expect(manager.streamed).toBe('The clock struck noon');
    fake.emit('run:token', { run_id: R1, model_id: 'gpt', text: '.', at: 21 });
    expect(manager.streamed).toBe('The clock struck noon.');
    call.resolve({ ...runRecord(R1, { text: 'The clock struck noon.' }), tournament_id: null });
    await running;
    expect(manager.result).toMatchObject({ run_id: R1, text: 'The clock struck noon.' });
  });

  it("another window's run opened from the history while this window's own run streams is followed, and the own run keeps every word meanwhile", async () => {
    const { fake, manager } = await ready();
    const R1 = id(1);
    const starts = fake.hold('runs:start');
    // On one chapter of the text on screen: where it starts there is kept for its quotes.
    const running = manager.run({ span: { start: 6, end: 20, heading: 'Two' } });
    const call = await starts.next();
    fake.emit('run:started', { run_id: R1, task: 'brainstorm', model_id: 'gpt', reason: 'Chosen.', stream: true });
    fake.emit('run:token', { run_id: R1, model_id: 'gpt', text: 'The clock ', at: 0 });
    expect(manager.showingLive).toBe(true);
    // The writer opens a run another window is running: its words so far, then the rest as they come.
    fake.answer(
      'runs:get',
      runRecord('r9', { status: 'running', text: null, live: { model_id: 'claude', text: 'Elsewhere, ' } }),
    );
    await manager.reopen('r9');
    fake.emit('run:token', { run_id: 'r9', model_id: 'claude', text: 'rain.', at: 11 });
    // This window's own run goes on meanwhile, and a fallback starts its answer afresh.
    fake.emit('run:token', { run_id: R1, model_id: 'gpt', text: 'struck ', at: 10 });
    fake.emit('run:token', { run_id: R1, model_id: 'claude', text: 'At noon ', at: 0 });
    expect(manager.showingLive).toBe(false);
    expect(manager.result?.run_id).toBe('r9');
    expect(manager.streamed).toBe('Elsewhere, rain.');
    expect([manager.runOffset, manager.runPart]).toEqual([0, null]);
    // Back to its own run: every word it wrote meanwhile is there, kept by this window (none had to come back).
    fake.answer('runs:get', runRecord(R1, { status: 'running', text: null }));
    await manager.reopen(R1);
    expect(manager.showingLive).toBe(true);
    expect([manager.liveModel, manager.streamed]).toEqual(['claude', 'At noon ']);
    expect([manager.runOffset, manager.runPart]).toEqual([6, 'Two']);
    fake.emit('run:token', { run_id: 'r9', model_id: 'claude', text: ' More rain.', at: 16 });
    fake.emit('run:token', { run_id: R1, model_id: 'claude', text: 'it rang.', at: 8 });
    expect(manager.streamed).toBe('At noon it rang.');
    // It ends while another run is open: its answer is what shows, at its own place.
    fake.answer('runs:get', runRecord('r0', { status: 'completed', text: 'Older.' }));
    await manager.reopen('r0');
    call.resolve({ ...runRecord(R1, { text: 'At noon it rang.' }), tournament_id: null });
    await running;
    expect(manager.result).toMatchObject({ run_id: R1, text: 'At noon it rang.' });
    expect([manager.runOffset, manager.runPart]).toEqual([6, 'Two']);
  });

  it('its own run shows in the history once its first words arrive (stored by then), so it can be opened again from there', async () => {
    const { fake, manager } = await ready();
    const R1 = id(1);
    const starts = fake.hold('runs:start');
    const running = manager.run();
    const call = await starts.next();
    const listed = fake.countOf('runs:list');
    fake.answer('runs:list', { runs: [runSummary(R1, { status: 'running' }), runSummary('r0')] });
    fake.emit('run:token', { run_id: R1, model_id: 'gpt', text: 'The clock ', at: 0 });
    await fake.settled();
    expect(fake.countOf('runs:list')).toBe(listed + 1);
    expect(manager.history.map((r) => [r.run_id, r.status])).toEqual([
      [R1, 'running'],
      ['r0', 'completed'],
    ]);
    // Once: the pieces after it do not ask again.
    fake.emit('run:token', { run_id: R1, model_id: 'gpt', text: 'struck.', at: 10 });
    await fake.settled();
    expect(fake.countOf('runs:list')).toBe(listed + 1);
    call.resolve({ ...runRecord(R1, { text: 'The clock struck.' }), tournament_id: null });
    await running;
  });

  it('shows why a run failed: the host’s refusal, or the stored run’s error', async () => {
    const { fake, manager } = await ready();
    fake.fail('runs:start', 'budget_exceeded', 'over budget');
    fake.fail('runs:get', 'not_found', 'no such run');
    await manager.run();
    expect(manager.runError).toMatchObject({ code: 'budget_exceeded' });
    expect(manager.result).toBeNull();
    // A run that failed after it started was stored under the id the screen chose: its record is shown.
    fake.fail('runs:start', 'provider_error', 'the answer could not be read');
    fake.answer('runs:get', ({ run_id }) => runRecord(run_id, { status: 'failed', text: 'partial' }));
    await manager.run();
    expect(fake.inputsOf('runs:get').at(-1)).toEqual({ run_id: id(2) });
    expect(manager.result).toMatchObject({ run_id: id(2), status: 'failed', text: 'partial' });
    expect(manager.runError).toMatchObject({ code: 'provider_error' });
    const error = { code: 'timeout' as const, message: 'every model timed out', retryable: true };
    fake.answer('runs:start', { ...runRecord('r2', { status: 'failed', error }), tournament_id: null });
    await manager.run();
    expect(manager.result?.run_id).toBe('r2');
    expect(manager.runError).toEqual(error);
  });

  it('names the tournament a critical task ran as', async () => {
    const { fake, manager } = await ready();
    fake.answer('runs:start', { ...runRecord('r3'), tournament_id: 't9' });
    await manager.run();
    expect(manager.tournamentId).toBe('t9');
  });

  it('keeps the passage, its file, the task, the request and the choices for the session: a reload (a new manager) has them back', () => {
    let kept: WorkbenchDraft | null = null;
    const store: DraftStore = { ...memoryDrafts(), load: () => kept, save: (draft) => void (kept = draft) };
    const fake = new FakeApi();
    const first = new WorkbenchManager(fake, runIds(), new TaskLibraryManager(fake), store);
    first.setText(PASSAGE, 'chapter.txt');
    first.setTask('brainstorm');
    first.setRequest('Ideas for the storm');
    first.setModel('claude');
    first.setLocalOnly(true);
    first.setLength('long');
    const reloaded = new WorkbenchManager(fake, runIds(), new TaskLibraryManager(fake), store);
    expect([
      reloaded.text,
      reloaded.fileName,
      reloaded.task,
      reloaded.request,
      reloaded.model,
      reloaded.localOnly,
      reloaded.length,
    ]).toEqual([PASSAGE, 'chapter.txt', 'brainstorm', 'Ideas for the storm', 'claude', true, 'long']);
  });

  it("keeps which of a run's edits the writer rejected, run by run, for the session: another run opened or a reload does not accept them again", () => {
    let kept: WorkbenchDraft | null = null;
    const store: DraftStore = { ...memoryDrafts(), load: () => kept, save: (draft) => void (kept = draft) };
    const fake = new FakeApi();
    const first = new WorkbenchManager(fake, runIds(), new TaskLibraryManager(fake), store);
    first.setText(PASSAGE);
    expect(first.rejectedEdits('r1')).toEqual([]);
    first.acceptEdit('r1', 1, false);
    first.acceptEdit('r1', 3, false);
    first.acceptEdit('r2', 0, false);
    first.acceptEdit('r1', 3, true);
    expect(first.rejectedEdits('r1')).toEqual([1]);
    expect(first.rejectedEdits('r2')).toEqual([0]);
    const reloaded = new WorkbenchManager(fake, runIds(), new TaskLibraryManager(fake), store);
    expect(reloaded.rejectedEdits('r1')).toEqual([1]);
    expect(reloaded.rejectedEdits('r2')).toEqual([0]);
    reloaded.reset();
    expect(reloaded.rejectedEdits('r1')).toEqual([]);
  });

  it("the window's session store keeps a draft up to its size, and forgets a larger one rather than keep an old one", () => {
    const items = new Map<string, string>();
    const session = {
      getItem: (key: string) => items.get(key) ?? null,
      setItem: (key: string, value: string) => void items.set(key, value),
      removeItem: (key: string) => void items.delete(key),
    };
    Object.assign(globalThis, { sessionStorage: session });
    try {
      const draft = {
        text: PASSAGE,
        fileName: null,
        task: 'line_edit',
        request: '',
        model: 'claude',
        localOnly: false,
        length: 'short' as const,
        replaced: null,
        manuscriptId: null,
        rejectedEdits: { r1: [1, 3] },
      };
      sessionDrafts.save(draft);
      expect(sessionDrafts.load()).toEqual(draft);
      // Anything else kept under a run's rejected edits is not taken for them.
      items.set('quire.workbench.draft', JSON.stringify({ ...draft, rejectedEdits: { r1: [2, 'x'], r2: 'no' } }));
      expect(sessionDrafts.load()?.rejectedEdits).toEqual({ r1: [2] });
      // A draft kept before the choices were: Quire chooses, at the task's length.
      items.set('quire.workbench.draft', JSON.stringify({ text: PASSAGE, fileName: null, task: 'x', request: '' }));
      expect(sessionDrafts.load()).toMatchObject({ model: '', localOnly: false, length: 'task' });
      sessionDrafts.save({ ...draft, text: 'x'.repeat(MAX_DRAFT_CHARS + 1) });
      expect(sessionDrafts.load()).toBeNull();
      items.set('quire.workbench.draft', '{not json');
      expect(sessionDrafts.load()).toBeNull();
    } finally {
      delete (globalThis as { sessionStorage?: unknown }).sessionStorage;
    }
  });

  it('a file opened over a pasted passage can be put back until the writer types or opens something else', () => {
    const { manager } = setup();
    manager.setText('My pasted scene.');
    manager.openText('# Chapter 1\n\nThe file.', 'chapter-1.md');
    expect(manager.replaced).toEqual({ text: 'My pasted scene.', fileName: null });
    manager.undoOpen();
    expect([manager.text, manager.fileName, manager.replaced]).toEqual(['My pasted scene.', null, null]);
    // Opened over nothing, or typed over: nothing to put back.
    manager.setText('');
    manager.openText('The file.', 'chapter-1.md');
    expect(manager.replaced).toBeNull();
    manager.setText('My pasted scene.');
    manager.openText('The file.', 'chapter-1.md');
    manager.setText('The file, edited.', 'chapter-1.md');
    expect(manager.replaced).toBeNull();
  });

  it("a manuscript's new version in place of its old copy: that copy is not offered back, the passage before it still is", () => {
    const { manager } = setup();
    manager.setText('My pasted scene.');
    manager.openText('# One\n\nHer eyes were brown.', 'Draft', 'm1');
    manager.newVersion({ id: 'm2', text: '# One\n\nHer eyes were green.', title: 'Draft' });
    expect([manager.text, manager.fileName]).toEqual(['# One\n\nHer eyes were green.', 'Draft']);
    expect(manager.replaced).toEqual({ text: 'My pasted scene.', fileName: null });
    // Opened over nothing: still nothing to put back.
    manager.setText('');
    manager.openText('# One\n\nHer eyes were brown.', 'Draft', 'm1');
    manager.newVersion({ id: 'm2', text: '# One\n\nHer eyes were green.', title: 'Draft' });
    expect(manager.replaced).toBeNull();
  });

  it("the passage is headed with its file's name while the box holds that file's text, edited or not, and not once it is typed or pasted over", () => {
    const { manager } = setup();
    const file = '# Chapter 1\n\nThe tide went out. Mara counted the boats twice.\n';
    manager.openText(file, 'chapter-1.md');
    manager.edit(file.replace('twice', 'three times'));
    expect(manager.fileName).toBe('chapter-1.md');
    manager.edit(`${manager.text}\nShe went home.`);
    expect(manager.fileName).toBe('chapter-1.md');
    // Selected and pasted over: the box holds another text, not chapter-1.md.
    manager.edit('A letter from the harbour master, pasted from an email.');
    expect(manager.fileName).toBeNull();
    manager.openText(file, 'chapter-1.md');
    manager.edit('');
    expect(manager.fileName).toBeNull();
  });

  it('a pasted passage a file replaced can still be put back after a reload of the window', () => {
    const fake = new FakeApi();
    const drafts = memoryDrafts();
    const first = new WorkbenchManager(fake, runIds(), new TaskLibraryManager(fake), drafts);
    first.setText('My pasted scene, which is nowhere else.');
    first.openText('# Chapter 1\n\nThe file.', 'chapter-1.md');
    const reloaded = new WorkbenchManager(fake, runIds(), new TaskLibraryManager(fake), drafts);
    expect(reloaded.replaced).toEqual({ text: 'My pasted scene, which is nowhere else.', fileName: null });
    reloaded.undoOpen();
    expect([reloaded.text, reloaded.fileName]).toEqual(['My pasted scene, which is nowhere else.', null]);
    // Put back (or typed over), there is nothing to offer after the next reload.
    expect(new WorkbenchManager(fake, runIds(), new TaskLibraryManager(fake), drafts).replaced).toBeNull();
  });

  it('a manuscript too long for the session store, opened over a pasted passage, keeps the passage and comes back from the library', () => {
    const items = new Map<string, string>();
    Object.assign(globalThis, {
      sessionStorage: {
        getItem: (key: string) => items.get(key) ?? null,
        setItem: (key: string, value: string) => void items.set(key, value),
        removeItem: (key: string) => void items.delete(key),
      },
    });
    try {
      const fake = new FakeApi();
      const first = new WorkbenchManager(fake, runIds(), new TaskLibraryManager(fake), sessionDrafts);
      first.setText('My pasted scene.');
      first.setTask('continuity_check');
      const book = 'It rained. '.repeat(MAX_DRAFT_CHARS / 10);
      first.openText(book, 'Big', 'm1');
      const reloaded = new WorkbenchManager(fake, runIds(), new TaskLibraryManager(fake), sessionDrafts);
      expect([reloaded.replaced, reloaded.task]).toEqual([
        { text: 'My pasted scene.', fileName: null },
        'continuity_check',
      ]);
      // Its text is the library's to give back (the window asks for it), under its name, with the offer kept.
      expect([reloaded.text, reloaded.toReopen, reloaded.manuscriptOnScreen]).toEqual(['', 'm1', null]);
      reloaded.reopened({ id: 'm1', text: book, title: 'Big' });
      expect([reloaded.text, reloaded.fileName, reloaded.toReopen]).toEqual([book, 'Big', null]);
      expect(reloaded.manuscriptOnScreen).toBe('m1');
      expect(reloaded.replaced).toEqual({ text: 'My pasted scene.', fileName: null });
      reloaded.undoOpen();
      expect(new WorkbenchManager(fake, runIds(), new TaskLibraryManager(fake), sessionDrafts).text).toBe(
        'My pasted scene.',
      );
      // A manuscript short enough to keep comes back with the window: still that manuscript, until typed over.
      reloaded.openText('Chapter 1. It rained.', 'Short', 'm2');
      const again = new WorkbenchManager(fake, runIds(), new TaskLibraryManager(fake), sessionDrafts);
      expect([again.text, again.toReopen, again.manuscriptOnScreen]).toEqual(['Chapter 1. It rained.', null, 'm2']);
      again.setText('Chapter 1. It poured.');
      expect(again.manuscriptOnScreen).toBeNull();
    } finally {
      delete (globalThis as { sessionStorage?: unknown }).sessionStorage;
    }
  });

  it('a run in parts the writer stopped goes on from where it stopped: the same request under the same run id', async () => {
    const { fake, manager } = await ready();
    const part = {
      run_id: id(1),
      part: 2,
      of: 5,
      phase: 'started',
      model_id: 'gpt',
      part_run_id: `${id(1)}/2`,
    } as const;
    const starts = await stopRun(fake, manager, () => fake.emit('run:part', part));
    expect(manager.canResume).toBe(true);
    // The writer edits the passage meanwhile: the job goes on with what it was started with.
    manager.setText('Something else entirely.');
    const resumed = manager.resume();
    expect(manager.canResume).toBe(false);
    (await starts.next()).resolve({ ...runRecord(id(1)), tournament_id: null });
    await resumed;
    const [first, again] = fake.inputsOf('runs:start');
    expect(again).toEqual(first);
    expect(again).toMatchObject({ run_id: id(1), input: PASSAGE });
    expect(manager.result?.status).toBe('completed');
    expect(manager.canResume).toBe(false);
  });

  it('a single run the writer stopped cannot be resumed (it was not in parts)', async () => {
    const { fake, manager } = await ready();
    await stopRun(fake, manager);
    expect(manager.canResume).toBe(false);
  });

  it('does not run without a passage or a task', async () => {
    const { fake, manager } = setup();
    manager.setTask('line_edit');
    manager.setText('   ');
    await manager.run();
    expect(fake.countOf('runs:start')).toBe(0);
  });

  it('cancels the run being streamed, and reports a cancel that failed', async () => {
    const { fake, manager } = await ready();
    const starts = fake.hold('runs:start');
    const running = manager.run();
    fake.fail('runs:cancel', 'not_found', 'already finished');
    await manager.cancel();
    expect(fake.inputsOf('runs:cancel')).toEqual([{ run_id: id(1) }]);
    expect(manager.runError).toMatchObject({ code: 'not_found' });
    (await starts.next()).resolve({ ...runRecord(id(1), { status: 'cancelled' }), tournament_id: null });
    await running;
  });

  it('a run the writer stopped is not an error: its record shows, and no error is raised', async () => {
    const { fake, manager } = await ready();
    await stopRun(fake, manager);
    expect(manager.runError).toBeNull();
    expect(manager.result?.status).toBe('cancelled');
    // A run cancelled by anything else (Quire quitting, say) is still reported.
    const again = fake.hold('runs:start');
    const second = manager.run();
    (await again.next()).reject('cancelled', 'The run was cancelled');
    await second;
    expect(manager.runError).toMatchObject({ code: 'cancelled' });
    // Its error was about that run: choosing another task or model puts it away.
    manager.setTask('line_edit');
    expect(manager.runError).not.toBeNull();
    manager.setTask('brainstorm');
    expect(manager.runError).toBeNull();
  });

  it('rates the run on screen and marks it in the history; a failed rating says why', async () => {
    const { fake, manager } = await ready();
    await manager.loadHistory();
    fake.answer('runs:get', runRecord('r0'));
    await manager.reopen('r0');
    fake.answer('runs:rate', ({ rating }) => runRecord('r0', { rating }));
    const rating = manager.rate(8);
    expect(manager.rating).toBe(true);
    await rating;
    expect(manager.rating).toBe(false);
    expect(manager.result?.rating).toBe(8);
    expect(manager.history[0]?.rating).toBe(8);
    fake.fail('runs:rate', 'storage_error', 'could not save the rating');
    await manager.rate(2);
    expect(manager.runError).toMatchObject({ message: 'could not save the rating' });
    expect(manager.result?.rating).toBe(8);
  });

  it('reopens the run picked last even when an earlier pick answers later', async () => {
    const { fake, manager } = setup();
    const error = { code: 'timeout' as const, message: 'slow', retryable: true };
    await fake.answerLastFirst('runs:get', [
      [() => manager.reopen('r1'), runRecord('r1')],
      [() => manager.reopen('r2'), runRecord('r2', { status: 'failed', error })],
    ]);
    expect(manager.result?.run_id).toBe('r2');
    expect(manager.runError).toEqual(error);
  });

  it('says why a past run could not be reopened, keeping the one on screen', async () => {
    const { fake, manager } = setup();
    fake.answer('runs:get', runRecord('r1'));
    await manager.reopen('r1');
    fake.fail('runs:get', 'not_found', 'no such run');
    await manager.reopen('gone');
    expect(manager.runError).toMatchObject({ code: 'not_found' });
    expect(manager.result?.run_id).toBe('r1');
  });

  it('reloads the history when any run ends, and keeps the error when it cannot', async () => {
    const { fake, manager } = setup();
    fake.emit('run:completed', runRecord('r5'));
    await fake.settled();
    expect(manager.history.map((run) => run.run_id)).toEqual(['r0']);
    fake.fail('runs:list', 'storage_error', 'locked');
    fake.emit('run:failed', {
      run_id: 'r6',
      error: { code: 'timeout', message: 'x', retryable: true },
      record: runRecord('r6'),
    });
    await fake.settled();
    expect(manager.historyError).toMatchObject({ code: 'storage_error' });
  });

  it('the history leaves out the calls of tournaments and reaches older runs page by page, kept over a reload', async () => {
    const fake = new FakeApi();
    fake.answer('tournaments:list', []);
    const page = (from: number, count: number) => Array.from({ length: count }, (_, i) => runSummary(`r${from + i}`));
    fake.answer('runs:list', (input) => {
      const before = input && 'before' in input ? input.before : undefined;
      return { runs: before === undefined ? page(0, 50) : before === 'r49' ? page(50, 50) : page(100, 3) };
    });
    const manager = new WorkbenchManager(fake, runIds());
    await manager.loadHistory();
    // A tournament is one entry (tournaments:list), not one run per model it asked.
    expect(fake.inputsOf('runs:list')).toEqual([{ limit: 50, tournament_calls: false }]);
    expect(manager.history).toHaveLength(50);
    expect(manager.hasOlder).toBe(true);
    await manager.loadOlder();
    expect(fake.inputsOf('runs:list').at(-1)).toEqual({ limit: 50, tournament_calls: false, before: 'r49' });
    await manager.loadOlder();
    expect(manager.history.map((run) => run.run_id)).toEqual(page(0, 103).map((run) => run.run_id));
    expect(manager.hasOlder).toBe(false);
    // A run ending reloads the history: the older runs the writer brought in stay listed.
    fake.emit('run:completed', runRecord('r200'));
    await fake.settled();
    expect(manager.history).toHaveLength(103);
  });

  it('a reload of the window comes back to the same place in the history: its pages, its task, the run or tournament open', async () => {
    const fake = new FakeApi();
    fake.answer('tournaments:list', []);
    const page = (from: number, count: number) => Array.from({ length: count }, (_, i) => runSummary(`r${from + i}`));
    fake.answer('runs:list', (input) => {
      const before = input && 'before' in input ? input.before : undefined;
      return { runs: before === undefined ? page(0, 50) : page(50, 50) };
    });
    fake.answer('runs:get', ({ run_id }) => runRecord(run_id));
    const drafts = memoryDrafts();
    const first = new WorkbenchManager(fake, runIds(), new TaskLibraryManager(fake), drafts);
    await first.setHistoryTask('line_edit');
    await first.loadOlder();
    await first.reopen('r72');
    // It went back to the first page of every task and showed no run: the writer scrolled to find r72 again.
    const reloaded = new WorkbenchManager(fake, runIds(), new TaskLibraryManager(fake), drafts);
    expect(reloaded.historyTask).toBe('line_edit');
    await reloaded.loadHistory();
    expect(reloaded.history.map((run) => run.run_id)).toContain('r72');
    expect(await reloaded.reshow()).toBeNull();
    expect(reloaded.result?.run_id).toBe('r72');
    // Only once: a later call opens nothing over what the writer opened since.
    expect(await reloaded.reshow()).toBeNull();

    // A tournament open is given back to be opened; closing it leaves the run on screen as what is open.
    reloaded.showingTournament('tn_3');
    const again = new WorkbenchManager(fake, runIds(), new TaskLibraryManager(fake), drafts);
    expect(await again.reshow()).toBe('tn_3');
    reloaded.showingTournament(null);
    const closed = new WorkbenchManager(fake, runIds(), new TaskLibraryManager(fake), drafts);
    expect(await closed.reshow()).toBeNull();
    expect(closed.result?.run_id).toBe('r72');

    // A run gone since comes back as nothing open, not as an error about a run the writer did not ask for.
    fake.fail('runs:get', 'not_found', 'Run r72 not found');
    const gone = new WorkbenchManager(fake, runIds(), new TaskLibraryManager(fake), drafts);
    expect(await gone.reshow()).toBeNull();
    expect(gone.result).toBeNull();
    expect(gone.runError).toBeNull();
  });

  it('reaches older tournaments page by page too, with the runs, one task’s as well', async () => {
    // A writer who turned tournaments on a month ago: most of their history is tournaments.
    const fake = new FakeApi();
    fake.answer('runs:list', { runs: [runSummary('r0')] });
    const page = (from: number, count: number) =>
      Array.from({ length: count }, (_, i) => tournamentSummary(`tn_${from + i}`));
    fake.answer('tournaments:list', (input) => {
      const before = input?.before;
      return before === undefined ? page(0, 50) : before === 'tn_49' ? page(50, 50) : page(100, 7);
    });
    const manager = new WorkbenchManager(fake, runIds());
    await manager.loadHistory();
    expect(fake.inputsOf('tournaments:list')).toEqual([{ limit: 50 }]);
    expect(manager.historyTournaments).toHaveLength(50);
    expect(manager.hasOlder).toBe(true);
    await manager.loadOlder();
    await manager.loadOlder();
    expect(fake.inputsOf('tournaments:list').slice(-2)).toEqual([
      { limit: 50, before: 'tn_49' },
      { limit: 50, before: 'tn_99' },
    ]);
    expect(manager.historyTournaments.map((t) => t.id)).toEqual(page(0, 107).map((t) => t.id));
    expect(manager.hasOlder).toBe(false);
    await manager.setHistoryTask('continuity_check');
    expect(fake.inputsOf('tournaments:list').at(-1)).toEqual({ limit: 50, task: 'continuity_check' });
  });

  it('the history shows one task when the writer picks it, from its newest run, and all of them again', async () => {
    const fake = new FakeApi();
    fake.answer('tournaments:list', []);
    fake.answer('runs:list', (input) => ({
      runs: Array.from({ length: input && 'task' in input ? 3 : 50 }, (_, i) => runSummary(`r${i}`)),
    }));
    const manager = new WorkbenchManager(fake, runIds());
    await manager.loadHistory();
    await manager.loadOlder();
    await manager.setHistoryTask('continuity_check');
    expect(manager.historyTask).toBe('continuity_check');
    // The pages brought in for every task are not asked for again: the filter starts from the newest run.
    expect(fake.inputsOf('runs:list').at(-1)).toEqual({ limit: 50, tournament_calls: false, task: 'continuity_check' });
    expect(manager.history).toHaveLength(3);
    expect(manager.hasOlder).toBe(false);
    await manager.setHistoryTask('');
    expect(fake.inputsOf('runs:list').at(-1)).toEqual({ limit: 50, tournament_calls: false });
    expect(manager.history).toHaveLength(50);
  });

  it('reset() forgets the passage, the decision, the run and the history', async () => {
    const { manager } = await ready();
    await manager.loadHistory();
    manager.reset();
    expect(manager.text).toBe('');
    expect(manager.fileName).toBeNull();
    expect(manager.task).toBe('');
    expect(manager.decision).toBeNull();
    expect(manager.history).toEqual([]);
  });

  it('follows its own run by id: two runs of the same task in flight are followed separately', async () => {
    const fake = new FakeApi();
    const first = await ready(fake, runIds('a'));
    const second = await ready(fake, runIds('b'));
    const starts = fake.hold('runs:start');
    const runningA = first.manager.run();
    const runningB = second.manager.run();
    const callA = await starts.next();
    const callB = await starts.next();
    expect([callA.input.run_id, callB.input.run_id]).toEqual([id(1, 'a'), id(1, 'b')]);
    // Both runs are the same task; B's run is announced first.
    fake.emit('run:started', { run_id: id(1, 'b'), task: 'line_edit', model_id: 'claude', reason: '', stream: true });
    fake.emit('run:started', { run_id: id(1, 'a'), task: 'line_edit', model_id: 'gpt', reason: '', stream: true });
    fake.emit('run:token', { run_id: id(1, 'b'), model_id: 'claude', text: 'Bee.', at: 0 });
    fake.emit('run:token', { run_id: id(1, 'a'), model_id: 'gpt', text: 'Ay.', at: 0 });
    expect(first.manager.streamed).toBe('Ay.');
    expect(first.manager.liveModel).toBe('gpt');
    expect(second.manager.streamed).toBe('Bee.');
    expect(second.manager.liveModel).toBe('claude');
    // Each cancels its own.
    fake.answer('runs:cancel', { cancelled: true });
    await second.manager.cancel();
    expect(fake.inputsOf('runs:cancel')).toEqual([{ run_id: id(1, 'b') }]);
    callB.resolve({ ...runRecord(id(1, 'b'), { status: 'cancelled' }), tournament_id: null });
    callA.resolve({ ...runRecord(id(1, 'a')), tournament_id: null });
    await Promise.all([runningA, runningB]);
    expect(first.manager.result?.run_id).toBe(id(1, 'a'));
    expect(second.manager.result?.run_id).toBe(id(1, 'b'));
  });

  it('sends the writer’s request with the passage when there is one', async () => {
    const { fake, manager } = await ready();
    fake.answer('runs:start', ({ run_id }) => ({ ...runRecord(run_id ?? 'none'), tournament_id: null }));
    manager.setRequest('  Does Mara’s eye colour change?  ');
    await manager.run();
    expect(fake.inputsOf('runs:start')[0]).toMatchObject({ request: 'Does Mara’s eye colour change?' });
  });

  it('a task that needs the writer’s words does not run, quote or count without them; the quote and count include them', async () => {
    const fake = new FakeApi().answer('tasks:library', {
      tasks: [
        {
          id: 'coordinator',
          version: 1,
          answer: 'route',
          description: 'Say what you want.',
          max_output_tokens: 600,
          request: 'required',
          request_hint: 'In your own words',
        },
        {
          id: 'line_edit',
          version: 1,
          answer: 'edits',
          description: 'Edits.',
          max_output_tokens: 2000,
          request: 'optional',
          request_hint: 'e.g. keep the dialect',
        },
        {
          id: 'pacing_analysis',
          version: 1,
          answer: 'findings',
          description: 'Pace.',
          max_output_tokens: 800,
          request: 'none',
          request_hint: null,
        },
      ],
    });
    fake.answer('runs:start', ({ run_id }) => ({ ...runRecord(run_id ?? 'none'), tournament_id: null }));
    const { manager } = await ready(fake);
    expect(manager.requestMode).toBe('optional');
    await manager.loadLibrary();
    expect(manager.taskInfo?.description).toBe('Edits.');

    manager.setTask('coordinator');
    await manager.decide();
    expect(manager.requestMode).toBe('required');
    expect(manager.needsRequest).toBe(true);
    expect(manager.canRun).toBe(false);
    expect(manager.runRequest()).toBeNull();
    await manager.run();
    expect(fake.countOf('runs:start')).toBe(0);

    const words = 'Which chapter loses the thread of the storm?';
    manager.setRequest(words);
    await manager.decide();
    expect(manager.needsRequest).toBe(false);
    expect(manager.canRun).toBe(true);
    expect(manager.runRequest()).toMatchObject({ task: 'coordinator', input: PASSAGE, request: words });
    expect(fake.inputsOf('orchestrator:decide').at(-1)).toMatchObject({
      input_tokens: estimateTokens(PASSAGE) + estimateTokens(words),
    });
    await manager.run();
    expect(fake.inputsOf('runs:start').at(-1)).toMatchObject({ task: 'coordinator', request: words });

    // A task that does not use the writer's words is not sent them (nor charged for them).
    manager.setTask('pacing_analysis');
    await manager.decide();
    expect(manager.runRequest()).not.toHaveProperty('request');
    expect(fake.inputsOf('orchestrator:decide').at(-1)).toMatchObject({ input_tokens: estimateTokens(PASSAGE) });
    await manager.run();
    expect(fake.inputsOf('runs:start').at(-1)).not.toHaveProperty('request');
  });

  it('exports the run on screen as a Markdown report, and says why when it cannot', async () => {
    const { fake, manager } = await ready();
    expect(await manager.exportReport()).toBeNull();
    fake.answer('runs:get', runRecord('r0'));
    await manager.reopen('r0');
    fake.answer('runs:export', { markdown: '# Line edit\n', filename: 'quire-line_edit-2026-03-10.md' });
    expect(await manager.exportReport()).toEqual({
      markdown: '# Line edit\n',
      filename: 'quire-line_edit-2026-03-10.md',
    });
    expect(fake.inputsOf('runs:export')).toEqual([{ run_id: 'r0', rejected_edits: [] }]);
    // The edits the writer rejected go with it, so the report does not list them as taken.
    manager.acceptEdit('r0', 2, false);
    await manager.exportReport();
    expect(fake.inputsOf('runs:export').at(-1)).toEqual({ run_id: 'r0', rejected_edits: [2] });
    fake.fail('runs:export', 'not_found', 'no such run');
    expect(await manager.exportReport()).toBeNull();
    expect(manager.runError).toMatchObject({ code: 'not_found' });
  });

  it("copies a line edit's own passage with the edits kept, not the passage on screen, and says why when it cannot", async () => {
    const { fake, manager } = await ready();
    fake.answer('runs:get', runRecord('r0'));
    await manager.reopen('r0');
    // Another passage on screen now: the edited text still comes from the run's own (runs:edited_text).
    manager.setText('A different chapter altogether.');
    manager.acceptEdit('r0', 1, false);
    fake.answer('runs:edited_text', { text: 'The harbour lay quiet.', edits: 1 });
    expect(await manager.editedText()).toBe('The harbour lay quiet.');
    expect(fake.inputsOf('runs:edited_text')).toEqual([{ run_id: 'r0', rejected_edits: [1] }]);
    fake.fail('runs:edited_text', 'conflict', 'This run proposed no edits, so there is no edited text to copy.');
    expect(await manager.editedText()).toBeNull();
    expect(manager.runError).toMatchObject({ code: 'conflict' });
  });
});
