// The JSON Schema a job's calls carry on a local model: every part of an edit task, every part of a chapter summary and
// every combine step is sent the schema bounded for its grammar by the call's own output budget (the tokens reserved
// for its answer), as findings parts are; a cloud model is sent the contract as it is. RunJobs with a recording model
// call, the real job runner on SQLite and the shipped task library.
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
import { answerTokens, localAnswerBounds, WORST_CASE } from '../tasks/answer-schema';
import type { PartForm } from './job-answer';
import { RunJobs } from './run-job';
import { LedgerRepo } from '../store/repos/ledger-repo';

const tempDir = useTempDir('quire-job-local-');
const text = generateManuscript({ words: 6000, chapters: 3, seed: 11 });
const local: ModelSpec = { ...fixtureSpec('tiny'), context_window: 4096 };
const cloud: ModelSpec = { ...local, id: 'cloud', provider: 'openai', local: undefined } as ModelSpec;

type Schema = { properties: Record<string, Schema>; items: Schema; enum?: string[]; maxItems?: number };

/** A model that answers each call in its schema's form: no edits; one summary per heading it may name. */
function answer(request: GenerateRequest): unknown {
  const schema = request.jsonSchema!.schema as unknown as Schema;
  if (schema.properties.edits) return { edits: [] };
  const names = schema.properties.chapters!.items.properties.chapter!.enum ?? ['Untitled'];
  const headed = names.filter((n) => n !== 'Untitled');
  return { chapters: (headed.length ? headed : names).map((chapter) => ({ chapter, summary: `${chapter}.` })) };
}

function jobs(spec: ModelSpec) {
  const db = openDatabase(join(tempDir(), 'quire.sqlite'));
  const sent: GenerateRequest[] = [];
  const chars = (s: string) => Math.ceil(s.length / 4);
  const runJobs = new RunJobs({
    runs: {
      call: ({ runId, request }) => {
        sent.push(request);
        const json = answer(request);
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
    taskName: (task) => task,
    now: () => new Date(),
  });
  return { runJobs, sent, db };
}

async function run(spec: ModelSpec, task: string) {
  const j = jobs(spec);
  const start = { task, input: text };
  const job = await j.runJobs.prepare(start);
  expect(job).not.toBeNull();
  const record = await j.runJobs.run(start, job, `run-${task}`);
  j.db.close();
  return { ...j, record, job: job! };
}

describe('a job on a local model sends every call the grammar schema bounded by its output budget', () => {
  it('line edit: every part', async () => {
    const { sent, record } = await run(local, 'line_edit');
    expect(record.status).toBe('completed');
    expect(sent.length).toBeGreaterThan(1);
    for (const r of sent) {
      const form: PartForm = { kind: 'edits' };
      expect(r.jsonSchema).toMatchObject({ name: 'edits' });
      const bounds = localAnswerBounds(form, r.maxOutputTokens);
      expect(JSON.stringify(r.jsonSchema!.schema)).toContain(`"maxLength":${bounds.text}`);
      expect(answerTokens(form, bounds, WORST_CASE)).toBeLessThanOrEqual(r.maxOutputTokens);
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
      expect(answerTokens(form, localAnswerBounds(form, r.maxOutputTokens), WORST_CASE)).toBeLessThanOrEqual(
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

  it('a cloud model is sent the contract unbounded', async () => {
    const { sent } = await run(cloud, 'line_edit');
    for (const r of sent) expect(JSON.stringify(r.jsonSchema)).not.toMatch(/max(Length|Items)/);
  });
});
