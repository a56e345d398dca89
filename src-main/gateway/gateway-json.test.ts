// JSON answers through the gateway as each API defines them: OpenAI's JSON mode (`json_object`) reaches an
// OpenAI-compatible provider as its own JSON mode, an app's json_schema keeps the strict flag it was sent with, a
// `quire/<task>` answers in its task's own form, and a provider that turns a request down says why to the app that
// sent it. Checked with the real `openai` and `@anthropic-ai/sdk` clients against the loopback fake provider.
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import { useTwoCloudGateway, withGateway, type GatewayApp } from '../../test/support/gateway-app';

const { fake, open } = useTwoCloudGateway();

const openai = (g: GatewayApp) => new OpenAI({ baseURL: g.baseUrl, apiKey: g.token(), maxRetries: 0 });
const runIdOf = (id: string) => id.replace(/^(chatcmpl-|msg_)/, '');
const ledgerRows = (g: GatewayApp) => (g.db.prepare('SELECT COUNT(*) AS n FROM ledger').get() as { n: number }).n;

const PERSON = {
  type: 'object',
  properties: { name: { type: 'string' }, age: { type: 'number' } },
  required: ['name', 'age'],
  additionalProperties: false,
};

describe("an app's JSON answer, as the provider is asked for it", () => {
  it('json_object reaches an OpenAI-compatible provider as its own JSON mode, never as a strict schema', async () => {
    await withGateway(open(), async (g) => {
      fake().script('cloud-gpt', { json: { name: 'Mara', age: 30 } });
      const completion = await openai(g).chat.completions.create({
        model: 'cloud-gpt',
        messages: [{ role: 'user', content: 'Mara, thirty, as JSON.' }],
        response_format: { type: 'json_object' },
      });
      expect(JSON.parse(completion.choices[0]!.message.content!)).toEqual({ name: 'Mara', age: 30 });
      const sent = fake().requests.at(-1)!.body;
      expect(sent.response_format).toEqual({ type: 'json_object' });
      // The app's messages as it sent them: OpenAI's JSON mode asks the app to say "JSON" itself.
      expect(sent.messages).toEqual([{ role: 'user', content: 'Mara, thirty, as JSON.' }]);
    });
  });

  it('json_object on an Anthropic model is its forced answer tool, taking any object', async () => {
    await withGateway(open(), async (g) => {
      fake().script('cloud-claude', { json: { name: 'Mara', age: 30 } });
      const completion = await openai(g).chat.completions.create({
        model: 'cloud-claude',
        messages: [{ role: 'user', content: 'Mara, thirty, as JSON.' }],
        response_format: { type: 'json_object' },
      });
      expect(JSON.parse(completion.choices[0]!.message.content!)).toEqual({ name: 'Mara', age: 30 });
      const sent = fake().requests.at(-1)!.body as { tools: { input_schema: unknown }[]; tool_choice: unknown };
      expect(sent.tool_choice).toEqual({ type: 'tool', name: 'answer' });
      expect(sent.tools[0]!.input_schema).toEqual({ type: 'object', additionalProperties: true });
    });
  });

  it("an app's json_schema keeps its strict flag: absent is not strict (OpenAI's default), true is strict", async () => {
    await withGateway(open(), async (g) => {
      for (const strict of [undefined, false, true]) {
        fake().script('cloud-gpt', { json: { name: 'Mara', age: 30 } });
        const completion = await openai(g).chat.completions.create({
          model: 'cloud-gpt',
          messages: [{ role: 'user', content: 'Mara, thirty.' }],
          response_format: {
            type: 'json_schema',
            json_schema: { name: 'person', schema: PERSON, ...(strict === undefined ? {} : { strict }) },
          },
        });
        expect(JSON.parse(completion.choices[0]!.message.content!)).toEqual({ name: 'Mara', age: 30 });
        expect(fake().requests.at(-1)!.body.response_format, String(strict)).toEqual({
          type: 'json_schema',
          json_schema: { name: 'person', schema: PERSON, strict: strict === true },
        });
      }
    });
  });
});

