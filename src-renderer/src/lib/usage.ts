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
