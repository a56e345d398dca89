// What a writer reads when a provider's SDK call fails: the provider by its name (OpenAI, not "openai"; a writer's
// endpoint by the id they gave it), never the status twice, and the error's kind and billing unchanged.
import { describe, expect, it } from 'vitest';
import { ProviderError, RateLimitedError, TimeoutError } from '../errors';
import { mapSdkError } from './provider-errors';

const map = (provider: string, error: unknown) => mapSdkError(provider, error, { maxRetryAfterS: 30 });

describe('mapSdkError: the provider in a writer’s words', () => {
  it('names a built-in provider by its display name', () => {
    const refused = map('openai', { status: 401, message: '401 Incorrect API key provided' });
    expect(refused).toBeInstanceOf(ProviderError);
    expect(refused.message).toBe('OpenAI refused the API key (HTTP 401).');
    expect(map('deepseek', { status: 429, message: '429 slow down' })).toBeInstanceOf(RateLimitedError);
    expect(map('deepseek', { status: 429, message: '429 slow down' }).message).toMatch(/^DeepSeek is rate-limiting/);
    expect(map('anthropic', { status: 408, message: '408' })).toBeInstanceOf(TimeoutError);
    expect(map('anthropic', { status: 408, message: '408' }).message).toMatch(/^Anthropic timed out/);
  });

  it('names a writer’s endpoint by its id, and starts the sentence with a capital', () => {
    expect(map('endpoint:atlas', { status: 403, message: '403 no' }).message).toBe(
      'Your endpoint “atlas” refused the API key (HTTP 403).',
    );
  });

  it('says a 5xx is a problem on the provider’s side, with its message once and the status once', () => {
    const error = map('openai', { status: 500, message: '500 upstream exploded' });
    expect(error.message).toBe('OpenAI had a problem on its side (HTTP 500): upstream exploded');
    expect((error as ProviderError).retryable).toBe(true);
    expect(error.billing).toBe('none');
    expect(map('qwen', { status: 400, message: '400 bad request body' }).message).toBe(
      'Qwen (Alibaba DashScope) answered HTTP 400: bad request body',
    );
  });
});
