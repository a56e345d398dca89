// Deadlines that fit the work (issue 15.3): a slow but working model is not failed over, the deadline grows with the
// input and learns each model's pace, and a refused connection fails over at once without a retry.
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { TASK, useExecutionHarness } from '../../test/support/execution-harness';
import { ManualTimer } from '../../test/support/manual-timer';
import { FirstTokenDeadlines, PRIOR } from './first-token-deadline';
import { estimateInputTokens } from './run-request';

const harness = useExecutionHarness();
const price = { input_usd_per_mtok: 2, output_usd_per_mtok: 10 };

/** A chapter of about `tokens` tokens by Quire's own estimate. */
function chapter(tokens: number): string {
  const sentence = 'The harbour master counted the boats twice before the storm came in off the grey water. ';
  let text = '';
  while (estimateInputTokens([{ content: text }]) < tokens) text += sentence.repeat(50);
  return text;
}

/** A port nothing listens on: bound, then closed. */
async function deadPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('first-token deadlines', () => {
  it('scale with the input, never go below the floor, and learn the model’s own pace', () => {
    let floor = 4_000;
    const deadlines = new FirstTokenDeadlines(() => floor);
    expect(deadlines.deadlineMs('m', 50)).toBe(4_000);
    const big = deadlines.deadlineMs('m', 12_000);
    expect(big).toBeGreaterThan(6_000 * 2);
    expect(deadlines.deadlineMs('m', 12_000, { reasoning: true })).toBe(big * PRIOR.reasoningFactor);
    // A local model reads on this machine's CPU: a far longer prior for the same input.
    expect(deadlines.deadlineMs('l', 800, { local: true })).toBeGreaterThan(deadlines.deadlineMs('m', 800) * 4);
    // A model seen slower than the prior gets proportionally longer; others are unaffected.
    deadlines.observe({ modelId: 'slow', inputTokens: 1_000, firstTokenMs: 8_000 });
    expect(deadlines.deadlineMs('slow', 1_000)).toBe(Math.ceil(PRIOR.headroom * 8_000));
    expect(deadlines.deadlineMs('m', 1_000)).toBe(Math.max(4_000, Math.ceil(PRIOR.headroom * 2_000)));
    // Old samples leave the window.
    for (let i = 0; i < PRIOR.window; i++)
      deadlines.observe({ modelId: 'slow', inputTokens: 1_000, firstTokenMs: 100 });
    expect(deadlines.deadlineMs('slow', 1_000)).toBe(4_000);
    floor = 9_000;
    expect(deadlines.deadlineMs('slow', 1_000)).toBe(9_000);
    // Images are sent first: their upload is added at a slow uplink's pace (12 MB of base64: 48 s more).
    expect(deadlines.deadlineMs('slow', 1_000, { uploadBytes: 12_000_000 })).toBe(9_000 + 48_000);
  });

  it('a 12,000-token request to a slow-but-working fake (first token at 6 s) completes without failover', async () => {
    const timer = new ManualTimer();
    // The settings' floor (4 s): the harness's own test floor is switched off.
    const h = await harness.host({ execution: { firstTokenTimeoutMs: undefined, timer } });
    expect(h.app.services.settings.get().runs.first_token_floor_s).toBe(4);
    await h.endpoint('main', [{ id: 'slow-reader', quality: 9.5, ...price }]);
    await h.endpoint('spare', [{ id: 'backup', quality: 9, ...price }]);
    let firstToken!: () => void;
    harness.server().script('slow-reader', {
      text: 'The storm arrives on Tuesday in chapter 3.',
      inputTokens: 12_000,
      firstTokenAfter: new Promise<void>((resolve) => (firstToken = resolve)),
    });
    harness.server().script('backup', { text: 'backup answer' });
    const input = chapter(12_000);
    const arrived = harness.server().nextRequest('slow-reader');
    const run = h.call('runs:start', { task: TASK, input });
    await arrived;
    // Six seconds pass with the headers in and no token yet: a fixed 4 s deadline would fail it over here.
    timer.advance(6_000);
    firstToken();
    const { body } = await run;
    expect(body.ok).toBe(true);
    expect(body.value).toMatchObject({ model_id: 'main/slow-reader', fallbacks: [], status: 'completed' });
    expect(body.value.attempts).toHaveLength(1);
    expect(harness.server().requests.map((r) => r.model)).toEqual(['slow-reader']);
    expect(body.value.attempts[0].input_tokens).toBeGreaterThanOrEqual(12_000);
  });

  it('a silent model is still failed over once its input-sized deadline passes', async () => {
    const timer = new ManualTimer();
    const h = await harness.host({ execution: { firstTokenTimeoutMs: undefined, timer } });
    await h.endpoint('main', [{ id: 'mute', quality: 9.5, ...price }]);
    await h.endpoint('spare', [{ id: 'backup', quality: 9, ...price }]);
    harness.server().script('mute', { text: 'never', firstTokenAfter: new Promise<void>(() => {}) });
    harness.server().script('backup', { json: { findings: [] } });
    const arrived = harness.server().nextRequest('mute');
    // A task read as findings: its quote holds a retry, so after the silent call's reservation is kept (usage
    // unknown) a backup as dear still fits it (a prose run's quote holds one call: run-bound.test.ts).
    const run = h.call('runs:start', { task: 'continuity_check', input: 'A short passage.' });
    await arrived;
    // The floor (4 s) or, with the task's instruction, a little more: 2.5 × (1.5 s + 0.5 s per 1,000 input tokens).
    timer.advance(3_999);
    expect(timer.armed).toBe(1);
    timer.advance(2_000);
    const { body } = await run;
    expect(body.value).toMatchObject({ model_id: 'spare/backup', fallbacks: ['spare/backup'] });
    expect(body.value.attempts[0]).toMatchObject({ outcome: 'failed', error: { code: 'timeout' } });
    expect(body.value.attempts[0].error.message).toMatch(/within [45](\.\d)? s/);
    // Where the writer sets it: a wait shorter than the "Cloud call timeout" beside it is no longer a mystery.
    expect(body.value.attempts[0].error.message).toMatch(/the “Wait for a first word” in Settings → Runs/);
  });

  it('a refused connection fails over at once and is not retried (connection attempts counted)', async () => {
    const port = await deadPort();
    const calls: string[] = [];
    const counting: typeof fetch = (input, init) => {
      calls.push(String(input instanceof Request ? input.url : input));
      return fetch(input, init);
    };
    // The SDKs would retry a connection error twice here; a refused one must not be.
    const h = await harness.host({ execution: { maxRetries: 2, fetch: counting } });
    const saved = await h.call('providers:save', {
      id: 'dead',
      kind: 'openai-compatible',
      base_url: `http://127.0.0.1:${port}/v1`,
      models: [
        { id: 'gone', quality: 9.5, ...price, strengths: ['narrative_continuity', 'creative_generation'] },
        { id: 'gone-too', quality: 9.4, ...price, strengths: ['narrative_continuity', 'creative_generation'] },
      ],
    });
    expect(saved.body.ok).toBe(true);
    await h.endpoint('spare', [{ id: 'backup', quality: 9, ...price }]);
    harness.server().script('backup', { text: 'backup answer' });
    calls.length = 0;
    const { body } = await h.call('runs:start', { task: TASK, input: 'go' });
    expect(body.value).toMatchObject({ model_id: 'spare/backup' });
    expect(body.value.attempts[0]).toMatchObject({ model_id: 'dead/gone', outcome: 'failed', cost_usd: 0 });
    expect(body.value.attempts[0].error.message).toMatch(/refused the connection/);
    // The same dead endpoint's other model is skipped, not called: one connection attempt in all.
    expect(body.value.attempts[1]).toMatchObject({ model_id: 'dead/gone-too', outcome: 'skipped' });
    expect(calls.filter((url) => url.includes(`:${port}/`))).toHaveLength(1);
  });
});
