import { describe, expect, it } from 'vitest';
import { Redactor } from './redactor';
import { StreamRedactor } from './stream-redactor';

function streamed(chunks: string[], redactor = new Redactor()): string[] {
  const stream = new StreamRedactor(redactor.redact, redactor.secretCut);
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

  // A custom endpoint takes any key its server expects: a JWT has dots, and some keys have colons or spaces.
  const keys = [
    'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ3cml0ZXIifQ.c2lnbmF0dXJlMTIz',
    'lan:token~42:Zq.9',
    'open sesame please',
  ];

  it.each(keys)('masks a known key %s however its tokens are cut, and keeps every other character', (key) => {
    const redactor = new Redactor();
    redactor.add(key);
    const text = `The server said your key ${key} was accepted, ${key}.`;
    for (let a = 1; a < text.length - 1; a++)
      for (const b of [a + 1, a + 7, a + 31]) {
        if (b >= text.length) continue;
        const out = streamed([text.slice(0, a), text.slice(a, b), text.slice(b)], redactor).join('');
        expect(out, `cut at ${a} and ${b}`).toBe('The server said your key [redacted] was accepted, [redacted].');
      }
  });

  it('holds the first characters of a key no longer than it must: text that turns out not to be the key comes through', () => {
    const redactor = new Redactor();
    redactor.add('lan:token~42:Zq.9');
    const stream = new StreamRedactor(redactor.redact, redactor.secretCut);
    expect(stream.push('Use lan:tok')).toBe('Use ');
    expect(stream.push('yo instead. ')).toBe('lan:tokyo instead. ');
    expect(stream.flush()).toBe('');
  });
});
