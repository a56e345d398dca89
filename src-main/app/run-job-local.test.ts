// The JSON Schema a job's calls carry on a local model: every part of an edit task, every part of a chapter summary and
// every combine step is sent the schema bounded for its grammar by the call's own output budget (the tokens reserved
// for its answer), as findings parts are, counted as a single run's answer is (from the text it is written about), and
// is told those limits in its instruction; an answer that reached them says so in the job's answer, and an edit that
// may be cut short is never applied. A cloud model is sent the contract as it is. A Resume its model's memory no longer
// allows says which setting gives it back. RunJobs with a recording model call, the real job runner on SQLite and the
// shipped task library.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Decision, ModelSpec } from '../../src-preload/contract';
import { generateManuscript } from '../../test/fixtures/manuscript';
import { fixtureSpec } from '../../test/support/local-fixture';
import { useTempDir } from '../../test/support/temp-dir';
import { JobRunner } from '../manuscripts/job-runner';
import { JobsRepo } from '../manuscripts/jobs-repo';
import type { GenerateRequest } from '../providers/spec';
import type { ModelCallOutcome } from '../runs/run-service';
import { openDatabase } from '../store/database';
import { RunsRepo } from '../store/repos/runs-repo';
import { shippedTaskLibrary } from '../tasks/shipped-library';
import { answerTokens, boundedAnswerSchema, localAnswerBounds, passageCost } from '../tasks/answer-schema';
import { limitsGuidance } from '../tasks/answer-limits';
import { applyEdits, type AnchoredEdit } from '../../src-preload/contract/tasks';
import type { PartForm } from './job-answer';
import { RunJobs } from './run-job';
import { LedgerRepo } from '../store/repos/ledger-repo';

const tempDir = useTempDir('quire-job-local-');
const text = generateManuscript({ words: 6000, chapters: 3, seed: 11 });
const local: ModelSpec = { ...fixtureSpec('tiny'), context_window: 4096 };
const cloud: ModelSpec = { ...local, id: 'cloud', provider: 'openai', local: undefined } as ModelSpec;

type Schema = {
  properties: Record<string, Schema>;
  items: Schema;
  enum?: string[];
  maxItems?: number;
  maxLength?: number;
  oneOf?: Schema[];
};

/** A model that answers each call in its schema's form: no edits or findings; one summary per heading it may name. */
function answer(request: GenerateRequest): unknown {
  const schema = request.jsonSchema!.schema as unknown as Schema;
  if (schema.properties.edits) return { edits: [] };
  if (schema.properties.findings) return { findings: [], story: { characters: [], facts: [], timeline: [] } };
  const names = schema.properties.chapters!.items.properties.chapter!.enum ?? ['Untitled'];
  const headed = names.filter((n) => n !== 'Untitled');
  return { chapters: (headed.length ? headed : names).map((chapter) => ({ chapter, summary: `${chapter}.` })) };
}

/** The passage a call's user message frames (a part's text, or a combine step's summaries). */
const framed = (request: GenerateRequest) =>
  /<manuscript>\n([\s\S]*?)\n<\/manuscript>/.exec(request.messages[1]!.content);

/**
 * A model that answers each call as fully as its grammar allows: as many edits or findings as it may give, the first
 * edit's original (copied from its part) and every summary as long as they may be.
 */
function fullAnswer(request: GenerateRequest): unknown {
  const schema = request.jsonSchema!.schema as unknown as Schema;
  const part = framed(request)?.[1] ?? request.messages[1]!.content;
  const list = Object.values(schema.properties)[0]!;
  if (schema.properties.edits) {
    const max = list.items.properties.original!.maxLength!;
    return {
      edits: Array.from({ length: list.maxItems! }, (_, i) => ({
        original: i === 0 ? [...part].slice(0, max).join('') : 'not in the text',
        revised: 'A new sentence.',
        reason: 'Clearer.',
      })),
    };
  }
  const story = { characters: [], facts: [], timeline: [] };
  if (schema.properties.findings) {
    const finding = {
      claim: 'Mara changes.',
      evidence: [{ quote: part.slice(0, 20), location: null }],
      severity: 'low',
      suggestion: null,
    };
    return { findings: Array.from({ length: list.maxItems! }, () => finding), story };
  }
  const names = list.items.properties.chapter!.enum ?? ['Untitled'];
  const max = list.items.properties.summary!.maxLength!;
  const headed = names.filter((n) => n !== 'Untitled');
  const chapters = (headed.length ? headed : names).map((chapter) => ({ chapter, summary: 'x'.repeat(max) }));
  return schema.properties.story ? { chapters, story } : { chapters };
}

