// Encoded keys (issue 14, item 5): a key leaks as readily in base64, percent-encoding or a JSON-escaped string as in
// plain text, from error bodies, run records, providers:health, the event stream and the host's stderr.
import { describe, expect, it } from 'vitest';
import { Redactor } from './redactor';

// Shaped like an OpenAI key (matched by the provider table's pattern), and one the key store knows but no shape fits.
const SHAPED = 'sk-proj-Q2x7LmN4pR8sT1vW3yZ5aB6cD9eF0gH';
const KNOWN = 'custom-endpoint-token-7f3a9c2e11';

function redactor(): Redactor {
  const r = new Redactor();
  r.add(KNOWN);
  return r;
}

const b64 = (text: string) => Buffer.from(text).toString('base64');
const b64url = (text: string) => Buffer.from(text).toString('base64url');
const percent = (text: string) =>
  [...Buffer.from(text)].map((byte) => `%${byte.toString(16).toUpperCase().padStart(2, '0')}`).join('');
const jsonEscaped = (text: string) =>
  [...text].map((c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`).join('');

describe('the redactor, on encoded keys', () => {
  for (const key of [SHAPED, KNOWN]) {
    const which = key === SHAPED ? 'a key-shaped secret' : 'a known secret';
    it(`masks ${which} in base64 (plain and URL-safe, at any offset)`, () => {
      const r = redactor();
      for (const encoded of [b64(key), b64url(key), b64(`Authorization: ${key}`), b64(`x${key}`), b64(`xy${key}`)])
        expect(r.redact(`body: ${encoded} end`)).not.toContain(encoded);
      expect(r.redact(`Basic ${b64(`user:${key}`)}`)).toMatch(/\[redacted\]/);
    });

    it(`masks ${which} URL-encoded, in full or in part`, () => {
      const r = redactor();
      for (const encoded of [percent(key), encodeURIComponent(`key=${key}&x=1`), key.replace(/-/g, '%2D')])
        expect(r.redact(`GET /v1?${encoded} failed`)).not.toMatch(new RegExp(escape(encoded)));
    });

    it(`masks ${which} JSON-escaped`, () => {
      const r = redactor();
      for (const encoded of [
        jsonEscaped(key),
        key.replace(/-/g, '\\u002d'),
        key.slice(0, 3) + jsonEscaped(key.slice(3, 8)) + key.slice(8),
      ])
        expect(r.redact(`{"error":"bad key ${encoded}"}`)).toMatch(/\[redacted\]/);
    });
  }

  it('masks a key a model echoed in its answer text, keeping the words around it', () => {
    const r = redactor();
    const answer = `Sure! Your key is ${SHAPED}, and in base64 ${b64(SHAPED)}. Chapter two begins at dawn.`;
    const out = r.redact(answer);
    expect(out).not.toContain(SHAPED);
    expect(out).not.toContain(b64(SHAPED));
    expect(out).toContain('Chapter two begins at dawn.');
  });

  it('leaves ordinary prose, URLs and base64 that hides no key alone', () => {
    const r = redactor();
    const text = `See https://example.com/a%20b?q=%E2%9C%93 and ${b64('just a picture of a cat, nothing secret')} "\\u00e9t\\u00e9"`;
    expect(r.redact(text)).toBe(text);
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
