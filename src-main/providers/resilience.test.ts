// The breaker on an injected clock: time moves by assignment, never by waiting.
import { describe, expect, it } from 'vitest';
import type { ProviderHealth } from '../../src-preload/contract/providers';
import { CancelledError, ProviderError } from '../errors';
import { ProviderResilience } from './resilience';

function setup(threshold = 3, cooldownMs = 30_000) {
  const clock = { ms: Date.parse('2026-12-01T09:00:00Z') };
  const changes: ProviderHealth[][] = [];
  const resilience = new ProviderResilience({
    now: () => new Date(clock.ms),
    failureThreshold: threshold,
    cooldownMs,
    redact: (text) => text.replace('sk-secret-1234', '[redacted]'),
    onChange: (health) => changes.push(health),
  });
  const fail = (error: unknown = new ProviderError('p', 'HTTP 500 sk-secret-1234', { retryable: true })) =>
    resilience.execute('p', 1000, () => Promise.reject(error)).catch((e: unknown) => e);
  const succeed = () => resilience.execute('p', 1000, () => Promise.resolve('ok'));
  return { clock, changes, resilience, fail, succeed };
}

describe('ProviderResilience breaker (injected clock)', () => {
  it('opens after the threshold of consecutive counted failures and refuses calls until the cool-down ends', async () => {
    const { clock, resilience, fail } = setup();
    for (let i = 0; i < 2; i++) await fail();
    expect(resilience.health('p')[0]).toMatchObject({ state: 'closed', failure_count: 2, retry_at: null });
    expect(resilience.isBlocked('p')).toBe(false);
    await fail();
    expect(resilience.health('p')[0]).toEqual({
      provider: 'p',
      state: 'open',
      failure_count: 3,
      last_error: { code: 'provider_error', message: 'HTTP 500 [redacted]', at: '2026-12-01T09:00:00.000Z' },
      retry_at: '2026-12-01T09:00:30.000Z',
    });
    expect(resilience.isBlocked('p')).toBe(true);
    let called = false;
    const refused = await resilience
      .execute('p', 1000, async () => {
        called = true;
      })
      .catch((e: unknown) => e);
    expect(refused).toMatchObject({ code: 'circuit_open', billing: 'none' });
    expect(called).toBe(false);
    clock.ms += 29_999;
    expect(resilience.isBlocked('p')).toBe(true);
    clock.ms += 1;
    expect(resilience.isBlocked('p')).toBe(false);
  });

  it('lets one probe through after the cool-down; its success closes the breaker and clears the count', async () => {
    const { clock, resilience, fail } = setup();
    for (let i = 0; i < 3; i++) await fail();
    clock.ms += 30_000;
    let release!: () => void;
    const probe = resilience.execute('p', 5000, () => new Promise<string>((r) => (release = () => r('back'))));
    // While the probe is out, the provider stays blocked and a second call is refused rather than piling on.
    expect(resilience.health('p')[0]).toMatchObject({ state: 'half_open', retry_at: null });
    expect(resilience.isBlocked('p')).toBe(true);
    await expect(resilience.execute('p', 1000, () => Promise.resolve('x'))).rejects.toMatchObject({
      code: 'circuit_open',
    });
    release();
    await expect(probe).resolves.toBe('back');
    expect(resilience.health('p')[0]).toMatchObject({ state: 'closed', failure_count: 0, retry_at: null });
  });

  it('a failed probe opens the breaker again for a full cool-down from the probe’s time', async () => {
    const { clock, resilience, fail } = setup();
    for (let i = 0; i < 3; i++) await fail();
    clock.ms += 45_000;
    await fail();
    expect(resilience.health('p')[0]).toMatchObject({
      state: 'open',
      failure_count: 4,
      retry_at: '2026-12-01T09:01:15.000Z',
    });
    clock.ms += 29_999;
    expect(resilience.isBlocked('p')).toBe(true);
  });

  it('a probe the writer cancels decides nothing: the next call probes again', async () => {
    const { clock, resilience, fail, succeed } = setup();
    for (let i = 0; i < 3; i++) await fail();
    clock.ms += 30_000;
    await fail(new CancelledError());
    expect(resilience.health('p')[0]).toMatchObject({ state: 'open', failure_count: 3 });
    expect(resilience.isBlocked('p')).toBe(false);
    await expect(succeed()).resolves.toBe('ok');
    expect(resilience.health('p')[0]).toMatchObject({ state: 'closed', failure_count: 0 });
  });

  it('failures that say nothing about the provider (a refused request of ours, a cancel) do not count', async () => {
    const { resilience, fail } = setup(2);
    for (let i = 0; i < 5; i++) {
      await fail(new ProviderError('p', 'HTTP 400', { retryable: false }));
      await fail(new CancelledError());
    }
    expect(resilience.health('p')[0]).toMatchObject({ state: 'closed', failure_count: 0, last_error: null });
  });

  it('a success in between resets the consecutive count', async () => {
    const { resilience, fail, succeed } = setup(3);
    await fail();
    await fail();
    await succeed();
    await fail();
    await fail();
    expect(resilience.health('p')[0]).toMatchObject({ state: 'closed', failure_count: 2 });
  });

  it('a timeout fires the call’s signal, counts, and is a TimeoutError', async () => {
    const { resilience } = setup(1);
    let aborted = false;
    const error = await resilience
      .execute('p', 20, (signal) => {
        // A call that hangs: it hears the abort but never settles.
        signal.addEventListener('abort', () => (aborted = true));
        return new Promise(() => {});
      })
      .catch((e: unknown) => e);
    expect(aborted).toBe(true);
    expect(error).toMatchObject({ code: 'timeout' });
    expect(resilience.health('p')[0]).toMatchObject({ state: 'open', last_error: { code: 'timeout' } });
  });

  it('reset closes a breaker by hand and reports every change', async () => {
    const { resilience, fail, changes } = setup(1);
    await fail();
    expect(changes.at(-1)).toMatchObject([{ provider: 'p', state: 'open' }]);
    expect(resilience.reset('p')).toEqual([]);
    expect(resilience.isBlocked('p')).toBe(false);
    expect(resilience.health('p')[0]).toMatchObject({ state: 'closed', failure_count: 0 });
  });

  it("stops what a failed call left running through its signal, and leaves a returned call's signal alone", async () => {
    const { resilience } = setup();
    let returned: AbortSignal | undefined;
    await resilience.execute('p', 1000, (signal) => {
      returned = signal;
      return Promise.resolve('ok');
    });
    // Aborting a finished call's signal costs an exception object and the HTTP client's abort work on every call.
    expect(returned?.aborted).toBe(false);
    let failed: AbortSignal | undefined;
    await resilience
      .execute('p', 1000, (signal) => {
        failed = signal;
        return Promise.reject(new ProviderError('p', 'HTTP 500', { retryable: true }));
      })
      .catch(() => undefined);
    expect(failed?.aborted).toBe(true);
  });
});

