// This writer's usage per task, for the monthly estimates: their last 30 days of runs, or seed 000's sample month.
import type { RunSummary } from '$contract/runs';

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

/** Runs per task over the 30 days before `now` (cancelled runs did no work and are left out). */
export function recentUsage(
  runs: Pick<RunSummary, 'task' | 'status' | 'created_at'>[],
  now: number,
): Record<string, number> {
  const usage: Record<string, number> = {};
  for (const run of runs) {
    const age = now - Date.parse(run.created_at);
    if (run.status === 'cancelled' || !(age >= 0 && age <= MONTH_MS)) continue;
    usage[run.task] = (usage[run.task] ?? 0) + 1;
  }
  return usage;
}

/**
 * What a run of each task used on average, tokens in and out, over the completed runs of the 30 days before `now`
 * whose counts are known: the estimates price a writer's month at these, not at a task's typical passage.
 */
export function recentTokens(
  runs: Pick<RunSummary, 'task' | 'status' | 'created_at' | 'input_tokens' | 'output_tokens'>[],
  now: number,
): Record<string, { input: number; output: number }> {
  const sums: Record<string, { input: number; output: number; runs: number }> = {};
  for (const run of runs) {
    const age = now - Date.parse(run.created_at);
    if (run.status !== 'completed' || !(age >= 0 && age <= MONTH_MS)) continue;
    if (run.input_tokens === null || run.output_tokens === null) continue;
    const sum = (sums[run.task] ??= { input: 0, output: 0, runs: 0 });
    sum.input += run.input_tokens;
    sum.output += run.output_tokens;
    sum.runs += 1;
  }
  return Object.fromEntries(
    Object.entries(sums).map(([task, sum]) => [
      task,
      { input: Math.round(sum.input / sum.runs), output: Math.round(sum.output / sum.runs) },
    ]),
  );
}
