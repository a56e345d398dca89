// A structured single run on a local model, at each task's own settings on a typical 8,192-token context with a
// ~1,500-word passage: the grammar's bounds leave room for the task's work (its answer, counted as realistically as
// the passage it comes from, still closes within the output budget, and the prompt with that budget within the
// context), the model is told them in its instruction, and an answer that reached them says so to the writer — an
// edit that may be cut short is never applied.
import { describe, expect, it } from 'vitest';
import { generateManuscript } from '../../test/fixtures/manuscript';
import { model } from '../../test/support/decision-fixtures';
import { widestValue, type Schema } from '../../test/support/bounded-schema';
import { applyEdits, type RunAnswer } from '../../src-preload/contract/tasks';
import { estimateInputTokens, estimateTextTokens } from '../../src-preload/contract/tokens';
import type { RunRecord, RunStart } from '../../src-preload/contract/runs';
import { RETRY_NOTE_TOKENS } from '../orchestrator/pricing';
import type { GenerateRequest } from '../providers/spec';
import { runReport } from '../tasks/report';
import { shippedTaskLibrary } from '../tasks/shipped-library';
import { planRun, readStructured, requestFor } from './task-run';

const PASSAGE = generateManuscript({ words: 1500, chapters: 3 });
const CONTEXT = 8192;
const local = model('local-8k', { provider: 'local', context_window: CONTEXT });
const cloud = model('cloud');
const library = shippedTaskLibrary();
const ids = [...library.keys()];
const ANALYSIS = [...library.values()].filter((d) => d.answer === 'findings').map((d) => d.id);

/**
 * What a run of `task` on the passage sends the local model (`spec`), at the task's settings unless `start` says
 * otherwise.
 */
function asked(task: string, start: Partial<RunStart> = {}, spec = local) {
  const plan = planRun(
    { task, input: PASSAGE, ...(task === 'coordinator' ? { request: 'Are her eyes the same?' } : {}), ...start },
    library,
    ids,
  );
  const request: GenerateRequest = {
    messages: plan.messages,
    maxOutputTokens: start.max_output_tokens ?? library.get(task)!.max_output_tokens,
    jsonSchema: plan.jsonSchema!,
  };
  const sent = requestFor(spec, plan, request);
  const schema = sent.jsonSchema!.schema as Schema;
  const list = Object.values(schema.properties!)[0]!;
  return { plan, request, sent, list, item: (list.items ?? list.prefixItems![0])!.properties! };
}

const answerOf = (plan: ReturnType<typeof asked>['plan'], json: unknown): RunAnswer => {
  const reading = readStructured(plan, {
    text: JSON.stringify(json),
    json,
    usage: { inputTokens: 1, outputTokens: 1 },
    warnings: [],
  });
  if (!reading.ok) throw new Error(reading.problem);
  return reading.answer!;
};

/** `n` characters of the passage from `at`, as the grammar counts them. */
const passageText = (n: number, at = 0) => [...PASSAGE].slice(at, at + n).join('');