describe('what a paused or slow provider is called', () => {
  it("names a writer's endpoint and a built-in provider as the writer knows them, never by their ids", async () => {
    const { resilience } = setup(1);
    const slow = (await resilience
      .execute('endpoint:atlas', 1000, () => new Promise(() => {}))
      .catch((e: unknown) => e)) as Error;
    expect(slow).toMatchObject({ code: 'timeout' });
    expect(slow.message).toBe(
      'Your endpoint “atlas” took longer than 1 s to answer (the “Cloud call timeout” in Settings → Runs).',
    );
    // What the keys and endpoints screens show as "Paused after errors: …" is that same text.
    expect(resilience.health('endpoint:atlas')[0]?.last_error?.message).toBe(slow.message);
    const paused = (await resilience
      .execute('endpoint:atlas', 1000, () => Promise.resolve('never'))
      .catch((e: unknown) => e)) as Error;
    expect(paused).toMatchObject({ code: 'circuit_open', advised: true });
    expect(paused.message).toBe(
      'Quire paused your endpoint “atlas” after repeated errors and tries it again in about 30 s. Try again then, or pick another model.',
    );
    await resilience.execute('openai', 1000, () => Promise.reject(new ProviderError('openai', 'x'))).catch(() => 0);
    const openai = (await resilience
      .execute('openai', 1000, () => Promise.resolve(1))
      .catch((e: unknown) => e)) as Error;
    expect(openai.message).toMatch(/^Quire paused OpenAI after repeated errors/);
    expect(openai.message).not.toMatch(/endpoint:|openai/);
  });
});
