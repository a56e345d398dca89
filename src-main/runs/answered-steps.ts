// A call that answered, as steps of its run: kept as the run's answer (with the local adapter's own fallback before
// it), or charged on its own when its answer is not kept (the first call of a repair); a repair's usage is both calls'.
import type { Usage } from '../providers/spec';
import { toMicros } from '../store/money';
import type { AttemptOutcome } from './model-attempt';
import { attemptStep, localFallbackStep, type RunStep } from './run-record';

/** Both calls' tokens (a repaired answer's run counts the first call's too); unknown where either is. */
export function addUsage(a: Usage, b: Usage): Usage {
  const sum = (x: number | undefined, y: number | undefined) =>
    x === undefined || y === undefined ? undefined : x + y;
  return { inputTokens: sum(a.inputTokens, b.inputTokens), outputTokens: sum(a.outputTokens, b.outputTokens) };
}

export type Answered = Extract<AttemptOutcome, { ok: true }>;

/** A call that answered, its answer kept as the run's: the local adapter's own fallback (if any), then its attempt. */
export function answeredSteps(outcome: Answered): RunStep[] {
  const fellBack = localFallbackStep(outcome.localFallback, outcome.attempt.model_id);
  return fellBack ? [fellBack, attemptStep(outcome.attempt)] : [attemptStep(outcome.attempt)];
}

/**
 * Charges a call that answered but whose answer is not kept as the run's (before a repair, or a failed one); `failure`
 * marks the attempt failed with why (an answer that could not be read even after its repair).
 */
export async function settled(outcome: Answered, failure?: { code: string; message: string }): Promise<RunStep> {
  const charged = await outcome.charge.close(outcome.end);
  const attempt = failure ? { ...outcome.attempt, outcome: 'failed' as const, error: failure } : outcome.attempt;
  // This call's own tokens (a repaired answer's result counts both calls'; the first was settled on its own).
  return { ...attemptStep({ ...attempt, cost_usd: charged }, toMicros(charged)), usage: outcome.end.usage };
}
