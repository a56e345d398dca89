// A chapter summary whose passage is longer than the model can read at once, over the real HTTP host and the openai
// SDK against the loopback fake: a chapter longer than the model's whole context is summarised in pieces (one per part
// it spans) and then once more from those pieces, so the run answers exactly one summary per chapter. The combine
// steps are in the quote, in progress, in the run's cost and tokens, and kept across a stop.
import { describe, expect, it } from 'vitest';
import type { PushedEvent } from '../../src-preload/contract';
import { generateManuscript } from '../../test/fixtures/manuscript';
import { endpointModel, useExecutionHarness } from '../../test/support/execution-harness';
import type { RecordedRequest } from '../../test/support/fake-llm-server';
import { usdText } from '../../src-preload/contract/usd-text';
import { JobsRepo } from '../manuscripts/jobs-repo';
import { parseStructure } from '../manuscripts/structure';

const h = useExecutionHarness();
const CONTEXT = 8192;
const LONG = 'Chapter 2: The Long Night';
/** A short chapter, one longer than the whole context (~26,000 words), a short one. */
const text = [
  generateManuscript({ words: 1200, chapters: 1, seed: 3 }),
  generateManuscript({ words: 20_000, chapters: 1, seed: 5 }).replace('# Chapter 1', `# ${LONG}`),
  generateManuscript({ words: 1200, chapters: 1, seed: 9 }).replace('# Chapter 1', '# Chapter 3'),
].join('\n');
const structure = parseStructure(text);
const small = endpointModel('small', 9, CONTEXT);

const messages = (r: RecordedRequest) => r.body.messages as { role: 'system' | 'user'; content: string }[];
const userText = (r: RecordedRequest) =>
  messages(r)
    .filter((m) => m.role === 'user')
    .map((m) => m.content)
    .join('\n');
const isCombine = (r: RecordedRequest) => messages(r)[0]!.content.includes('Combine these partial summaries of');
/** The summaries a combine request carries, in order. */
const carried = (r: RecordedRequest) =>
  userText(r)
    .split(/\n\nPartial summary \d+:\n/)
    .slice(1);

