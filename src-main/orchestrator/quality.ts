// Seed 000's "model performance tracking": each (model, task) quality starts at the registry prior and moves with the
// writer's ratings and tournament outcomes by a shrinkage estimate, so a handful of ratings barely moves it.

/** How many ratings the prior is worth. With 20, three ratings of 0 move a prior of 8 to about 7. */
export const PRIOR_WEIGHT = 20;

export interface FeedbackStats {
  count: number;
  sum: number;
}

/** (prior·k + Σ scores) / (k + n), in 0–10. */
export function shrinkageEstimate(prior: number, stats: FeedbackStats | undefined, k = PRIOR_WEIGHT): number {
  if (!stats || stats.count === 0) return prior;
  const value = (prior * k + stats.sum) / (k + stats.count);
  return Math.min(10, Math.max(0, value));
}

/** Estimated quality of a model on a task given its registry prior. */
export type QualityLookup = (modelId: string, task: string, prior: number) => number;

export const priorOnly: QualityLookup = (_model, _task, prior) => prior;

export function statsKey(modelId: string, task: string): string {
  return `${modelId}\u0000${task}`;
}

/** A lookup over an in-memory table of feedback statistics. */
export function lookupFrom(stats: ReadonlyMap<string, FeedbackStats>, k = PRIOR_WEIGHT): QualityLookup {
  if (stats.size === 0) return priorOnly;
  return (modelId, task, prior) => shrinkageEstimate(prior, stats.get(statsKey(modelId, task)), k);
}
