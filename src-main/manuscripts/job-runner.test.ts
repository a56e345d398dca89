// A ~40,000-word manuscript as one multi-part job on the generated tiny local model with a small (2,048-token)
// context: the split covers every paragraph, every part's whole request fits the context, a fake continuity checker
// catches a contradiction planted chapters apart through the story so far, findings merge, cancel and resume.
import { join } from 'node:path';
import type { Llama } from 'node-llama-cpp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS } from '../../src-preload/contract';
import { continuityFake } from '../../test/fixtures/continuity-fake';
import { generateManuscript } from '../../test/fixtures/manuscript';
import { tinyLlamaFixture } from '../../test/fixtures/tiny-llama';
import { model } from '../../test/support/decision-fixtures';
import { fixtureLlama, fixtureModels, fixtureSpec } from '../../test/support/local-fixture';
import { useTempDir } from '../../test/support/temp-dir';
import { CancelledError, InputTooLongError } from '../errors';
import { LocalTokenizer } from '../local/local-tokenizer';
import { LocalRuntime } from '../local/runtime';
import { openDatabase } from '../store/database';
import { TokenCounter, type CountMessage } from '../tokens/token-counter';
import { planJob, quoteJob, refuseIfTooLong } from './job-plan';
import { JobRunner } from './job-runner';
import { setUpJob, type JobSetup } from './job-setup';
import type { JobProgress, StorySoFar } from './job-types';
import { JobsRepo } from './jobs-repo';
import { boundStory, renderStory } from './story';
import { parseStructure } from './structure';

const CONTEXT = 2048;
const MAX_OUTPUT = 256;
const STORY = 256;
const instruction: CountMessage[] = [
  { role: 'system', content: 'You check a manuscript for continuity errors. Quote both places.' },
];
// The registry advertises far more than the file was trained on: the job must use what the runtime opens.
const spec = { ...fixtureSpec('tiny'), display_name: 'Tiny llama', context_window: 131_072 };
const text = generateManuscript({
  words: 40_000,
  chapters: 12,
  longEvery: 40,
  plant: [
    { chapter: 2, paragraph: 3, text: 'Mara’s eyes were green as sea glass.' },
    { chapter: 9, paragraph: 5, text: 'Mara’s eyes were brown, and the harbour knew it.' },
  ],
});
const { blocks } = parseStructure(text);

let llama: Llama;
let runtime: LocalRuntime;
let tokenizer: LocalTokenizer;
let tokens: TokenCounter;
let setup: JobSetup;
beforeAll(async () => {
  llama = await fixtureLlama();
  const file = tinyLlamaFixture({ seed: 41, contextLength: CONTEXT });
  runtime = new LocalRuntime({
    settings: () => ({ ...DEFAULT_SETTINGS.local, threads: 2, memory_budget_mb: 2048 }),
    createLlama: () => Promise.resolve(llama),
  });
  const models = fixtureModels(runtime, { tiny: file }, [spec]);
  tokenizer = new LocalTokenizer({ llama: () => Promise.resolve(llama), fileOf: () => file });
  tokens = new TokenCounter({ local: tokenizer.count, localText: tokenizer.textCounter });
  setup = await setUpJob(
    { tokens, localContext: (s) => models.contextWindow(s) },
    { spec, text, blocks, instruction, maxOutputTokens: MAX_OUTPUT, storyTokens: STORY },
  );
});
afterAll(async () => {
  await tokenizer.close();
  await runtime.close();
  await llama.dispose();
});

const tempDir = useTempDir('quire-job-');
function runner() {
  const db = openDatabase(join(tempDir(), 'quire.sqlite'));
  return { runner: new JobRunner({ repo: new JobsRepo(db) }), db };
}

/** The part's whole request as the runs service will send it: instruction, then story so far and the part's text. */
function partMessages(story: StorySoFar, partText: string): CountMessage[] {
  const told = renderStory(story);
  return [...instruction, { role: 'user', content: told ? `${told}\n\n${partText}` : partText }];
}

