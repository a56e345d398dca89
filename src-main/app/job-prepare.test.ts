// Which model a passage is decided for before any split: the decision is asked with the whole request (the task's
// instruction with the passage), so a model whose context cannot hold the instruction is never chosen for it.
import { describe, expect, it } from 'vitest';
import type { CandidateReason, DecideRequest, Decision, ModelSpec } from '../../src-preload/contract';
import { fixtureSpec } from '../../test/support/local-fixture';
import { generateManuscript } from '../../test/fixtures/manuscript';
import { shippedTaskLibrary } from '../tasks/shipped-library';
import { InputTooLongError } from '../errors';
import { prepareJob } from './job-prepare';
import { combineMessages, stepItems } from './summary-combine';

const small: ModelSpec = { ...fixtureSpec('small'), context_window: 1400 };
const wide: ModelSpec = { ...fixtureSpec('wide'), context_window: 8192 };

/** The orchestrator's context rule over two models, the smaller first (it is the cheaper pick). */
function deps(models: ModelSpec[] = [small, wide], keptOutBy: CandidateReason = 'context_too_small') {
  const asked: DecideRequest[] = [];
  const decide = (request: DecideRequest): Decision => {
    asked.push(request);
    const output = request.max_output_tokens ?? 2000; // the line edit's own answer length
    const holds = (m: ModelSpec) => m.context_window >= (request.input_tokens ?? 0) + output;
    const fits = models.find((m) => (!request.model || m.id === request.model) && holds(m));
    const refusal = fits ? null : { code: 'unavailable' as const, message: 'Context window too small: small.' };
    const candidates = models.map((m) => ({ model_id: m.id, local: true, reasons: holds(m) ? [] : [keptOutBy] }));
    const mode = request.model ? 'forced' : 'orchestrator';
    return { model_id: fits?.id ?? null, refusal, max_output_tokens: output, mode, candidates } as unknown as Decision;
  };
  // A tokenizer that reads finely (two characters a token), as a small local model's may.
  const chars = (s: string) => Math.ceil(s.length / 2);
  const count = (messages: readonly { content: string }[]) => messages.reduce((n, m) => n + chars(m.content) + 4, 0);
  return {
    asked,
    count,
    d: {
      decide,
      model: (id: string) => models.find((m) => m.id === id),
      tokens: {
        count: (_spec: ModelSpec, { messages }: { messages: readonly { content: string }[] }) =>
          Promise.resolve({ tokens: count(messages), method: 'estimate' }),
        textCounter: () => Promise.resolve({ count: chars, method: 'estimate' }),
      } as never,
      library: shippedTaskLibrary(),
      now: () => new Date('2026-03-15T12:00:00Z'),
      overrunRatios: () => new Map(),
    },
  };
}

