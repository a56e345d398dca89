// What a writer reads when a provider's SDK call fails: the provider by its name (OpenAI, not "openai"; a writer's
// endpoint by the id they gave it), never the status twice, and the error's kind and billing unchanged.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProviderError, RateLimitedError, TimeoutError } from '../errors';
import { OpenAiCompatibleModel } from './openai-compatible';
import { mapSdkError } from './provider-errors';

const map = (provider: string, error: unknown) => mapSdkError(provider, error, { maxRetryAfterS: 30 });

describe('mapSdkError: the provider in a writer’s words', () => {
  it('names a built-in provider by its display name', () => {
    const refused = map('openai', { status: 401, message: '401 Incorrect API key provided' });
    expect(refused).toBeInstanceOf(ProviderError);
    expect(refused.message).toBe(
      'OpenAI refused the API key Quire has for it: it may be mistyped, revoked or expired. Check the key for OpenAI in Settings → AI Intelligence, or pick another model.',
    );
    expect(map('deepseek', { status: 429, message: '429 slow down' })).toBeInstanceOf(RateLimitedError);
    expect(map('deepseek', { status: 429, message: '429 slow down' }).message).toMatch(/^DeepSeek is rate-limiting/);
    expect(map('anthropic', { status: 408, message: '408' })).toBeInstanceOf(TimeoutError);
    expect(map('anthropic', { status: 408, message: '408' }).message).toMatch(/^Anthropic timed out/);
  });

  it('names a writer’s endpoint by its id, and starts the sentence with a capital', () => {
    expect(map('endpoint:atlas', { status: 403, message: '403 no' }).message).toBe(
      'Your endpoint “atlas” refused the API key Quire has for it: it may not be allowed to use this model. Check the key for your endpoint “atlas” in Settings → AI Intelligence, or pick another model.',
    );
  });
});

describe('mapSdkError: the step that fixes it, and where it is taken', () => {
  const apiError = (status: number, body: unknown) => ({ status, error: body, message: `${status} x` });

  it('a refused key is said without its status, ends with its step, and is fixed in Settings', () => {
    for (const status of [401, 403]) {
      const info = map('openai', apiError(status, { message: 'Incorrect API key provided' })).toInfo();
      expect(info.message).not.toMatch(/HTTP|40\d/);
      expect(info).toMatchObject({ code: 'provider_error', retryable: false, advised: true, fix_in: 'settings' });
    }
  });

  it('a rate limit says to wait or pick another model; no general step is added to it', () => {
    const limited = map('deepseek', apiError(429, { message: 'Rate limit reached' })).toInfo();
    expect(limited).toMatchObject({ code: 'rate_limited', advised: true });
    expect(limited.message).toBe(
      'DeepSeek is rate-limiting Quire (too many requests for now): try again in a minute, or pick another model.',
    );
  });

  it('an account out of credit or quota says so, not "try again shortly"', () => {
    // OpenAI answers a spent quota with 429 insufficient_quota; OpenRouter and DeepSeek with 402.
    const quota = map(
      'openai',
      apiError(429, { message: 'You exceeded your current quota', code: 'insufficient_quota' }),
    );
    const credit = map('openrouter', apiError(402, { message: 'Insufficient credits' }));
    for (const [error, who] of [
      [quota, 'OpenAI'],
      [credit, 'OpenRouter'],
    ] as const) {
      expect(error.message).toBe(
        `${who} says the account's credit or quota is used up. Add credit on ${who}'s website, or pick another model.`,
      );
      expect(error.toInfo()).toMatchObject({ code: 'provider_error', retryable: false, advised: true });
      expect(error.billing).toBe('none');
    }
  });

  it('says a 5xx is a problem on the provider’s side with the status once, and never its raw body', () => {
    const error = map('openai', { status: 500, message: '500 upstream exploded' });
    expect(error.message).toBe('OpenAI had a problem on its side (HTTP 500).');
    expect((error as ProviderError).retryable).toBe(true);
    expect(error.billing).toBe('none');
    expect(map('qwen', { status: 400, message: '400 bad request body' }).message).toBe(
      'Qwen (Alibaba DashScope) turned down the request (HTTP 400).',
    );
  });
});