describe('a provider that turns the request down', () => {
  const reason =
    "Invalid schema for response_format 'person': In context=(), 'additionalProperties' is required to be supplied and to be false.";

  it("the app reads the provider's own reason (openai client), any key in it masked", async () => {
    await withGateway(open(), async (g) => {
      fake().script('cloud-gpt', {
        alwaysFault: { kind: 'status', status: 400, message: `${reason} (key sk-test-not-real)` },
      });
      const refused = await openai(g)
        .chat.completions.create({
          model: 'cloud-gpt',
          messages: [{ role: 'user', content: 'Mara, thirty.' }],
          response_format: { type: 'json_schema', json_schema: { name: 'person', schema: { type: 'object' } } },
        })
        .catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(OpenAI.APIError);
      const message = (refused as InstanceType<typeof OpenAI.APIError>).message;
      expect(message).toContain(`OpenAI turned down the request (HTTP 400): “${reason} (key [redacted]).”`);
      expect(message).not.toContain('sk-test-not-real');
    });
  });

  it('quire/auto: each model that turned it down says why, in one sentence each', async () => {
    await withGateway(open(), async (g) => {
      fake().script('cloud-gpt', { alwaysFault: { kind: 'status', status: 400, message: 'Unknown parameter: seed' } });
      fake().script('cloud-claude', { alwaysFault: { kind: 'status', status: 400, message: 'Prompt is too long' } });
      const refused = await openai(g)
        .chat.completions.create({ model: 'quire/auto', messages: [{ role: 'user', content: 'x' }] })
        .catch((e: unknown) => e);
      expect((refused as Error).message).toContain(
        'None of the 2 models Quire tried could do this. cloud-gpt: OpenAI turned down the request (HTTP 400): “Unknown parameter: seed.” cloud-claude: Anthropic turned down the request (HTTP 400): “Prompt is too long.”',
      );
    });
  });

  it("the app reads the provider's own reason (anthropic client)", async () => {
    await withGateway(open(), async (g) => {
      const said = 'messages.0.content: text content blocks must contain non-whitespace text';
      fake().script('cloud-claude', { alwaysFault: { kind: 'status', status: 400, message: said } });
      const refused = await new Anthropic({
        baseURL: g.baseUrl.replace(/\/v1$/, ''),
        apiKey: g.token(),
        maxRetries: 0,
      }).messages
        .create({ model: 'cloud-claude', max_tokens: 20, messages: [{ role: 'user', content: 'x' }] })
        .catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(Anthropic.APIError);
      const body = (refused as InstanceType<typeof Anthropic.APIError>).error as { error: { message: string } };
      expect(body.error.message).toContain(`Anthropic turned down the request (HTTP 400): “${said}.”`);
    });
  });
});

describe('quire/<task> and response_format', () => {
  const passage = 'Chapter 1: the door was blue. Chapter 9: she opened the red door.';
  const findings = {
    findings: [
      {
        claim: 'The door changes colour',
        evidence: [{ quote: 'she opened the red door', location: null }],
        severity: 'high',
        suggestion: null,
      },
    ],
  };

  it("json_object is met by a structured task's own form: its schema is sent and its answer read", async () => {
    await withGateway(open(), async (g) => {
      fake().script('cloud-gpt', { json: findings });
      const check = await openai(g).chat.completions.create({
        model: 'quire/continuity_check',
        messages: [{ role: 'user', content: passage }],
        response_format: { type: 'json_object' },
      });
      expect(JSON.parse(check.choices[0]!.message.content!)).toEqual(findings);
      const format = fake().requests.at(-1)!.body.response_format as { type: string; json_schema: { name: string } };
      expect(format).toMatchObject({ type: 'json_schema', json_schema: { name: 'findings', strict: true } });
      expect(g.runs.get(runIdOf(check.id)).answer).toMatchObject({
        kind: 'findings',
        findings: [{ evidence: [{ quote: 'she opened the red door', match: 'exact' }] }],
      });
      // A conversation keeps its turns, led by the task's instruction with its answer form; JSON mode holds the
      // answer to an object.
      fake().script('cloud-gpt', { json: findings });
      await openai(g).chat.completions.create({
        model: 'quire/continuity_check',
        messages: [
          { role: 'user', content: passage },
          { role: 'assistant', content: '{"findings": []}' },
          { role: 'user', content: 'Look again at the door, as JSON.' },
        ],
        response_format: { type: 'json_object' },
      });
      const sent = fake().requests.at(-1)!.body as { response_format: unknown; messages: { content: string }[] };
      expect(sent.response_format).toEqual({ type: 'json_object' });
      expect(sent.messages).toHaveLength(4);
      expect(sent.messages[0]!.content).toMatch(/^You are a meticulous continuity editor[\s\S]+"findings"/);
    });
  });

  it('a schema of its own, or JSON from a task that writes prose, is refused with a 400 saying why; nothing is sent', async () => {
    await withGateway(open(), async (g) => {
      const ownSchema = await openai(g)
        .chat.completions.create({
          model: 'quire/continuity_check',
          messages: [{ role: 'user', content: passage }],
          response_format: { type: 'json_schema', json_schema: { name: 'person', schema: PERSON } },
        })
        .catch((e: unknown) => e);
      expect(ownSchema).toBeInstanceOf(OpenAI.BadRequestError);
      expect((ownSchema as InstanceType<typeof OpenAI.BadRequestError>).param).toBe('response_format');
      expect((ownSchema as Error).message).toMatch(
        /quire\/continuity_check answers in Continuity check's own JSON form, so it cannot follow another schema\./,
      );
      const prose = await openai(g)
        .chat.completions.create({
          model: 'quire/scene_draft',
          messages: [{ role: 'user', content: 'Mara comes home.' }],
          response_format: { type: 'json_object' },
        })
        .catch((e: unknown) => e);
      expect(prose).toBeInstanceOf(OpenAI.BadRequestError);
      expect((prose as Error).message).toMatch(/quire\/scene_draft \(Scene draft\) writes prose, not a JSON object\./);
      expect(fake().requests).toEqual([]);
      expect(ledgerRows(g)).toBe(0);
    });
  });
});
