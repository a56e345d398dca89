import { describe, expect, it } from 'vitest';
import { readJson } from './json-answer';

describe('readJson', () => {
  it('reads an answer as it is, inside a code fence, or wrapped in a sentence', () => {
    expect(readJson('{"a":1}')).toEqual({ ok: true, value: { a: 1 } });
    expect(readJson('Here:\n```json\n{"a":2}\n```')).toEqual({ ok: true, value: { a: 2 } });
    expect(readJson('Sure. {"a":3} Hope that helps.')).toEqual({ ok: true, value: { a: 3 } });
  });

  it('reads an object followed by a sentence (the answer starts with its brace)', () => {
    expect(readJson('{"a":4}\nThat is every finding.')).toEqual({ ok: true, value: { a: 4 } });
  });

  it('says the answer was empty or not JSON', () => {
    expect(readJson('  ')).toEqual({ ok: false, problem: 'the answer was empty' });
    expect(readJson('no json here')).toEqual({ ok: false, problem: 'the answer is not valid JSON' });
  });
});
