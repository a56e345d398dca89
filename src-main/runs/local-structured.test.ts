// A single run of a structured task on a local model: the model answers under a JSON-schema grammar, which cannot close
// the JSON once the output budget has run out, so the run sends the task's schema bounded to that budget (as a job's
// parts are) and the answer always closes. Real node-llama-cpp on the generated tiny GGUF (random weights: the
// mechanics, not the prose); a cloud model is sent the contract as it is.
import { describe, expect, it } from 'vitest';
import { tinyLlamaFixture } from '../../test/fixtures/tiny-llama';
import { fixtureSpec } from '../../test/support/local-fixture';
import { useTempDir } from '../../test/support/temp-dir';
import { useLocalFixture } from '../../test/support/use-local-fixture';
import { localSpec, tournamentApp } from '../../test/support/tournament-app';
import { answerJsonSchema } from '../tasks/answers';
import { conforms, widestText, type Schema } from '../../test/support/bounded-schema';
import { ANSWER_KINDS } from '../../src-preload/contract/tasks';
import { answerSchema, localAnswerBounds, runAnswerForm } from '../tasks/answer-schema';
import type { GenerateRequest } from '../providers/spec';
import { planRun, requestFor } from './task-run';
import { shippedTaskLibrary } from '../tasks/shipped-library';

const fixture = useLocalFixture();
const tempDir = useTempDir();

const PASSAGE = 'Mara looked at the harbour. Her eyes were green. The door was blue, and the night was long.';

describe('a structured single run on a local model', () => {
  it('is sent its task schema bounded to the output budget; a cloud model the contract as it is', () => {
    const library = shippedTaskLibrary();
    const ids = [...library.keys()];
    for (const definition of library.values()) {
      if (definition.answer === 'prose') continue;
      const plan = planRun({ task: definition.id, input: PASSAGE, request: 'Is Mara the same?' }, library, ids);
      const request: GenerateRequest = { messages: plan.messages, maxOutputTokens: 600, jsonSchema: plan.jsonSchema! };
      const local = requestFor(fixtureSpec('tiny'), plan, request);
      const cloud = requestFor({ ...fixtureSpec('tiny'), provider: 'openai' }, plan, request);
      expect(cloud, definition.id).toBe(request);
      expect(JSON.stringify(request.jsonSchema)).not.toMatch(/max(Length|Items)/);
      // Same answer, same name; bounded so its widest JSON fits the 600 tokens.
      expect(local.jsonSchema!.name).toBe(answerJsonSchema(definition.answer, plan.taskIds)!.name);
      expect(JSON.stringify(local.jsonSchema)).toMatch(/maxItems/);
      expect(widestText(local.jsonSchema!.schema as Schema).length, definition.id).toBeLessThanOrEqual(600);
      expect(local.messages).toBe(request.messages);
    }
    // A caller's own schema is its business: sent as it is.
    const own = planRun(
      { task: 'line_edit', input: PASSAGE, json_schema: { name: 'mine', schema: { type: 'object' } } },
      library,
      ids,
    );
    const request: GenerateRequest = { messages: own.messages, maxOutputTokens: 600, jsonSchema: own.jsonSchema! };
    expect(requestFor(fixtureSpec('tiny'), own, request)).toBe(request);
  });

  it("every kind's widest answer, built from the bounded schema alone, fits the budget, one token a byte", () => {
    for (const kind of ANSWER_KINDS) {
      if (kind === 'prose') continue;
      const form = runAnswerForm(kind, ['continuity_check', 'timeline_check', 'line_edit']);
      const smallest = widestText(answerSchema(form, { maxOutputTokens: 0 }).schema as Schema).length;
      expect(smallest, kind).toBeLessThan(400);
      for (let budget = smallest; budget <= 12_000; budget += 41) {
        const { schema } = answerSchema(form, { maxOutputTokens: budget });
        expect(widestText(schema as Schema).length, `${kind} at ${budget}`).toBeLessThanOrEqual(budget);
        // The widest answer is one the schema admits (the check is of the schema, not of an empty shape).
        expect(conforms(schema as Schema, JSON.parse(widestText(schema as Schema)))).toBe(true);
      }
      // The room goes to the answer: a larger budget admits a larger one.
      const widest = (budget: number) => widestText(answerSchema(form, { maxOutputTokens: budget }).schema as Schema);
      expect(widest(12_000).length, kind).toBeGreaterThan(widest(600).length);
      expect(localAnswerBounds(form, 12_000).items, kind).toBeGreaterThanOrEqual(localAnswerBounds(form, 600).items);
    }
  });

  for (const task of ['continuity_check', 'brainstorm'])
    it(`${task} on the tiny GGUF: the answer's JSON closes within a small budget and is read`, async () => {
      const h = await tournamentApp({
        dataDir: tempDir(),
        fake: fixture.fake(),
        registry: [localSpec('tiny-local', 'tiny-fixture', 5)],
        execution: { firstTokenTimeoutMs: 60_000 },
        // A context that holds an analysis task's instruction (one token a byte in this vocabulary).
        local: {
          llama: fixture.llama(),
          files: { 'tiny-fixture': { path: tinyLlamaFixture({ contextLength: 4096 }), bytes: 1 } },
        },
      });
      try {
        const run = await h.runs.start({ task, input: PASSAGE, model: 'tiny-local', max_output_tokens: 400 });
        // Unbounded, random weights fill a string until the budget runs out and the JSON is cut (truncated, no answer).
        expect(run.status).toBe('completed');
        expect(run.truncated).toBe(false);
        expect(run.output_tokens).toBeLessThanOrEqual(400);
        expect(run.answer?.kind).toBe(task === 'brainstorm' ? 'list' : 'findings');
      } finally {
        await h.close();
      }
    }, 120_000);
});
