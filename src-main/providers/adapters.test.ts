import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startFakeLlmServer, type FakeLlmServer } from '../../test/support/fake-llm-server';
import { AnthropicModel } from './anthropic';
import type { ClientOptions } from './client-options';
import { OpenAiCompatibleModel } from './openai-compatible';
import { JSON_OBJECT } from './json-answer';
import { billingOfError } from './provider-errors';
import type { GenerateRequest, LanguageModel, StreamPart } from './spec';

let server: FakeLlmServer;
beforeAll(async () => {
  server = await startFakeLlmServer({ port: 0 });
});
afterAll(() => server.close());
beforeEach(() => server.reset());

const base = (overrides: Partial<ClientOptions> = {}): ClientOptions => ({
  provider: 'openai',
  modelId: 'm',
  apiModelId: 'm',
  apiKey: 'sk-test-key',
  maxRetries: 0,
  timeoutMs: 2000,
  maxRetryAfterS: 30,
  ...overrides,
});
const openai = (o: Partial<ClientOptions> = {}) =>
  new OpenAiCompatibleModel(base({ baseURL: server.openaiBaseUrl, ...o }));
const anthropic = (o: Partial<ClientOptions> = {}) =>
  new AnthropicModel(base({ provider: 'anthropic', baseURL: server.anthropicBaseUrl, ...o }));
const request = { messages: [{ role: 'user' as const, content: 'hi' }], maxOutputTokens: 100 };

async function collectOf(model: LanguageModel, asked: GenerateRequest) {
  const parts: StreamPart[] = [];
  for await (const part of model.stream(asked)) parts.push(part);
  return parts;
}
const collect = (model: LanguageModel) => collectOf(model, request);