describe('a 40,000-word manuscript on the tiny local model with a small context', () => {
  it('every paragraph is in some part (coverage) and every part, with instruction and story so far, fits the context', async () => {
    expect(text.split(/\s+/).length).toBeGreaterThan(40_000);
    expect(setup.contextWindow).toBe(CONTEXT);
    expect(setup.method).toBe('model');
    const { parts } = setup.plan;
    expect(parts.length).toBeGreaterThan(10);
    // Coverage: contiguous parts that give back the whole text; every paragraph inside the parts that name it.
    expect(parts.map((p) => text.slice(p.start, p.end)).join('')).toBe(text);
    const paragraphs = blocks.filter((b) => b.kind === 'text');
    const covered = paragraphs.filter((b) =>
      parts.some((p) => p.start <= b.start && b.end <= p.end && blocks.indexOf(b) >= p.firstBlock),
    );
    const split = paragraphs.filter((b) => !covered.includes(b));
    // A paragraph longer than a part is spread over consecutive parts, at sentence boundaries, never dropped.
    for (const b of split) {
      const holders = parts.filter((p) => p.start < b.end && b.start < p.end);
      expect(holders.length).toBeGreaterThan(1);
      expect(holders[0]!.start).toBeLessThanOrEqual(b.start);
      expect(holders.at(-1)!.end).toBeGreaterThanOrEqual(b.end);
    }
    console.log(
      `coverage: ${paragraphs.length} paragraphs, ${covered.length} whole in one part, ${split.length} split at sentences, over ${parts.length} parts (budget ${setup.plan.partTokens} tokens of ${CONTEXT})`,
    );
    // Parts respect the context: the full request (real template, real vocabulary) + the answer fits.
    const { count } = setup;
    const fullStory = boundStory(
      {
        characters: [],
        facts: Array.from({ length: 200 }, (_, i) => ({ text: `fact ${i} about the harbour`, location: null })),
        timeline: [],
        omitted: 0,
      },
      STORY,
      count,
    );
    for (const part of parts) {
      const request = await tokens.count(spec, { messages: partMessages(fullStory, text.slice(part.start, part.end)) });
      expect(request.tokens + MAX_OUTPUT).toBeLessThanOrEqual(CONTEXT);
    }
  });

  it('findings from different parts merge; a planted cross-chapter contradiction comes back with both locations', async () => {
    const { runner: jobs } = runner();
    const fake = continuityFake();
    const id = jobs.create({ task: 'continuity_check', model_id: spec.id, text, ...setup });
    const progress: JobProgress[] = [];
    const result = await jobs.run(id, fake.runPart, { count: setup.count, onProgress: (p) => progress.push(p) });
    const M = setup.plan.parts.length;
    expect(result.parts).toBe(M);
    expect(progress.filter((p) => p.phase === 'finished').map((p) => `${p.part} of ${p.of}`)).toEqual(
      Array.from({ length: M }, (_, k) => `${k + 1} of ${M}`),
    );
    const contradiction = result.findings.find((f) => f.claim === "Mara's eye colour changes");
    expect(contradiction).toBeDefined();
    expect(contradiction!.evidence.map((e) => e.location)).toEqual([
      { chapter: 2, paragraph: 3 },
      { chapter: 9, paragraph: 5 },
    ]);
    // The second mention was in a later part than the first: only the story so far could connect them.
    const first = fake.calls.findIndex((c) => c.part.text.includes('green as sea glass'));
    const second = fake.calls.findIndex((c) => c.part.text.includes('were brown'));
    expect(second).toBeGreaterThan(first);
    expect(fake.calls[second]!.story.facts.some((f) => f.text === "Mara's eyes are green")).toBe(true);
    // The repeated-word finding every part reported is one finding, naming the parts.
    const repeated = result.findings.filter((f) => f.claim.startsWith('The word "lantern"'));
    expect(repeated).toHaveLength(1);
    expect(repeated[0]!.parts.length).toBeGreaterThan(1);
    // The story each part was given stayed within its bound.
    for (const call of fake.calls) expect(setup.count(renderStory(call.story))).toBeLessThanOrEqual(STORY);
  });

  it('cancel stops the job between parts and keeps finished parts; run again resumes after them', async () => {
    const { runner: jobs, db } = runner();
    const id = jobs.create({ task: 'continuity_check', model_id: spec.id, text, ...setup });
    const controller = new AbortController();
    const fake = continuityFake();
    const cancelled = await jobs
      .run(id, fake.runPart, {
        count: setup.count,
        signal: controller.signal,
        onProgress: (p) => p.phase === 'finished' && p.part === 3 && controller.abort(),
      })
      .catch((e: unknown) => e);
    expect(cancelled).toBeInstanceOf(CancelledError);
    expect(new JobsRepo(db).get(id)!.status).toBe('cancelled');
    expect(new JobsRepo(db).parts(id).map((p) => p.index)).toEqual([0, 1, 2]);
    const resumed = await jobs.run(id, continuityFake().runPart, { count: setup.count });
    expect(resumed.ran[0]).toBe(3);
    expect(resumed.ran).toHaveLength(setup.plan.parts.length - 3);
    expect(resumed.findings.some((f) => f.claim === "Mara's eye colour changes")).toBe(true);
  });

  it('cancel within a part: a part that still answers is kept and the job stops before the next; one cut off is not', async () => {
    const { runner: jobs, db } = runner();
    const id = jobs.create({ task: 'continuity_check', model_id: spec.id, text, ...setup });
    const fake = continuityFake();
    const seen: boolean[] = [];
    // The writer presses Stop while part 2 is running, and its answer comes back all the same (already paid for).
    const controller = new AbortController();
    const error = await jobs
      .run(
        id,
        async (part, story, signal) => {
          if (part.index === 1) {
            controller.abort();
            seen.push(signal.aborted);
          }
          return fake.runPart(part, story);
        },
        { count: setup.count, signal: controller.signal },
      )
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CancelledError);
    expect(seen).toEqual([true]);
    expect(new JobsRepo(db).parts(id).map((p) => p.index)).toEqual([0, 1]);
    expect(fake.calls).toHaveLength(2);

    // Stopped again while part 3 is running, and its call is cut off: nothing of it is kept.
    const again = new AbortController();
    const cut = await jobs
      .run(
        id,
        () => {
          again.abort();
          return Promise.reject(new CancelledError());
        },
        { count: setup.count, signal: again.signal },
      )
      .catch((e: unknown) => e);
    expect(cut).toBeInstanceOf(CancelledError);
    expect(new JobsRepo(db).parts(id).map((p) => p.index)).toEqual([0, 1]);

    const resumed = await jobs.run(id, continuityFake().runPart, { count: setup.count });
    expect(resumed.ran[0]).toBe(2);
  });

  it('the quote covers the whole job: every part, worst case, before anything runs', async () => {
    const { runner: jobs } = runner();
    const fake = continuityFake({ countStory: (s) => setup.count(renderStory(s)) });
    const id = jobs.create({ task: 'continuity_check', model_id: spec.id, text, ...setup });
    const result = await jobs.run(id, fake.runPart, { count: setup.count });
    expect(setup.quote.parts).toBe(setup.plan.parts.length);
    expect(setup.quote.input_tokens_max).toBeGreaterThanOrEqual(result.usage.inputTokens!);
    expect(setup.quote.output_tokens_max).toBe(setup.plan.parts.length * MAX_OUTPUT);
    // Priced for a cloud model: parts × (part + instruction + story so far in, maximum answer out), each rounded up.
    const cloud = model('cloud', { price: [3, 15] });
    const quote = quoteJob(setup.plan, cloud);
    const { instructionTokens, storyTokens, maxOutputTokens } = setup.plan.budget;
    const expected = setup.plan.parts.reduce(
      (sum, p) =>
        sum + Math.ceil((((p.tokens + instructionTokens + storyTokens) * 3 + maxOutputTokens * 15 - 1e-6) / 1e6) * 1e6),
      0,
    );
    expect(quote.cost_micros_max).toBeGreaterThanOrEqual(expected - setup.plan.parts.length);
    expect(quote.cost_micros_max).toBeLessThanOrEqual(expected + setup.plan.parts.length);
  });

  it('a model whose context cannot hold a part is refused with the numbers; a long passage for one call too', () => {
    expect(() =>
      refuseIfTooLong({
        passageTokens: 9120,
        requestTokens: 9200,
        contextWindow: 4096,
        maxOutputTokens: 416,
        modelName: 'Llama 3.2 1B',
      }),
    ).toThrow(/^This passage is 9,120 tokens; Llama 3\.2 1B can read 3,600 at once/);
    const error = (() => {
      try {
        refuseIfTooLong({
          passageTokens: 9120,
          requestTokens: 9200,
          contextWindow: 4096,
          maxOutputTokens: 416,
          modelName: 'x',
        });
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(InputTooLongError);
    expect(() =>
      refuseIfTooLong({
        passageTokens: 3600,
        requestTokens: 3680,
        contextWindow: 4096,
        maxOutputTokens: 416,
        modelName: 'x',
      }),
    ).not.toThrow();
  });
  it('a model whose context leaves no room for a part says so, not that a short passage is too long', () => {
    const budget = { contextWindow: 1400, maxOutputTokens: 350, instructionTokens: 616, storyTokens: 175 };
    const text = 'The rain fell on the old house.';
    expect(() => planJob(text, parseStructure(text).blocks, (s) => Math.ceil(s.length / 2), budget, 'Small')).toThrow(
      /^Small has too little room for this task's text: its 1,400-token context holds the 350-token answer, the 616-token instruction, the 175-token story so far and 320 tokens to ask again if an answer comes back unreadable, leaving \d+ tokens of text a part \(at least 256 are needed\)\. Nothing was cut: choose a model with a larger context\.$/,
    );
  });
  it('a model whose context cannot hold even the instruction and the answer says only that', () => {
    // Not "the story so far … leaving 0 tokens of text a part": no part, however small, was ever possible.
    const budget = { contextWindow: 2048, maxOutputTokens: 200, instructionTokens: 2631, storyTokens: 256 };
    const text = 'The rain fell on the old house.';
    expect(() => planJob(text, parseStructure(text).blocks, (s) => Math.ceil(s.length / 2), budget, 'Small')).toThrow(
      "Small has too little room for this task's text: its 2,048-token context cannot hold even the task's " +
        '2,631-token instruction (as Small counts it) with the 200-token answer. Nothing was cut: choose a model ' +
        'with a larger context.',
    );
  });
});
