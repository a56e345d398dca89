// What a run's status means when the word alone is not plain.
import type { RunAttempt, RunStatus } from '$contract/runs';
import { formatUsd } from './format';

import { runStatusText } from '$contract/run-status-text';

export { confidenceText } from '$contract/confidence-text';

export const RUN_STATUS_HINT: Record<RunStatus, string | null> = {
  running: null,
  completed: null,
  failed: null,
  cancelled: null,
  interrupted:
    'Quire stopped (a crash or a forced quit) while this ran; the cost reserved for it still counts. Run it again.',
};

/** A call of a run, as its Attempts list says it (a call that was not made is "not tried", not "skipped"). */
export const ATTEMPT_OUTCOME_TEXT: Record<RunAttempt['outcome'], string> = {
  ok: 'answered',
  failed: 'failed',
  skipped: 'not tried',
};

export const INTERRUPTED_IN_PARTS_HINT =
  'Quire stopped (a crash or a forced quit) while this ran; the parts it finished are kept, and the cost reserved ' +
  'for the part in flight still counts.';

export const LOW_CONFIDENCE_HINT =
  'The models meant for this task failed or were unavailable, so a weaker model (below the minimum quality) answered. ' +
  'Read it with care, or run it again when your usual models are back.';

/** What a run's status shows: a low-confidence fallback is never a plain green "completed". */
export function runStatusView(run: {
  status: RunStatus;
  low_confidence_fallback?: boolean | undefined;
  resume?: { parts_done: number; parts: number } | undefined;
}): {
  label: string;
  tone: string;
  hint: string | null;
} {
  const label = runStatusText(run);
  if (run.status === 'completed' && run.low_confidence_fallback === true)
    return { label, tone: 'low-confidence', hint: LOW_CONFIDENCE_HINT };
  // A stop is what the writer (or Quire quitting) asked for: said plainly, not in an error's red.
  if (run.status === 'cancelled') return { label, tone: 'stopped', hint: null };
  // A run in parts cut off keeps the parts it finished: Resume (offered beside it) goes on, rather than running again.
  if (run.status === 'interrupted' && run.resume) return { label, tone: run.status, hint: INTERRUPTED_IN_PARTS_HINT };
  return { label, tone: run.status, hint: RUN_STATUS_HINT[run.status] };
}

/**
 * What a stop came to, and why a run cost more than its tokens say: a call stopped in flight, or one that failed after
 * it was sent, was charged its most (the provider had the request and reported no usage; ledger.ts never
 * undercharges); one stopped mid-answer, by Quire's count of what had arrived. Null when there is nothing to explain.
 */
export function stopCostHint(run: { status: RunStatus; attempts: readonly RunAttempt[] }): string | null {
  const sum = (attempts: readonly RunAttempt[]) => formatUsd(attempts.reduce((usd, a) => usd + a.cost_usd, 0));
  const atMost = run.attempts.filter((a) => a.charged_most === true && a.error !== null);
  const stopped = atMost.filter((a) => a.error?.code === 'cancelled');
  if (run.status === 'cancelled' && stopped.length > 0)
    return (
      `Stop kept the most the call in flight could cost (${sum(stopped)}): the model already had the request, and a ` +
      'provider bills a request once it has it. Quire never counts less than a provider may charge.'
    );
  // Stopped mid-answer, the call was charged by Quire's own count (the facts beside say "not reported" of its tokens),
  // or, stopped before its request left, nothing: either way the writer who pressed Stop is told what it came to.
  const cut = run.attempts.filter((a) => a.error?.code === 'cancelled' && a.charged_most !== true);
  if (run.status === 'cancelled' && cut.length > 0) {
    if (cut.some((a) => a.cost_usd > 0))
      return (
        `Stop kept what had arrived and charged ${sum(cut)}: the request and the words that had arrived, as Quire ` +
        'counts them (a provider sends no counts for an answer cut short).'
      );
    if (run.attempts.every((a) => a.cost_usd === 0)) return 'Stop charged nothing for this run.';
  }
  // A call that failed after it was sent (no first word in time, a dropped connection) reported no usage either.
  const failed = atMost.filter((a) => a.error?.code !== 'cancelled');
  if (failed.length === 0) return null;
  return (
    `A call that failed was counted at the most it could cost (${sum(failed)}): the model already had the request ` +
    'and never said what it used, and a provider bills a request once it has it. Quire never counts less than a ' +
    'provider may charge.'
  );
}

/**
 * A run in parts on screen that ended at part `at` of `of` before its last: stopped by the writer, or failed there (a
 * part's model failed), with what the parts before it found kept.
 */
export function partsStoppedText(status: RunStatus | undefined, at: number, of: number): string {
  const ended = status === 'failed' ? `This run failed at part ${at} of ${of}.` : `Stopped at part ${at} of ${of}.`;
  if (at <= 1) return ended;
  return `${ended} What part${at > 2 ? `s 1–${at - 1}` : ' 1'} found is below, and kept.`;
}

/**
 * A run whose answer broke off part-way (the connection dropped after words had arrived): the call that was writing
 * it, which reported no usage and was counted at its most. Null for every other run (one that failed before a word, an
 * answer Quire could not read, a stop).
 */
export function cutOffCall(run: {
  status: RunStatus;
  text: string | null;
  attempts: readonly RunAttempt[];
}): RunAttempt | null {
  if (run.status !== 'failed' || !run.text?.trim()) return null;
  const last = run.attempts.filter((a) => a.outcome !== 'skipped').at(-1);
  if (!last?.error || last.error.code === 'cancelled' || last.charged_most !== true) return null;
  return last;
}

/** What a writer is told of an answer that was cut off: the words stay, and what the run cost. */
export function cutOffText(modelName: string, costUsd: number): string {
  return (
    `${modelName}’s answer was cut off before it finished: the connection broke mid-answer. The words that arrived ` +
    `are kept below. This run cost ${formatUsd(costUsd)} — the most the call could cost, as a provider may bill what ` +
    'it had written. Run it again for a whole answer.'
  );
}

/**
 * The step after a run refused before any model was called because nothing set up can run its task: not the general
 * "check that the service is reachable" (no service was asked), but the card above Run, which says what to set up or
 * change. Null for every other failure.
 */
export function refusedBeforeAnyCall(
  error: { code: string; advised?: boolean | undefined },
  run: { attempts: readonly RunAttempt[] } | null,
): string | null {
  if (error.code !== 'unavailable' || error.advised === true || !run || run.attempts.length > 0) return null;
  return 'Nothing was sent to any model. “Before you run” above says what to set up or change for this task.';
}
