import { describe, expect, it } from 'vitest';
import type { PushedEvent } from '../../src-preload/contract';
import { WorkTracker } from './work-tracker';

const event = (name: string, payload: unknown) => ({ name, payload }) as PushedEvent;

describe('WorkTracker', () => {
  it('counts runs from started until completed or failed', () => {
    const tracker = new WorkTracker();
    tracker.observe(event('run:started', { run_id: 'r1' }));
    tracker.observe(event('run:started', { run_id: 'r2' }));
    tracker.observe(event('run:token', { run_id: 'r1', text: 'x' }));
    expect(tracker.counts()).toEqual({ runs: 2, tournaments: 0, downloads: 0 });
    tracker.observe(event('run:completed', { run_id: 'r1' }));
    tracker.observe(event('run:failed', { run_id: 'r2', error: {}, record: {} }));
    expect(tracker.counts()).toEqual({ runs: 0, tournaments: 0, downloads: 0 });
  });

  it('counts a download once however many progress events it sends, until done or failed', () => {
    const tracker = new WorkTracker();
    for (const received of [1, 2, 3]) tracker.observe(event('download:progress', { id: 'd1', received }));
    tracker.observe(event('download:progress', { id: 'd2', received: 1 }));
    expect(tracker.counts().downloads).toBe(2);
    tracker.observe(event('download:done', { id: 'd1' }));
    tracker.observe(event('download:failed', { id: 'd2' }));
    expect(tracker.counts().downloads).toBe(0);
  });

  it('stops counting a download that was paused or cancelled (no event says so)', () => {
    const active = new Set(['d1', 'd2']);
    const tracker = new WorkTracker((id) => active.has(id));
    tracker.observe(event('download:progress', { id: 'd1', received: 1 }));
    tracker.observe(event('download:progress', { id: 'd2', received: 1 }));
    expect(tracker.counts().downloads).toBe(2);
    active.delete('d2');
    expect(tracker.counts().downloads).toBe(1);
    expect(tracker.quitQuestion()?.message).toBe('Quit while 1 model download is in progress?');
  });

  it('ignores an end it never saw start, and a duplicate end', () => {
    const tracker = new WorkTracker();
    tracker.observe(event('run:completed', { run_id: 'ghost' }));
    tracker.observe(event('run:started', { run_id: 'r1' }));
    tracker.observe(event('run:completed', { run_id: 'r1' }));
    tracker.observe(event('run:completed', { run_id: 'r1' }));
    expect(tracker.counts()).toEqual({ runs: 0, tournaments: 0, downloads: 0 });
  });

  it('asks before quitting only while something is in progress, and says what', () => {
    const tracker = new WorkTracker();
    expect(tracker.quitQuestion()).toBeNull();
    tracker.observe(event('run:started', { run_id: 'r1' }));
    expect(tracker.quitQuestion()?.message).toBe('Quit while 1 run is in progress?');
    tracker.observe(event('download:progress', { id: 'd1' }));
    tracker.observe(event('download:progress', { id: 'd2' }));
    expect(tracker.quitQuestion()?.message).toBe('Quit while 1 run and 2 model downloads are in progress?');
    tracker.observe(event('tournament:started', { tournament_id: 't1', task: 'line_edit' }));
    expect(tracker.quitQuestion()?.message).toBe(
      'Quit while 1 run, 1 tournament and 2 model downloads are in progress?',
    );
    tracker.observe(event('run:completed', { run_id: 'r1' }));
    tracker.observe(event('tournament:completed', { tournament_id: 't1', status: 'failed' }));
    tracker.observe(event('download:done', { id: 'd1' }));
    tracker.observe(event('download:done', { id: 'd2' }));
    expect(tracker.quitQuestion()).toBeNull();
  });
});
