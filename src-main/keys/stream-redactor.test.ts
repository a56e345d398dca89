import { describe, expect, it } from 'vitest';
import { Redactor } from './redactor';
import { StreamRedactor } from './stream-redactor';

function streamed(chunks: string[]): string[] {
  const stream = new StreamRedactor((text) => new Redactor().redact(text));
  const out = chunks.map((chunk) => stream.push(chunk));
  out.push(stream.flush());
  return out.filter((text) => text !== '');
}

describe('StreamRedactor', () => {
  it('masks a key that arrives split across tokens, which per-token masking misses', () => {
    const chunks = ['Your key is sk-echo-Z9y8', 'X7w6V5u4T3s2R1q0', 'PpOoNn and', ' the end.'];
    expect(chunks.map((c) => new Redactor().redact(c)).join('')).toContain('X7w6V5u4T3s2R1q0');
    const out = streamed(chunks);
    expect(out.join('')).toBe('Your key is [redacted] and the end.');
    expect(out.join('')).not.toContain('X7w6V5u4T3s2R1q0');
  });

  it('loses no text: ordinary prose comes through whole, a word at most behind', () => {
    const chunks = ['The tide ', 'went out', ' and did not', ' come back.'];
    const out = streamed(chunks);
    expect(out.join('')).toBe(chunks.join(''));
    expect(out[0]).toBe('The tide ');
    expect(out.length).toBeGreaterThan(1);
  });
});
