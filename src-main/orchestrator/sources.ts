// What the pure decision needs from the outside world, as small interfaces the composition root fills in:
// which models can be called right now, and how much of this month's budget is spent or held.
import type { ModelSpec } from '../../src-preload/contract';

export interface AvailabilitySource {
  /** A cloud (or custom endpoint) model can be called: its key or endpoint is configured. */
  cloudReady(spec: ModelSpec): boolean;
  /** The GGUF a local model needs is installed and verified. */
  localInstalled(catalogId: string): boolean;
  /** In the models folder, but its test load failed, so it is never loaded (absent: no model is). */
  localUnusable?(catalogId: string): boolean;
}

/**
 * Why a local model cannot run: its file is not there (not downloaded), or it is but has not passed its test load
 * (unusable); null when it is installed. One answer for the decision and the capabilities.
 */
export function localUnavailable(
  availability: AvailabilitySource,
  catalogId: string | undefined,
): 'not_downloaded' | 'unusable' | null {
  if (catalogId !== undefined && availability.localInstalled(catalogId)) return null;
  return catalogId !== undefined && availability.localUnusable?.(catalogId) ? 'unusable' : 'not_downloaded';
}

export interface SpendSnapshot {
  /** YYYY-MM. */
  month: string;
  spent_usd: number;
  /** Worst-case amounts held for calls in flight. */
  reserved_usd: number;
}

export interface SpendSource {
  snapshot(now: Date): SpendSnapshot;
}

/** Calendar month of `now` as YYYY-MM in the process's local time zone (the writer's, in the desktop app). */
export function monthOf(now: Date): string {
  return `${now.getFullYear()}-${String(now.getMonth() + 1).padStart(2, '0')}`;
}

/** For callers without the ledger (the CLI, benchmarks): nothing spent. */
export const zeroSpend: SpendSource = {
  snapshot: (now) => ({ month: monthOf(now), spent_usd: 0, reserved_usd: 0 }),
};