/** A summariser that reads what it is sent: a part's chapters (a piece per chapter), or a chapter's pieces combined. */
function summariser() {
  let n = 0;
  const pieces: string[] = [];
  const combined: string[] = [];
  const respond = (request: RecordedRequest) => {
    n++;
    if (isCombine(request)) {
      const summary = `Combined ${combined.length + 1} of ${carried(request).length} summaries.`;
      combined.push(summary);
      return { json: { chapters: [{ chapter: 'Chapter 2: The Long Night', summary }] } };
    }
    const sent = userText(request);
    const lines = new Set(sent.split('\n'));
    const headings = structure.blocks.filter((b) => b.kind === 'heading' && lines.has(text.slice(b.start, b.end)));
    const first = structure.blocks.find((b) => b.kind === 'text' && sent.includes(text.slice(b.start, b.end)))!;
    const chapters: { chapter: string; summary: string }[] = [];
    // A part that begins inside a chapter names it as a model would: without its heading.
    if (headings.length === 0 || first.start < headings[0]!.start) {
      const summary = `Piece ${n} of the long night.`;
      pieces.push(summary);
      chapters.push({ chapter: 'Untitled', summary });
    }
    for (const b of headings) {
      const title = text.slice(b.start, b.end).replace(/^#\s*/, '');
      const summary = `${title} begins in request ${n}.`;
      if (title === LONG) pieces.push(summary);
      chapters.push({ chapter: title, summary });
    }
    return { json: { chapters, story: null } };
  };
  return { respond, pieces, combined };
}

async function smallModel() {
  const host = await h.host();
  await host.endpoint('ep', [small]);
  const fake = summariser();
  h.server().script('small', { respond: fake.respond, inputTokens: 1000, outputTokens: 100 });
  const events: PushedEvent[] = [];
  host.app.events.subscribe((event) => events.push(event));
  return { ...host, fake, events };
}

const start = { task: 'chapter_summary', input: text, model: 'ep/small' };

describe('a chapter summary with a chapter longer than the model can read at once', () => {
  it('answers one summary for it, combined from its pieces by a step the quote, progress and cost include', async () => {
    const host = await smallModel();
    const spec = host.app.services.registry.get('ep/small')!;
    const { count } = await host.app.services.tokens.textCounter(spec);
    const long = structure.chapters.find((c) => c.title.includes(LONG))!;
    expect(count(text.slice(long.start, long.end))).toBeGreaterThan(CONTEXT);

    const quote = (await host.call('runs:quote', start)).body.value;
    expect(quote).toMatchObject({ kind: 'job', model_id: 'ep/small' });
    expect(quote.reason).toMatch(/1 chapter is longer than a part: \d+ more steps? summarise/);
    const run = (await host.call('runs:start', start)).body.value;
    expect(run).toMatchObject({ status: 'completed', answer: { kind: 'summary' } });

    const requests = h.server().requests;
    const combines = requests.filter(isCombine);
    const parts = new JobsRepo(host.app.services.db).get(run.run_id)!.plan.parts.length;
    expect(parts).toBeGreaterThan(4);
    // Every call was quoted: the parts, then the steps combining the long chapter (and only it).
    expect(requests.slice(0, parts).some(isCombine)).toBe(false);
    expect(combines.length).toBeGreaterThanOrEqual(1);
    expect(requests).toHaveLength(parts + combines.length);
    expect(quote.parts).toBe(requests.length);
    for (const r of combines) {
      expect(messages(r)[0]!.content).toContain('a short summary of each chapter'); // the task's own instruction
      expect(messages(r)[0]!.content).toContain(`partial summaries of "${LONG}"`);
    }

    // The combine steps carry every piece of the long chapter, in order, each once; a later step also carries the
    // summary the step before it answered.
    const sent = combines.flatMap(carried);
    expect(sent.filter((s) => host.fake.pieces.includes(s))).toEqual(host.fake.pieces);
    expect(host.fake.pieces.length).toBeGreaterThan(2);
    expect(sent.filter((s) => host.fake.combined.includes(s))).toEqual(host.fake.combined.slice(0, -1));
    for (const r of combines) expect(carried(r).length).toBeGreaterThanOrEqual(2);

    // Exactly one summary per chapter; the long one is the last step's answer, the short ones their part's own.
    expect(run.answer.chapters).toEqual([
      { chapter: 'Chapter 1', summary: expect.stringMatching(/^Chapter 1 begins in request \d+\.$/) },
      { chapter: LONG, summary: host.fake.combined.at(-1) },
      { chapter: 'Chapter 3', summary: expect.stringMatching(/^Chapter 3 begins in request \d+\.$/) },
    ]);
    // Every chapter is there under its own name: nothing to say about them.
    expect(run.answer).not.toHaveProperty('notices');

    // Honest bounds: each request with its answer fits the context; every request's tokens are within the quote's.
    let input = 0;
    for (const r of requests) {
      const { tokens } = await host.app.services.tokens.count(spec, { messages: messages(r) });
      expect(tokens + ((r.body.max_completion_tokens ?? r.body.max_tokens) as number)).toBeLessThanOrEqual(CONTEXT);
      input += tokens;
    }
    expect(input).toBeLessThanOrEqual(quote.input_tokens_max);
    expect(run.cost_usd).toBeLessThanOrEqual(quote.total_usd);
    // One run, its calls' tokens and cost summed into it.
    expect(run.input_tokens).toBe(1000 * requests.length);
    expect(run.output_tokens).toBe(100 * requests.length);
    expect(run.cost_usd).toBeCloseTo((requests.length * (1000 * 1 + 100 * 4)) / 1e6, 9);
    const history = (await host.call('runs:list')).body.value.runs;
    expect(history.map((r: { run_id: string }) => r.run_id)).toEqual([run.run_id]);

    // Progress: "part N of M" counts the combine steps, under the run's id.
    const progress = host.events.filter((e) => e.name === 'run:part').map((e) => e.payload as Record<string, unknown>);
    expect(progress.every((p) => p.run_id === run.run_id && p.of === quote.parts)).toBe(true);
    expect(progress.filter((p) => p.phase === 'finished').map((p) => p.part)).toEqual(
      Array.from({ length: quote.parts }, (_, i) => i + 1),
    );
  });

  it("sends the writer's request to the combine steps too: the long chapter's summary is written to it", async () => {
    const host = await smallModel();
    // The parts had it and the steps did not: the long chapter's summary kept "every event, person and fact" of its
    // pieces however the writer asked for it to be written.
    const request = 'Keep each summary to two sentences, and note who learns what.';
    const run = (await host.call('runs:start', { ...start, request })).body.value;
    expect(run).toMatchObject({ status: 'completed' });
    const requests = h.server().requests;
    const combines = requests.filter(isCombine);
    expect(combines.length).toBeGreaterThanOrEqual(1);
    for (const r of requests) expect(userText(r)).toContain(`The writer's request:\n${request}`);
    for (const r of combines) {
      // After the summaries, and told to come first where it asks for something else than keeping every fact.
      expect(userText(r).endsWith(`The writer's request:\n${request}`)).toBe(true);
      expect(messages(r)[0]!.content).toMatch(/writer's request .*comes first/);
    }
  });

  it('stopped after a combine step, resumes under the same run id without sending it again', async () => {
    const host = await smallModel();
    const runId = '3e9a1c2b-7d4f-4a6e-9b8c-1d2e3f4a5b6c';
    const { quote, parts, before } = await stoppedAfterFirstStep(host, runId);
    expect(quote.parts).toBeGreaterThan(parts + 1);
    expect(before).toBe(parts + 1);
    const firstStep = host.fake.combined[0]!;
    // The Resume offer counts what the quote and "part N of M" count: the parts and the steps.
    expect((await host.call('runs:get', { run_id: runId })).body.value.resume).toEqual({
      parts_done: parts + 1,
      parts: quote.parts,
    });

    const resumed = (await host.call('runs:start', { ...start, run_id: runId })).body.value;
    expect(resumed).toMatchObject({ run_id: runId, status: 'completed' });
    // Only the steps left were sent; the next one carries the stored step's summary.
    const after = h.server().requests.slice(before);
    expect(after.length).toBe(quote.parts - before);
    expect(after.every(isCombine)).toBe(true);
    expect(carried(after[0]!)[0]).toBe(firstStep);
    expect(resumed.answer.chapters.map((c: { chapter: string }) => c.chapter)).toEqual([
      'Chapter 1',
      LONG,
      'Chapter 3',
    ]);
    expect(resumed.answer.chapters[1].summary).toBe(host.fake.combined.at(-1));
    expect(resumed.input_tokens).toBe(1000 * quote.parts);
  });

  it('resumed after the model came to read more at once, goes on with the steps it was stopped in: every piece is combined', async () => {
    const host = await smallModel();
    const runId = '3e9a1c2b-7d4f-4a6e-9b8c-1d2e3f4a5b6d';
    const { quote, before } = await stoppedAfterFirstStep(host, runId);
    // The writer re-saves the endpoint with a larger context for the same model (its combine steps would now be
    // planned with more pieces each).
    await host.endpoint('ep', [endpointModel('small', 9, 2 * CONTEXT)]);
    const wider = (await host.call('runs:quote', start)).body.value;
    expect(wider.parts).toBeLessThan(quote.parts);

    const resumed = (await host.call('runs:start', { ...start, run_id: runId })).body.value;
    expect(resumed).toMatchObject({ run_id: runId, status: 'completed' });
    expect(h.server().requests.length).toBe(quote.parts);
    // Every piece of the long chapter was carried into a step, in order, each once; each later step carried the
    // summary the step before it answered, and the chapter's summary is the last step's.
    const combines = h.server().requests.filter(isCombine);
    const sent = combines.flatMap(carried);
    expect(sent.filter((s) => host.fake.pieces.includes(s))).toEqual(host.fake.pieces);
    expect(sent.filter((s) => host.fake.combined.includes(s))).toEqual(host.fake.combined.slice(0, -1));
    expect(h.server().requests.slice(before).every(isCombine)).toBe(true);
    expect(resumed.answer.chapters[1]).toEqual({ chapter: LONG, summary: host.fake.combined.at(-1) });
  });

  it('resumed after the model came to read less at once than its steps need: refused in plain words, nothing sent', async () => {
    const host = await smallModel();
    const runId = '3e9a1c2b-7d4f-4a6e-9b8c-1d2e3f4a5b6e';
    const { before } = await stoppedAfterFirstStep(host, runId);
    const charged = host.app.services.ledger.chargedUnder(`${runId}/part/`);
    const done = new JobsRepo(host.app.services.db).parts(runId).length;
    // The same model now opens a smaller context: the steps left would read more pieces than it can take at once.
    await host.endpoint('ep', [endpointModel('small', 9, 6144)]);
    const refused = (await host.call('runs:start', { ...start, run_id: runId })).body;
    // What happened; that running it again starts over and pays again, with what that was; what keeps the parts.
    expect(refused.error).toMatchObject({
      code: 'conflict',
      message:
        'Chapter summary cannot pick up where it left off: small (ep) now reads less at once than when it was ' +
        "stopped, too little for the steps left that summarise a long chapter from its parts' summaries. Running it " +
        `again starts over and pays again for the work of its ${done} finished parts (this run has cost ` +
        `${usdText(charged / 1e6)} so far). To keep them, Resume once small (ep) reads as much at once as it did then.`,
      // Its own step ends it: no general "pick another name or wait" after it.
      advised: true,
    });
    expect(charged).toBeGreaterThan(0);
    // Nothing sent, nothing charged; the stopped run is still there as it was.
    expect(h.server().requests.length).toBe(before);
    expect(host.app.services.ledger.chargedUnder(`${runId}/part/`)).toBe(charged);
    expect((await host.call('runs:get', { run_id: runId })).body.value.status).toBe('cancelled');

    // With its context back, it goes on.
    await host.endpoint('ep', [small]);
    const resumed = (await host.call('runs:start', { ...start, run_id: runId })).body.value;
    expect(resumed).toMatchObject({ status: 'completed' });
  });

  it('stopped after a combine step by an earlier Quire (its steps not kept): refused in plain words, nothing sent', async () => {
    const host = await smallModel();
    const runId = '3e9a1c2b-7d4f-4a6e-9b8c-1d2e3f4a5b6f';
    const { before } = await stoppedAfterFirstStep(host, runId);
    host.app.services.db
      .prepare(`UPDATE manuscript_jobs SET plan_json = json_remove(plan_json, '$.combine') WHERE id = ?`)
      .run(runId);
    const charged = host.app.services.ledger.chargedUnder(`${runId}/part/`);
    const done = new JobsRepo(host.app.services.db).parts(runId).length;
    const refused = (await host.call('runs:start', { ...start, run_id: runId })).body;
    // No step keeps its parts: what running it again costs, and that what they wrote is there to read.
    expect(refused.error).toMatchObject({
      code: 'conflict',
      message:
        'Chapter summary cannot pick up where it left off: it was stopped by an earlier version of Quire, which did ' +
        "not keep how it summarises a long chapter from its parts' summaries. Running it again starts over and pays " +
        `again for the work of its ${done} finished parts (this run has cost ${usdText(charged / 1e6)} so far). ` +
        'What they wrote stays in its Result.',
      advised: true,
    });
    expect(h.server().requests.length).toBe(before);
    // As it says: the stopped run still shows what its finished parts wrote.
    const stopped = (await host.call('runs:get', { run_id: runId })).body.value;
    expect(stopped.answer.chapters.length).toBeGreaterThan(0);
  });
});

/** Runs the summary as `runId` and stops it once its first combine step has finished (every part and that step kept). */
async function stoppedAfterFirstStep(host: Awaited<ReturnType<typeof smallModel>>, runId: string) {
  const quote = (await host.call('runs:quote', start)).body.value;
  let parts = 0;
  const unsubscribe = host.app.events.subscribe((event) => {
    if (event.name !== 'run:part' || event.payload.phase !== 'finished') return;
    parts ||= new JobsRepo(host.app.services.db).get(runId)!.plan.parts.length;
    if (event.payload.part === parts + 1) host.stopNow(runId);
  });
  const stopped = await host.call('runs:start', { ...start, run_id: runId });
  unsubscribe();
  expect(stopped.body.error).toMatchObject({ code: 'cancelled' });
  expect(host.fake.combined).toHaveLength(1);
  return { quote, parts, before: h.server().requests.length };
}

describe('a chapter summary run in parts whose model leaves a chapter out or names one that is not there', () => {
  it('says so on the run, as a single run does', async () => {
    const host = await h.host();
    await host.endpoint('ep', [small]);
    // Summarises every chapter it is sent but chapter 5, and names a chapter 99 in the part that holds chapter 5.
    const forgetful = (request: RecordedRequest) => {
      const heads = [...userText(request).matchAll(/^# (Chapter \d+)$/gm)].map((m) => m[1]!);
      const chapters = heads.filter((t) => t !== 'Chapter 5').map((t) => ({ chapter: t, summary: `${t} happens.` }));
      if (heads.includes('Chapter 5')) chapters.push({ chapter: 'Chapter 99', summary: 'Nothing of the kind.' });
      if (chapters.length === 0) chapters.push({ chapter: 'Untitled', summary: 'More happens.' });
      return { json: { chapters, story: null } };
    };
    h.server().script('small', { respond: forgetful, inputTokens: 1000, outputTokens: 100 });
    const input = generateManuscript({ words: 30_000, chapters: 12 });
    const run = (await host.call('runs:start', { task: 'chapter_summary', input, model: 'ep/small' })).body.value;
    expect(run).toMatchObject({ status: 'completed' });
    expect(h.server().requests.length).toBeGreaterThan(1);
    expect(run.answer.chapters.map((c: { chapter: string }) => c.chapter)).not.toContain('Chapter 5');
    // Chapter 5 vanished from the answer, and chapter 99 read as one of the writer's, without a word.
    expect(run.answer.notices).toEqual([
      'The summary names a chapter that is not in your text: “Chapter 99”.',
      'The summary leaves out a chapter of your text: “Chapter 5”.',
    ]);
  });
});
