// How sure a run's answer is, in the words the writer reads on the screen and in the run's report: one rule for both.
import { tournamentOfRun } from './tournaments';

const percent = (x: number) => `${Math.round(x * 100)}%`;

/** A run's confidence as the writer reads it: "42% (model quality 90%, 100% of quotes found)". */
export function confidenceText(run: {
  /** A tournament member's run is one answer of several, which its own confidence does not weigh. */
  run_id?: string;
  confidence?: number | null | undefined;
  confidence_ingredients?:
    { quality: number; quotes?: number | null | undefined; agreement?: number | null | undefined } | null | undefined;
}): string | null {
  if (run.confidence === null || run.confidence === undefined) return null;
  const parts = [];
  const i = run.confidence_ingredients;
  // Percentages throughout, as each finding's own confidence reads.
  if (i) parts.push(`model quality ${percent(i.quality)}`);
  if (i && i.quotes !== null && i.quotes !== undefined) parts.push(`${percent(i.quotes)} of quotes found`);
  // A single answer counts as half-supported (no second model agreed or disagreed): said, or 42% looks arbitrary.
  // A tournament's member was cross-checked, in the tournament: its own figure is for its answer alone.
  const single =
    i && i.agreement === null
      ? run.run_id && tournamentOfRun(run.run_id)
        ? 'this model’s answer on its own, before the tournament compared it; '
        : 'one model, not cross-checked by another; '
      : '';
  return `${percent(run.confidence)}${parts.length > 0 ? ` (${single}${parts.join(', ')})` : ''}`;
}

/**
 * A finding's own confidence, "Confidence in this finding: 50%"; null when every quote of it was found (1): beside
 * the whole answer's lower figure, a "100%" would read as a contradiction.
 */
export function findingConfidenceText(confidence: number): string | null {
  return confidence < 1 ? `Confidence in this finding: ${percent(confidence)}` : null;
}
