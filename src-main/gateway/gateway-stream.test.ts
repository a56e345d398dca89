// Issue 13: a streamed answer's text reaches the app as it arrives; settling the call's charge never holds it. The
// provider sends its whole answer in one burst, and the disk is held while the settlement commits: the text is
// already at the client, and only the closing usage chunk waits for the charge to be on disk.
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gatewayApp } from '../../test/support/gateway-app';
import { startFakeLlmServer, type FakeLlmServer } from '../../test/support/fake-llm-server';
import { useTempDir } from '../../test/support/temp-dir';
import { cloudSpec } from '../../test/support/tournament-app';
import { heldDisk } from '../../test/support/held-disk';

const tempDir = useTempDir();
let fake: FakeLlmServer;
beforeAll(async () => {
  fake = await startFakeLlmServer({ port: 0 });
});
afterAll(() => fake.close());

describe('streaming through the gateway', () => {
  it('a provider that sends its whole answer in one burst: the text reaches the client while the settlement is not yet on disk; the usage chunk follows the charge', async () => {
    const d = heldDisk();
    const g = await gatewayApp({
      dataDir: tempDir(),
      fake,
      registry: [cloudSpec('burst-gpt', 'openai', 9, 8)],
      execution: { durableSync: d.sync },
    });
    try {
      let burst: () => void = () => undefined;
      fake.script('burst-gpt', {
        text: 'The door was blue.',
        inputTokens: 12,
        outputTokens: 5,
        firstTokenAfter: new Promise<void>((resolve) => (burst = resolve)),
      });
      const asked = fake.nextRequest('burst-gpt');
      // Headers go out with the first token, so the response is awaited after the burst.
      const responding = g.raw('/v1/chat/completions', {
        method: 'POST',
        headers: { authorization: `Bearer ${g.token()}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          model: 'burst-gpt',
          messages: [{ role: 'user', content: 'Was the door blue?' }],
          max_tokens: 50,
          stream: true,
          stream_options: { include_usage: true },
        }),
      });
      // The provider is asked only once the reservation is on disk; from here on the disk is held.
      await asked;
      d.hold();
      burst();
      const response = await responding;
      const reader = response.body!.getReader();
      const decoder = new TextDecoder();
      let seen = '';
      while (!seen.includes('blue.')) {
        const { value, done } = await reader.read();
        if (done) break;
        seen += decoder.decode(value, { stream: true });
      }
      const text = [...seen.matchAll(/"content":"([^"]*)"/g)].map((m) => m[1]).join('');
      expect(text).toBe('The door was blue.');
      // The settlement has committed and waits for the disk; the stream is still open, without its usage.
      expect(d.waiting).toBeGreaterThan(0);
      expect(seen).not.toContain('"usage"');
      expect(seen).not.toContain('[DONE]');

      d.release();
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        seen += decoder.decode(value, { stream: true });
      }
      expect(seen).toContain('[DONE]');
      const runId = response.headers.get('x-quire-run-id')!;
      expect(g.ledger(runId)).toEqual([
        { state: 'settled', charged_micros: expect.any(Number), input_tokens: 12, output_tokens: 5 },
      ]);
      expect(seen).toMatch(/"usage":\{"prompt_tokens":12,"completion_tokens":5/);
    } finally {
      d.release();
      await g.close();
    }
  });

  it("a JSON answer that needed its one repair: the stream carries the repaired answer alone, never the unreadable first one's text", async () => {
    fake.reset();
    const g = await gatewayApp({ dataDir: tempDir(), fake, registry: [cloudSpec('json-gpt', 'openai', 9, 8)] });
    try {
      fake.script('json-gpt', { replies: [{ text: 'Sure! here is your answer' }, { json: { title: 'The Keeper' } }] });
      const stream = await new OpenAI({ baseURL: g.baseUrl, apiKey: g.token(), maxRetries: 0 }).chat.completions.create(
        {
          model: 'json-gpt',
          messages: [{ role: 'user', content: 'A title, as JSON.' }],
          response_format: { type: 'json_object' },
          stream: true,
        },
      );
      let content = '';
      for await (const chunk of stream) content += chunk.choices[0]?.delta.content ?? '';
      expect(fake.requests).toHaveLength(2);
      expect(JSON.parse(content)).toEqual({ title: 'The Keeper' });
    } finally {
      await g.close();
    }
  });
});

describe('a model that fails after part of its answer was streamed to the app', () => {
  // Three cloud models, tried in order of quality: the first breaks its connection after two words, the second would
  // fail at once, the third would answer.
  const REGISTRY = [cloudSpec('cloud-gpt', 'openai', 9, 1), cloudSpec('cloud-claude', 'anthropic', 8, 20)];
  const chain = () => [...REGISTRY, cloudSpec('cloud-mini', 'openai', 7, 1)];
  const script = (gptFault: { kind: 'reset'; afterTokens: number } | { kind: 'status'; status: number }) => {
    fake.reset();
    fake.script('cloud-gpt', { text: 'one two three four five six', faults: [gptFault] });
    fake.script('cloud-claude', { text: 'claude answer here', faults: [{ kind: 'status', status: 500 }] });
    fake.script('cloud-mini', { text: 'mini answer here', inputTokens: 11, outputTokens: 6 });
  };
  const ask = { model: 'quire/auto', messages: [{ role: 'user' as const, content: 'Count.' }], max_tokens: 100 };

  it('openai client: the stream ends with the provider error and its charge, no other model asked or charged', async () => {
    const g = await gatewayApp({ dataDir: tempDir(), fake, registry: chain() });
    try {
      script({ kind: 'reset', afterTokens: 2 });
      const client = new OpenAI({ baseURL: g.baseUrl, apiKey: g.token(), maxRetries: 0 });
      const stream = await client.chat.completions.create({
        ...ask,
        stream: true,
        stream_options: { include_usage: true },
      });
      const pieces: string[] = [];
      const finishes: unknown[] = [];
      let id = '';
      const failed = await (async () => {
        for await (const chunk of stream) {
          id = chunk.id;
          pieces.push(chunk.choices[0]?.delta.content ?? '');
          if (chunk.choices[0]?.finish_reason) finishes.push(chunk.choices[0].finish_reason);
        }
      })().catch((e: unknown) => e);
      expect(pieces.join('')).toBe('one two ');
      expect(finishes).toEqual([]);
      expect(failed).toBeInstanceOf(OpenAI.APIError);
      const message = (failed as Error).message;
      expect(message).toMatch(/cut off mid-answer/);
      expect(message).not.toMatch(/cancel/i);
      expect(message).toMatch(/It was counted at \$0\.\d+/);
      expect(fake.requests.map((r) => r.model)).toEqual(['cloud-gpt']);
      const runId = id.replace(/^chatcmpl-/, '');
      expect(g.ledger(runId)).toHaveLength(1);
      expect(g.runs.get(runId)).toMatchObject({ status: 'failed', model_id: 'cloud-gpt', text: 'one two ' });
    } finally {
      await g.close();
    }
  });

  it('anthropic client: the stream ends with an error event, never end_turn, and only the first call is charged', async () => {
    const g = await gatewayApp({ dataDir: tempDir(), fake, registry: chain() });
    try {
      script({ kind: 'reset', afterTokens: 2 });
      const client = new Anthropic({ baseURL: g.baseUrl.replace(/\/v1$/, ''), apiKey: g.token(), maxRetries: 0 });
      const stream = client.messages.stream(ask);
      const pieces: string[] = [];
      const stops: unknown[] = [];
      let id = '';
      stream.on('text', (text) => pieces.push(text));
      stream.on('streamEvent', (event) => {
        if (event.type === 'message_start') id = event.message.id;
        if (event.type === 'message_delta') stops.push(event.delta.stop_reason);
      });
      const failed = await stream.finalMessage().catch((e: unknown) => e);
      expect(pieces.join('')).toBe('one two ');
      expect(stops).toEqual([]);
      expect(failed).toBeInstanceOf(Anthropic.APIError);
      const message = (failed as Error).message;
      expect(message).toMatch(/cut off mid-answer/);
      expect(message).not.toMatch(/cancel/i);
      expect(message).toMatch(/It was counted at \$0\.\d+/);
      expect(fake.requests.map((r) => r.model)).toEqual(['cloud-gpt']);
      expect(g.ledger(id.replace(/^msg_/, ''))).toHaveLength(1);
    } finally {
      await g.close();
    }
  });

  it("before any text went out, the run still falls back: the app gets the answering model's whole text", async () => {
    const g = await gatewayApp({ dataDir: tempDir(), fake, registry: chain() });
    try {
      const client = new OpenAI({ baseURL: g.baseUrl, apiKey: g.token(), maxRetries: 0 });
      for (const fault of [
        { kind: 'reset', afterTokens: 0 },
        { kind: 'status', status: 500 },
      ] as const) {
        script(fault);
        const stream = await client.chat.completions.create({ ...ask, stream: true });
        let text = '';
        let finish: unknown = null;
        for await (const chunk of stream) {
          text += chunk.choices[0]?.delta.content ?? '';
          finish = chunk.choices[0]?.finish_reason ?? finish;
        }
        expect(text, fault.kind).toBe('mini answer here');
        expect(finish, fault.kind).toBe('stop');
        // (Cloud Claude's second 500 in a row may pause its provider: it is then skipped, not asked.)
        expect(fake.requests.map((r) => r.model).filter((m) => m !== 'cloud-claude')).toEqual([
          'cloud-gpt',
          'cloud-mini',
        ]);
      }
    } finally {
      await g.close();
    }
  });
});