describe.each([
  ['openai', openai],
  ['anthropic', anthropic],
] as const)('%s adapter through the real SDK', (_name, make) => {
  it('reports the same usage streamed and not streamed, cached tokens included', async () => {
    server.script('m', { text: 'one two three', inputTokens: 120, cachedInputTokens: 100, outputTokens: 7 });
    const whole = await make().generate(request);
    const parts = await collect(make());
    const finish = parts.at(-1)!;
    expect(whole.text).toBe('one two three');
    expect(
      parts
        .filter((p) => p.type === 'text-delta')
        .map((p) => (p as { text: string }).text)
        .join(''),
    ).toBe('one two three');
    expect(finish.type === 'finish' && finish.usage).toEqual(whole.usage);
    expect(whole.usage).toMatchObject({ inputTokens: 120, cachedInputTokens: 100, outputTokens: 7 });
  });

  it('returns JSON for a json schema request, streamed too', async () => {
    server.script('m', { json: { verdict: 'consistent', issues: [] } });
    const jsonRequest = { ...request, jsonSchema: { name: 'check', schema: { type: 'object' } } };
    expect((await make().generate(jsonRequest)).json).toEqual({ verdict: 'consistent', issues: [] });
    const parts: StreamPart[] = [];
    for await (const part of make().stream(jsonRequest)) parts.push(part);
    const finish = parts.at(-1)!;
    expect(finish.type === 'finish' && finish.json).toEqual({ verdict: 'consistent', issues: [] });
  });

  it('maps a 500 to a retryable provider_error that cost nothing', async () => {
    server.script('m', { alwaysFault: { kind: 'status', status: 500 } });
    const error = await make()
      .generate(request)
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'provider_error', retryable: true });
    expect(billingOfError(error)).toBe('none');
  });

  it('fails fast on an absurd Retry-After with a message, without the SDK sleeping', async () => {
    server.script('m', { alwaysFault: { kind: 'rate_limit', retryAfter: '600' } });
    const started = Date.now();
    const error = await make({ maxRetries: 2 })
      .generate(request)
      .catch((e: unknown) => e);
    expect(Date.now() - started).toBeLessThan(1500);
    expect(error).toMatchObject({ code: 'rate_limited' });
    expect((error as Error).message).toMatch(/10 minutes/);
    expect(server.requests).toHaveLength(1);
  });

  it('honours a short Retry-After through the SDK retry (one attempt more, no loop of ours)', async () => {
    server.script('m', { faults: [{ kind: 'rate_limit', retryAfter: '0' }], text: 'after wait' });
    const result = await make({ maxRetries: 1 }).generate(request);
    expect(result.text).toBe('after wait');
    expect(server.requests).toHaveLength(2);
  });

  it('a stream cut after N tokens throws with billing unknown (the ledger keeps the reservation)', async () => {
    server.script('m', { text: 'a b c d e f g h', faults: [{ kind: 'reset', afterTokens: 3 }] });
    const seen: string[] = [];
    const error = await (async () => {
      for await (const part of make().stream(request)) if (part.type === 'text-delta') seen.push(part.text);
    })().catch((e: unknown) => e);
    expect(seen.join('')).toBe('a b c ');
    expect(error).toMatchObject({ code: 'provider_error' });
    expect(billingOfError(error)).toBe('unknown');
  });

  it('a stream the caller stops mid-answer ends as a cancel, never as the provider breaking off', async () => {
    server.script('m', { text: 'a b c d e f', faults: [{ kind: 'stall', afterTokens: 2 }] });
    const stop = new AbortController();
    const seen: string[] = [];
    const error = await (async () => {
      for await (const part of make().stream(request, stop.signal)) {
        if (part.type !== 'text-delta') continue;
        seen.push(part.text);
        if (seen.length === 2) stop.abort();
      }
    })().catch((e: unknown) => e);
    expect(seen.join('')).toBe('a b ');
    expect(error).toMatchObject({ code: 'cancelled' });
  });

  it('a stream cut after N tokens says the connection was cut off mid-answer and counted at its worst case', async () => {
    server.script('m', { text: 'a b c d e f g h', faults: [{ kind: 'reset', afterTokens: 3 }] });
    const error = await collect(make()).catch((e: unknown) => e);
    expect((error as Error).message).toMatch(/The connection to OpenAI|Anthropic was cut off mid-answer/);
    expect((error as Error).message).toMatch(/at the most it could have cost/);
    // The HTTP library's own word for it means nothing to a writer.
    expect((error as Error).message).not.toMatch(/terminated/);
  });

  it('a 200 that is not a model answer (not JSON), whole or streamed, says so rather than "ended before finishing"', async () => {
    server.script('m', { faults: [{ kind: 'malformed_json' }, { kind: 'malformed_json' }] });
    for (const error of [
      await make()
        .generate(request)
        .catch((e: unknown) => e),
      await collect(make()).catch((e: unknown) => e),
    ]) {
      expect(error).toMatchObject({ code: 'provider_error' });
      expect((error as Error).message).toMatch(/answered with something that is not a model's answer \(not JSON\)/);
      expect((error as Error).message).not.toMatch(/before finishing|Unexpected token|JSON at position/);
    }
  });

  it('maps malformed JSON and a wrong content type to provider errors', async () => {
    server.script('m', { faults: [{ kind: 'malformed_json' }, { kind: 'wrong_content_type' }] });
    await expect(make().generate(request)).rejects.toMatchObject({ code: 'provider_error' });
    await expect(make().generate(request)).rejects.toMatchObject({ code: 'provider_error' });
  });

  it("carries the content filter's stop with what came before it, streamed and not", async () => {
    server.script('m', { text: 'Mara opened the letter and', filtered: true });
    const whole = await make().generate(request);
    expect(whole).toMatchObject({ text: 'Mara opened the letter and', finishReason: 'content_filter' });
    expect(whole.refusal).toBeUndefined();
    const finish = (await collect(make())).at(-1)!;
    expect(finish).toMatchObject({ type: 'finish', finishReason: 'content_filter' });
  });

  it('times out a hanging provider', async () => {
    server.script('m', { alwaysFault: { kind: 'hang' } });
    await expect(make({ timeoutMs: 200 }).generate(request)).rejects.toMatchObject({ code: 'timeout' });
  });
});

