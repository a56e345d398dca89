import { describe, expect, it } from 'vitest';
import { LiveText } from './live-text';

describe('LiveText', () => {
  it("says where each piece starts in its model's answer; a fallback's answer starts again; an ended run keeps nothing", () => {
    const live = new LiveText();
    expect(live.add('r', 'gpt', 'The clock ')).toBe(0);
    expect(live.add('r', 'gpt', 'struck ')).toBe(10);
    expect(live.add('other', 'gpt', 'Elsewhere.')).toBe(0);
    expect(live.get('r')).toEqual({ model_id: 'gpt', text: 'The clock struck ' });
    // The model failed part-way; the next one writes its own answer from the start.
    expect(live.add('r', 'claude', 'It was ')).toBe(0);
    expect(live.add('r', 'claude', 'noon.')).toBe(7);
    expect(live.get('r')).toEqual({ model_id: 'claude', text: 'It was noon.' });
    live.end('r');
    expect(live.get('r')).toBeUndefined();
    expect(live.get('other')?.text).toBe('Elsewhere.');
  });
});
