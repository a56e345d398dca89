// The forms a job's calls answer in — findings, edits, a part's chapter summaries and a combine step's one summary —
// bounded by answer-schema's one builder for a local grammar: counted at the worst any model can do (one token a
// byte), the JSON always closes before the answer's tokens run out. Checked on the schema (its widest answer, built
// from the schema itself, fits the budget) and on the generated tiny GGUF (random weights: the mechanics, not the
// prose). A job sends its calls these forms counted as a single run's are, on their text: run-job-local.test.ts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Llama } from 'node-llama-cpp';
import { tinyLlamaFixture } from '../../test/fixtures/tiny-llama';
import { fixtureLlama, fixtureModels, fixtureRuntime, fixtureSpec } from '../../test/support/local-fixture';
import type { LocalModels } from '../local/local-provider';
import type { LocalRuntime } from '../local/runtime';
import { conforms, widestBytes, type Schema } from '../../test/support/bounded-schema';
import { answerSchema, localAnswerBounds } from '../tasks/answer-schema';
import { partJsonSchema, partReader, type PartForm } from './job-answer';

const FORMS: { name: string; form: PartForm }[] = [
  { name: 'findings', form: { kind: 'findings', story: true } },
  { name: 'edits', form: { kind: 'edits' } },
  {
    name: "a part's chapter summaries",
    form: { kind: 'summary', chapters: ['# Chapter 2: The Long Night', 'Chapter 3', 'Chapter 4'], story: true },
  },
  { name: "a combine step's one summary", form: { kind: 'summary', chapters: ['Chapter 2'], story: false } },
];
const local = fixtureSpec('tiny');
/** The form's schema bounded at the worst case for `budget` tokens of answer. */
const bounded = (budget: number, form: PartForm) => answerSchema(form, { maxOutputTokens: budget });

describe('bounded answer schemas for a local grammar', () => {
  it('for every form, the widest answer the bounded schema admits fits the output budget, one token a byte', () => {
    for (const { name, form } of FORMS) {
      // Below the smallest answer's widest (one character a string) no grammar can promise to close.
      const smallest = widestBytes(bounded(0, form).schema as Schema);
      expect(smallest, name).toBeLessThan(600);
      for (let budget = smallest; budget <= 20_000; budget += 37) {
        const { schema } = bounded(budget, form);
        expect(widestBytes(schema as Schema), `${name} at ${budget}`).toBeLessThanOrEqual(budget);
      }
      // The room goes to the answer: a larger budget allows longer strings, up to what is wanted.
      expect(localAnswerBounds(form, 20_000).text).toBeGreaterThan(localAnswerBounds(form, 600).text);
    }
  });

  it("a part's summaries have a place for every chapter it holds, a combine step for one, edits for one at least", () => {
    const summary = bounded(1500, FORMS[2]!.form).schema as Schema;
    expect(summary.properties!.chapters).toMatchObject({ minItems: 1, maxItems: 3 });
    // Named by a heading it may be, as the model is told it; "Untitled" for the chapter an earlier part began.
    expect(summary.properties!.chapters!.items!.properties!.chapter!.enum).toEqual([
      'Chapter 2: The Long Night',
      'Chapter 3',
      'Chapter 4',
      'Untitled',
    ]);
    expect(summary.required).toEqual(['chapters', 'story']);
    const combine = bounded(1500, FORMS[3]!.form).schema as Schema;
    expect(combine.properties!.chapters).toMatchObject({ minItems: 1, maxItems: 1 });
    expect(combine.required).toEqual(['chapters']);
    const edits = bounded(1500, { kind: 'edits' }).schema as Schema;
    expect(edits.properties!.edits!.maxItems).toBeGreaterThanOrEqual(1);
    expect(edits.properties!.edits!.items!.properties!.original!.maxLength).toBeGreaterThanOrEqual(24);
    // A provider's schema is the contract as it is: no bounds.
    for (const { form } of FORMS) expect(JSON.stringify(partJsonSchema(form))).not.toMatch(/max(Length|Items)/);
  });
});

describe('on the generated tiny GGUF (random weights)', () => {
  let llama: Llama;
  let runtime: LocalRuntime;
  let models: LocalModels;
  beforeAll(async () => {
    llama = await fixtureLlama();
    runtime = fixtureRuntime(llama);
    models = fixtureModels(runtime, { tiny: tinyLlamaFixture({ seed: 2 }) }, [local]);
  });
  afterAll(async () => {
    await runtime.close();
    await llama.dispose();
  });

  /** Room for the smallest answer of the form, at least 320 tokens: its grammar must close within it. */
  const budgetOf = (form: PartForm) => Math.max(320, widestBytes(bounded(0, form).schema as Schema));
  const ask = (form: PartForm, budget: number) =>
    models.run(
      local,
      {
        messages: [
          { role: 'system', content: 'Answer with JSON only.' },
          { role: 'user', content: '<manuscript>\nMara looked at the harbour. Her eyes were green.\n</manuscript>' },
        ],
        maxOutputTokens: budget,
        temperature: 0,
        jsonSchema: bounded(budget, form),
      },
      undefined,
    );

  for (const { name, form } of FORMS.slice(1))
    it(`${name}: the grammar is applied and its JSON closes within the budget`, async () => {
      const budget = budgetOf(form);
      const { schema } = bounded(budget, form);
      expect(widestBytes(schema as Schema)).toBeLessThanOrEqual(budget);
      const result = await ask(form, budget);
      expect(result.finishReason).toBe('stop');
      expect(result.jsonError).toBeUndefined();
      expect(result.usage.outputTokens).toBeLessThanOrEqual(budget);
      expect(JSON.parse(result.text)).toEqual(result.json);
      expect(conforms(schema as Schema, result.json)).toBe(true);
      // What the job reads it with: the shape it asked for (a random model's strings may still be blank).
      const read = partReader(form.kind).safeParse(result.json);
      if (!read.success)
        expect(read.error.issues.every((i) => i.code === 'too_small' || i.code === 'custom')).toBe(true);
    }, 120_000);
});