describe('OpenAI specifics', () => {
  it('asks for usage on streams and uses max_completion_tokens without temperature for reasoning models', async () => {
    await collect(openai());
    expect(server.requests[0]!.body).toMatchObject({ stream: true, stream_options: { include_usage: true } });
    const result = await openai({ reasoning: true }).generate({ ...request, temperature: 0.2 });
    const body = server.requests[1]!.body;
    expect(body.max_completion_tokens).toBe(100);
    expect(body).not.toHaveProperty('temperature');
    expect(body).not.toHaveProperty('max_tokens');
    expect(result.warnings.join()).toMatch(/temperature/);
  });

  it("sends a reasoning model's effort only where the provider takes reasoning_effort, streamed and not", async () => {
    const asked = { ...request, reasoningEffort: 'medium' as const };
    await openai({ reasoning: true, reasoningEffort: true }).generate(asked);
    for await (const part of openai({ reasoning: true, reasoningEffort: true }).stream(asked)) void part;
    await openai({ reasoning: true, reasoningEffort: true }).generate(request);
    await openai({ reasoning: true }).generate(asked);
    await openai({ reasoningEffort: true }).generate(asked);
    const [whole, streamed, none, untaken, plain] = server.requests.map((r) => r.body);
    expect(whole).toMatchObject({ reasoning_effort: 'medium', max_completion_tokens: 100 });
    expect(streamed).toMatchObject({ reasoning_effort: 'medium', stream: true });
    for (const body of [none, untaken, plain]) expect(body).not.toHaveProperty('reasoning_effort');
    const result = await openai({ reasoning: true, reasoningEffort: true }).generate(asked);
    expect(result.warnings.join()).not.toMatch(/effort/);
  });

  it('carries a structured-output refusal in its own words, streamed and not, and no answer', async () => {
    const words = "I'm sorry, I can't help with that.";
    server.script('m', { refusal: words, outputTokens: 9 });
    const jsonRequest = { ...request, jsonSchema: { name: 'check', schema: { type: 'object' } } };
    const whole = await openai().generate(jsonRequest);
    expect(whole).toMatchObject({ text: '', refusal: words, finishReason: 'stop', usage: { outputTokens: 9 } });
    const parts: StreamPart[] = [];
    for await (const part of openai().stream(jsonRequest)) parts.push(part);
    // The refusal is not the answer: none of it streams as text.
    expect(parts.filter((p) => p.type === 'text-delta' && p.text !== '')).toEqual([]);
    expect(parts.at(-1)).toMatchObject({ type: 'finish', refusal: words, usage: { outputTokens: 9 } });
  });

  it('sends json_schema response_format', async () => {
    server.script('m', { json: { a: 1 } });
    await openai().generate({ ...request, jsonSchema: { name: 'x', schema: { type: 'object' } } });
    expect(server.requests[0]!.body.response_format).toMatchObject({ type: 'json_schema' });
  });

  it("JSON mode is the provider's own json_object; a schema is strict unless it says it is not", async () => {
    server.script('m', { json: { a: 1 } });
    const schema = { type: 'object', properties: { a: { type: 'number' } } };
    const whole = await openai().generate({ ...request, jsonSchema: JSON_OBJECT });
    expect(whole.json).toEqual({ a: 1 });
    for await (const part of openai().stream({ ...request, jsonSchema: JSON_OBJECT })) void part;
    await openai().generate({ ...request, jsonSchema: { name: 'x', schema, strict: false } });
    await openai().generate({ ...request, jsonSchema: { name: 'x', schema } });
    const [mode, streamed, loose, own] = server.requests.map((r) => r.body);
    expect(mode!.response_format).toEqual({ type: 'json_object' });
    expect(streamed!.response_format).toEqual({ type: 'json_object' });
    // The messages as they came: JSON mode on OpenAI asks the caller to say "JSON" itself.
    expect(mode!.messages).toEqual(request.messages);
    expect(loose!.response_format).toEqual({ type: 'json_schema', json_schema: { name: 'x', schema, strict: false } });
    expect(own!.response_format).toEqual({ type: 'json_schema', json_schema: { name: 'x', schema, strict: true } });
  });
});

