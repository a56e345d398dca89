import { describe, expect, it } from 'vitest';
import type { EventPayload } from '$contract';
import { FakeApi } from '../../../../test/renderer/fake-api';
import { finding, tournament, tournamentQuote, tournamentSummary } from '../../../../test/renderer/fixtures';
import { TournamentManager } from './tournament.svelte';

const NOW = Date.parse('2026-03-15T12:00:00.000Z');
const REQUEST = { task: 'continuity_check', input: 'Chapter one.' };

const started = (id: string, task = 'continuity_check'): EventPayload<'tournament:started'> => ({
  tournament_id: id,
  task,
  mode: 'tournament',
  members: [
    { model_id: 'a', role: 'member' },
    { model_id: 'b', role: 'member' },
  ],
});

function setup() {
  const fake = new FakeApi();
  fake.answer('tournaments:list', [tournamentSummary('t0')]);
  const manager = new TournamentManager(fake, () => NOW);
  manager.listen();
  return { fake, manager };
}

describe('TournamentManager', () => {
  it('builds the running tournament from events, then shows the stored record and the new list', async () => {
    const { fake, manager } = setup();
    const starts = fake.hold('tournaments:start');
    const running = manager.start(REQUEST);
    expect(manager.starting).toBe(true);
    const call = await starts.next();
    expect(call.input).toEqual(REQUEST);

    fake.emit('tournament:started', started('t1'));
    expect(manager.current).toMatchObject({ id: 't1', status: 'running', created_at: '2026-03-15T12:00:00.000Z' });
    fake.emit('tournament:member-started', { tournament_id: 't1', model_id: 'a', role: 'member' });
    fake.emit('tournament:member-token', { tournament_id: 't1', model_id: 'a', role: 'member', text: 'The ' });
    fake.emit('tournament:member-token', { tournament_id: 't1', model_id: 'a', role: 'member', text: 'clock.' });
    fake.emit('tournament:member-done', {
      tournament_id: 't1',
      model_id: 'a',
      role: 'member',
      cost_usd: 0.01,
      duration_ms: 900,
    });
    fake.emit('tournament:member-failed', {
      tournament_id: 't1',
      model_id: 'b',
      role: 'member',
      code: 'timeout',
      message: 'slow',
      cost_usd: 0.002,
    });
    // Events for another tournament change nothing here.
    fake.emit('tournament:member-token', { tournament_id: 'other', model_id: 'a', role: 'member', text: '!' });
    expect(manager.current?.members).toMatchObject([
      { model_id: 'a', status: 'done', text: 'The clock.', cost_usd: 0.01, duration_ms: 900 },
      { model_id: 'b', status: 'failed', error: { code: 'timeout', message: 'slow' }, cost_usd: 0.002 },
    ]);

    call.resolve(tournament('t1'));
    await running;
    expect(manager.starting).toBe(false);
    expect(manager.current).toMatchObject({ id: 't1', status: 'done' });
    expect(manager.groups.map((group) => [group.status, group.findings.length])).toEqual([
      ['consensus', 1],
      ['disputed', 0],
      ['contradicted', 0],
    ]);
    await fake.settled();
    expect(manager.list.map((summary) => summary.id)).toEqual(['t0']);
  });

  it('stops the running tournament on screen, and shows it ended as stopped with what it cost', async () => {
    const { fake, manager } = setup();
    const starts = fake.hold('tournaments:start');
    const running = manager.start(REQUEST);
    const call = await starts.next();
    fake.emit('tournament:started', started('t1'));
    const cancels = fake.hold('tournaments:cancel');
    const stopping = manager.stop();
    expect(manager.stopping).toBe(true);
    // Pressed twice while the host answers: asked once.
    void manager.stop();
    const cancel = await cancels.next();
    expect(cancel.input).toEqual({ tournament_id: 't1' });
    cancel.resolve({ cancelled: true });
    await stopping;
    expect(manager.stopping).toBe(false);
    expect(fake.countOf('tournaments:cancel')).toBe(1);
    const ended = {
      ...tournament('t1'),
      status: 'failed' as const,
      error: { code: 'cancelled', message: 'You stopped this tournament.' },
    };
    call.resolve(ended);
    await running;
    expect(manager.current).toMatchObject({ id: 't1', status: 'failed', error: { code: 'cancelled' } });
    // Nothing running: nothing to stop.
    await manager.stop();
    expect(fake.countOf('tournaments:cancel')).toBe(1);
  });

  it('asks what "Run as tournament" would seat and cost before it starts, and forgets it when nothing can start', async () => {
    const { fake, manager } = setup();
    const quote = tournamentQuote([
      ['a', 'Atlas', 0.01],
      ['b', 'Boreal', 0.02],
    ]);
    fake.answer('tournaments:quote', quote);
    await manager.loadQuote({ ...REQUEST, models: ['a', 'b'] });
    expect(fake.inputsOf('tournaments:quote')).toEqual([{ ...REQUEST, models: ['a', 'b'] }]);
    expect(manager.quote).toEqual(quote);
    expect(fake.countOf('tournaments:start')).toBe(0);
    await manager.loadQuote(null);
    expect(manager.quote).toBeNull();
  });

  it('is ready to start only once the quote for what is on screen has landed', async () => {
    const { fake, manager } = setup();
    const quotes = fake.hold('tournaments:quote');
    expect(manager.quoteReady).toBe(false);
    const loaded = manager.loadQuote({ ...REQUEST, models: ['a', 'b'] });
    expect(manager.quoteReady).toBe(false);
    (await quotes.next()).resolve(
      tournamentQuote([
        ['a', 'Atlas', 0.01],
        ['b', 'Boreal', 0.02],
      ]),
    );
    await loaded;
    expect(manager.quoteReady).toBe(true);
    // The members changed: the cost on screen is the old one until the new quote lands.
    manager.expectQuote();
    expect(manager.quoteReady).toBe(false);
    const again = manager.loadQuote({ ...REQUEST, models: ['a', 'b', 'c'] });
    (await quotes.next()).reject('invalid_input', 'Model c is not set up.');
    await again;
    expect(manager.quoteReady).toBe(false);
    expect(manager.quoteError?.message).toBe('Model c is not set up.');
  });

  it('follows a tournament a critical run starts only while expecting its task', () => {
    const { fake, manager } = setup();
    fake.emit('tournament:started', started('ignored'));
    expect(manager.current).toBeNull();
    manager.expect('continuity_check');
    fake.emit('tournament:started', started('other-task', 'line_edit'));
    expect(manager.current).toBeNull();
    fake.emit('tournament:started', started('t2'));
    expect(manager.current?.id).toBe('t2');
    manager.stopExpecting();
    fake.emit('tournament:started', started('t3'));
    expect(manager.current?.id).toBe('t2');
  });

  it('opens the stored record when a running tournament completes', async () => {
    const { fake, manager } = setup();
    manager.expect('continuity_check');
    fake.emit('tournament:started', started('t1'));
    fake.answer('tournaments:get', ({ tournament_id }) => tournament(tournament_id));
    fake.emit('tournament:completed', { tournament_id: 't1', status: 'done' });
    await fake.settled();
    expect(manager.current).toMatchObject({ id: 't1', status: 'done' });
    expect(fake.countOf('tournaments:list')).toBe(1);
  });

  it('shows what the members of a failed tournament did, with the reason it failed', async () => {
    const { fake, manager } = setup();
    const starts = fake.hold('tournaments:start');
    fake.answer('tournaments:get', ({ tournament_id }) => tournament(tournament_id, { status: 'failed' }));
    const running = manager.start(REQUEST);
    const call = await starts.next();
    fake.emit('tournament:started', started('t1'));
    call.reject('budget_exceeded', 'The tournament would pass the cost cap');
    await running;
    expect(manager.error).toMatchObject({ code: 'budget_exceeded' });
    expect(manager.current).toMatchObject({ id: 't1', status: 'failed' });
  });

  it('reports a tournament that could not start at all', async () => {
    const { fake, manager } = setup();
    fake.fail('tournaments:start', 'unavailable', 'no two models available');
    await manager.start(REQUEST);
    expect(manager.error).toMatchObject({ message: 'no two models available' });
    expect(manager.current).toBeNull();
    manager.close();
    expect(manager.error).toBeNull();
  });

  it('accepts a finding at once and keeps the saved record; undoes it with the reason when saving fails', async () => {
    const { fake, manager } = setup();
    fake.answer('tournaments:get', tournament('t1', { findings: [finding('f1')] }));
    await manager.open('t1');
    const saves = fake.hold('tournaments:resolve');
    const accepting = manager.resolve('f1', 'accept');
    expect(manager.current?.findings[0]?.resolution).toBe('accepted');
    expect(manager.resolving).toEqual({ f1: 'accept' });
    (await saves.next()).resolve(tournament('t1', { findings: [finding('f1', { resolution: 'accepted' })] }));
    await accepting;
    expect(manager.resolving).toEqual({});
    expect(manager.current?.findings[0]?.resolution).toBe('accepted');

    const dismissing = manager.resolve('f1', 'dismiss');
    expect(manager.current?.findings[0]?.resolution).toBe('dismissed');
    (await saves.next()).reject('storage_error', 'could not save');
    await dismissing;
    expect(manager.current?.findings[0]?.resolution).toBe('accepted');
    expect(manager.error).toMatchObject({ message: 'could not save' });
  });

  it('exports the tournament on screen as its report; says why when it cannot', async () => {
    const { fake, manager } = setup();
    expect(await manager.exportReport()).toBeNull();
    fake.answer('tournaments:get', tournament('t1'));
    await manager.open('t1');
    const report = { markdown: '# Continuity check: tournament of 2 models\n', filename: 'Quire x.md' };
    fake.answer('tournaments:export', report);
    expect(await manager.exportReport()).toEqual(report);
    expect(fake.inputsOf('tournaments:export')).toEqual([{ tournament_id: 't1' }]);
    fake.fail('tournaments:export', 'storage_error', 'The data folder could not be read.');
    expect(await manager.exportReport()).toBeNull();
    expect(manager.error).toMatchObject({ code: 'storage_error' });
  });

  it('shows the tournament opened last even when an earlier one answers later', async () => {
    const { fake, manager } = setup();
    await fake.answerLastFirst('tournaments:get', [
      [() => manager.open('t1'), tournament('t1')],
      [() => manager.open('t2'), tournament('t2')],
    ]);
    expect(manager.current?.id).toBe('t2');
  });

  it('keeps the error of a tournament that could not be opened, and of a list that could not be read', async () => {
    const { fake, manager } = setup();
    fake.fail('tournaments:get', 'not_found', 'no such tournament');
    await manager.open('gone');
    expect(manager.error).toMatchObject({ code: 'not_found' });
    fake.fail('tournaments:list', 'storage_error', 'locked');
    await manager.loadList();
    expect(manager.listError).toMatchObject({ code: 'storage_error' });
  });

  it('stops following events when unsubscribed, and reset() forgets everything', async () => {
    const fake = new FakeApi();
    const manager = new TournamentManager(fake, () => NOW);
    const off = manager.listen();
    off();
    expect(fake.listenerCount('tournament:started')).toBe(0);
    fake.answer('tournaments:get', tournament('t1'));
    await manager.open('t1');
    manager.reset();
    expect(manager.current).toBeNull();
    expect(manager.list).toEqual([]);
  });
});
