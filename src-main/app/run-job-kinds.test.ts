// A plain runs:start of an edit task or a chapter summary whose passage is longer than the model can read at once,
// over the real HTTP host and the openai SDK against the loopback fake: one run with parts whose answer covers the
// whole passage (edits anchored in it, one summary per chapter). A creative task is refused with the numbers.
import { describe, expect, it } from 'vitest';
import { contradictionManuscript } from '../../test/fixtures/manuscript';
import { endpointModel, useExecutionHarness } from '../../test/support/execution-harness';
import type { RecordedRequest } from '../../test/support/fake-llm-server';
import { JobsRepo } from '../manuscripts/jobs-repo';
import { parseStructure } from '../manuscripts/structure';

const h = useExecutionHarness();
const text = contradictionManuscript();
const structure = parseStructure(text);
const small = endpointModel('small', 9, 8192);

const userText = (request: RecordedRequest) =>
  (request.body.messages as { role: string; content: string }[])
    .filter((m) => m.role === 'user')
    .map((m) => m.content)
    .join('\n');

/** The whole passage's blocks this request carries, in order (a heading as a whole line: "Chapter 1" is not "10"). */
const blocksIn = (request: RecordedRequest) => {
  const sent = userText(request);
  const lines = new Set(sent.split('\n'));
  return structure.blocks.filter((b) =>
    b.kind === 'heading' ? lines.has(text.slice(b.start, b.end)) : sent.includes(text.slice(b.start, b.end)),
  );
};

async function smallModel(respond: (request: RecordedRequest) => { json: unknown }) {
  const host = await h.host();
  await host.endpoint('ep', [small]);
  h.server().script('small', { respond, inputTokens: 3000, outputTokens: 200 });
  return host;
}

// The harness's models are listed for continuity and creative work, so the edit and summary runs name theirs.
const NOT_THERE = 'A sentence this manuscript never had.';

