// This writer's usage per task, for the monthly estimates: their last 30 days of runs, or seed 000's sample month.
import type { RunSummary } from '$contract/runs';

/** Seed 000's "typical monthly usage" (100 coordinator runs, 20 health checks, 15 theme analyses). */
export const SAMPLE_USAGE: Readonly<Record<string, number>> = {
  coordinator: 100,
  health_check_review: 20,
  theme_analysis: 15,
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
