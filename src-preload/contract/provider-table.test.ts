// Where a model runs, in a writer's words: no internal provider id ("endpoint:ollama", "openrouter") reaches the UI.
import { describe, expect, it } from 'vitest';
import { modelPlace, providerLabel } from './provider-table';

describe('providerLabel', () => {
  it('names built-in providers, the writer’s own endpoints and this Mac', () => {
    expect(providerLabel('openrouter')).toBe('OpenRouter');
    expect(providerLabel('deepseek')).toBe('DeepSeek');
    expect(providerLabel('local')).toBe('on this Mac');
    expect(providerLabel('endpoint:lm-studio')).toBe('your endpoint “lm-studio”');
  });

  it("names a registry model's place by its endpoint when a writer's endpoint serves it", () => {
    expect(modelPlace({ provider: 'openai-compatible', endpoint_id: 'atlas' })).toBe('your endpoint “atlas”');
    expect(modelPlace({ provider: 'anthropic', endpoint_id: 'proxy' })).toBe('your endpoint “proxy”');
    expect(modelPlace({ provider: 'anthropic' })).toBe('Anthropic');
    expect(modelPlace({ provider: 'local' })).toBe('on this Mac');
  });

  it('leaves an id it does not know as it is', () => {
    expect(providerLabel('someday-ai')).toBe('someday-ai');
  });
});
