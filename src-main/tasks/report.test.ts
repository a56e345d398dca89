// A run's Markdown report reads as the Workbench shows the run: models by their names, a date a writer reads, each
// finding's confidence by the screen's own rule, and no ids but one in a footer for support.
import { describe, expect, it } from 'vitest';
import type { RunRecord } from '../../src-preload/contract/runs';
import type { LocatedQuote } from '../../src-preload/contract/tasks';
import { runReport } from './report';

const RUN_ID = '154e19f2-b6c3-4cc9-b2ea-0b881adfd989';

const quote = (text: string, label: string | null): LocatedQuote => ({
  quote: text,
  match: label ? 'exact' : 'not_found',
  start: label ? 0 : null,
  end: label ? text.length : null,
  location: label ? { chapter: 1, chapter_title: null, paragraph: 1, label } : null,
  claimed_location: null,
});

const run: RunRecord = {
  run_id: RUN_ID,
  task: 'continuity_check',
  status: 'completed',
  model_id: 'openrouter/deepseek/deepseek-v3.2',
  text: null,
  json: null,
  fallbacks: [],
  attempts: [],
  input_tokens: 900,
  output_tokens: 200,
  cost_usd: 0.0003,
  latency_ms: 4000,
  cache_hit: false,
  reason: null,
  fallback_chain: [],
  error: null,
  rating: null,
  created_at: '2026-12-06T07:26:36.793Z',
  finished_at: '2026-12-06T07:26:41.100Z',
  answer: {
    kind: 'findings',
    findings: [
      {
        claim: 'Mara’s eye colour changes from green to brown.',
        severity: 'high',
        suggestion: 'Pick one colour.',
        evidence: [quote('green as the harbour in May', 'Chapter 1, paragraph 1')],
        confidence: 1,
      },
      {
        claim: 'The lighthouse has forty-two steps, then sixty.',
        severity: 'medium',
        suggestion: null,
        evidence: [quote('the forty-two steps', 'Chapter 1, paragraph 2'), quote('the sixty steps', null)],
        confidence: 0.5,
      },
    ],
  },
  truncated: false,
  task_version: 2,
  confidence: 0.37,
  confidence_ingredients: {
    agreement: null,
    opposition: 0,
    quality: 0.9,
    history: 0.5,
    verifier: null,
    support: 0.5,
    reliability: 0.74,
    base: 0.37,
    quotes: 0.75,
  },
};

const TASK_NAMES: Record<string, string> = {
  continuity_check: 'Continuity check',
  coordinator: 'Ask Quire',
  timeline_check: 'Timeline check',
};

const names = {
  taskName: (id: string) => TASK_NAMES[id] ?? id,
  modelName: (id: string) => (id === run.model_id ? 'DeepSeek V3.2 (via OpenRouter)' : id),
};

