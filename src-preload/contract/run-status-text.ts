// A run's status in the word the writer reads on the screen and in the run's report: one rule for both.
import type { RunAttempt, RunStatus } from './runs';

/** "stopped" for a run the writer (or Quire quitting) stopped; a weaker model's answer is never a plain "completed". */
export function runStatusText(run: { status: RunStatus; low_confidence_fallback?: boolean | undefined }): string {
  if (run.status === 'completed' && run.low_confidence_fallback === true) return 'low-confidence fallback';
  if (run.status === 'cancelled') return 'stopped';
  return run.status;
}

/**
 * Which models failed before the one that answered, each with why, in the order they were tried: "DeepSeek V3.2
 * failed: DeepSeek had a problem on its side (HTTP 503). DeepSeek Reasoner answered instead." Null when none did.
 */
export function fallbackText(
  run: {
    model_id: string | null;
    model_name?: string | null | undefined;
    fallbacks: readonly string[];
    attempts: readonly RunAttempt[];
  },
  modelName: (id: string, knownAs?: string | null) => string,
): string | null {
  if (run.fallbacks.length === 0) return null;
  // Each model once, by what its last call ended with (a repair's failure says more than the first answer's).
  const why = new Map<string, string>();
  for (const a of run.attempts)
    if (a.outcome === 'failed' && a.model_id !== run.model_id && a.error?.code !== 'cancelled')
      why.set(a.model_id, firstSentence(a.error?.message ?? 'no reason given'));
  const said = [...why].map(([id, message]) => `${modelName(id)} failed: ${message}`);
  if (run.model_id) said.push(`${modelName(run.model_id, run.model_name)} answered instead.`);
  return said.length > 0 ? said.join(' ') : null;
}

/**
 * What went wrong, without the step a failure's message ends with ("Try again, or choose another model."): advice for
 * a run that failed, not for one another model answered.
 */
function firstSentence(message: string): string {
  const first = /^.*?[.!?…](?=\s+[A-Z]|$)/s.exec(message.trim())?.[0] ?? message.trim();
  return /[.!?…]$/.test(first) ? first : `${first}.`;
}
