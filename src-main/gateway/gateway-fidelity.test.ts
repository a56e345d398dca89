// What the gateway tells an app must be true to the run: an answer cut at its max tokens says so, stop sequences are
// passed to the model, a request feature Quire does not honour is refused before anything is spent, and a failed call that was charged is not one the app's
// SDK retries (each retry would be charged its worst case again). Checked with the real `openai` and
// `@anthropic-ai/sdk` clients against the loopback fake provider.
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import { useTwoCloudGateway, withGateway, type GatewayApp } from '../../test/support/gateway-app';

// One model per wire, nothing to fall back to: a failed call is that model's failure alone.
const { fake, open } = useTwoCloudGateway();

const openai = (g: GatewayApp, options: { maxRetries?: number } = {}) =>
  new OpenAI({ baseURL: g.baseUrl, apiKey: g.token(), maxRetries: 0, ...options });
const anthropic = (g: GatewayApp, options: { maxRetries?: number } = {}) =>
  new Anthropic({ baseURL: g.baseUrl.replace(/\/v1$/, ''), apiKey: g.token(), maxRetries: 0, ...options });

describe('an answer cut at its max tokens', () => {
  it('openai client, whole and streamed: finish_reason "length"', async () => {
    await withGateway(open(), async (g) => {
      const client = openai(g);
      fake().script('cloud-gpt', { text: 'The door was', truncated: true });
      const whole = await client.chat.completions.create({
        model: 'cloud-gpt',
        messages: [{ role: 'user', content: 'Describe the door.' }],
        max_tokens: 3,
      });
      expect(whole.choices[0]!.finish_reason).toBe('length');

      fake().script('cloud-gpt', { text: 'The door was', truncated: true });
      const stream = await client.chat.completions.create({
        model: 'cloud-gpt',
        messages: [{ role: 'user', content: 'Describe the door.' }],
        max_tokens: 3,
        stream: true,
      });
      const finishes: (string | null)[] = [];
      for await (const chunk of stream) {
        const finish = chunk.choices[0]?.finish_reason;
        if (finish) finishes.push(finish);
      }
      expect(finishes).toEqual(['length']);
    });
  });

  it('anthropic client, whole and streamed: stop_reason "max_tokens"', async () => {
    await withGateway(open(), async (g) => {
      const client = anthropic(g);
      fake().script('cloud-claude', { text: 'She left at', truncated: true });
      const whole = await client.messages.create({
        model: 'cloud-claude',
        max_tokens: 3,
        messages: [{ role: 'user', content: 'When did she leave?' }],
      });
      expect(whole.stop_reason).toBe('max_tokens');

      fake().script('cloud-claude', { text: 'She left at', truncated: true });
      const final = await client.messages
        .stream({ model: 'cloud-claude', max_tokens: 3, messages: [{ role: 'user', content: 'When?' }] })
        .finalMessage();
      expect(final.stop_reason).toBe('max_tokens');
    });
  });

  it('a whole answer still says it stopped on its own: "stop" and "end_turn"', async () => {
    await withGateway(open(), async (g) => {
      fake().script('cloud-gpt', { text: 'Blue.' });
      const completion = await openai(g).chat.completions.create({
        model: 'cloud-gpt',
        messages: [{ role: 'user', content: 'Colour?' }],
      });
      expect(completion.choices[0]!.finish_reason).toBe('stop');
      fake().script('cloud-claude', { text: 'Dawn.' });
      const final = await anthropic(g)
        .messages.stream({ model: 'cloud-claude', max_tokens: 30, messages: [{ role: 'user', content: 'When?' }] })
        .finalMessage();
      expect(final.stop_reason).toBe('end_turn');
    });
  });
});