function jobs(spec: ModelSpec, answerOf: (request: GenerateRequest) => unknown = answer) {
  const db = openDatabase(join(tempDir(), 'quire.sqlite'));
  const sent: GenerateRequest[] = [];
  const chars = (s: string) => Math.ceil(s.length / 4);
  const runJobs = new RunJobs({
    runs: {
      call: ({ runId, request }) => {
        sent.push(request);
        const json = answerOf(request);
        const outcome: ModelCallOutcome = {
          ok: true,
          run_id: runId ?? '',
          text: JSON.stringify(json),
          json,
          usage: { inputTokens: 10, outputTokens: 10 },
          costUsd: 0,
          durationMs: 1,
          error: null,
        };
        return Promise.resolve(outcome);
      },
    },
    repo: new RunsRepo(db),
    runner: new JobRunner({ repo: new JobsRepo(db) }),
    jobs: new JobsRepo(db),
    decide: (request) =>
      ({ model_id: spec.id, refusal: null, max_output_tokens: request.max_output_tokens ?? 1500 }) as Decision,
    model: (id) => (id === spec.id ? spec : undefined),
    // A chars/4 count: this test is about the schema each call is sent, not the tokenizer.
    tokens: {
      count: (_spec, { messages }) =>
        Promise.resolve({ tokens: messages.reduce((n, m) => n + chars(m.content) + 4, 0) }) as never,
      textCounter: () => Promise.resolve({ count: chars, method: 'estimate' }) as never,
    },
    library: shippedTaskLibrary(),
    events: { emit() {} },
    remainingUsd: () => null,
    // Local parts are recorded at $0, as the ledger charges them.
    chargedUnder: (prefix) => new LedgerRepo(db).chargedUnder(prefix),
    chosenUnder: (prefix) => new LedgerRepo(db).chosenUnder(prefix),
    overrunRatios: () => new Map(),
    taskName: (task) => task,
    now: () => new Date(),
  });
  return { runJobs, sent, db };
}

async function run(
  spec: ModelSpec,
  task: string,
  answerOf?: (request: GenerateRequest) => unknown,
  options: { max_output_tokens?: number } = {},
) {
  const j = jobs(spec, answerOf);
  const start = { task, input: text, ...options };
  const job = await j.runJobs.prepare(start);
  expect(job).not.toBeNull();
  const record = await j.runJobs.run(start, job, `run-${task}`);
  const stored = new JobsRepo(j.db).parts(`run-${task}`);
  j.db.close();
  return { ...j, record, job: job!, stored };
}

/** The form a call of a job on `task` answers in, read back from the schema it was sent. */
function formOf(task: string, r: GenerateRequest): PartForm {
  if (task === 'line_edit') return { kind: 'edits' };
  if (task === 'continuity_check') return { kind: 'findings', story: true };
  const chapters = (r.jsonSchema!.schema as unknown as Schema).properties.chapters!;
  const headings = chapters.items.properties.chapter!.enum!.filter((n) => n !== 'Untitled');
  return {
    kind: 'summary',
    chapters: headings,
    story: 'story' in (r.jsonSchema!.schema as unknown as Schema).properties,
  };
}

