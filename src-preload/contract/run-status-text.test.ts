import { describe, expect, it } from 'vitest';
import type { RunAttempt } from './runs';
import { fallbackText } from './run-status-text';

const names: Record<string, string> = { a: 'DeepSeek V3.2', b: 'DeepSeek Reasoner' };
const name = (id: string) => names[id] ?? id;
const attempt = (model_id: string, message: string | null): RunAttempt => ({
  model_id,
  provider: 'deepseek',
  outcome: message ? 'failed' : 'ok',
  error: message ? { code: 'provider_error', message } : null,
  cost_usd: 0,
  latency_ms: 10,
});

describe('fallbackText', () => {
  it('names each model that failed once, with what went wrong and not the step its own message ends with', () => {
    // The model's unreadable answer, then its repair: two attempts of one model, the last one's words ending with
    // "Try again, or choose another model." — advice for a run that failed, not one another model answered.
    const run = {
      model_id: 'b',
      fallbacks: ['b'],
      attempts: [
        attempt('a', 'Its answer could not be read (it answered in prose), so Quire asked it once more.'),
        attempt(
          'a',
          'DeepSeek V3.2 did not answer in the form Quire asked for, even after being asked once more (it answered ' +
            'in prose). Its answer was not used, so nothing changed. Try again, or choose another model.',
        ),
        attempt('b', null),
      ],
    };
    expect(fallbackText(run, name)).toBe(
      'DeepSeek V3.2 failed: DeepSeek V3.2 did not answer in the form Quire asked for, even after being asked once ' +
        'more (it answered in prose). DeepSeek Reasoner answered instead.',
    );
  });

  it('says each failure in turn, and nothing when no model fell back', () => {
    const run = {
      model_id: 'c',
      fallbacks: ['b', 'c'],
      attempts: [
        attempt('a', 'DeepSeek had a problem on its side (HTTP 503)'),
        attempt('b', 'Timed out.'),
        attempt('c', null),
      ],
    };
    expect(fallbackText(run, name)).toBe(
      'DeepSeek V3.2 failed: DeepSeek had a problem on its side (HTTP 503). DeepSeek Reasoner failed: Timed out. ' +
        'c answered instead.',
    );
    expect(fallbackText({ model_id: 'a', fallbacks: [], attempts: [attempt('a', null)] }, name)).toBeNull();
  });
});
