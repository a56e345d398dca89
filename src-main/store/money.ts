// Money in the database is integer micro-USD; the API speaks USD numbers. Converting a charge rounds up, so a
// fraction of a micro-dollar is never lost in Quire's favour.

export const MICROS_PER_USD = 1_000_000;

export const toMicros = (usd: number): number => Math.ceil(Math.max(0, usd) * MICROS_PER_USD - 1e-6);

export const toUsd = (micros: number): number => micros / MICROS_PER_USD;
