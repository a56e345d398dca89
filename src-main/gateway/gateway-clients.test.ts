// Issue 13: the official `openai` and `@anthropic-ai/sdk` clients pointed at Quire's gateway. Cloud models answer from
// the loopback fake LLM server, the local one is node-llama-cpp on the generated tiny GGUF; every call is a Quire run
// whose usage in the response equals what the ledger settled, and whose spend shows under the app's name.
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { shippedTaskLibrary } from '../tasks/shipped-library';
import { describe, expect, it } from 'vitest';
import { tinyLlamaFixture } from '../../test/fixtures/tiny-llama';
import { gatewayApp, withGateway, type GatewayApp } from '../../test/support/gateway-app';
import { useTempDir } from '../../test/support/temp-dir';
import { useLocalFixture } from '../../test/support/use-local-fixture';
import { cloudSpec, localSpec } from '../../test/support/tournament-app';
import type { ChatMessage } from '../providers/spec';

const fixture = useLocalFixture();
const tempDir = useTempDir();

const REGISTRY = [
  cloudSpec('cloud-gpt', 'openai', 9, 8),
  cloudSpec('cloud-claude', 'anthropic', 8, 6),
  localSpec('tiny-local', 'tiny-fixture', 3),
];

async function open(): Promise<GatewayApp> {
  fixture.fake().reset();
  return gatewayApp({
    dataDir: tempDir(),
    fake: fixture.fake(),
    registry: REGISTRY,
    local: { llama: fixture.llama(), files: { 'tiny-fixture': tinyLlamaFixture() } },
    // Two cores shared with other work: a local first token may take longer than the default 4 s.
    execution: { firstTokenTimeoutMs: 60_000 },
  });
}

const runIdOf = (id: string) => id.replace(/^(chatcmpl-|msg_)/, '');