describe('prepareJob', () => {
  it('decides a short passage on a model that holds the instruction too, and runs it whole', async () => {
    const { d, asked } = deps();
    // With its answer, the line edit's instruction is more than the small model's 1,400 tokens: it used to be chosen
    // for the passage's few tokens, and the run then refused ("can read 31 at once") or split eight words in parts.
    const input = 'The rain fell on the old house.';
    await expect(prepareJob(d, { task: 'line_edit', input })).resolves.toBeNull();
    expect(asked.map((r) => r.input_tokens)).toEqual([expect.any(Number)]);
    expect(asked[0]!.input_tokens).toBeGreaterThan(400);
  });

  it('a short passage no model can take with its answer is refused by the decision, not run as a job', async () => {
    // The one model set up holds the instruction and the passage, but not with the line edit's 2,000-token answer. A
    // part's shorter answer would fit, but splitting eight words cannot help: it used to be tried, and the writer read
    // "too little room for this task's text … 31 tokens of text a part" about a one-line passage, instead of the
    // decision's "a shorter answer may fit".
    const { d, asked } = deps([{ ...small, context_window: 2048 }]);
    await expect(prepareJob(d, { task: 'line_edit', input: 'The rain fell on the old house.' })).resolves.toBeNull();
    expect(asked).toHaveLength(1);
  });

  it('asks the decision for the answer the run will allow, so it never picks a model the run then refuses', async () => {
    // Asked with the task's typical answer, a brainstorm chose a small model that the run's own 2,000-token answer
    // did not fit, and the writer read "My story model can read 0 at once" about a one-line passage.
    const { d, asked } = deps([{ ...small, context_window: 2048 }]);
    await expect(prepareJob(d, { task: 'brainstorm', input: 'The rain fell on the old house.' })).resolves.toBeNull();
    expect(asked[0]!.max_output_tokens).toBe(shippedTaskLibrary().get('brainstorm')!.max_output_tokens);
    // The writer's own answer length is what is asked for when given.
    await prepareJob(d, { task: 'brainstorm', input: 'The rain fell.', max_output_tokens: 300 });
    expect(asked.at(-1)!.max_output_tokens).toBe(300);
  });

  it('a model whose instruction and answer leave no room for any text says so, not "shorten the passage"', async () => {
    // The scene draft answers from the whole passage with up to 3,000 tokens: a 2,048-token model cannot hold that
    // answer at all, so no passage however short would run there. It used to read "can read 0 at once … or shorten
    // the passage".
    const { d } = deps([{ ...small, context_window: 2048 }]);
    const error = (await prepareJob(d, { task: 'scene_draft', input: 'Mara walked. '.repeat(2000) }).catch(
      (e: unknown) => e,
    )) as InputTooLongError;
    expect(error).toBeInstanceOf(InputTooLongError);
    expect(error.toInfo()).toMatchObject({ code: 'invalid_input', path: 'input', advised: true });
    expect(error.message).toMatch(
      /^small has too little room for this task's text: its 2,048-token context cannot hold the task's [\d,]+-token instruction \(as small counts it\) with its answer of up to 3,000 tokens\. Nothing was cut: choose a model with a larger context\.$/,
    );
    expect(error.message).not.toMatch(/shorten|read 0/);
  });

  it("a reasoning model whose context cannot hold a part's room to think names that room, not a longer answer", async () => {
    // A continuity check's calls each get its 2,500-token answer and 16,000 tokens of room to think (medium effort):
    // in a 20,000-token context nothing is left for the text. The refusal called all 18,500 "the answer".
    const thinker: ModelSpec = {
      ...small,
      id: 'thinker',
      display_name: 'Thinker',
      provider: 'openai',
      context_window: 20_000,
      max_output_tokens: 64_000,
      capabilities: { ...small.capabilities, reasoning: true },
    };
    const { d } = deps([thinker]);
    const error = (await prepareJob(d, { task: 'continuity_check', input: 'Mara walked. '.repeat(4000) }).catch(
      (e: unknown) => e,
    )) as InputTooLongError;
    expect(error).toBeInstanceOf(InputTooLongError);
    expect(error.message).toMatch(
      /^Thinker has too little room for this task's text: its 20,000-token context holds the 2,500-token answer with 16,000 tokens of room to think before it, the [\d,]+-token instruction, /,
    );
    expect(error.message).not.toMatch(/18,500/);
  });

  it('a passage too long for a model that has room for some text still says how much it reads and to shorten it', async () => {
    const { d } = deps([{ ...small, context_window: 8192 }]);
    const error = (await prepareJob(d, { task: 'scene_draft', input: 'Mara walked. '.repeat(2000) }).catch(
      (e: unknown) => e,
    )) as InputTooLongError;
    expect(error.message).toMatch(
      /^This passage is [\d,]+ tokens; small can read [1-9][\d,]* at once .*shorten the passage/,
    );
  });

  it('a model the writer picked that is too small for even a part says so with its numbers, not only "too long"', async () => {
    // A continuity check of a long manuscript on a 2,048-token local model: the decision for a part's size refused it
    // and the writer read "this passage and its answer are too long for it", with no figure of what does not fit.
    const { d } = deps([{ ...small, context_window: 2048 }]);
    const long = { task: 'continuity_check', input: 'Mara walked. '.repeat(4000), model: 'small' };
    const error = (await prepareJob(d, long).catch((e: unknown) => e)) as InputTooLongError;
    expect(error).toBeInstanceOf(InputTooLongError);
    expect(error.message).toMatch(
      /^small has too little room for this task's text: its 2,048-token context .*[\d,]+-token instruction.*Nothing was cut: choose a model with a larger context\.$/,
    );
    // Kept out by something else (its key, say): the decision's own words stand, and nothing is planned on it.
    const { d: keyless } = deps([{ ...small, context_window: 2048 }], 'no_key');
    await expect(prepareJob(keyless, long)).resolves.toBeNull();
    // Let Quire choose: the decision's refusal, as before.
    const { model: _picked, ...chosen } = long;
    await expect(prepareJob(d, chosen)).resolves.toBeNull();
  });

  it("quotes a chapter summary's combine steps with the writer's request they are sent, at their longest", async () => {
    // The request goes with every combine step: a quote that counted each step without it was not the most the job
    // could read (a long request, over a few steps, more than the room each summary's label leaves).
    const { d, count } = deps([wide]);
    const request = `Note who learns what.${' Keep each summary to two sentences and name every place.'.repeat(10)}`;
    const input = generateManuscript({ words: 12_000, chapters: 2 });
    const job = (await prepareJob(d, { task: 'chapter_summary', input, request }))!;
    expect(job.steps.length).toBeGreaterThan(0);
    // Each step at its longest: every summary it reads as long as a part's answer may be (two characters a token).
    const longest = 'x'.repeat(2 * job.maxOutputTokens);
    let steps = 0;
    for (const step of job.steps) {
      const messages = combineMessages(job.definition, step.title, Array(stepItems(step)).fill(longest), request);
      expect(messages.at(-1)!.content).toContain(request);
      steps += count(messages);
    }
    expect(job.quote.input_tokens_max - job.setup.quote.input_tokens_max).toBeGreaterThanOrEqual(steps);
  });
});