describe("an answer the provider's content filter cut off partway", () => {
  it('says so as each API does: finish_reason "content_filter", stop_reason "refusal", whole and streamed', async () => {
    await withGateway(open(), async (g) => {
      const client = openai(g);
      fake().script('cloud-gpt', { text: 'Mara opened the letter and', filtered: true });
      const whole = await client.chat.completions.create({
        model: 'cloud-gpt',
        messages: [{ role: 'user', content: 'Go on.' }],
      });
      expect(whole.choices[0]!.message.content).toBe('Mara opened the letter and');
      expect(whole.choices[0]!.finish_reason).toBe('content_filter');
      fake().script('cloud-gpt', { text: 'Mara opened the letter and', filtered: true });
      const finishes: (string | null)[] = [];
      for await (const chunk of await client.chat.completions.create({
        model: 'cloud-gpt',
        messages: [{ role: 'user', content: 'Go on.' }],
        stream: true,
      }))
        if (chunk.choices[0]?.finish_reason) finishes.push(chunk.choices[0].finish_reason);
      expect(finishes).toEqual(['content_filter']);
      fake().script('cloud-claude', { text: 'She left at', filtered: true });
      const message = await anthropic(g).messages.create({
        model: 'cloud-claude',
        max_tokens: 30,
        messages: [{ role: 'user', content: 'When?' }],
      });
      expect(message.stop_reason).toBe('refusal');
      fake().script('cloud-claude', { text: 'She left at', filtered: true });
      const final = await anthropic(g)
        .messages.stream({ model: 'cloud-claude', max_tokens: 30, messages: [{ role: 'user', content: 'When?' }] })
        .finalMessage();
      expect(final.stop_reason).toBe('refusal');
    });
  });
});

const ledgerRows = (g: GatewayApp) => (g.db.prepare('SELECT COUNT(*) AS n FROM ledger').get() as { n: number }).n;

const TOOL = { type: 'function', function: { name: 'look', parameters: { type: 'object' } } };
const ANTHROPIC_TOOL = { name: 'look', input_schema: { type: 'object' } };

