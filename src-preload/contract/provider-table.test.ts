// Where a model runs, in a writer's words: no internal provider id ("endpoint:ollama", "openrouter") reaches the UI.
import { describe, expect, it } from 'vitest';
import { providerLabel } from './provider-table';

describe('providerLabel', () => {
  it('names built-in providers, the writer’s own endpoints and this Mac', () => {
    expect(providerLabel('openrouter')).toBe('OpenRouter');
    expect(providerLabel('deepseek')).toBe('DeepSeek');
    expect(providerLabel('local')).toBe('on this Mac');
    expect(providerLabel('endpoint:lm-studio')).toBe('your endpoint “lm-studio”');
  });

  it('leaves an id it does not know as it is', () => {
    expect(providerLabel('someday-ai')).toBe('someday-ai');
  });
});
