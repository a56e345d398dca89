// The JSON-schema grammar a local model answers under: node-llama-cpp's, without \uXXXX escapes, so a string's
// character is its raw UTF-8 (at most 4 bytes, where an escape is 6) — what answer-schema.ts counts a string's
// characters by.
import type { Llama } from 'node-llama-cpp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixtureLlama } from '../../test/support/local-fixture';
import { JSON_OBJECT } from '../providers/json-answer';
import { jsonSchemaGrammar } from './local-generation';

let llama: Llama;
beforeAll(async () => {
  llama = await fixtureLlama();
});
afterAll(async () => {
  await llama.dispose();
});

describe('the JSON-schema grammar of a local answer', () => {
  it('writes a string character as itself or a short escape, never as \\u', async () => {
    const schema = { type: 'object', properties: { a: { type: 'string', maxLength: 3 }, b: { type: 'string' } } };
    const { grammar, stopGenerationTriggers } = await jsonSchemaGrammar(llama, schema);
    const stringChar = grammar.split('\n').find((rule) => rule.startsWith('string-char-rule ::= '));
    expect(stringChar).toBe('string-char-rule ::= [^"\\\\\\x7F\\x00-\\x1F] | "\\\\" ["\\\\/bfnrt]');
    expect(grammar).not.toContain('"\\\\u"');
    // Otherwise node-llama-cpp's grammar for the schema, stop trigger included.
    const own = await llama.createGrammarForJsonSchema(schema as never);
    expect(grammar.replace(stringChar!, '')).toBe(own.grammar.replace(/^string-char-rule ::= .*$/m, ''));
    expect(stopGenerationTriggers).toEqual(own.stopGenerationTriggers);
  });

  it("takes any object in JSON mode (an app's json_object), where a bare object schema would take only {}", async () => {
    const bare = await jsonSchemaGrammar(llama, { type: 'object' });
    expect(bare.grammar.split('\n')[0]).toBe(
      'root ::= "{" whitespace-b-1-4-rule whitespace-b-0-4-rule "}" "\\n\\n\\n\\n" [\\n]*',
    );
    const { grammar } = await jsonSchemaGrammar(llama, JSON_OBJECT.schema);
    // A key (any string) and a value of any JSON type, as many as the model writes.
    expect(grammar).toMatch(/^rule\d+ ::= string-rule ":" \[ \]\? any-json-1-4-rule$/m);
  });
});