describe('a request feature the gateway does not honour', () => {
  const openaiRefused: [string, Record<string, unknown>][] = [
    ['tools', { tools: [TOOL] }],
    ['tool_choice', { tool_choice: 'required' }],
    ['functions', { functions: [TOOL.function] }],
    ['function_call', { function_call: { name: 'look' } }],
    ['logprobs', { logprobs: true }],
    ['top_logprobs', { top_logprobs: 3 }],
    // Token ids are one tokenizer's, and Quire may answer with another model's: a bias it cannot apply is refused.
    ['logit_bias', { logit_bias: { '50256': -100 } }],
    // An earlier turn's tool call, which the model would never see.
    [
      'messages.0.tool_calls',
      {
        messages: [
          {
            role: 'assistant',
            content: 'Looking.',
            tool_calls: [{ id: 't1', type: 'function', function: TOOL.function }],
          },
          { role: 'user', content: 'Describe the door.' },
        ],
      },
    ],
    [
      'messages.0.function_call',
      {
        messages: [
          { role: 'assistant', content: null, function_call: { name: 'look', arguments: '{}' } },
          { role: 'user', content: 'Describe the door.' },
        ],
      },
    ],
  ];
  it('openai client: each is a 400 naming the parameter, before anything is sent or charged', async () => {
    await withGateway(open(), async (g) => {
      const client = openai(g);
      for (const [param, extra] of openaiRefused) {
        const refused = await client.chat.completions
          .create({
            model: 'cloud-gpt',
            messages: [{ role: 'user', content: 'Describe the door.' }],
            ...extra,
          } as OpenAI.ChatCompletionCreateParamsNonStreaming)
          .catch((e: unknown) => e);
        expect(refused, param).toBeInstanceOf(OpenAI.BadRequestError);
        const error = refused as InstanceType<typeof OpenAI.BadRequestError>;
        expect(error.param, param).toBe(param);
        expect(error.message).toContain(`"${param}"`);
        expect(error.message).toMatch(/Quire's gateway does not support/);
      }
      expect(fake().requests).toEqual([]);
      expect(ledgerRows(g)).toBe(0);
    });
  });

  const anthropicRefused: [string, Record<string, unknown>][] = [
    ['tools', { tools: [ANTHROPIC_TOOL] }],
    ['tool_choice', { tool_choice: { type: 'any' } }],
    ['thinking', { thinking: { type: 'enabled', budget_tokens: 1024 } }],
  ];
  it('anthropic client: each is a 400 naming the parameter, before anything is sent or charged', async () => {
    await withGateway(open(), async (g) => {
      const client = anthropic(g);
      for (const [param, extra] of anthropicRefused) {
        const refused = await client.messages
          .create({
            model: 'cloud-claude',
            max_tokens: 2000,
            messages: [{ role: 'user', content: 'Describe the door.' }],
            ...extra,
          } as Anthropic.MessageCreateParamsNonStreaming)
          .catch((e: unknown) => e);
        expect(refused, param).toBeInstanceOf(Anthropic.BadRequestError);
        const error = refused as InstanceType<typeof Anthropic.BadRequestError>;
        expect(error.error).toMatchObject({ type: 'error', error: { type: 'invalid_request_error' } });
        const message = (error.error as { error: { message: string } }).error.message;
        expect(message).toContain(`"${param}"`);
        expect(message).toMatch(/Quire's gateway does not support/);
      }
      expect(fake().requests).toEqual([]);
      expect(ledgerRows(g)).toBe(0);
    });
  });

  it('stop sequences are passed to the model, whichever wire it speaks, and the answer ends before them', async () => {
    await withGateway(open(), async (g) => {
      const story = 'Rain fell all night. THE END Then the credits.';
      const asked = { messages: [{ role: 'user' as const, content: 'Tell it.' }], max_tokens: 200 };
      // The openai client, to the OpenAI-wire model (a list) and to the Anthropic-wire one (one string): whole.
      for (const [model, stop] of [
        ['cloud-gpt', ['THE END']],
        ['cloud-claude', 'THE END'],
      ] as const) {
        fake().script(model, { text: story });
        const whole = await openai(g).chat.completions.create({ model, ...asked, stop: stop as string | string[] });
        expect(whole.choices[0]!.message.content, model).toBe('Rain fell all night. ');
      }
      expect(fake().requests.map((r) => r.body.stop ?? r.body.stop_sequences)).toEqual([['THE END'], ['THE END']]);
      // The anthropic client, streamed.
      fake().script('cloud-claude', { text: story });
      const stream = anthropic(g).messages.stream({ model: 'cloud-claude', ...asked, stop_sequences: ['THE END'] });
      expect((await stream.finalMessage()).content).toEqual([{ type: 'text', text: 'Rain fell all night. ' }]);
      // Another set of stop sequences is another question: not answered from the run cache.
      fake().script('cloud-gpt', { text: story });
      const other = await openai(g).chat.completions.create({ model: 'cloud-gpt', ...asked, stop: 'Then' });
      expect(other.choices[0]!.message.content).toBe('Rain fell all night. THE END ');
    });
  });

  it('the inert defaults clients send pass: empty stop and tools, logprobs false, tool_choice "none", disabled thinking', async () => {
    await withGateway(open(), async (g) => {
      fake().script('cloud-gpt', { text: 'Blue.' });
      fake().script('cloud-claude', { text: 'Dawn.' });
      const inertOpenai: Record<string, unknown>[] = [
        { stop: null },
        { stop: [] },
        { tools: [] },
        { logprobs: false },
        { tool_choice: 'none' },
        { top_logprobs: null },
        { logit_bias: {} },
        { logit_bias: null },
        { functions: [] },
        { function_call: 'none' },
        {
          messages: [
            { role: 'assistant', content: 'Hello.', tool_calls: [] },
            { role: 'user', content: 'Colour?' },
          ],
        },
        // Extras a client sends that change nothing about the answer keep passing.
        { user: 'writer-1', seed: 7 },
      ];
      for (const extra of inertOpenai) {
        const completion = await openai(g).chat.completions.create({
          model: 'cloud-gpt',
          messages: [{ role: 'user', content: 'Colour?' }],
          ...extra,
        } as OpenAI.ChatCompletionCreateParamsNonStreaming);
        expect(completion.choices[0]!.message.content, JSON.stringify(extra)).toBe('Blue.');
      }
      const inertAnthropic: Record<string, unknown>[] = [
        { stop_sequences: [] },
        { tools: [] },
        { tool_choice: { type: 'none' } },
        { thinking: { type: 'disabled' } },
        { metadata: { user_id: 'writer-1' } },
      ];
      for (const extra of inertAnthropic) {
        const message = await anthropic(g).messages.create({
          model: 'cloud-claude',
          max_tokens: 30,
          messages: [{ role: 'user', content: 'When?' }],
          ...extra,
        } as Anthropic.MessageCreateParamsNonStreaming);
        expect(message.content, JSON.stringify(extra)).toEqual([{ type: 'text', text: 'Dawn.' }]);
      }
    });
  });
});

const charged = (g: GatewayApp) =>
  (g.db.prepare('SELECT COALESCE(SUM(charged_micros), 0) AS s FROM ledger').get() as { s: number }).s;

describe('a failed call that was charged', () => {
  // The SDKs' defaults (two retries): each retry would be a new call charged its worst case again.
  for (const kind of ['malformed_json', 'drop'] as const) {
    it(`openai client (default retries), provider fault ${kind}: one provider request, one charge, and the message says it`, async () => {
      await withGateway(open(), async (g) => {
        fake().script('cloud-gpt', { text: 'never read', alwaysFault: { kind } });
        const failed = await openai(g, { maxRetries: 2 })
          .chat.completions.create({ model: 'cloud-gpt', messages: [{ role: 'user', content: 'x' }], max_tokens: 50 })
          .catch((e: unknown) => e);
        expect(failed).toBeInstanceOf(OpenAI.APIError);
        const error = failed as InstanceType<typeof OpenAI.APIError>;
        expect(error.headers?.get('x-should-retry')).toBe('false');
        expect(fake().requests.filter((r) => r.model === 'cloud-gpt')).toHaveLength(1);
        expect(g.runs.list({})).toHaveLength(1);
        const cost = Number(error.headers?.get('x-quire-cost-usd'));
        expect(cost).toBeGreaterThan(0);
        expect(cost).toBeCloseTo(charged(g) / 1e6, 6);
        expect(error.message).toMatch(/It was counted at \$0\.\d+/);
      });
    });

    it(`anthropic client (default retries), provider fault ${kind}: one provider request, one charge`, async () => {
      await withGateway(open(), async (g) => {
        fake().script('cloud-claude', { text: 'never read', alwaysFault: { kind } });
        const failed = await anthropic(g, { maxRetries: 2 })
          .messages.create({ model: 'cloud-claude', max_tokens: 50, messages: [{ role: 'user', content: 'x' }] })
          .catch((e: unknown) => e);
        expect(failed).toBeInstanceOf(Anthropic.APIError);
        const error = failed as InstanceType<typeof Anthropic.APIError>;
        expect(error.headers?.get('x-should-retry')).toBe('false');
        expect(fake().requests.filter((r) => r.model === 'cloud-claude')).toHaveLength(1);
        expect(g.runs.list({})).toHaveLength(1);
        expect(charged(g)).toBeGreaterThan(0);
        expect((error.error as { error: { message: string } }).error.message).toMatch(/It was counted at \$0\.\d+/);
      });
    });
  }
});

describe('a connection cut mid-answer, streamed through the gateway', () => {
  it('the in-stream error says the connection was cut off and what the call was counted at', async () => {
    await withGateway(open(), async (g) => {
      fake().script('cloud-gpt', { text: 'a b c d e f', faults: [{ kind: 'reset', afterTokens: 2 }] });
      const stream = await openai(g).chat.completions.create({
        model: 'cloud-gpt',
        messages: [{ role: 'user', content: 'Count.' }],
        max_tokens: 50,
        stream: true,
      });
      const pieces: string[] = [];
      const failed = await (async () => {
        for await (const chunk of stream) pieces.push(chunk.choices[0]?.delta.content ?? '');
      })().catch((e: unknown) => e);
      expect(pieces.join('')).toBe('a b ');
      const message = (failed as Error).message;
      expect(message).toMatch(/was cut off mid-answer/);
      expect(message).not.toMatch(/terminated/);
      expect(charged(g)).toBeGreaterThan(0);
      expect(message).toContain(`It was counted at $`);
    });
  });
});

describe('a request with a field missing or of the wrong type', () => {
  const post = (g: GatewayApp, path: string, body: unknown) =>
    g.raw(path, {
      method: 'POST',
      headers: { authorization: `Bearer ${g.token()}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });

  it('says which field and what it must be, in plain words; nothing is charged', async () => {
    await withGateway(open(), async (g) => {
      const noMax = await post(g, '/v1/messages', {
        model: 'cloud-claude',
        messages: [{ role: 'user', content: 'x' }],
      });
      expect(noMax.status).toBe(400);
      expect(await noMax.json()).toEqual({
        type: 'error',
        error: {
          type: 'invalid_request_error',
          message:
            'max_tokens is required by the Messages API: say the most tokens the answer may use (for example 1024).',
        },
      });
      const hot = await post(g, '/v1/chat/completions', {
        model: 'cloud-gpt',
        messages: [{ role: 'user', content: 'x' }],
        temperature: 'hot',
      });
      expect(hot.status).toBe(400);
      expect(await hot.json()).toMatchObject({
        error: { message: 'temperature must be a number.', param: 'temperature' },
      });
      const noMessages = await post(g, '/v1/chat/completions', { model: 'cloud-gpt' });
      expect(((await noMessages.json()) as { error: { message: string } }).error.message).toBe(
        'messages is required: send the conversation as a list of messages.',
      );
      const badRole = await post(g, '/v1/chat/completions', {
        model: 'cloud-gpt',
        messages: [{ role: 'narrator', content: 'x' }],
      });
      const roleMessage = ((await badRole.json()) as { error: { message: string } }).error.message;
      expect(roleMessage).toMatch(/^messages\.0\.role must be one of "system", "developer", "user", "assistant"/);
      expect(ledgerRows(g)).toBe(0);
    });
  });

  it('a text part without its text, or with a number for it, names that field, never "text parts are unsupported"', async () => {
    await withGateway(open(), async (g) => {
      const errorOf = async (path: string, body: unknown) => {
        const reply = await post(g, path, body);
        expect(reply.status).toBe(400);
        return ((await reply.json()) as { error: { message: string; param?: string } }).error;
      };
      const numberText = await errorOf('/v1/chat/completions', {
        model: 'cloud-gpt',
        messages: [
          {
            role: 'user',
            content: [
              { type: 'text', text: 'a' },
              { type: 'text', text: 5 },
            ],
          },
        ],
      });
      expect(numberText).toMatchObject({
        message: 'messages.0.content.1.text must be a string: a text part carries its words in "text".',
        param: 'messages.0.content.1.text',
      });
      const noSystemText = await errorOf('/v1/messages', {
        model: 'cloud-claude',
        max_tokens: 10,
        system: [{ type: 'text' }],
        messages: [{ role: 'user', content: 'x' }],
      });
      expect(noSystemText.message).toBe('system.0.text is required: a text block carries its words in "text".');
      const nullText = await errorOf('/v1/messages', {
        model: 'cloud-claude',
        max_tokens: 10,
        messages: [{ role: 'user', content: [{ type: 'text', text: null }] }],
      });
      expect(nullText.message).toBe(
        'messages.0.content.0.text must be a string: a text block carries its words in "text".',
      );
      // A block of another kind is still refused as one Quire does not take.
      const document = await errorOf('/v1/messages', {
        model: 'cloud-claude',
        max_tokens: 10,
        messages: [{ role: 'user', content: [{ type: 'document', source: {} }] }],
      });
      expect(document.message).toBe('messages.0.content: only text and image blocks are supported, not "document".');
      expect(fake().requests).toHaveLength(0);
      expect(ledgerRows(g)).toBe(0);
    });
  });
});

describe("a request past a limit of Quire's runs", () => {
  const post = (g: GatewayApp, path: string, body: unknown) =>
    g.raw(path, {
      method: 'POST',
      headers: { authorization: `Bearer ${g.token()}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  const errorOf = async (reply: Response) => ({
    status: reply.status,
    ...((await reply.json()) as { error: { message: string; param?: string | null } }).error,
  });

  it("names the app's own field and the limit in plain words, never a run's field or zod's wording", async () => {
    await withGateway(open(), async (g) => {
      const user = (content: string) => [{ role: 'user', content }];
      const longStop = await errorOf(
        await post(g, '/v1/chat/completions', { model: 'cloud-gpt', messages: user('x'), stop: ['y'.repeat(250)] }),
      );
      expect(longStop).toMatchObject({
        status: 400,
        param: 'stop.0',
        message: 'stop.0 may be at most 200 characters long.',
      });
      const longStopSequence = await errorOf(
        await post(g, '/v1/messages', {
          model: 'cloud-claude',
          max_tokens: 10,
          messages: user('x'),
          stop_sequences: ['y'.repeat(250)],
        }),
      );
      expect(longStopSequence).toMatchObject({
        status: 400,
        message: 'stop_sequences.0 may be at most 200 characters long.',
      });
      const emptyPassage = await errorOf(
        await post(g, '/v1/chat/completions', { model: 'quire/line_edit', messages: user('') }),
      );
      expect(emptyPassage).toMatchObject({ status: 400, param: 'messages' });
      expect(emptyPassage.message).toMatch(/^The text for Line edit to work on \(the user message\) is empty/);
      const longRequest = await errorOf(
        await post(g, '/v1/chat/completions', {
          model: 'quire/line_edit',
          messages: [{ role: 'system', content: 'z'.repeat(20_001) }, ...user('She left.')],
        }),
      );
      expect(longRequest).toMatchObject({ status: 400, param: 'messages' });
      expect(longRequest.message).toMatch(/^The system message may be at most 20,000 characters long/);
      const longMessage = await errorOf(
        await post(g, '/v1/chat/completions', { model: 'cloud-gpt', messages: user('w'.repeat(2_000_001)) }),
      );
      expect(longMessage).toMatchObject({
        status: 400,
        param: 'messages.0.content',
        message: 'messages.0.content may be at most 2,000,000 characters long.',
      });
      const longSystem = await errorOf(
        await post(g, '/v1/messages', {
          model: 'cloud-claude',
          max_tokens: 10,
          system: 'w'.repeat(2_000_001),
          messages: user('x'),
        }),
      );
      expect(longSystem).toMatchObject({ status: 400, message: 'system may be at most 2,000,000 characters long.' });
      for (const error of [longStop, longStopSequence, emptyPassage, longRequest, longMessage, longSystem]) {
        expect(error.message).not.toMatch(/Too big|Too small|expected string|input|request:/);
      }
      expect(ledgerRows(g)).toBe(0);
    });
  });
});

describe('a "local models only" app asking for work only cloud models can do', () => {
  it("is refused for good (403, not retried), in plain words naming the app's setting", async () => {
    await withGateway(open(), async (g) => {
      const response = await g.raw('/v1/chat/completions', {
        method: 'POST',
        headers: {
          authorization: `Bearer ${g.token({ name: 'Scrivener', local_only: true })}`,
          'content-type': 'application/json',
        },
        body: JSON.stringify({ model: 'quire/auto', messages: [{ role: 'user', content: 'x' }] }),
      });
      expect(response.status).toBe(403);
      expect(response.headers.get('x-should-retry')).toBe('false');
      const message = ((await response.json()) as { error: { message: string } }).error.message;
      expect(message).toMatch(/^No local model is downloaded yet, so nothing on this machine can do /);
      expect(message).toMatch(/“local models only” setting/);
      expect(fake().requests).toEqual([]);
    });
  });
});