describe('a gateway call that failed after it was charged', () => {
  it('says what it cost, as a successful one does: x-quire-cost-usd equals the ledger, streamed or not', async () => {
    fixture.fake().reset();
    // One model, so the run has nothing to fall back to and fails with the kept charge.
    const alone = gatewayApp({ dataDir: tempDir(), fake: fixture.fake(), registry: [REGISTRY[0]!] });
    await withGateway(alone, async (g) => {
      const token = g.token({ name: 'Obsidian' });
      const headers = { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' };
      for (const stream of [false, true]) {
        // The provider takes the request and drops the connection: it may have billed, so the reservation is kept.
        fixture.fake().script('cloud-gpt', { text: 'never sent', faults: [{ kind: 'drop' }] });
        const failed = await g.raw('/v1/chat/completions', {
          method: 'POST',
          headers,
          body: JSON.stringify({
            model: 'cloud-gpt',
            messages: [{ role: 'user', content: 'x' }],
            max_tokens: 50,
            stream,
          }),
        });
        expect(failed.status, `stream: ${stream}`).toBeGreaterThanOrEqual(500);
        const runId = failed.headers.get('x-quire-run-id')!;
        const charged = g.ledger(runId).reduce((sum, row) => sum + (row.charged_micros ?? 0), 0);
        expect(charged).toBeGreaterThan(0);
        expect(Number(failed.headers.get('x-quire-cost-usd'))).toBeCloseTo(charged / 1e6, 6);
      }
    });
  });
});

describe('the openai client pointed at the gateway', () => {
  it('chat with a cloud model (loopback fake): usage in the response equals what the ledger settled, spend under the client name', async () => {
    await withGateway(open(), async (g) => {
      fixture.fake().script('cloud-gpt', { text: 'The door was blue.', inputTokens: 31, outputTokens: 7 });
      const client = new OpenAI({ baseURL: g.baseUrl, apiKey: g.token({ name: 'Obsidian' }), maxRetries: 0 });
      const completion = await client.chat.completions.create({
        model: 'cloud-gpt',
        messages: [
          { role: 'system', content: 'You check continuity.' },
          { role: 'user', content: 'Was the door blue?' },
        ],
        max_tokens: 50,
        temperature: 0.3,
      });
      expect(completion.choices[0]!.message.content).toBe('The door was blue.');
      expect(completion.model).toBe('cloud-gpt');
      expect(completion.usage).toMatchObject({ prompt_tokens: 31, completion_tokens: 7, total_tokens: 38 });
      const rows = g.ledger(runIdOf(completion.id));
      expect(rows).toEqual([
        { state: 'settled', charged_micros: expect.any(Number), input_tokens: 31, output_tokens: 7 },
      ]);
      expect(rows[0]!.charged_micros).toBeGreaterThan(0);
      const sent = fixture.fake().requests.at(-1)!;
      expect(sent.body).toMatchObject({ temperature: 0.3 });
      const run = g.runs.get(runIdOf(completion.id));
      expect(run).toMatchObject({ status: 'completed', model_id: 'cloud-gpt', input_tokens: 31, output_tokens: 7 });
      const month = g.app.services.ledger.monthOf(new Date());
      const byApp = await g.app.dispatcher.call('spend:by_app', { month }, { transport: 'internal' });
      expect(byApp).toMatchObject({ ok: true, value: { apps: [{ name: 'Obsidian', calls: 1, input_tokens: 31 }] } });
      const spent = (byApp as { value: { apps: { spend_usd: number }[] } }).value.apps[0]!.spend_usd;
      expect(spent).toBeCloseTo(rows[0]!.charged_micros! / 1e6, 6);
      expect(g.app.services.gateway.get().tokens[0]).toMatchObject({ name: 'Obsidian', spend_usd: spent });
      expect(g.app.services.gateway.get().tokens[0]!.last_used_at).not.toBeNull();
    });
  });

  it('streaming with stream_options.include_usage: the text in chunks, then a usage chunk equal to the ledger', async () => {
    await withGateway(open(), async (g) => {
      fixture.fake().script('cloud-gpt', { text: 'one two three four', inputTokens: 12, outputTokens: 4 });
      const client = new OpenAI({ baseURL: g.baseUrl, apiKey: g.token(), maxRetries: 0 });
      const stream = await client.chat.completions.create({
        model: 'cloud-gpt',
        messages: [{ role: 'user', content: 'Count.' }],
        stream: true,
        stream_options: { include_usage: true },
      });
      const pieces: string[] = [];
      let usage: OpenAI.CompletionUsage | undefined;
      let id = '';
      for await (const chunk of stream) {
        id = chunk.id;
        const text = chunk.choices[0]?.delta.content;
        if (text) pieces.push(text);
        if (chunk.usage) usage = chunk.usage;
      }
      expect(pieces.length).toBeGreaterThan(1);
      expect(pieces.join('')).toBe('one two three four');
      const rows = g.ledger(runIdOf(id));
      expect(rows).toMatchObject([{ state: 'settled', input_tokens: 12, output_tokens: 4 }]);
      expect(usage).toEqual({
        prompt_tokens: 12,
        completion_tokens: 4,
        total_tokens: 16,
        cost: rows[0]!.charged_micros! / 1e6,
      });
    });
  });

  it('JSON mode: json_object and json_schema answers parse, and the model was asked for JSON', async () => {
    await withGateway(open(), async (g) => {
      fixture.fake().script('cloud-gpt', { json: { contradictions: ['the door'] }, inputTokens: 20, outputTokens: 9 });
      const client = new OpenAI({ baseURL: g.baseUrl, apiKey: g.token(), maxRetries: 0 });
      const asObject = await client.chat.completions.create({
        model: 'cloud-gpt',
        messages: [{ role: 'user', content: 'List contradictions as JSON.' }],
        response_format: { type: 'json_object' },
      });
      expect(JSON.parse(asObject.choices[0]!.message.content!)).toEqual({ contradictions: ['the door'] });
      const schema = {
        type: 'object',
        properties: { contradictions: { type: 'array', items: { type: 'string' } } },
        required: ['contradictions'],
        additionalProperties: false,
      };
      const withSchema = await client.chat.completions.create({
        model: 'cloud-gpt',
        messages: [{ role: 'user', content: 'List contradictions.' }],
        response_format: { type: 'json_schema', json_schema: { name: 'findings', schema, strict: true } },
      });
      expect(JSON.parse(withSchema.choices[0]!.message.content!)).toEqual({ contradictions: ['the door'] });
      const sent = JSON.stringify(fixture.fake().requests.at(-1)!.body);
      expect(sent).toContain('findings');
      expect(withSchema.usage).toMatchObject({ prompt_tokens: 20, completion_tokens: 9 });
    });
  });

  it('a local model (generated tiny GGUF) answers at $0, recorded in the ledger with its token counts', async () => {
    await withGateway(open(), async (g) => {
      const client = new OpenAI({ baseURL: g.baseUrl, apiKey: g.token({ name: 'Scrivener' }), maxRetries: 0 });
      // Loaded first, as a writer's local model is: its first token then comes within the run's timeout.
      await g.app.services.local.load('tiny-fixture');
      const completion = await client.chat.completions.create({
        model: 'tiny-local',
        messages: [{ role: 'user', content: 'Mara came home.' }],
        max_completion_tokens: 6,
      });
      expect(completion.model).toBe('tiny-local');
      expect(completion.usage!.completion_tokens).toBeGreaterThan(0);
      const rows = g.ledger(runIdOf(completion.id));
      expect(rows).toEqual([
        {
          state: 'settled',
          charged_micros: 0,
          input_tokens: completion.usage!.prompt_tokens,
          output_tokens: completion.usage!.completion_tokens,
        },
      ]);
      expect(g.runs.get(runIdOf(completion.id)).cost_usd).toBe(0);
    });
  }, 120_000);

  it('quire/auto and quire/<task> (quire/continuity_check) run as Quire runs, in the run history under their task', async () => {
    await withGateway(open(), async (g) => {
      const answer = {
        findings: [
          {
            claim: 'The door changes colour from blue to red',
            evidence: [{ quote: 'the door was red', location: 'Chapter 2' }],
            severity: 'high',
            suggestion: null,
          },
        ],
      };
      fixture.fake().script('cloud-gpt', { json: answer, inputTokens: 40, outputTokens: 30 });
      const client = new OpenAI({ baseURL: g.baseUrl, apiKey: g.token({ name: 'My script' }), maxRetries: 0 });
      const passage = 'Chapter 1: the door was blue. Chapter 2: the door was red.';
      const check = await client.chat.completions.create({
        model: 'quire/continuity_check',
        messages: [{ role: 'user', content: passage }],
      });
      const checkRun = g.runs.get(runIdOf(check.id));
      expect(checkRun).toMatchObject({ task: 'continuity_check', status: 'completed', model_id: check.model });
      // The orchestrator decided (premium tier): the best model for continuity here is cloud-gpt.
      expect(check.model).toBe('cloud-gpt');
      expect(checkRun.reason).toBeTruthy();
      // The task's whole definition ran, as a single run of it does in Quire: its instruction, the app's text as the
      // passage, the findings schema, the task's temperature and answer length; its answer read and its quotes found.
      const definition = shippedTaskLibrary().get('continuity_check')!;
      const bodyOf = (i: number) => fixture.fake().requests.at(i)!.body as Record<string, unknown>;
      const messagesOf = (i: number) => bodyOf(i).messages as ChatMessage[];
      const [system, user] = messagesOf(-1);
      expect(system!.content).toMatch(/^You are a meticulous continuity editor/);
      expect(user!.content).toContain(passage);
      expect(bodyOf(-1)).toMatchObject({
        temperature: definition.temperature,
        response_format: { type: 'json_schema' },
      });
      expect(bodyOf(-1).max_completion_tokens ?? bodyOf(-1).max_tokens).toBe(definition.max_output_tokens);
      expect(checkRun.task_version).toBe(definition.version);
      expect(checkRun.answer).toMatchObject({
        kind: 'findings',
        findings: [{ evidence: [{ quote: 'the door was red', match: 'exact' }] }],
      });
      expect(JSON.parse(check.choices[0]!.message.content!)).toEqual(answer);
      // An app's own system message is the writer's request, after the passage.
      fixture.fake().script('cloud-gpt', { json: { findings: [] }, inputTokens: 40, outputTokens: 3 });
      await client.chat.completions.create({
        model: 'quire/continuity_check',
        messages: [
          { role: 'system', content: 'Answer in French.' },
          { role: 'user', content: 'Chapter 1: the door was blue.' },
        ],
      });
      const asked = messagesOf(-1);
      expect(asked).toHaveLength(2);
      expect(asked[1]!.content).toMatch(/Chapter 1: the door was blue\.[\s\S]+Answer in French\.$/);
      const auto = await client.chat.completions.create({
        model: 'quire/auto',
        messages: [{ role: 'user', content: 'Three names for a lighthouse keeper.' }],
        max_tokens: 20,
      });
      const autoRun = g.runs.get(runIdOf(auto.id));
      expect(autoRun.status).toBe('completed');
      // quire/auto runs the open-ended brainstorm as a chat: the app's messages alone.
      expect(messagesOf(-1)).toEqual([{ role: 'user', content: 'Three names for a lighthouse keeper.' }]);
      expect(autoRun.reason).toBeTruthy();
      expect(g.runs.list({}).map((r) => r.run_id)).toEqual(
        expect.arrayContaining([runIdOf(check.id), runIdOf(auto.id)]),
      );
      const budget = await client.chat.completions.create({
        model: 'quire/budget',
        messages: [{ role: 'user', content: 'A title?' }],
        max_tokens: 8,
      });
      expect(g.runs.get(runIdOf(budget.id)).status).toBe('completed');
      const month = g.app.services.ledger.monthOf(new Date());
      expect(g.app.services.gateway.byApp(month).apps).toMatchObject([{ name: 'My script', calls: 4 }]);
    });
  }, 120_000);
});

describe('the @anthropic-ai/sdk client pointed at the gateway', () => {
  it('messages, whole and streamed, through a cloud model: usage equals what the ledger settled', async () => {
    await withGateway(open(), async (g) => {
      fixture.fake().script('cloud-claude', { text: 'She left at dawn.', inputTokens: 22, outputTokens: 5 });
      const client = new Anthropic({
        baseURL: g.baseUrl.replace(/\/v1$/, ''),
        apiKey: g.token({ name: 'Ulysses' }),
        maxRetries: 0,
      });
      const message = await client.messages.create({
        model: 'cloud-claude',
        max_tokens: 64,
        system: 'You are terse.',
        messages: [{ role: 'user', content: 'When did she leave?' }],
      });
      expect(message.content).toEqual([{ type: 'text', text: 'She left at dawn.' }]);
      expect(message.usage).toMatchObject({ input_tokens: 22, output_tokens: 5 });
      expect(g.ledger(runIdOf(message.id))).toMatchObject([{ state: 'settled', input_tokens: 22, output_tokens: 5 }]);

      const stream = client.messages.stream({
        model: 'cloud-claude',
        max_tokens: 64,
        messages: [{ role: 'user', content: 'Again?' }],
      });
      const pieces: string[] = [];
      stream.on('text', (text) => pieces.push(text));
      const final = await stream.finalMessage();
      expect(pieces.join('')).toBe('She left at dawn.');
      expect(final.usage).toMatchObject({ input_tokens: 22, output_tokens: 5 });
      expect(g.ledger(runIdOf(final.id))).toMatchObject([{ state: 'settled', input_tokens: 22, output_tokens: 5 }]);
      const month = g.app.services.ledger.monthOf(new Date());
      expect(g.app.services.gateway.byApp(month).apps).toMatchObject([{ name: 'Ulysses', calls: 2 }]);
    });
  });

  it('quire/<task> through the Anthropic format, and a budget refusal in its error shape', async () => {
    await withGateway(open(), async (g) => {
      fixture.fake().script('cloud-gpt', { json: { findings: [] }, inputTokens: 10, outputTokens: 2 });
      const client = new Anthropic({ baseURL: g.baseUrl.replace(/\/v1$/, ''), apiKey: g.token(), maxRetries: 0 });
      const message = await client.messages.create({
        model: 'quire/continuity_check',
        max_tokens: 100,
        messages: [{ role: 'user', content: 'Check this.' }],
      });
      expect(g.runs.get(runIdOf(message.id)).task).toBe('continuity_check');
      g.app.services.settings.set({ orchestrator: { monthly_budget: 0.000001 } });
      const refused = await client.messages
        .create({ model: 'cloud-claude', max_tokens: 1000, messages: [{ role: 'user', content: 'x' }] })
        .catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(Anthropic.APIError);
      expect((refused as InstanceType<typeof Anthropic.APIError>).status).toBe(429);
      expect((refused as InstanceType<typeof Anthropic.APIError>).error).toMatchObject({
        type: 'error',
        error: { type: 'rate_limit_error', message: expect.stringMatching(/left this month/) },
      });
    });
  });
});

describe('gateway models and embeddings', () => {
  it('GET /v1/models lists quire/auto, the tiers, every task and the registry models with friendly names', async () => {
    await withGateway(open(), async (g) => {
      const client = new OpenAI({ baseURL: g.baseUrl, apiKey: g.token(), maxRetries: 0 });
      const models = [];
      for await (const m of client.models.list()) models.push(m as OpenAI.Model & { name: string });
      const ids = models.map((m) => m.id);
      expect(ids).toEqual(
        expect.arrayContaining([
          'quire/auto',
          'quire/budget',
          'quire/balanced',
          'quire/premium',
          'quire/continuity_check',
          'cloud-gpt',
          'tiny-local',
        ]),
      );
      expect(models.find((m) => m.id === 'quire/continuity_check')!.name).toBe('Quire — Continuity check');
      const anthropic = new Anthropic({ baseURL: g.baseUrl.replace(/\/v1$/, ''), apiKey: g.token(), maxRetries: 0 });
      const page = await anthropic.models.list();
      expect(page.data.find((m) => m.id === 'quire/auto')!.display_name).toMatch(/automatic/);
    });
  });

  it('embeddings come from a loaded local model, and without one the error says to load one', async () => {
    await withGateway(open(), async (g) => {
      const client = new OpenAI({ baseURL: g.baseUrl, apiKey: g.token(), maxRetries: 0 });
      const none = await client.embeddings.create({ model: 'quire/auto', input: 'x' }).catch((e: unknown) => e);
      expect((none as InstanceType<typeof OpenAI.APIError>).status).toBe(400);
      expect((none as InstanceType<typeof OpenAI.APIError>).message).toMatch(/No local model is loaded/);
      // Names that choose models for writing, a model that is not a string, encodings and sizes Quire cannot give:
      // each a 400 naming its parameter, before any model is asked.
      for (const [body, param, says] of [
        [{ model: 'quire/budget' }, 'model', /chooses a model for writing work/],
        [{ model: 'quire/continuity_check' }, 'model', /chooses a model for writing work/],
        [{ model: 123 }, 'model', /as a string/],
        [{ encoding_format: 'hex' }, 'encoding_format', /"float" or "base64"/],
        [{ dimensions: 64 }, 'dimensions', /does not shorten embeddings/],
      ] as const) {
        const refused = (await client.embeddings
          .create({ model: 'quire/auto', input: 'x', ...body } as unknown as OpenAI.EmbeddingCreateParams)
          .catch((e: unknown) => e)) as InstanceType<typeof OpenAI.APIError>;
        expect([refused.status, refused.param], JSON.stringify(body)).toEqual([400, param]);
        expect(refused.message).toMatch(says);
      }
      await g.app.services.local.load('tiny-fixture');
      const result = await client.embeddings.create({ model: 'tiny-local', input: ['a red door', 'a blue door'] });
      expect(result.data).toHaveLength(2);
      expect(result.data[0]!.embedding.length).toBeGreaterThan(8);
      expect(result.model).toBe('tiny-local');
      // Floats when asked for them, base64 float32 when asked for that (as OpenAI sends it): the same vector.
      const floats = await client.embeddings.create({
        model: 'tiny-local',
        input: 'a red door',
        encoding_format: 'float',
      });
      const packed = await client.embeddings.create({
        model: 'tiny-local',
        input: 'a red door',
        encoding_format: 'base64',
      });
      const vector = floats.data[0]!.embedding;
      expect(Array.isArray(vector)).toBe(true);
      const text = packed.data[0]!.embedding as unknown as string;
      expect(typeof text).toBe('string');
      const bytes = Buffer.from(text, 'base64');
      const decoded = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
      expect([...decoded]).toEqual(vector.map((x) => Math.fround(x)));
    });
  }, 120_000);
});