describe('JSON mode (json_object: DeepSeek, Qwen, OpenRouter)', () => {
  const schema = {
    type: 'object',
    properties: { verdict: { type: 'string', enum: ['consistent', 'contradiction'] }, issues: { type: 'array' } },
    required: ['verdict', 'issues'],
    additionalProperties: false,
  };
  const jsonRequest = {
    messages: [
      { role: 'system' as const, content: 'You check continuity.' },
      { role: 'user' as const, content: 'Chapter 3.' },
    ],
    maxOutputTokens: 100,
    jsonSchema: { name: 'check', schema },
  };

  it('sends response_format json_object with the schema in the system instruction, never json_schema', async () => {
    server.script('m', { json: { verdict: 'consistent', issues: [] } });
    const result = await openai({ jsonMode: 'json_object' }).generate(jsonRequest);
    expect(result.json).toEqual({ verdict: 'consistent', issues: [] });
    const body = server.requests[0]!.body as {
      response_format: unknown;
      messages: { role: string; content: string }[];
    };
    expect(body.response_format).toEqual({ type: 'json_object' });
    expect(body.messages).toHaveLength(2);
    expect(body.messages[0]!.role).toBe('system');
    expect(body.messages[0]!.content).toMatch(/^You check continuity\.\n\n.*JSON/s);
    expect(body.messages[0]!.content).toContain(JSON.stringify(schema));
    expect(body.messages[1]).toEqual({ role: 'user', content: 'Chapter 3.' });
  });

  it('adds a system instruction of its own when the request has none', async () => {
    server.script('m', { json: { verdict: 'consistent', issues: [] } });
    await openai({ jsonMode: 'json_object' }).generate({ ...jsonRequest, messages: [jsonRequest.messages[1]!] });
    const messages = server.requests[0]!.body.messages as { role: string; content: string }[];
    expect(messages.map((m) => m.role)).toEqual(['system', 'user']);
    expect(messages[0]!.content).toContain('JSON');
  });

  it('returns an answer of the wrong shape, streamed or not, with its problem and its usage (the run repairs it)', async () => {
    server.script('m', { json: { verdict: 'maybe', issues: [] }, inputTokens: 40, outputTokens: 9 });
    const whole = await openai({ jsonMode: 'json_object' }).generate(jsonRequest);
    expect(whole.json).toBeUndefined();
    expect(whole.jsonError).toMatch(/not the "check" answer asked for at verdict/);
    expect(whole.usage).toMatchObject({ inputTokens: 40, outputTokens: 9 });
    const parts: StreamPart[] = [];
    for await (const part of openai({ jsonMode: 'json_object' }).stream(jsonRequest)) parts.push(part);
    const finish = parts.at(-1)!;
    expect(finish.type === 'finish' && finish.jsonError).toMatch(/at verdict/);
  });

  it('returns a streamed JSON-mode answer that matches', async () => {
    server.script('m', { json: { verdict: 'contradiction', issues: ['eye colour'] } });
    const parts: StreamPart[] = [];
    for await (const part of openai({ jsonMode: 'json_object' }).stream(jsonRequest)) parts.push(part);
    const finish = parts.at(-1)!;
    expect(finish.type === 'finish' && finish.json).toEqual({ verdict: 'contradiction', issues: ['eye colour'] });
    expect(server.requests[0]!.body.response_format).toEqual({ type: 'json_object' });
  });
});

describe('an answer that stopped at a stop sequence', () => {
  const stopped = { ...request, stop: ['THE END', 'END'] };

  it('Anthropic: finish "stop" with the sequence it names, whole and streamed', async () => {
    server.script('m', { text: 'Alpha beta END gamma' });
    expect(await anthropic().generate(stopped)).toMatchObject({
      text: 'Alpha beta ',
      finishReason: 'stop',
      stopSequence: 'END',
    });
    server.script('m', { text: 'Alpha THE END beta' });
    const finish = (await collectOf(anthropic(), stopped)).at(-1);
    expect(finish).toMatchObject({ type: 'finish', finishReason: 'stop', stopSequence: 'THE END' });
    server.script('m', { text: 'Alpha beta' });
    expect((await anthropic().generate(stopped)).stopSequence).toBeUndefined();
  });

  it('OpenAI-compatible: the sequence where the server says which (vLLM), none where it does not (OpenAI)', async () => {
    server.script('m', { text: 'Alpha beta END gamma', saysStop: true });
    expect(await openai().generate(stopped)).toMatchObject({ finishReason: 'stop', stopSequence: 'END' });
    const finish = (await collectOf(openai(), stopped)).at(-1);
    expect(finish).toMatchObject({ type: 'finish', finishReason: 'stop', stopSequence: 'END' });
    server.script('m', { text: 'Alpha beta END gamma' });
    const unsaid = await openai().generate(stopped);
    expect(unsaid).toMatchObject({ text: 'Alpha beta ', finishReason: 'stop' });
    expect(unsaid.stopSequence).toBeUndefined();
  });
});