describe('a job on a local model sends every call the grammar schema bounded by its output budget', () => {
  it('line edit: every part', async () => {
    const { sent, record } = await run(local, 'line_edit');
    expect(record.status).toBe('completed');
    expect(sent.length).toBeGreaterThan(1);
    for (const r of sent) {
      const form: PartForm = { kind: 'edits' };
      expect(r.jsonSchema).toMatchObject({ name: 'edits' });
      const cost = passageCost(r.messages[1]!.content);
      const bounds = localAnswerBounds(form, r.maxOutputTokens, cost);
      expect(JSON.stringify(r.jsonSchema!.schema)).toContain(`"maxLength":${bounds.text}`);
      expect(answerTokens(form, bounds, cost)).toBeLessThanOrEqual(r.maxOutputTokens);
    }
  });

  it('chapter summary: every part, named by its own headings, and every combine step, one summary', async () => {
    const { sent, record, job } = await run(local, 'chapter_summary');
    expect(record.status).toBe('completed');
    const combines = sent.filter((r) => r.messages[0]!.content.includes('Combine these partial summaries'));
    expect(combines.length).toBeGreaterThan(0);
    expect(sent).toHaveLength(job.quote.parts);
    for (const r of sent) {
      const chapters = (r.jsonSchema!.schema as unknown as Schema).properties.chapters!;
      const names = chapters.items.properties.chapter!.enum!;
      const headings = names.filter((n) => n !== 'Untitled');
      const form: PartForm = { kind: 'summary', chapters: headings, story: !combines.includes(r) };
      expect(chapters.maxItems).toBe(combines.includes(r) ? 1 : headings.length);
      const cost = passageCost(r.messages[1]!.content);
      expect(answerTokens(form, localAnswerBounds(form, r.maxOutputTokens, cost), cost)).toBeLessThanOrEqual(
        r.maxOutputTokens,
      );
      // A part's chapters: the one it may begin inside (headed in an earlier part), then those headed in it.
      if (!combines.includes(r))
        for (const n of headings.slice(1)) expect(r.messages[1]!.content).toContain(`\n# ${n}\n`);
    }
    // One summary per chapter.
    const answer = record.answer as { chapters: { chapter: string }[] };
    expect(answer.chapters.map((c) => c.chapter)).toEqual(['Chapter 1', 'Chapter 2', 'Chapter 3']);
  });

  it('a cloud model is sent the contract unbounded, and its instruction as it is', async () => {
    const { sent } = await run(cloud, 'line_edit');
    for (const r of sent) {
      expect(JSON.stringify(r.jsonSchema)).not.toMatch(/max(Length|Items)/);
      expect(r.messages[0]!.content).not.toContain('Keep your answer within these limits');
    }
  });
});

