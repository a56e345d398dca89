// A single run of a structured task on a local model: the model answers under a JSON-schema grammar, which cannot close
// the JSON once the output budget has run out, so the run sends the task's schema bounded to that budget (counted from
// the passage's text, as a job's parts and a tournament's members are) and the answer closes. Real node-llama-cpp on the generated
// tiny GGUF (random weights: the mechanics, not the prose); a cloud model is sent the contract as it is. The numbers
// at each task's own settings: local-answer-room.test.ts.
import { describe, expect, it } from 'vitest';
import { tinyLlamaFixture } from '../../test/fixtures/tiny-llama';
import { fixtureSpec } from '../../test/support/local-fixture';
import { useTempDir } from '../../test/support/temp-dir';
import { useLocalFixture } from '../../test/support/use-local-fixture';
import { localSpec, tournamentApp } from '../../test/support/tournament-app';
import { answerJsonSchema } from '../tasks/answers';
import { conforms, widestBytes, widestText, widestValue, type Schema } from '../../test/support/bounded-schema';
import { estimateTextTokens } from '../../src-preload/contract/tokens';
import { ANSWER_KINDS, type RunAnswer } from '../../src-preload/contract/tasks';
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
      const start = { task: definition.id, input: PASSAGE, request: 'Is Mara the same?', max_output_tokens: 600 };
      const plan = planRun(start, library, ids);
      const request: GenerateRequest = { messages: plan.messages, maxOutputTokens: 600, jsonSchema: plan.jsonSchema! };
      const local = requestFor(fixtureSpec('tiny'), plan, request);
      const cloud = requestFor({ ...fixtureSpec('tiny'), provider: 'openai' }, plan, request);
      expect(cloud, definition.id).toBe(request);
      expect(JSON.stringify(request.jsonSchema)).not.toMatch(/max(Length|Items)/);
      // Same answer, same name; bounded so its widest JSON, in the passage's words, fits the 600 tokens the caller
      // chose (local-answer-room.test.ts: at the task's own length, the room the context has).
      expect(local.jsonSchema!.name).toBe(answerJsonSchema(definition.answer, plan.taskIds)!.name);
      expect(JSON.stringify(local.jsonSchema)).toMatch(/maxItems/);
      expect(local.maxOutputTokens).toBe(600);
      const widest = JSON.stringify(
        widestValue(local.jsonSchema!.schema as Schema, (n) => PASSAGE.repeat(9).slice(0, n)),
        null,
        4,
      );
      expect(estimateTextTokens(widest), definition.id).toBeLessThanOrEqual(600);
      // The instruction says what the bounds are; the passage goes as it was.
      expect(local.messages[0]!.content.startsWith(request.messages[0]!.content)).toBe(true);
      expect(local.messages[1]).toBe(request.messages[1]);
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
      const smallest = widestBytes(answerSchema(form, { maxOutputTokens: 0 }).schema as Schema);
      expect(smallest, kind).toBeLessThan(400);
      for (let budget = smallest; budget <= 12_000; budget += 41) {
        const { schema } = answerSchema(form, { maxOutputTokens: budget });
        expect(widestBytes(schema as Schema), `${kind} at ${budget}`).toBeLessThanOrEqual(budget);
        // The widest answer is one the schema admits (the check is of the schema, not of an empty shape).
        expect(conforms(schema as Schema, JSON.parse(widestText(schema as Schema)))).toBe(true);
      }
      // The room goes to the answer: a larger budget admits a larger one.
      const widest = (budget: number) => widestBytes(answerSchema(form, { maxOutputTokens: budget }).schema as Schema);
      expect(widest(12_000), kind).toBeGreaterThan(widest(600));
      expect(localAnswerBounds(form, 12_000).items, kind).toBeGreaterThanOrEqual(localAnswerBounds(form, 600).items);
    }
  });

  // A vocabulary with word pieces, as every real model's has: a single run counts its answer as realistically as the
  // passage's own text (answer-schema.ts passageCost), which the fixture's default vocabulary of single characters
  // and bytes (one token a byte) is not. Seeded, so the random weights write the same answer every time.
  const realistic = (contextLength: number) =>
    tinyLlamaFixture({ contextLength, vocabulary: { kind: 'bpe', learned: 800 } });
  const tinyApp = (path: string) =>
    tournamentApp({
      dataDir: tempDir(),
      fake: fixture.fake(),
      registry: [localSpec('tiny-local', 'tiny-fixture', 5)],
      execution: { firstTokenTimeoutMs: 60_000 },
      local: { llama: fixture.llama(), files: { 'tiny-fixture': { path, bytes: 1 } } },
    });

  for (const task of ['continuity_check', 'brainstorm'])
    it(`${task} on the tiny GGUF: the answer's JSON closes within a small budget and is read`, async () => {
      // A context that holds an analysis task's instruction.
      const h = await tinyApp(realistic(4096));
      try {
        const run = await h.runs.start({ task, input: PASSAGE, model: 'tiny-local', max_output_tokens: 400, seed: 3 });
        // Unbounded, random weights fill a string until the budget runs out and the JSON is cut (truncated, no answer).
        expect(run.status).toBe('completed');
        expect(run.truncated).toBe(false);
        expect(run.output_tokens).toBeLessThanOrEqual(400);
        expect(run.answer?.kind).toBe(task === 'brainstorm' ? 'list' : 'findings');
      } finally {
        await h.close();
      }
    }, 120_000);

  it("chapter_summary on the tiny GGUF at the task's own length: every chapter of the passage is summarised", async () => {
    // The model's 8,192-token context is more than the registry's 4,096 the run sizes its answer by (the fixture's
    // small vocabulary counts the instruction above the estimate the room is measured with; a real model's is below).
    const h = await tinyApp(realistic(8192));
    try {
      const passage =
        '# Chapter 1\n\nMara had green eyes.\n\n# Chapter 2\n\nMara had blue eyes.\n\n# Chapter 3\n\nThe storm came.';
      const run = await h.runs.start({ task: 'chapter_summary', input: passage, model: 'tiny-local', seed: 3 });
      expect(run).toMatchObject({ status: 'completed', truncated: false });
      const answer = run.answer as Extract<RunAnswer, { kind: 'summary' }>;
      expect(answer.chapters.map((c) => c.chapter)).toEqual(['Chapter 1', 'Chapter 2', 'Chapter 3']);
    } finally {
      await h.close();
    }
  }, 300_000);
});
