import { describe, expect, it } from 'vitest';
import { flushSync } from 'svelte';
import { deferred } from '../../../test/renderer/deferred';
import { ApiError } from './api/client';
import { action, resource } from './resource.svelte';

/** A resource whose first load waits for answers[0], its second for answers[1]. */
function answeredByHand() {
  const answers = [deferred<string>(), deferred<string>()];
  let asked = 0;
  return { answers, value: resource(() => answers[asked++]!.promise, '') };
}

const refused = new ApiError({ code: 'unavailable', message: 'host down', retryable: true });

/** A fetch answering `answer` until the test says the host is down. */
function host<T>(answer: T) {
  const state = { down: false };
  const fetch = async (): Promise<T> => {
    if (state.down) throw refused;
    return answer;
  };
  return { state, fetch };
}

describe('resource', () => {
  it('shows the answer, marks it loaded and keeps the very object (a raw snapshot, not a deep proxy)', async () => {
    const answer = { items: [1, 2] };
    const value = resource(async () => answer, null as typeof answer | null);
    expect(value.loaded).toBe(false);
    const loading = value.load();
    expect(value.loading).toBe(true);
    await expect(loading).resolves.toBe(true);
    expect(value.value).toBe(answer);
    expect(value.loaded).toBe(true);
    expect(value.loading).toBe(false);
    expect(value.error).toBeNull();
  });

  it('keeps the last answer and records the error when a load fails; the next answer clears it', async () => {
    const { state, fetch } = host('fresh');
    const value = resource(fetch, 'initial');
    await value.load();
    state.down = true;
    await expect(value.load()).resolves.toBe(false);
    expect(value.value).toBe('fresh');
    expect(value.error).toEqual(refused.info);
    state.down = false;
    await value.load();
    expect(value.error).toBeNull();
  });

  it('with clearOnError, a failed load shows the initial value again', async () => {
    const { state, fetch } = host<string | null>('answer');
    const value = resource(fetch, null, { clearOnError: true });
    await value.load();
    state.down = true;
    await value.load();
    expect(value.value).toBeNull();
  });

  it('never lets an earlier, slower answer overwrite a later one', async () => {
    const { answers, value } = answeredByHand();
    const first = value.load();
    const second = value.load();
    answers[1]!.resolve('second');
    await expect(second).resolves.toBe(true);
    answers[0]!.resolve('first');
    await expect(first).resolves.toBe(false);
    expect(value.value).toBe('second');
    expect(value.loading).toBe(false);
  });

  it('drops an earlier failure that lands after a later answer', async () => {
    const { answers, value } = answeredByHand();
    const first = value.load();
    const second = value.load();
    answers[1]!.resolve('second');
    answers[0]!.reject(refused);
    await Promise.all([first, second]);
    expect(value.error).toBeNull();
    expect(value.value).toBe('second');
  });

  it('stays loading until the newest load lands, and a superseded load resolves only after it', async () => {
    const { answers, value } = answeredByHand();
    const first = value.load();
    void value.load();
    let firstDone = false;
    void first.then(() => (firstDone = true));
    answers[0]!.resolve('first');
    await Promise.resolve();
    await Promise.resolve();
    expect(value.loading).toBe(true);
    expect(value.value).toBe('');
    expect(firstDone).toBe(false);
    answers[1]!.resolve('second');
    await expect(first).resolves.toBe(false);
    // After awaiting any load, the newest answer is what is shown.
    expect(value.value).toBe('second');
  });

  it('set() shows a pushed value at once and drops loads already in flight', async () => {
    const answer = deferred<string>();
    const value = resource(() => answer.promise, '');
    const loading = value.load();
    value.set('pushed');
    expect(value.value).toBe('pushed');
    expect(value.loading).toBe(false);
    answer.resolve('stale');
    await expect(loading).resolves.toBe(false);
    expect(value.value).toBe('pushed');
  });

  it('update() patches what is shown, and a load in flight still lands over it', async () => {
    const answer = deferred<number[]>();
    const value = resource(() => answer.promise, [1]);
    const loading = value.load();
    value.update((list) => [...list, 2]);
    expect(value.value).toEqual([1, 2]);
    answer.resolve([7]);
    await loading;
    expect(value.value).toEqual([7]);
  });

  it('apply() shows an action’s reply in order with loads, and throws its failure without touching the error', async () => {
    const answer = deferred<string>();
    const value = resource(() => answer.promise, 'initial');
    const loading = value.load();
    await expect(value.apply(async () => 'saved')).resolves.toBe(true);
    answer.resolve('older load');
    await loading;
    expect(value.value).toBe('saved');
    await expect(value.apply(async () => Promise.reject(refused))).rejects.toBe(refused);
    expect(value.value).toBe('saved');
    expect(value.error).toBeNull();
  });

  it('loadOrThrow() fetches like load() but hands the failure to the caller', async () => {
    const { state, fetch } = host('ok');
    const value = resource(fetch, '');
    await expect(value.loadOrThrow()).resolves.toBe(true);
    state.down = true;
    await expect(value.loadOrThrow()).rejects.toBe(refused);
    expect(value.value).toBe('ok');
    expect(value.error).toBeNull();
  });

  it('passes load() arguments to the fetch', async () => {
    const value = resource(async (month: string) => `spend for ${month}`, '');
    await value.load('2026-03');
    expect(value.value).toBe('spend for 2026-03');
  });

  it('reset() goes back to the initial value and drops answers in flight', async () => {
    const answer = deferred<string>();
    const value = resource(() => answer.promise, 'initial');
    value.set('shown');
    const loading = value.load();
    value.reset();
    answer.resolve('late');
    await loading;
    expect(value.value).toBe('initial');
    expect(value.loaded).toBe(false);
    expect(value.loading).toBe(false);
  });

  it('is reactive: effects see every change of value, error and loading', async () => {
    const { state, fetch } = host('answer');
    const value = resource(fetch, 'initial');
    const seen: string[] = [];
    const stop = $effect.root(() => {
      $effect(() => {
        seen.push(`${value.value}|${value.error?.code ?? '-'}|${value.loading}`);
      });
    });
    flushSync();
    const loading = value.load();
    flushSync();
    await loading;
    flushSync();
    state.down = true;
    const failing = value.load();
    flushSync();
    await failing;
    flushSync();
    stop();
    expect(seen).toEqual([
      'initial|-|false',
      'initial|-|true',
      'answer|-|false',
      'answer|-|true',
      'answer|unavailable|false',
    ]);
  });
});

