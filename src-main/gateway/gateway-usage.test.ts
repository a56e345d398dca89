// The usage an app is told is its run's ledger: the tokens and the cost (usage.cost, USD, as OpenRouter sends it) of
// every call the run made, whole or streamed, in both APIs. A call its provider reported no counts for is charged its
// reservation: it adds no tokens, and usage.uncounted_cost says how much of the cost it is. Checked with the real
// `openai` and `@anthropic-ai/sdk` clients against the loopback fake provider, the ledger read through the app's own
// service.
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import { useTwoCloudGateway, withGateway, type GatewayApp } from '../../test/support/gateway-app';

const { fake, open } = useTwoCloudGateway();

/** What one call told the app: its run, the usage's tokens and cost fields, and the cost header (whole answers). */
interface Told {
  runId: string;
  input: number;
  output: number;
  cost: unknown;
  uncounted: unknown;
  header?: string | null;
}

type Extra = { cost?: unknown; uncounted_cost?: unknown };

async function viaOpenAI(g: GatewayApp, model: string, stream: boolean): Promise<Told> {
  const client = new OpenAI({ baseURL: g.baseUrl, apiKey: g.token(), maxRetries: 0 });
  const ask = { model, messages: [{ role: 'user' as const, content: 'A name.' }], max_tokens: 200 };
  let usage: (OpenAI.CompletionUsage & Extra) | undefined;
  let id = '';
  let header: string | null | undefined;
  if (stream) {
    const chunks = await client.chat.completions.create({
      ...ask,
      stream: true,
      stream_options: { include_usage: true },
    });
    for await (const chunk of chunks) {
      id = chunk.id;
      if (chunk.usage) usage = chunk.usage;
    }
  } else {
    const { data, response } = await client.chat.completions.create(ask).withResponse();
    id = data.id;
    usage = data.usage;
    header = response.headers.get('x-quire-cost-usd');
  }
  expect(usage).toBeDefined();
  return {
    runId: id.replace(/^chatcmpl-/, ''),
    input: usage!.prompt_tokens,
    output: usage!.completion_tokens,
    cost: usage!.cost,
    uncounted: usage!.uncounted_cost,
    header,
  };
}

async function viaAnthropic(g: GatewayApp, model: string, stream: boolean): Promise<Told> {
  const client = new Anthropic({ baseURL: g.baseUrl.replace(/\/v1$/, ''), apiKey: g.token(), maxRetries: 0 });
  const ask = { model, max_tokens: 200, messages: [{ role: 'user' as const, content: 'A name.' }] };
  if (stream) {
    // The message_delta event's usage as sent (the SDK's final message copies only the fields it knows).
    let usage: (Anthropic.MessageDeltaUsage & Extra) | undefined;
    const events = client.messages.stream(ask);
    events.on('streamEvent', (event) => {
      if (event.type === 'message_delta') usage = event.usage;
    });
    const final = await events.finalMessage();
    expect(usage).toBeDefined();
    return {
      runId: final.id.replace(/^msg_/, ''),
      input: usage!.input_tokens ?? 0,
      output: usage!.output_tokens,
      cost: usage!.cost,
      uncounted: usage!.uncounted_cost,
    };
  }
  const { data, response } = await client.messages.create(ask).withResponse();
  const usage = data.usage as Anthropic.Usage & Extra;
  return {
    runId: data.id.replace(/^msg_/, ''),
    input: usage.input_tokens,
    output: usage.output_tokens,
    cost: usage.cost,
    uncounted: usage.uncounted_cost,
    header: response.headers.get('x-quire-cost-usd'),
  };
}

const CLIENTS = { openai: viaOpenAI, anthropic: viaAnthropic };

/** The answer's usage equals the run's ledger rows: their tokens, their charges, and the charges without counts. */
function expectLedger(g: GatewayApp, told: Told, label: string) {
  const rows = g.app.services.ledger.ofRun(told.runId);
  expect(rows.length, label).toBeGreaterThan(0);
  expect(
    rows.every((row) => row.state === 'settled' || row.state === 'released'),
    label,
  ).toBe(true);
  const sum = (of: (row: (typeof rows)[number]) => number) => rows.reduce((total, row) => total + of(row), 0);
  const charged = sum((row) => row.charged_micros ?? 0) / 1e6;
  const uncounted =
    sum((row) => (row.input_tokens === null && row.output_tokens === null ? (row.charged_micros ?? 0) : 0)) / 1e6;
  expect(told.input, label).toBe(sum((row) => row.input_tokens ?? 0));
  expect(told.output, label).toBe(sum((row) => row.output_tokens ?? 0));
  expect(told.cost, label).toBe(charged);
  expect(told.uncounted ?? 0, label).toBe(uncounted);
  if (told.header !== undefined) expect(Number(told.header), label).toBe(charged);
  return { rows, charged, uncounted };
}

describe("the usage in a gateway answer is the run's ledger", () => {
  for (const [api, call] of Object.entries(CLIENTS)) {
    it(`${api} client, whole and streamed: a call answered with its counts`, async () => {
      await withGateway(open(), async (g) => {
        for (const stream of [false, true]) {
          fake().script('cloud-gpt', { text: 'The door was blue.', inputTokens: 12, outputTokens: 4 });
          const told = await call(g, 'cloud-gpt', stream);
          const { rows, charged } = expectLedger(g, told, `stream: ${stream}`);
          expect(rows).toHaveLength(1);
          expect(charged).toBeGreaterThan(0);
          expect([told.input, told.output]).toEqual([12, 4]);
        }
      });
    });

    it(`${api} client, whole and streamed: a provider that reports no counts is charged its reservation, said as uncounted cost`, async () => {
      await withGateway(open(), async (g) => {
        for (const stream of [false, true]) {
          fake().script('cloud-gpt', { text: 'An answer of six words here.', omitUsage: true });
          const told = await call(g, 'cloud-gpt', stream);
          const { charged, uncounted } = expectLedger(g, told, `stream: ${stream}`);
          expect(charged).toBeGreaterThan(0);
          expect(uncounted).toBe(charged);
          expect([told.input, told.output]).toEqual([0, 0]);
        }
      });
    });

    it(`${api} client, whole and streamed: a model that declines is charged by its counts, and they are in the usage with the fallback's`, async () => {
      await withGateway(open(), async (g) => {
        for (const stream of [false, true]) {
          fake().script('cloud-gpt', { refusal: 'I cannot help with that.', inputTokens: 20, outputTokens: 5 });
          fake().script('cloud-claude', { text: 'Here it is.', inputTokens: 30, outputTokens: 4 });
          const told = await call(g, 'quire/auto', stream);
          const { rows } = expectLedger(g, told, `stream: ${stream}`);
          expect(rows.map((row) => row.model_id)).toEqual(['cloud-gpt', 'cloud-claude']);
          expect([told.input, told.output]).toEqual([50, 9]);
        }
      });
    });
  }
});
