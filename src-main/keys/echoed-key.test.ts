// A key echoed by a model or by an error body (issue 14, item 5): the stored run, the pushed events (SSE, IPC) and
// providers:health never carry it, in plain text or encoded.
import { describe, expect, it, vi } from 'vitest';
import type { PushedEvent } from '../../src-preload/contract';
import { TASK, useExecutionHarness } from '../../test/support/execution-harness';

const harness = useExecutionHarness();
const KEY = 'sk-echo-Z9y8X7w6V5u4T3s2R1q0PpOoNn';
const b64 = (text: string) => Buffer.from(text).toString('base64');

describe('a key echoed back', () => {
  it("never reaches a run record or a pushed event when a model's answer echoes it", async () => {
    const h = await harness.host();
    await h.endpoint('echo', [{ id: 'parrot', quality: 9, input_usd_per_mtok: 1, output_usd_per_mtok: 1 }], {
      api_key: KEY,
    });
    harness.server().script('parrot', { text: `Your key is ${KEY} (base64 ${b64(KEY)}). The end.` });
    const events: PushedEvent[] = [];
    h.app.events.subscribe((event) => events.push(event));
    const reply = await h.call('runs:start', { task: TASK, input: 'What is my key?', stream: true });
    expect(reply.body.ok).toBe(true);
    const stored = await h.call('runs:get', { run_id: reply.body.value.run_id });
    for (const text of [JSON.stringify(reply.body), JSON.stringify(stored.body), JSON.stringify(events)]) {
      expect(text).not.toContain(KEY);
      expect(text).not.toContain(b64(KEY));
    }
    expect(stored.body.value.text).toMatch(/Your key is \[redacted\].*The end\./);
  });

  it('never reaches the stored run when the writer stops it after the model echoed it', async () => {
    const h = await harness.host();
    await h.endpoint('echo', [{ id: 'parrot', quality: 9, input_usd_per_mtok: 1, output_usd_per_mtok: 1 }], {
      api_key: KEY,
    });
    harness.server().script('parrot', {
      text: `Your key is ${KEY} and then more words`,
      faults: [{ kind: 'stall', afterTokens: 5 }],
    });
    const streamed: string[] = [];
    h.app.events.subscribe((event) => {
      if (event.name === 'run:token') streamed.push(event.payload.text);
    });
    const started = h.call('runs:start', { task: TASK, input: 'What is my key?', stream: true });
    await vi.waitUntil(() => streamed.join('').includes('and'));
    const runId = (await vi.waitUntil(() => h.app.services.runs.list({ limit: 1 })[0]))!.run_id;
    await h.call('runs:cancel', { run_id: runId });
    expect((await started).body.error.code).toBe('cancelled');
    const stored = (await h.call('runs:get', { run_id: runId })).body.value;
    expect(stored.status).toBe('cancelled');
    expect(stored.text).toContain('Your key is [redacted]');
    expect(JSON.stringify(stored)).not.toContain(KEY);
  });

  // A custom endpoint takes any key its server expects: a gateway's JWT has dots, which end a word.
  it.each([
    ['a provider-shaped key', KEY],
    ['a JWT', 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ3cml0ZXIifQ.c2lnbmF0dXJlMTIz'],
  ])('never reaches the live token stream when %s arrives split across tokens', async (_what, key) => {
    const h = await harness.host();
    await h.endpoint('echo', [{ id: 'parrot', quality: 9, input_usd_per_mtok: 1, output_usd_per_mtok: 1 }], {
      api_key: key,
    });
    // A JSON answer streams in 8-character pieces: the key is cut across several tokens.
    harness.server().script('parrot', { json: { note: `Your key is ${key} and the end.` } });
    const streamed: string[] = [];
    h.app.events.subscribe((event) => {
      if (event.name === 'run:token') streamed.push(event.payload.text);
    });
    const reply = await h.call('runs:start', { task: TASK, input: 'What is my key?', stream: true });
    expect(reply.body.ok).toBe(true);
    expect(streamed.length).toBeGreaterThan(1);
    expect(streamed.join('')).not.toContain(key);
    expect(streamed.join('')).toContain('Your key is [redacted] and the end.');
  });

  it('never reaches providers:health when an error body echoes it URL-encoded or JSON-escaped', async () => {
    const h = await harness.host();
    await h.endpoint('echo', [{ id: 'grumpy', quality: 9, input_usd_per_mtok: 1, output_usd_per_mtok: 1 }], {
      api_key: KEY,
    });
    const escaped = KEY.replace(/-/g, '\\u002d');
    harness.server().script('grumpy', {
      alwaysFault: { kind: 'status', status: 500, message: `bad key ${encodeURIComponent(`k=${KEY}`)} / ${escaped}` },
    });
    const reply = await h.call('runs:start', { task: TASK, input: 'x' });
    expect(reply.body.ok).toBe(false);
    const health = await h.call('providers:health');
    for (const text of [JSON.stringify(reply.body), JSON.stringify(health.body)]) {
      expect(text).not.toContain(encodeURIComponent(`k=${KEY}`));
      expect(text).not.toContain(KEY.slice(8));
    }
  });
});
