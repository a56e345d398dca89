// A run's status in the word the writer reads on the screen and in the run's report: one rule for both.
import type { RunStatus } from './runs';

/** "stopped" for a run the writer (or Quire quitting) stopped; a weaker model's answer is never a plain "completed". */
export function runStatusText(run: { status: RunStatus; low_confidence_fallback?: boolean | undefined }): string {
  if (run.status === 'completed' && run.low_confidence_fallback === true) return 'low-confidence fallback';
  if (run.status === 'cancelled') return 'stopped';
  return run.status;
}