describe('runs:start of an edit or summary task longer than the model can read at once', () => {
  it('a line edit runs in parts; every part edits its own text and the merged edits are anchored in the whole passage', async () => {
    const asked: string[] = [];
    const host = await smallModel((request) => {
      const paragraph = blocksIn(request).find((b) => b.kind === 'text')!;
      const original = text.slice(paragraph.start, paragraph.end).split(/(?<=[.!?]) /)[0]!;
      asked.push(original);
      return {
        json: {
          edits: [
            { original, revised: original.toUpperCase(), reason: 'Louder.' },
            { original: NOT_THERE, revised: 'Never.', reason: 'Invented.' },
          ],
        },
      };
    });
    const quote = (await host.call('runs:quote', { task: 'line_edit', input: text, model: 'ep/small' })).body.value;
    expect(quote).toMatchObject({ kind: 'job', model_id: 'ep/small' });
    expect(quote.parts).toBeGreaterThan(3);

    const started = await host.call('runs:start', { task: 'line_edit', input: text, model: 'ep/small' });
    expect(started.body.error).toBeUndefined();
    const run = started.body.value;
    expect(run).toMatchObject({ status: 'completed', model_id: 'ep/small' });
    expect(h.server().requests).toHaveLength(quote.parts);
    expect(run.cost_usd).toBeLessThanOrEqual(quote.total_usd);

    const edits = run.answer.edits as {
      original: string;
      start: number | null;
      end: number | null;
      problem: string | null;
      location: { chapter: number } | null;
    }[];
    expect(run.answer.kind).toBe('edits');
    expect(edits).toHaveLength(2 * quote.parts);
    const anchored = edits.filter((e) => e.problem === null);
    expect(anchored.map((e) => e.original)).toEqual(asked);
    for (const e of anchored) expect(text.slice(e.start!, e.end!)).toBe(e.original);
    // In reading order across the whole passage, each with Quire's location.
    const starts = anchored.map((e) => e.start!);
    expect(starts).toEqual([...starts].sort((a, b) => a - b));
    expect(anchored.every((e) => e.location !== null)).toBe(true);
    // An original that is not in the text stays flagged and can never be applied.
    const flagged = edits.filter((e) => e.original === NOT_THERE);
    expect(flagged).toHaveLength(quote.parts);
    expect(flagged.every((e) => e.start === null && e.problem !== null)).toBe(true);

    const history = (await host.call('runs:list')).body.value.runs;
    expect(history.map((r: { run_id: string }) => r.run_id)).toEqual([run.run_id]);
  });

  it('a line edit stopped between parts resumes under the same run id; the stored parts keep their edits', async () => {
    const host = await smallModel((request) => {
      const paragraph = blocksIn(request).find((b) => b.kind === 'text')!;
      const original = text.slice(paragraph.start, paragraph.end).split(/(?<=[.!?]) /)[0]!;
      return { json: { edits: [{ original, revised: original.toUpperCase(), reason: 'Louder.' }] } };
    });
    const runId = '7c1d2e3f-4a5b-4c6d-8e9f-0a1b2c3d4e5f';
    const unsubscribe = host.app.events.subscribe((event) => {
      if (event.name === 'run:part' && event.payload.part === 2 && event.payload.phase === 'finished')
        host.stopNow(runId);
    });
    const start = { task: 'line_edit', input: text, model: 'ep/small', run_id: runId };
    const stopped = await host.call('runs:start', start);
    unsubscribe();
    expect(stopped.body.error).toMatchObject({ code: 'cancelled' });
    const before = h.server().requests.length;
    const resumed = (await host.call('runs:start', start)).body.value;
    expect(resumed).toMatchObject({ run_id: runId, status: 'completed' });
    const parts = new JobsRepo(host.app.services.db).get(runId)!.plan.parts.length;
    // Only the unfinished parts were sent again; every part's edit is in the answer, in order, anchored.
    expect(h.server().requests.length).toBe(parts);
    expect(before).toBeLessThan(parts);
    const edits = resumed.answer.edits as { original: string; start: number; end: number; problem: null }[];
    expect(edits).toHaveLength(parts);
    for (const e of edits) expect(text.slice(e.start, e.end)).toBe(e.original);
    expect(edits.map((e) => e.start)).toEqual(edits.map((e) => e.start).sort((a, b) => a - b));
  });

  it('a chapter summary runs in parts and answers one summary per chapter, in order', async () => {
    let n = 0;
    const host = await smallModel((request) => {
      n++;
      const system = (request.body.messages as { content: string }[])[0]!.content;
      const combining = /Combine these partial summaries of "([^"]+)"/.exec(system);
      if (combining) return { json: { chapters: [{ chapter: combining[1], summary: `All of it in request ${n}.` }] } };
      // Scene breaks ("* * *") are in every part: the part's own blocks are its headings and paragraphs.
      const blocks = blocksIn(request).filter((b) => b.kind !== 'break');
      const chapters: { chapter: string; summary: string }[] = [];
      // A part that begins inside a chapter names it as the model would: without its heading.
      if (blocks[0]!.kind !== 'heading') chapters.push({ chapter: 'Untitled', summary: `more in request ${n}.` });
      for (const b of blocks.filter((b) => b.kind === 'heading')) {
        const title = text.slice(b.start, b.end).replace(/^#\s*/, '');
        chapters.push({ chapter: title, summary: `${title} begins in request ${n}.` });
      }
      return { json: { chapters, story: null } };
    });
    const run = (await host.call('runs:start', { task: 'chapter_summary', input: text, model: 'ep/small' })).body.value;
    expect(run).toMatchObject({ status: 'completed', answer: { kind: 'summary' } });
    const parts = new JobsRepo(host.app.services.db).get(run.run_id)!.plan.parts.length;
    expect(parts).toBeGreaterThan(3);
    const chapters = run.answer.chapters as { chapter: string; summary: string }[];
    const titles = structure.chapters.map((c) => c.title);
    expect(titles).toHaveLength(12);
    expect(chapters.map((c) => c.chapter)).toEqual(titles);
    // A chapter in one part keeps its part's summary; one spread over parts is summarised again from its pieces.
    const combined = chapters.filter((c) => /^All of it in request \d+\.$/.test(c.summary));
    expect(combined.length).toBeGreaterThan(0);
    expect(h.server().requests).toHaveLength(parts + combined.length);
    for (const c of chapters.filter((c) => !combined.includes(c)))
      expect(c.summary).toMatch(new RegExp(`^${c.chapter} begins in request \\d+\\.$`));
  });

  it('a brainstorm longer than the model can read is refused with the numbers and what the writer can do', async () => {
    const host = await smallModel(() => ({ json: { items: [{ title: 'x', detail: 'y' }] } }));
    const started = await host.call('runs:start', { task: 'brainstorm', input: text });
    expect(started.body.error).toMatchObject({ code: 'invalid_input' });
    const message = started.body.error.message as string;
    expect(message).toMatch(/This passage is [\d,]+ tokens; .+ can read [\d,]+ at once/);
    expect(message).toMatch(/larger context/);
    expect(message).toMatch(/shorten/);
    expect(h.server().requests).toHaveLength(0);
  });
});