describe('a job on a local model sizes and tells each call its limits as a single run does', () => {
  for (const task of ['line_edit', 'continuity_check', 'chapter_summary'])
    it(`${task}: every call is bounded on the text it is about and told those bounds in its instruction`, async () => {
      const { sent, job } = await run(local, task);
      expect(sent.length).toBeGreaterThan(1);
      for (const r of sent) {
        const form = formOf(task, r);
        // The room each call's answer was planned with (the job's split leaves it beside every part).
        expect(r.maxOutputTokens).toBe(job.maxOutputTokens);
        // Counted as a single run counts its answer: from the text it is written about, not one token a byte.
        const bounds = localAnswerBounds(form, r.maxOutputTokens, passageCost(r.messages[1]!.content));
        expect(r.jsonSchema!.schema).toEqual(boundedAnswerSchema(form, bounds).schema);
        expect(bounds, task).not.toEqual(localAnswerBounds(form, r.maxOutputTokens));
        // The model is told the same numbers its grammar holds it to, after its instruction.
        expect(r.messages[0]!.content.endsWith(`\n\n${limitsGuidance({ form, bounds })}`), task).toBe(true);
      }
    });

  it('an edit part whose answer reached its limits says so in the run, and its cut edit is never applied', async () => {
    const { record, stored, job } = await run(local, 'line_edit', fullAnswer);
    expect(record.status).toBe('completed');
    const parts = job.quote.parts;
    const answer = record.answer as { edits: AnchoredEdit[]; notices?: string[] };
    // Every part's first edit reached the length its grammar allowed: shown with why, never applied.
    const cut = answer.edits.filter((e) => e.problem?.startsWith('It may be cut short'));
    expect(cut).toHaveLength(parts);
    expect(applyEdits(text, cut)).toBe(text);
    // Said once for the parts that gave it, numbered as the run's progress numbers them.
    const every = `Parts 1–${parts} of ${parts}: `;
    expect(answer.notices).toEqual([
      expect.stringMatching(new RegExp(`^${every}Only \\d+ edits fit .* there may be more`)),
      expect.stringMatching(new RegExp(`^${every}1 edit reached the length .* shown but not applied\\.$`)),
    ]);
    // Kept with each finished part (a resumed or stopped job shows them too).
    expect(stored.every((p) => (p.notices ?? []).length === 2)).toBe(true);
  });

  it('findings parts and summaries that reached their limits say so in the run', async () => {
    const findings = await run(local, 'continuity_check', fullAnswer);
    expect(findings.record.status).toBe('completed');
    const parts = findings.job.quote.parts;
    expect(findings.record.answer!.notices).toEqual([
      expect.stringMatching(new RegExp(`^Parts 1–${parts} of ${parts}: Only \\d+ findings fit .* there may be more`)),
    ]);
    const summary = await run(local, 'chapter_summary', fullAnswer);
    expect(summary.record.status).toBe('completed');
    expect(summary.record.answer!.notices).toContainEqual(
      expect.stringMatching(/^Parts? .* of \d+: Some chapter summaries reached the length .* may be cut short\.$/),
    );
    // An answer within its limits says nothing.
    const quiet = await run(local, 'chapter_summary');
    expect(quiet.record.answer!.notices).toBeUndefined();
  });

  it('a short answer length the writer chose still leaves each findings part room for a finding, and says so', async () => {
    // "Short" is 200 tokens: each part's grammar held it to no finding at all, and the run said the context was full.
    const short = await run(local, 'continuity_check', fullAnswer, { max_output_tokens: 200 });
    expect(short.record.status).toBe('completed');
    expect(short.job.maxOutputTokens).toBeGreaterThan(200);
    for (const r of short.sent) {
      const bounds = localAnswerBounds(
        formOf('continuity_check', r),
        r.maxOutputTokens,
        passageCost(r.messages[1]!.content),
      );
      expect(bounds).toMatchObject({ items: 1, evidence: 2 });
    }
    const parts = short.job.quote.parts;
    expect((short.record.answer as { findings: unknown[] }).findings.length).toBeGreaterThan(0);
    expect(short.record.answer!.notices).toEqual([
      `Parts 1–${parts} of ${parts}: The answer length you chose has no room for a finding, so this model was given ` +
        'room for one (its answer costs nothing). Pick a longer answer length for more.',
    ]);
  });
});

describe('a chapter summary on a local model given less memory since it stopped', () => {
  it('is refused on Resume with the setting that gives its room back, and goes on once it is raised', async () => {
    const spec: ModelSpec = { ...local };
    let quit = true;
    const j = jobs(spec, (request) => {
      // The first combine step fails: every part is kept, the steps are left.
      if (quit && request.messages[0]!.content.includes('Combine these partial summaries')) throw new Error('Quit');
      return answer(request);
    });
    const start = { task: 'chapter_summary', input: text };
    await expect(j.runJobs.run(start, await j.runJobs.prepare(start), 'lowered')).rejects.toThrow('Quit');
    const done = new JobsRepo(j.db).partsDone('lowered');
    expect(j.runJobs.resumable('lowered')).toMatchObject({ parts_done: done });
    // "Memory for local models" lowered: the same model now opens a smaller context.
    spec.context_window = 3072;
    const sent = j.sent.length;
    const refused: unknown = await j.runJobs.run(start, null, 'lowered').catch((error: unknown) => error);
    expect(refused).toMatchObject({
      code: 'conflict',
      message: expect.stringMatching(
        new RegExp(
          `now reads less at once than when it was stopped, .* Running it again starts over and does the work of ` +
            `its ${done} finished parts again\\. To keep them, raise “Memory for local models” in Settings → Local ` +
            'models to what it was when the run stopped, then Resume\\.$',
        ),
      ),
    });
    expect(j.sent.length).toBe(sent);
    // As it says: with the memory (its context) back, Resume goes on from the parts it kept.
    spec.context_window = local.context_window;
    quit = false;
    expect(await j.runJobs.run(start, null, 'lowered')).toMatchObject({ status: 'completed' });
    // Only the steps left were sent.
    expect(j.sent.length - sent).toBe(new JobsRepo(j.db).get('lowered')!.quote.parts - done);
    j.db.close();
  });
});