describe('sampling parameters', () => {
  const sampled = {
    ...request,
    temperature: 0.4,
    seed: 7,
    sampling: { topP: 0.5, topK: 20, frequencyPenalty: 0.5, presencePenalty: -1 },
  };

  it('OpenAI-compatible: temperature, top_p and the penalties are sent, top_k is not (OpenAI has none)', async () => {
    const result = await openai().generate(sampled);
    expect(server.requests[0]!.body).toMatchObject({
      temperature: 0.4,
      seed: 7,
      top_p: 0.5,
      frequency_penalty: 0.5,
      presence_penalty: -1,
    });
    expect(server.requests[0]!.body).not.toHaveProperty('top_k');
    expect(result.warnings).toEqual(['top_k is not supported by OpenAI-compatible APIs; ignored']);
  });

  it('OpenAI-compatible reasoning models are sent none of them', async () => {
    const result = await openai({ reasoning: true }).generate(sampled);
    const body = server.requests[0]!.body;
    for (const param of ['temperature', 'top_p', 'frequency_penalty', 'presence_penalty', 'top_k'])
      expect(body, param).not.toHaveProperty(param);
    expect(result.warnings.join(' ')).toMatch(/temperature, top_p, frequency_penalty and presence_penalty/);
  });

  it('Anthropic: temperature and top_k under the API version that takes them; top_p only without temperature', async () => {
    const result = await anthropic().generate(sampled);
    const [sent] = server.requests;
    expect(sent!.body).toMatchObject({ temperature: 0.4, top_k: 20 });
    expect(sent!.body).not.toHaveProperty('top_p');
    expect(sent!.headers['anthropic-version']).toBe('2023-06-01');
    expect(result.warnings).toEqual([
      'seed is not supported by Anthropic; ignored',
      'frequency_penalty and presence_penalty are not supported by Anthropic; ignored',
      'top_p is not sent with temperature (Anthropic models take one of them); ignored',
    ]);
    const hot = await anthropic().generate({ ...request, temperature: 1.5, sampling: { topP: 0.9 } });
    expect(server.requests[1]!.body).toMatchObject({ temperature: 1 });
    expect(hot.warnings).toContain("temperature 1.5 is past Anthropic's range; sent as 1");
    await anthropic().generate({ ...request, sampling: { topP: 0.9 } });
    expect(server.requests[2]!.body).toMatchObject({ top_p: 0.9 });
    await anthropic().generate(request);
    expect(server.requests[3]!.headers['anthropic-version']).toBe('2026-10-21');
  });

  it('Anthropic: a model that takes no sampling parameters is sent none, and the call says so', async () => {
    const result = await anthropic({ sampling: false }).generate(sampled);
    const [sent] = server.requests;
    for (const param of ['temperature', 'top_p', 'top_k']) expect(sent!.body, param).not.toHaveProperty(param);
    expect(sent!.headers['anthropic-version']).toBe('2026-10-21');
    expect(result.warnings).toContain('temperature, top_p and top_k are not supported by this model; ignored');
  });
});

describe('Anthropic specifics', () => {
  it('adds cache reads and writes to input tokens and forces the answer tool for JSON', async () => {
    server.script('m', { inputTokens: 1000, cachedInputTokens: 600, cacheWriteTokens: 300, outputTokens: 5 });
    const result = await anthropic().generate(request);
    expect(result.usage).toEqual({ inputTokens: 1000, outputTokens: 5, cachedInputTokens: 600, cacheWriteTokens: 300 });
    server.script('m', { json: { ok: true } });
    await anthropic().generate({ ...request, jsonSchema: { name: 'x', schema: { properties: {} } } });
    expect(server.requests[1]!.body.tool_choice).toEqual({ type: 'tool', name: 'answer' });
  });

  it('JSON mode is the forced answer tool taking any object', async () => {
    server.script('m', { json: { name: 'Mara' } });
    expect((await anthropic().generate({ ...request, jsonSchema: JSON_OBJECT })).json).toEqual({ name: 'Mara' });
    const body = server.requests[0]!.body as { tools: { input_schema: unknown }[]; tool_choice: unknown };
    expect(body.tool_choice).toEqual({ type: 'tool', name: 'answer' });
    expect(body.tools[0]!.input_schema).toEqual({ type: 'object', additionalProperties: true });
  });
});