describe('action', () => {
  it('is busy while the change runs, answers true, and false with the reason when it throws', async () => {
    const change = action();
    const answer = deferred<string>();
    const running = change.run(() => answer.promise);
    expect(change.busy).toBe(true);
    answer.resolve('saved');
    await expect(running).resolves.toBe(true);
    expect(change.busy).toBe(false);
    await expect(change.run(async () => Promise.reject(refused))).resolves.toBe(false);
    expect(change.error).toEqual(refused.info);
    expect(change.busy).toBe(false);
  });

  it('answers false, with no error, for a change that answered false itself (a superseded reply)', async () => {
    const change = action();
    await expect(change.run(async () => false)).resolves.toBe(false);
    expect(change.error).toBeNull();
  });

  it('by default drops the last failure as soon as the next attempt starts', async () => {
    const change = action();
    await change.run(async () => Promise.reject(refused));
    const answer = deferred<void>();
    const retry = change.run(() => answer.promise);
    expect(change.error).toBeNull();
    answer.resolve();
    await retry;
  });

  it('with on-success keeps the last failure on screen until an attempt succeeds', async () => {
    const change = action({ clearError: 'on-success' });
    await change.run(async () => Promise.reject(refused));
    const answer = deferred<void>();
    const retry = change.run(() => answer.promise);
    expect(change.error).toEqual(refused.info);
    answer.resolve();
    await retry;
    expect(change.error).toBeNull();
  });

  it('report() shows a failure found elsewhere; reset() clears it', () => {
    const change = action();
    change.report(refused.info);
    expect(change.error).toEqual(refused.info);
    change.reset();
    expect(change.error).toBeNull();
    expect(change.busy).toBe(false);
  });
});