describe('mapSdkError: what the provider said', () => {
  // The SDKs' APIError: `error` is the body's error object, `message` is built from it (or from the raw body).
  const apiError = (status: number, body: unknown, message: string) => ({ status, error: body, message });

  it('keeps out the raw body (HTML, JSON, a stack) and keeps it on the error for the log', () => {
    const html = apiError(502, undefined, '502 <html><body><h1>502 Bad Gateway</h1></body></html>');
    const json = apiError(500, { detail: { trace: 'x' } }, '500 {"detail":{"trace":"x"}}');
    const boom = apiError(500, { message: 'boom' }, '500 boom');
    for (const raw of [html, json, boom]) {
      const error = map('endpoint:atlas', raw);
      expect(error.message).toMatch(/^Your endpoint “atlas” had a problem on its side \(HTTP 50\d\)\.$/);
      expect(error.cause).toBe(raw);
    }
  });

  it("keeps the provider's own message when it is a clean, short sentence", () => {
    const overloaded = apiError(503, { message: 'The engine is currently overloaded, please try again later' }, 'x');
    expect(map('openai', overloaded).message).toBe(
      'OpenAI had a problem on its side (HTTP 503): “The engine is currently overloaded, please try again later.”',
    );
    // Anthropic's body nests it: { type: "error", error: { type, message } }.
    const nested = apiError(
      400,
      { type: 'error', error: { type: 'invalid_request_error', message: 'Prompt is too long.' } },
      'x',
    );
    expect(map('anthropic', nested).message).toBe(
      'Anthropic turned down the request (HTTP 400): “Prompt is too long.”',
    );
  });

  it('never repeats, for a problem on its side, a key, a long token or anything that is not a sentence', () => {
    for (const said of [
      'Incorrect API key provided: sk-proj-abcdefghijklmnop.',
      'Invalid token AbCdEfGhIjKlMnOpQrStUvWxYz0123456789 for this project.',
      'error: {"code": 500}',
      'model_not_found',
      'See https://example.com/errors for details.',
      'x'.repeat(400),
    ]) {
      const error = map('openai', apiError(500, { message: said }, `500 ${said}`));
      expect(error.message).toBe('OpenAI had a problem on its side (HTTP 500).');
    }
  });

  it('passes on why it turned a request down (4xx) as it said it: on one line, cut when long, keys masked', () => {
    const schema =
      "Invalid schema for response_format 'json_object': In context=(), 'additionalProperties' is required to be supplied and to be false.";
    expect(map('openai', apiError(400, { message: schema }, `400 ${schema}`)).message).toBe(
      `OpenAI turned down the request (HTTP 400): “${schema}”`,
    );
    const lines =
      "'messages' must contain the word 'json' in some form,\n  to use 'response_format' of type 'json_object'";
    expect(map('openai', apiError(400, { message: lines }, 'x')).message).toBe(
      "OpenAI turned down the request (HTTP 400): “'messages' must contain the word 'json' in some form, to use 'response_format' of type 'json_object'.”",
    );
    const notFound = map('endpoint:atlas', apiError(404, { message: 'model_not_found' }, 'x'));
    expect(notFound.message).toBe('Your endpoint “atlas” turned down the request (HTTP 404): “model_not_found.”');
    const keyed = map('openai', apiError(400, { message: 'Bad value for key sk-proj-abcdefghijklmnop here' }, 'x'));
    expect(keyed.message).toBe('OpenAI turned down the request (HTTP 400): “Bad value for key [redacted] here.”');
    const long = map('openai', apiError(422, { message: `Unprocessable: ${'word '.repeat(200)}` }, 'x')).message;
    expect(long).toMatch(/^OpenAI turned down the request \(HTTP 422\): “Unprocessable: (word )+word…”$/);
    expect(long.length).toBeLessThan(600);
    // A body that is not the provider's JSON error (a proxy's page) has no reason to pass on.
    expect(map('openai', apiError(400, undefined, '400 <html>Bad Request</html>')).message).toBe(
      'OpenAI turned down the request (HTTP 400).',
    );
  });
});

describe('a 200 whose JSON carries an error instead of an answer', () => {
  let server: Server;
  let baseURL = '';
  const body = '{"error":{"message":"Provider returned error","code":502}}';
  beforeAll(async () => {
    server = createServer((req, res) => {
      req.resume();
      req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end(body));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseURL = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('says the provider answered with an error (not "not JSON"), whole or streamed', async () => {
    const model = new OpenAiCompatibleModel({
      provider: 'endpoint:router',
      modelId: 'm',
      apiModelId: 'm',
      apiKey: 'sk-test-key',
      maxRetries: 0,
      timeoutMs: 2000,
      maxRetryAfterS: 30,
      baseURL,
    });
    const request = { messages: [{ role: 'user' as const, content: 'hi' }], maxOutputTokens: 10 };
    const whole = (await model.generate(request).catch((e: unknown) => e)) as ProviderError;
    const streamed = (await (async () => {
      for await (const part of model.stream(request)) void part;
    })().catch((e: unknown) => e)) as ProviderError;
    for (const error of [whole, streamed]) {
      expect(error).toBeInstanceOf(ProviderError);
      expect(error.message).toBe(
        'Your endpoint “router” answered with an error instead of an answer: “Provider returned error.”',
      );
      expect(error.retryable).toBe(true);
    }
  });
});
