// Money in the database is integer micro-USD; the API speaks USD numbers. Converting a charge rounds up, so a
// fraction of a micro-dollar is never lost in Quire's favour.

export const MICROS_PER_USD = 1_000_000;

export const toMicros = (usd: number): number => Math.ceil(Math.max(0, usd) * MICROS_PER_USD - 1e-6);

export const toUsd = (micros: number): number => micros / MICROS_PER_USD;

/**
 * What the ledger holds for a call whose worst case is `micros`, from a model that charged up to `ratio` times its
 * holds this month (1: none did): the one rounding the ledger and every planner of holds (a tournament's seating) share.
 */
export const heldMicros = (micros: number, ratio: number): number =>
  ratio > 1 && micros > 0 ? Math.ceil(micros * ratio) : micros;

/** A budget in micro-USD, rounded down: no fraction of a micro-dollar is spent past it. */
export const budgetMicros = (usd: number): number => Math.floor(usd * MICROS_PER_USD + 1e-6);