describe('runReport', () => {
  it('names the model and the date as a writer reads them, and keeps the run id to a footer for support', () => {
    const { markdown, filename } = runReport(run, names, 'UTC');
    // It read "Model: openrouter/deepseek/deepseek-v3.2", "Date: 2026-12-06T07:26:36.793Z" and "Run: 154e19f2-…".
    expect(markdown).toContain('- Model: DeepSeek V3.2 (via OpenRouter)\n');
    expect(markdown).toContain('- Date: 6 December 2026, 07:26\n');
    expect(markdown).not.toContain('openrouter/');
    expect(markdown).not.toContain('2026-12-06T');
    expect(markdown.split(RUN_ID)).toHaveLength(2);
    expect(markdown.trimEnd().split('\n').at(-1)).toBe(`*For support: run ${RUN_ID}*`);
    // The date and the file's day are the writer's, in their time zone; the file is named as the task is, not by its id.
    expect(filename).toBe('Quire Continuity check 2026-12-06.md');
    const west = runReport(run, names, 'America/Los_Angeles');
    expect(west.markdown).toContain('- Date: 5 December 2026, 23:26\n');
    expect(west.filename).toBe('Quire Continuity check 2026-12-05.md');
    // A name of the writer's own with what a Mac or Windows file name cannot hold: those characters become dashes.
    const own = runReport(run, { ...names, taskName: () => 'Dialogue: "Mara/Tobias"' }, 'UTC');
    expect(own.filename).toBe('Quire Dialogue- -Mara-Tobias- 2026-12-06.md');
  });

  it('says confidence as the screen does: the whole answer’s, and a finding’s only when it is below certain', () => {
    const { markdown } = runReport(run, names, 'UTC');
    // It read "Confidence: 100 %." under an answer the screen calls 37%.
    expect(markdown).toContain(
      '- Confidence in the whole answer: 37% (one model, not cross-checked by another; model quality 90%, 75% of ' +
        'quotes found)\n',
    );
    expect(markdown).not.toMatch(/100 ?%/);
    expect(markdown).toContain('## 1. Mara’s eye colour changes from green to brown.\n\nSeverity: high.\n\n- “green');
    expect(markdown).toContain('Severity: medium. Confidence in this finding: 50%.\n');
    expect(markdown).toContain('- “the sixty steps” (not found in your text)');
  });

  it('a tournament member’s answer says it was one of the tournament’s, never "not cross-checked by another"', () => {
    const member = { ...run, run_id: `tn_${RUN_ID}/member/openrouter/deepseek/deepseek-v3.2` };
    const { markdown } = runReport(member, names, 'UTC');
    expect(markdown).toContain('- Part of: a tournament, where other models answered the same request\n');
    expect(markdown).toContain(
      '- Confidence in the whole answer: 37% (this model’s answer on its own, before the tournament compared it; ' +
        'model quality 90%, 75% of quotes found)\n',
    );
    expect(markdown).not.toContain('not cross-checked');
  });

  it('a failed run’s unreadable answer is said to be one, with why it failed, as the Result says it', () => {
    const failed: RunRecord = {
      ...run,
      status: 'failed',
      answer: null,
      text: 'Three names: Wren, Hale, Corin.',
      error: {
        code: 'provider_error',
        message: 'The model did not answer in the form Quire asked for.',
        retryable: true,
      },
    };
    const { markdown } = runReport(failed, names, 'UTC');
    expect(markdown).toContain(
      'No answer: The model did not answer in the form Quire asked for.\n\n' +
        'What DeepSeek V3.2 (via OpenRouter) answered, which Quire could not read; it was not used:\n\n' +
        'Three names: Wren, Hale, Corin.\n',
    );
    // A stopped run's words are what the writer kept: no such warning.
    expect(runReport({ ...failed, status: 'cancelled', error: null }, names, 'UTC').markdown).not.toContain(
      'could not read',
    );
  });

  it('lists what a stopped check had found, not the JSON it was written in, and keeps that JSON below', () => {
    const arrived =
      '{"findings":[{"claim":"Mara\\u2019s eyes change colour.","evidence":[{"quote":"Mara had green eyes",' +
      '"location":null}],"severity":"high","suggestion":null},{"claim":"The boats are cou';
    const stopped: RunRecord = { ...run, status: 'cancelled', answer: null, text: arrived, error: null };
    const { markdown } = runReport(stopped, names, 'UTC');
    expect(markdown).toContain(
      'Stopped before the answer was complete: 1 finding had arrived whole.\n\n- Mara’s eyes change colour.\n',
    );
    // Everything that had arrived is kept, the cut-off second finding too, as it came.
    expect(markdown).toContain(`What had arrived, as the model wrote it:\n\n\`\`\`\n${arrived}\n\`\`\`\n`);
    // A stopped draft's words are its body, as before.
    const draft = runReport({ ...stopped, task: 'scene_draft', text: 'The storm took the boats.' }, names, 'UTC');
    expect(draft.markdown).toContain('\nThe storm took the boats.\n');
    expect(draft.markdown).not.toContain('Stopped before');
  });

  it('says which model failed and why before another answered, as the Result does', () => {
    const failedFirst = {
      model_id: 'deepseek-chat',
      provider: 'deepseek',
      outcome: 'failed' as const,
      error: { code: 'provider_error', message: 'DeepSeek had a problem on its side (HTTP 503).' },
      cost_usd: 0,
      latency_ms: 405,
    };
    const answered = { ...failedFirst, model_id: run.model_id!, outcome: 'ok' as const, error: null };
    const fellBack: RunRecord = { ...run, fallbacks: [run.model_id!], attempts: [failedFirst, answered] };
    const { markdown } = runReport(fellBack, names, 'UTC');
    expect(markdown).toContain(
      '- Fell back: deepseek-chat failed: DeepSeek had a problem on its side (HTTP 503). ' +
        'DeepSeek V3.2 (via OpenRouter) answered instead.\n',
    );
  });

  it('says the run’s status in the screen’s word: a stop is "stopped", a weaker model’s answer says so', () => {
    const status = (r: RunRecord) => /- Status: (.*)/.exec(runReport(r, names, 'UTC').markdown)?.[1];
    expect(status({ ...run, status: 'cancelled' })).toBe('stopped');
    expect(status({ ...run, low_confidence_fallback: true })).toBe('low-confidence fallback');
    expect(status(run)).toBe('completed');
  });

  it('names the checks Ask Quire suggests as the Workbench does, not by their ids', () => {
    const asked: RunRecord = {
      ...run,
      task: 'coordinator',
      answer: {
        kind: 'route',
        steps: [
          { task: 'continuity_check', target: 'Chapter 2', why: 'The eyes change colour.' },
          { task: 'timeline_check', target: 'the whole manuscript', why: 'Days go missing.' },
        ],
      },
    };
    const { markdown } = runReport(asked, names, 'UTC');
    // It read "1. **continuity_check** on Chapter 2: …".
    expect(markdown).toMatch(/^# Ask Quire\n/);
    expect(markdown).toContain('1. **Continuity check** on Chapter 2: The eyes change colour.\n');
    expect(markdown).toContain('2. **Timeline check** on the whole manuscript: Days go missing.\n');
    expect(markdown).not.toMatch(/continuity_check|timeline_check/);
  });

  it('says which edits the writer accepted and which they rejected, and only proposes them when it cannot know', () => {
    const edit = (original: string, revised: string, problem: string | null = null) => ({
      original,
      revised,
      reason: 'Tighter.',
      start: problem ? null : 0,
      end: problem ? null : original.length,
      location: { chapter: 1, chapter_title: null, paragraph: 1, label: 'Chapter 1, paragraph 1' },
      problem,
    });
    const edited: RunRecord = {
      ...run,
      task: 'line_edit',
      answer: {
        kind: 'edits',
        edits: [
          edit('walked slowly', 'ambled'),
          edit('very big', 'vast'),
          edit('she said', 'said she', 'its original is not in your text'),
        ],
      },
    };
    const chosen = runReport(edited, names, 'UTC', { rejectedEdits: [1] }).markdown;
    // It listed the rejected "vast" as "becomes" beside the accepted one, as if the writer had taken it.
    expect(chosen).toContain('- Your choices: 1 edit accepted, 1 rejected, 1 that cannot be applied\n');
    expect(chosen).toContain('## Edit 1 (Chapter 1, paragraph 1): accepted\n');
    expect(chosen).toContain('## Edit 2 (Chapter 1, paragraph 1): rejected by you\n');
    expect(chosen).toContain('## Edit 3 (Chapter 1, paragraph 1): cannot be applied\n');
    expect(chosen).toContain('Not applied: its original is not in your text.');
    // Exported without the writer's choices (they were never made in a Workbench): proposed, neither taken nor not.
    const unknown = runReport(edited, names, 'UTC').markdown;
    expect(unknown).toContain('## Proposed edit 1 (Chapter 1, paragraph 1)\n');
    expect(unknown).not.toMatch(/accepted|rejected|Your choices/);
    // The passage to paste back closes the report, only when an edit was applied to it.
    const kept = { text: 'She ambled home.', edits: 1 };
    expect(runReport(edited, names, 'UTC', { rejectedEdits: [1], edited: kept }).markdown).toContain(
      '## Your passage with the edits you accepted\n\nShe ambled home.\n\n---\n',
    );
    const none = { text: 'She walked slowly home.', edits: 0 };
    expect(runReport(edited, names, 'UTC', { rejectedEdits: [0, 1], edited: none }).markdown).not.toContain(
      'Your passage',
    );
  });
});
