// This writer's usage per task, for the monthly estimates: their last 30 days of runs, or seed 000's sample month.
import type { RunTokens } from '$contract/orchestrator';
import { thinksFirst, type ModelSpec } from '$contract/registry';
import type { RunSummary } from '$contract/runs';
import { tournamentOfRun } from '$contract/tournaments';
import type { Client } from './api/client';

/**
 * A novelist's month before they have runs of their own: writing tasks only (seed 000's sample counted internal
 * coordinator runs a writer never asks for).
 */
export const SAMPLE_USAGE: Readonly<Record<string, number>> = {
  line_edit: 40,
  chapter_summary: 20,
  continuity_check: 10,
  scene_draft: 8,
  theme_analysis: 5,
};

const MONTH_MS = 30 * 24 * 60 * 60 * 1000;

/** Runs a page of runs:list holds at most. */
const RUNS_PAGE = 500;
/** Pages read at most: 10,000 calls in 30 days is more than any writer's month (and a bound on a broken store). */
const MOST_PAGES = 20;

/** runs:list one page at a time, for {@link lastMonthRuns}. */
export function runsPages(client: Pick<Client, 'call'>): (before: string | undefined) => Promise<RunSummary[]> {
  return async (before) => (await client.call('runs:list', { limit: RUNS_PAGE, ...(before ? { before } : {}) })).runs;
}

/**
 * Every run of the 30 days before `now`, newest first, page after page (`list(before)`: runs:list's, each call of a
 * tournament a run of its own): one page of 500 was a few days of a writer who runs tournaments, and their month was
 * priced as those few days.
 */
export async function lastMonthRuns<R extends Pick<RunSummary, 'run_id' | 'created_at'>>(
  list: (before: string | undefined) => Promise<R[]>,
  now: number,
): Promise<R[]> {
  const runs: R[] = [];
  let before: string | undefined;
  for (let page = 0; page < MOST_PAGES; page++) {
    const next = await list(before);
    runs.push(...next);
    const last = next.at(-1);
    if (next.length < RUNS_PAGE || !last || now - Date.parse(last.created_at) > MONTH_MS) break;
    before = last.run_id;
  }
  return runs;
}

type CountedRun = Pick<
  RunSummary,
  'run_id' | 'task' | 'status' | 'created_at' | 'input_tokens' | 'output_tokens' | 'model_id'
>;

/**
 * The runs as the writer asked for them: each tournament once (runs:list has every member's, verifier's, judge's and
 * repair's call as a run of its own), completed when any of its calls answered, with what its answered calls read and
 * wrote in all (unknown when one did not say), so a month priced at these tokens is priced at what it used. Its model
 * is a thinking one (`thinks`) when one answered in it: its output is then not the answer alone.
 */
function writersRuns<R extends Partial<CountedRun> & Pick<CountedRun, 'run_id' | 'task' | 'status' | 'created_at'>>(
  runs: readonly R[],
  thinks: (modelId: string) => boolean = () => false,
): R[] {
  const own: R[] = [];
  const tournaments = new Map<string, R[]>();
  for (const run of runs) {
    const tournament = tournamentOfRun(run.run_id);
    if (tournament === null) own.push(run);
    else if (tournaments.has(tournament)) tournaments.get(tournament)!.push(run);
    else tournaments.set(tournament, [run]);
  }
  for (const calls of tournaments.values()) {
    const answered = calls.filter((call) => call.status === 'completed');
    const thinker = answered.find((call) => call.model_id != null && thinks(call.model_id));
    const total = (count: 'input_tokens' | 'output_tokens') =>
      answered.length > 0 && answered.every((call) => typeof call[count] === 'number')
        ? answered.reduce((n, call) => n + call[count]!, 0)
        : null;
    const stopped = calls.every((call) => call.status === 'cancelled');
    own.push({
      ...calls[0]!,
      status: answered.length > 0 ? 'completed' : stopped ? 'cancelled' : 'failed',
      model_id: (thinker ?? answered[0] ?? calls[0]!).model_id ?? null,
      input_tokens: total('input_tokens'),
      output_tokens: total('output_tokens'),
    });
  }
  return own;
}

/**
 * Runs per task over the 30 days before `now` (cancelled runs did no work and are left out); a tournament is one run
 * of its task.
 */
export function recentUsage(
  runs: Pick<RunSummary, 'run_id' | 'task' | 'status' | 'created_at'>[],
  now: number,
): Record<string, number> {
  const usage: Record<string, number> = {};
  for (const run of writersRuns(runs)) {
    const age = now - Date.parse(run.created_at);
    if (run.status === 'cancelled' || !(age >= 0 && age <= MONTH_MS)) continue;
    usage[run.task] = (usage[run.task] ?? 0) + 1;
  }
  return usage;
}

/**
 * What a run of each task used on average, tokens in and out, over the completed runs of the 30 days before `now`
 * whose counts are known: the estimates price a writer's month at these, not at a task's typical passage. The answer
 * is measured only on runs whose output was the answer alone: a model that thinks first (`models`, the registry) is
 * billed its thinking as output too, and the estimate adds a thinking pick's expected thinking on top of the answer
 * (counted twice). A task whose every run thought has its input and no `output` (its typical answer then). A model no
 * longer in the registry counts as answering alone.
 */
export function recentTokens(
  runs: CountedRun[],
  now: number,
  models: readonly Pick<ModelSpec, 'id' | 'provider' | 'capabilities'>[],
): RunTokens {
  const thinkers = new Set(models.filter(thinksFirst).map((m) => m.id));
  const sums: Record<string, { input: number; runs: number; output: number; answers: number }> = {};
  for (const run of writersRuns(runs, (id) => thinkers.has(id))) {
    const age = now - Date.parse(run.created_at);
    if (run.status !== 'completed' || !(age >= 0 && age <= MONTH_MS)) continue;
    if (run.input_tokens === null || run.output_tokens === null) continue;
    const sum = (sums[run.task] ??= { input: 0, runs: 0, output: 0, answers: 0 });
    sum.input += run.input_tokens;
    sum.runs += 1;
    if (run.model_id !== null && thinkers.has(run.model_id)) continue;
    sum.output += run.output_tokens;
    sum.answers += 1;
  }
  return Object.fromEntries(
    Object.entries(sums).map(([task, sum]) => [
      task,
      {
        input: Math.round(sum.input / sum.runs),
        ...(sum.answers > 0 ? { output: Math.round(sum.output / sum.answers) } : {}),
      },
    ]),
  );
}
