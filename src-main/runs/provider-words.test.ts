// What a run says when the model it needs cannot be used, in a writer's words: the provider by its name (never
// "endpoint:atlas"), the actual reason, and the one step that fixes it, marked advised so no general step is added.
import { describe, expect, it } from 'vitest';
import { TASK, endpointModel, type ExecutionHost, useExecutionHarness } from '../../test/support/execution-harness';

const harness = useExecutionHarness();

/** The run as stored, whole (a failed run's is not in runs:start's answer). */
async function lastRun(host: ExecutionHost) {
  const { run_id } = (await host.call('runs:list', { limit: 1 })).body.value.runs[0];
  return (await host.call('runs:get', { run_id })).body.value;
}

describe('a picked model that cannot be used says why and what to do', () => {
  it('a cloud model without its key: add the key, in Settings', async () => {
    const h = await harness.host();
    const { body } = await h.call('runs:start', { task: TASK, input: 'Mara walked.', model: 'gpt-5.5' });
    expect(body.error).toEqual({
      code: 'unavailable',
      message:
        'The model you picked, GPT-5.5, cannot run: Quire has no OpenAI key. Add an OpenAI key in Settings → AI Intelligence.',
      retryable: false,
      advised: true,
    });
  });

  it("a model whose provider Quire paused after errors: when it is tried again, never the provider's id", async () => {
    const h = await harness.host({ execution: { failureThreshold: 1, maxRetries: 0, firstTokenTimeoutMs: 10_000 } });
    await h.endpoint('atlas', [endpointModel('m', 9)]);
    harness.server().script('m', { alwaysFault: { kind: 'status', status: 500, message: 'boom' } });
    await h.call('runs:start', { task: TASK, input: 'Mara walked.', model: 'atlas/m' });
    const { body } = await h.call('runs:start', { task: TASK, input: 'Mara walked again.', model: 'atlas/m' });
    expect(body.error).toMatchObject({ code: 'unavailable', advised: true });
    expect(body.error.message).toBe(
      'The model you picked, m (atlas), cannot run right now: Quire paused your endpoint “atlas” after repeated errors. ' +
        'It tries it again within a minute: run this again then, or pick another model.',
    );
  });
});

describe('a run its provider refused', () => {
  it('a refused key says so in words, with the step, and the run says where it is fixed', async () => {
    const h = await harness.host();
    await h.endpoint('atlas', [endpointModel('m', 9)]);
    harness.server().script('m', { alwaysFault: { kind: 'status', status: 401, message: 'Incorrect API key' } });
    const { body } = await h.call('runs:start', { task: TASK, input: 'Mara walked.', model: 'atlas/m' });
    expect(body.error).toEqual({
      code: 'provider_error',
      message:
        'Your endpoint “atlas” refused the API key Quire has for it: it may be mistyped, revoked or expired. Check ' +
        'the key for your endpoint “atlas” in Settings → AI Intelligence, or pick another model.',
      retryable: false,
      advised: true,
      fix_in: 'settings',
    });
  });
});

describe('a fallback on a provider paused during the run', () => {
  it('is skipped with the provider named as the writer knows it and when it is tried again', async () => {
    const h = await harness.host({ execution: { failureThreshold: 1, maxRetries: 0, firstTokenTimeoutMs: 10_000 } });
    await h.endpoint('atlas', [endpointModel('m1', 9), endpointModel('m2', 8.9)]);
    for (const m of ['m1', 'm2'])
      harness.server().script(m, { alwaysFault: { kind: 'status', status: 500, message: 'boom' } });
    await h.call('runs:start', { task: TASK, input: 'Mara walked.' });
    const run = await lastRun(h);
    const skipped = run.attempts.find((a: { outcome: string }) => a.outcome === 'skipped');
    expect(skipped?.error).toEqual({
      code: 'circuit_open',
      message:
        'Quire paused your endpoint “atlas” after repeated errors and tries it again in about 30 s. Try again then, or pick another model.',
    });
  });
});
