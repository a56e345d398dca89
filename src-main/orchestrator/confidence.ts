// The confidence a writer sees, 0–1, per finding and per result, always returned with its ingredients so the screen
// can say why. Pure and monotone in each input (property-tested in confidence.test.ts).
//
//   reliability = 0.6 · quality + 0.4 · history
//       quality: the reporting members' mean quality estimate for the task (0–1; FeedbackService estimate / 10)
//       history: their mean historical agreement rate (Laplace-smoothed share of their findings writers accepted)
//   base        = support · (0.4 + 0.6 · reliability) · (1 − opposition)
//       support: the share of answering members that reported it; a single source (verification mode, nothing to
//                cross-check) counts as 0.5 — one voice is weak evidence however good the model
//       opposition: the share of answering members that asserted the opposite
//   verdict     approve → base + 0.3 · (1 − base);  none → base;  reject → 0.3 · base (never above 0.3, seed 001)
//   quotes      (a run's findings; a tournament finding's supporting statements) × (0.5 + 0.5 · share of their
//               quotes found in the input); absent: × 1
//   fallback    a model below the minimum quality answered a task meant for a better one: × 0.3 (never above 0.3)
//
// Lives below the runs and tournaments that both use it: every run carries a confidence, not only tournaments.
//
// Directions: up with support, quality, history and the verdict (reject < none < approve); down with opposition.

export type VerifierVerdict = 'approve' | 'reject';

export interface ConfidenceInputs {
  /** Share of answering members that reported it (0–1); null when only one model answered. */
  agreement: number | null;
  /** Share of answering members that asserted the opposite (0–1). */
  opposition: number;
  /** Mean quality estimate for the task of the members who reported it (0–1). */
  quality: number;
  /** Mean historical agreement rate of those members (0–1). */
  history: number;
  verifier: VerifierVerdict | null;
  /** Share of the answer's evidence quotes found in the input (0–1); null or absent when it quoted nothing. */
  quotes?: number | null;
  /** A low-confidence fallback answered (a model below the minimum quality, not chosen by the writer). */
  low_confidence_fallback?: boolean;
}

export interface Confidence {
  value: number;
  ingredients: ConfidenceInputs & { support: number; reliability: number; base: number };
}

export const CONFIDENCE = {
  qualityWeight: 0.6,
  historyWeight: 0.4,
  reliabilityFloor: 0.4,
  singleSourceSupport: 0.5,
  approveLift: 0.3,
  /** Seed 001: a verifier's rejection drops confidence to 0.3 at most. */
  rejectCap: 0.3,
  /** Quotes that are not in the input halve confidence at worst. */
  quotesFloor: 0.5,
  /** A low-confidence fallback's answer is kept at 0.3 at most, like a rejected one. */
  fallbackCap: 0.3,
} as const;

const clamp01 = (x: number) => (Number.isFinite(x) ? Math.min(1, Math.max(0, x)) : 0);

export function confidence(inputs: ConfidenceInputs): Confidence {
  const agreement = inputs.agreement === null ? null : clamp01(inputs.agreement);
  const opposition = clamp01(inputs.opposition);
  const quality = clamp01(inputs.quality);
  const history = clamp01(inputs.history);
  const support = agreement ?? CONFIDENCE.singleSourceSupport;
  const reliability = CONFIDENCE.qualityWeight * quality + CONFIDENCE.historyWeight * history;
  const quotes = inputs.quotes === undefined || inputs.quotes === null ? null : clamp01(inputs.quotes);
  const quoteFactor = quotes === null ? 1 : CONFIDENCE.quotesFloor + (1 - CONFIDENCE.quotesFloor) * quotes;
  const base = clamp01(
    support *
      (CONFIDENCE.reliabilityFloor + (1 - CONFIDENCE.reliabilityFloor) * reliability) *
      (1 - opposition) *
      quoteFactor,
  );
  let value: number;
  switch (inputs.verifier) {
    case 'approve':
      value = base + CONFIDENCE.approveLift * (1 - base);
      break;
    case 'reject':
      value = CONFIDENCE.rejectCap * base;
      break;
    case null:
      value = base;
      break;
  }
  if (inputs.low_confidence_fallback === true) value *= CONFIDENCE.fallbackCap;
  return {
    value: round(clamp01(value)),
    ingredients: {
      agreement,
      opposition,
      quality,
      history,
      verifier: inputs.verifier,
      ...(inputs.quotes !== undefined ? { quotes } : {}),
      ...(inputs.low_confidence_fallback !== undefined
        ? { low_confidence_fallback: inputs.low_confidence_fallback }
        : {}),
      support: round(support),
      reliability: round(reliability),
      base: round(base),
    },
  };
}

/** Laplace-smoothed agreement rate: with no history a model starts at 0.5, and one verdict moves it only a little. */
export function historicalRate(agreed: number, total: number): number {
  const t = Math.max(0, total);
  const a = Math.min(Math.max(0, agreed), t);
  return (a + 1) / (t + 2);
}

export function mean(values: readonly number[], empty = 0): number {
  return values.length === 0 ? empty : values.reduce((sum, v) => sum + v, 0) / values.length;
}

function round(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}