describe("a local model's structured answer at the task's own settings (8,192-token context, 1,500 words)", () => {
  it('has room for the work: findings with sentence-long quotes, edits of a sentence or two, 10 ideas, every chapter', () => {
    expect(PASSAGE.split(/\s+/).length).toBeGreaterThan(1400);
    for (const task of ANALYSIS) {
      const { list, item } = asked(task);
      expect(list.maxItems, task).toBeGreaterThanOrEqual(8);
      expect(item.claim!.maxLength, task).toBeGreaterThanOrEqual(160);
      expect(item.evidence!.maxItems, task).toBeGreaterThanOrEqual(2);
      expect(item.evidence!.items!.properties!.quote!.maxLength, task).toBeGreaterThanOrEqual(200);
    }
    for (const task of ['line_edit', 'dialogue_polish']) {
      const { list, item } = asked(task);
      expect(list.maxItems, task).toBeGreaterThanOrEqual(10);
      expect(item.original!.maxLength, task).toBeGreaterThanOrEqual(240);
      expect(item.revised!.maxLength, task).toBeGreaterThanOrEqual(240);
    }
    // The instruction asks for five to ten ideas, each a few sentences.
    const ideas = asked('brainstorm');
    expect(ideas.list.maxItems).toBeGreaterThanOrEqual(10);
    expect(ideas.item.detail!.maxLength).toBeGreaterThanOrEqual(300);
    // Each of the passage's three chapters gets its summary, in its place, named by its heading.
    const summary = asked('chapter_summary').list;
    expect(summary).toMatchObject({ minItems: 3, maxItems: 3 });
    expect(summary.prefixItems!.map((c) => c.properties!.chapter)).toEqual([
      { const: 'Chapter 1' },
      { const: 'Chapter 2' },
      { const: 'Chapter 3' },
    ]);
    for (const c of summary.prefixItems!) expect(c.properties!.summary!.maxLength).toBeGreaterThanOrEqual(400);
  });

  it("and still closes within its output budget, counted as the passage's text counts, with the prompt in the context", () => {
    for (const definition of library.values()) {
      if (definition.answer === 'prose') continue;
      const { sent } = asked(definition.id);
      // Every string at its longest, written in the passage's own words: the estimate (never below OpenAI's
      // tokenizers, and above the 32K-token SentencePiece vocabularies on English) of that widest answer fits.
      const widest = JSON.stringify(widestValue(sent.jsonSchema!.schema as Schema, passageText), null, 4);
      expect(estimateTextTokens(widest), definition.id).toBeLessThanOrEqual(sent.maxOutputTokens);
      // A local model costs nothing: its answer may use the room its context has left, never more (a retry's note
      // included).
      expect(sent.maxOutputTokens, definition.id).toBeGreaterThanOrEqual(definition.max_output_tokens);
      expect(estimateInputTokens(sent.messages) + sent.maxOutputTokens + RETRY_NOTE_TOKENS).toBeLessThanOrEqual(
        CONTEXT,
      );
    }
  });

  it('keeps the answer length the writer chose, and bounds the answer to it', () => {
    const { sent, list } = asked('continuity_check', { max_output_tokens: 600 });
    expect(sent.maxOutputTokens).toBe(600);
    expect(list.maxItems).toBeLessThan(8);
    const widest = JSON.stringify(widestValue(sent.jsonSchema!.schema as Schema, passageText), null, 4);
    expect(estimateTextTokens(widest)).toBeLessThanOrEqual(600);
  });

  it('gives a length the writer chose that has no room for a finding room for one, says so, and names the length', () => {
    // "Short (about 150 words)" is 200 tokens: the grammar held a continuity check to no finding at all, and the run
    // said "completed", "This model's context had no room left for findings" (a 16K context) and "No findings.".
    const short = asked('continuity_check', { max_output_tokens: 200 });
    expect(short.list.maxItems).toBe(1);
    expect(short.item.evidence!.maxItems).toBe(2);
    expect(short.sent.maxOutputTokens).toBeGreaterThan(200);
    expect(short.sent.messages[0]!.content).toContain('at most 1 finding, the most important first');
    // Its widest answer, in the words of a paragraph (strings this short hold no heading), closes within it.
    const prose = (n: number) => passageText(n, 200);
    const widest = JSON.stringify(widestValue(short.sent.jsonSchema!.schema as Schema, prose), null, 4);
    expect(estimateTextTokens(widest)).toBeLessThanOrEqual(short.sent.maxOutputTokens);
    const raised =
      'The answer length you chose has no room for a finding, so this model was given room for one (its answer ' +
      'costs nothing). Pick a longer answer length for more.';
    const finding = { claim: 'Her eyes change.', evidence: [{ quote: 'eyes', location: null }], severity: 'high' };
    expect(answerOf(short.plan, { findings: [{ ...finding, suggestion: null }] }).notices).toEqual([raised]);
    expect(answerOf(short.plan, { findings: [] }).notices).toEqual([raised]);
    // A chosen length with room for a few: when they may not be all, the step is a longer length, not the context.
    const medium = asked('continuity_check', { max_output_tokens: 600 });
    const full = Array.from({ length: medium.list.maxItems! }, () => ({ ...finding, suggestion: null }));
    expect(answerOf(medium.plan, { findings: full }).notices).toEqual([
      `Only ${full.length} findings fit in the answer length you chose, and it gave ${full.length}: there may be ` +
        'more. Pick a longer answer length to see them.',
    ]);
    // Only a context with no room left after the passage, whatever the length, is said to be the cause.
    const room = estimateInputTokens(short.sent.messages) + RETRY_NOTE_TOKENS + 64;
    const full8k = model('local-full', { provider: 'local', context_window: room + 150 });
    const none = asked('continuity_check', { max_output_tokens: 200 }, full8k);
    expect(none.list.maxItems).toBe(0);
    expect(answerOf(none.plan, { findings: [] }).notices).toEqual([
      expect.stringMatching(/^This model's context had no room left for findings after the passage/),
    ]);
  });

  it('tells the model the limits it must keep, in its instruction; a cloud model is asked as before', () => {
    const findings = asked('continuity_check');
    const system = findings.sent.messages[0]!.content;
    expect(system.startsWith(findings.request.messages[0]!.content)).toBe(true);
    expect(system).toContain(`at most ${findings.list.maxItems} findings`);
    expect(system).toContain(`claim at most ${findings.item.claim!.maxLength} characters`);
    expect(system).toContain(`quote at most ${findings.item.evidence!.items!.properties!.quote!.maxLength}`);
    expect(findings.sent.messages[1]).toBe(findings.request.messages[1]);
    const edits = asked('line_edit');
    expect(edits.sent.messages[0]!.content).toContain(`at most ${edits.list.maxItems} edits`);
    expect(edits.sent.messages[0]!.content).toContain(`${edits.item.original!.maxLength} characters`);
    expect(asked('brainstorm').sent.messages[0]!.content).toContain(
      `at most ${asked('brainstorm').list.maxItems} ideas`,
    );
    expect(asked('chapter_summary').sent.messages[0]!.content).toContain('"Chapter 1", "Chapter 2" and "Chapter 3"');
    const { plan, request } = asked('continuity_check');
    expect(requestFor(cloud, plan, request)).toBe(request);
  });

  it('an answer that reached its bounds says so in the writer’s words; an edit that may be cut short is never applied', () => {
    const edits = asked('line_edit');
    const max = edits.item.original!.maxLength!;
    const first = PASSAGE.indexOf('Morning');
    const whole = PASSAGE.slice(first, PASSAGE.indexOf('.', first) + 1);
    const cut = passageText(max, first + 400);
    const many = {
      edits: [
        { original: whole, revised: 'Mornings came.', reason: 'Shorter.' },
        // Its original is as long as the grammar let it be: the sentence may go on past it.
        { original: cut, revised: 'A new sentence.', reason: 'Clearer.' },
        ...Array.from({ length: edits.list.maxItems! - 2 }, (_, i) => ({
          original: `not in the text ${i}`,
          revised: 'x',
          reason: 'y',
        })),
      ],
    };
    const answer = answerOf(edits.plan, many);
    if (answer.kind !== 'edits') throw new Error(answer.kind);
    expect(answer.edits[0]!.problem).toBeNull();
    expect(answer.edits[1]!.problem).toMatch(/cut short/);
    expect(applyEdits(PASSAGE, answer.edits)).toBe(PASSAGE.replace(whole, 'Mornings came.'));
    expect(answer.notices).toEqual([
      expect.stringMatching(new RegExp(`^Only ${many.edits.length} edits fit .* there may be more`)),
      expect.stringMatching(/1 edit .* cut short.* not applied/),
    ]);
    // The run's report says it too.
    const run = {
      run_id: 'r',
      task: 'line_edit',
      status: 'completed' as const,
      created_at: '2025-05-01T10:00:00.000Z',
    };
    const { markdown } = runReport(
      {
        ...run,
        finished_at: null,
        model_id: 'local-8k',
        cost_usd: 0,
        truncated: false,
        answer,
        fallbacks: [] as string[],
        attempts: [] as RunRecord['attempts'],
      } as RunRecord,
      { taskName: () => 'Line edit', modelName: (id) => id },
    );
    for (const notice of answer.notices!) expect(markdown).toContain(`- Note: ${notice}`);

    const findings = asked('continuity_check');
    const finding = { claim: 'Her eyes change.', evidence: [{ quote: whole, location: null }], severity: 'high' };
    const full = answerOf(findings.plan, {
      findings: Array.from({ length: findings.list.maxItems! }, () => ({ ...finding, suggestion: null })),
    });
    expect(full.notices).toEqual([expect.stringMatching(/there may be more/)]);
    const longest = findings.item.evidence!.items!.properties!.quote!.maxLength!;
    const cutQuote = { ...finding, evidence: [{ quote: passageText(longest, 200), location: null }], suggestion: null };
    expect(answerOf(findings.plan, { findings: [cutQuote] }).notices).toEqual([
      expect.stringMatching(/^Some findings .* may be cut short/),
    ]);
    // Within its bounds, an answer has nothing to say about them: every chapter summarised is every chapter.
    expect(answerOf(findings.plan, { findings: [{ ...finding, suggestion: null }] }).notices).toBeUndefined();
    const summary = asked('chapter_summary');
    const chapters = ['Chapter 1', 'Chapter 2', 'Chapter 3'].map((chapter) => ({ chapter, summary: 'Things happen.' }));
    expect(answerOf(summary.plan, { chapters }).notices).toBeUndefined();
  });
});
