import { describe, expect, it } from 'vitest';
import { recentTokens, recentUsage } from './usage';

describe('recentUsage', () => {
  const now = Date.parse('2026-11-22T12:00:00Z');
  let ids = 0;
  const run = (task: string, created_at: string, status: 'completed' | 'failed' | 'cancelled' = 'completed') => ({
    run_id: `run-${++ids}`,
    task,
    created_at,
    status,
  });

  it('counts runs per task over the last 30 days, leaving out older and cancelled ones', () => {
    expect(
      recentUsage(
        [
          run('theme_analysis', '2026-11-21T09:00:00Z'),
          run('theme_analysis', '2026-11-01T09:00:00Z'),
          run('line_edit', '2026-11-20T09:00:00Z', 'failed'),
          run('line_edit', '2026-11-20T10:00:00Z', 'cancelled'),
          run('brainstorm', '2026-10-22T11:59:00Z'),
        ],
        now,
      ),
    ).toEqual({ theme_analysis: 2, line_edit: 1 });
  });

  it('is empty for a writer with no runs', () => {
    expect(recentUsage([], now)).toEqual({});
  });

  it('says what a run of each task used on average: completed runs of the last 30 days whose tokens are known', () => {
    const counted = (
      task: string,
      created_at: string,
      input: number | null,
      output: number | null,
      status: 'completed' | 'failed' = 'completed',
    ) => ({ ...run(task, created_at, status), model_id: null, input_tokens: input, output_tokens: output });
    expect(
      recentTokens(
        [
          counted('line_edit', '2026-11-21T09:00:00Z', 800, 200),
          counted('line_edit', '2026-11-20T09:00:00Z', 1001, 301),
          counted('line_edit', '2026-11-20T09:00:00Z', 50_000, 9_000, 'failed'),
          counted('line_edit', '2026-10-01T09:00:00Z', 50_000, 9_000),
          counted('theme_analysis', '2026-11-20T09:00:00Z', null, null),
        ],
        now,
        [],
      ),
    ).toEqual({ line_edit: { input: 901, output: 251 } });
  });

  it('measures the answer only on runs whose output was the answer alone: a thinking model’s counts its thinking too', () => {
    // The estimate adds a reasoning pick's expected thinking on top of the answer: an answer measured on a model that
    // thought (its output tokens are the thinking and the answer) counted the thinking twice.
    const counted = (task: string, model_id: string, input: number, output: number) => ({
      run_id: `run-${++ids}`,
      task,
      model_id,
      status: 'completed' as const,
      created_at: '2026-11-21T09:00:00Z',
      input_tokens: input,
      output_tokens: output,
    });
    const model = (id: string, reasoning: boolean) => ({
      id,
      provider: 'openai' as const,
      capabilities: { json_output: true, vision: false, streaming: true, reasoning },
    });
    expect(
      recentTokens(
        [
          counted('line_edit', 'openai/gpt-4o', 800, 200),
          counted('line_edit', 'openai/o3', 1000, 5200),
          counted('theme_analysis', 'openai/o3', 900, 4300),
        ],
        now,
        [model('openai/gpt-4o', false), model('openai/o3', true)],
      ),
    ).toEqual({ line_edit: { input: 900, output: 200 }, theme_analysis: { input: 900 } });
  });

  it('counts a tournament once, as all its calls read and wrote: its members, verifier and judge are not the writer’s runs', () => {
    const call = (
      run_id: string,
      input: number,
      output: number,
      status: 'completed' | 'failed' | 'cancelled' = 'completed',
    ) => ({
      run_id,
      task: 'continuity_check',
      created_at: '2026-11-21T09:00:00Z',
      status,
      model_id: null,
      input_tokens: input,
      output_tokens: output,
    });
    const runs = [
      call('r1', 1000, 100),
      call('t1/member/gpt-a', 1000, 100),
      call('t1/member/claude-b', 1000, 100),
      call('t1/member/claude-b/repair', 1100, 90),
      call('t1/member/gpt-mini', 1000, 100, 'failed'),
      call('t1/judge/0', 2000, 50),
      // Stopped before any call answered: no work done, as a cancelled run.
      call('t2/primary/gpt-a', 1000, 100, 'cancelled'),
      call('t2/verifier/gpt-mini', 1000, 100, 'cancelled'),
    ];
    expect(recentUsage(runs, now)).toEqual({ continuity_check: 2 });
    // The tournament priced as one run of all it used: the month's tokens are what they were, 1000 + 5100 in.
    expect(recentTokens(runs, now, [])).toEqual({ continuity_check: { input: 3050, output: 220 } });
  });
});
