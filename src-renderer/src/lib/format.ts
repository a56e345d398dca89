// Display formatting shared by every screen: money, sizes, durations. Pure functions, no state.
import { bytesText } from '$contract/bytes-text';
import { usdLeftText, usdText } from '$contract/usd-text';

/** Money as every message of Quire's writes it ($contract/usd-text): "$0.0042", "$12.50"; "—" for no figure. */
export function formatUsd(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—';
  return usdText(value);
}

/** What is left of a budget, rounded down to the digits shown ("$1.99" for $1.9953); "No limit" without a budget. */
export function formatUsdLeft(value: number | null): string {
  return value === null ? 'No limit' : usdLeftText(value);
}

/** How much of the memory Quire may use its loaded local models take: "no model loaded" rather than "0 bytes". */
export function memoryUseText(residentBytes: number, budgetBytes: number | null): string {
  const allowed = budgetBytes ? `${formatBytes(budgetBytes)} allowed` : '';
  if (residentBytes <= 0) return `In memory: no model loaded${allowed ? ` (up to ${allowed})` : ''}`;
  return `In memory: ${formatBytes(residentBytes)}${allowed ? ` of ${allowed}` : ''}`;
}

/** Sizes as every message of Quire's writes them ($contract/bytes-text): "4.7 GB", "986 MB"; "—" for no figure. */
export function formatBytes(bytes: number | null | undefined): string {
  if (bytes === null || bytes === undefined || !Number.isFinite(bytes) || bytes < 0) return '—';
  return bytesText(bytes);
}

export function formatRate(bytesPerSecond: number | null | undefined): string {
  if (!bytesPerSecond || bytesPerSecond <= 0) return '—';
  return `${formatBytes(bytesPerSecond)}/s`;
}

/** "3 s", "4 min 05 s", "1 h 02 min"; "—" when unknown. */
export function formatDuration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds) || seconds < 0) return '—';
  const s = Math.round(seconds);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
  return `${Math.floor(s / 3600)} h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')} min`;
}

export function formatMs(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '—';
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}

export function formatPercent(fraction: number | null | undefined, digits = 0): string {
  if (fraction === null || fraction === undefined || !Number.isFinite(fraction)) return '—';
  return `${(fraction * 100).toFixed(digits)}%`;
}

/** "32K context": what a model reads at once, in the catalog's units (1K = 1,024 tokens), never rounded up. */
export function contextText(tokens: number): string {
  if (tokens < 1024) return `${tokens}-token context`;
  const k = Math.floor((tokens / 1024) * 10) / 10;
  return `${Number.isInteger(k) ? k : k.toFixed(1)}K context`;
}

export function formatTokens(count: number | null | undefined): string {
  if (count === null || count === undefined) return '—';
  return count.toLocaleString('en-US');
}

/**
 * Tokens as the words they are about, for a writer: an English word is about 4/3 of a token (OpenAI's rule of thumb),
 * so a token count reads as about three quarters as many words, rounded as "about" deserves: "96,000".
 */
export function tokensAsWords(tokens: number): string {
  const words = tokens * 0.75;
  if (words < 100) return Math.max(1, Math.round(words)).toLocaleString('en-US');
  const step = 10 ** (Math.floor(Math.log10(words)) - 1);
  return (Math.round(words / step) * step).toLocaleString('en-US');
}

/** "1,200 / 80"; "not reported" when the provider gave neither count (a failed or stopped call). */
export function formatTokensInOut(input: number | null | undefined, output: number | null | undefined): string {
  if ((input === null || input === undefined) && (output === null || output === undefined)) return 'not reported';
  return `${formatTokens(input)} / ${formatTokens(output)}`;
}

/** "2026-11" → "November 2026". */
export function formatMonth(month: string): string {
  const [year, mon] = month.split('-').map(Number);
  if (!year || !mon) return month;
  return new Date(Date.UTC(year, mon - 1, 1)).toLocaleString('en-US', {
    month: 'long',
    year: 'numeric',
    timeZone: 'UTC',
  });
}

/** A day in the writer's words: "Dec 6, 2026". */
export function formatDate(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toLocaleDateString(undefined, { dateStyle: 'medium' });
}

export function formatDateTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return date.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

/**
 * When a month's figures are from, in words: "this month" for the month Quire counts now (`current`), else the month
 * named ("in March 2026"), so a month gone by is never read as this one.
 */
export function inMonth(month: string, current: boolean): string {
  return current ? 'this month' : `in ${formatMonth(month)}`;
}

/** The writer's current month as "YYYY-MM" in their time zone (`now` in epoch milliseconds). */
export function currentMonth(now: number = Date.now()): string {
  const date = new Date(now);
  return `${date.getFullYear()}-${String(date.getMonth() + 1).padStart(2, '0')}`;
}

/** Humanises snake_case ids for display: "continuity_check" → "Continuity check". */
export function humanize(id: string): string {
  const words = id.replace(/[_-]+/g, ' ').trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}
