// The month as the writer reads it (spend:month: totals, days, by model and task) and as a CSV (spend:export).
import type { SpendGroup, SpendMonth } from '../../src-preload/contract/spend';
import type { GroupRow, LedgerEntry, LedgerRepo } from '../store/repos/ledger-repo';
import { clockFor, daysOfMonth, utcClock } from './calendar';
import { toUsd } from '../store/money';
import { providerLabel } from '../../src-preload/contract/provider-table';
import { keptAtMost, noteWords } from './spend-row-words';
import { HELD_AHEAD_ID } from '../../src-preload/contract/model-ids';

export function spendMonth(
  repo: LedgerRepo,
  month: string,
  budgetUsd: number | null,
  budgetRecorded: boolean,
): SpendMonth {
  const t = repo.totals(month);
  const byDay = new Map(repo.group(month, 'day').map((g) => [g.key, g]));
  return {
    month,
    budget_usd: budgetUsd,
    budget_recorded: budgetRecorded,
    total_usd: toUsd(t.settled_micros + t.reserved_micros + t.orphaned_micros),
    settled_usd: toUsd(t.settled_micros),
    reserved_usd: toUsd(t.reserved_micros),
    orphaned_usd: toUsd(t.orphaned_micros),
    overruns: repo
      .overruns(month)
      .map((o) => ({ model_id: o.model_id, calls: o.calls, overrun_usd: toUsd(o.overrun_micros) })),
    daily: daysOfMonth(month).map((day) => {
      const g = byDay.get(day);
      return {
        day,
        spend_usd: toUsd(g?.counted_micros ?? 0),
        reserved_usd: toUsd(g?.reserved_micros ?? 0),
        calls: g?.calls ?? 0,
      };
    }),
    by_model: repo.group(month, 'model_id').map(toGroup),
    by_task: repo.group(month, 'task').map(toGroup),
    by_provider: repo.group(month, 'provider').map(toGroup),
  };
}

/** Rows per page of the export: small enough that one page holds the event loop for a few milliseconds at most. */
const EXPORT_PAGE = 500;

/** Gives the event loop back between pages (other calls run), without waiting for any time to pass. */
const yieldToLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/** The names a writer knows for what the ledger keeps by id (the Spend screen's, from the registry and task table). */
export interface CsvNames {
  task: (id: string) => string;
  model: (id: string) => string;
  /** The writer's time zone (an IANA name), as the ledger's calendar counts days; undefined: the process's own. */
  timeZone?: string | undefined;
}

const BY_ID: CsvNames = { task: (id) => id, model: (id) => id };

/**
 * The columns, named for whoever reads the file (an accountant, a spreadsheet), each money column in USD. "Counted
 * against the budget" adds up to the month's total on the Spend screen; "Charged" alone leaves out the holds.
 */
const HEADER = [
  'Call',
  'Time (your time zone)',
  'Time (UTC)',
  'Day (your time zone)',
  'Run',
  'Task',
  'Model',
  'Model ID',
  'Model chosen by',
  'Provider',
  'Status',
  'Held (USD)',
  'Charged (USD)',
  // As the providers' usage counts them: cached and cache-write tokens are part of the input, reasoning of the output.
  'Input tokens (cached and cache-write included)',
  'Output tokens (reasoning included)',
  'Cached input tokens (of the input)',
  'Cache-write tokens (of the input)',
  'Reasoning tokens (of the output)',
  'Duration (ms)',
  'Note',
  'Charged above what was held (USD)',
  'Counted against the budget (USD)',
  'App',
];

/** A row's state in words: what the provider billed, or why the row counts what it does. */
const STATUS: Record<LedgerEntry['state'], string> = {
  settled: 'charged',
  released: 'not charged',
  reserved: 'running (held at its most)',
  orphaned: 'interrupted (counted at its most)',
};

/** Who chose the call's model, as "What routing was worth" counts it (null: recorded before Quire kept it). */
const CHOSEN_BY: Record<NonNullable<LedgerEntry['chosen_by']>, string> = { quire: 'Quire', writer: 'you' };

/** The name the Spend screen's By app gives the calls of Quire's own runs. */
const OWN_RUNS = 'Quire (Workbench)';

/**
 * The month's rows as CSV. Read page by page (keyset on id): a month of a heavy year is ~100,000 rows, and reading it
 * in one go held every other call (a spend:current waited 835 ms behind it).
 */
export async function spendCsv(
  repo: LedgerRepo,
  month: string,
  names: CsvNames = BY_ID,
): Promise<{ filename: string; csv: string }> {
  // The byte-order mark: without it Excel reads UTF-8 as the Mac's old encoding, and “fake” comes out as â€œfakeâ€.
  const parts = [`\uFEFF${HEADER.join(',')}\n`];
  const times = { local: readable(clockFor(names.timeZone)), utc: readable(utcClock) };
  for (let after = 0; ;) {
    const page = repo.page(month, after, EXPORT_PAGE);
    // One string per page: the rows' small strings die young instead of piling up for one large collection at the end.
    if (page.length > 0) parts.push(`${page.map((e) => csvLine(e, names, times)).join('\n')}\n`);
    if (page.length < EXPORT_PAGE) break;
    after = page.at(-1)!.id;
    await yieldToLoop();
  }
  return { filename: `quire-spend-${month}.csv`, csv: parts.join('') };
}

type Times = Record<'local' | 'utc', (iso: string) => string>;

/**
 * A stored time on a clock, as spreadsheets read a date and time (an ISO string with its "T" and "Z" stays text); a
 * time that cannot be read is kept as it is.
 */
function readable(clock: (at: Date) => string): (iso: string) => string {
  return (iso) => {
    const at = new Date(iso);
    return Number.isNaN(at.getTime()) ? iso : clock(at);
  };
}

function csvLine(e: LedgerEntry & { app: string | null }, names: CsvNames, times: Times): string {
  // What the budget counts for the row: its charge once settled, its hold while open or left by a crash, 0 when
  // released.
  const counted = e.state === 'reserved' || e.state === 'orphaned' ? e.reserved_micros : (e.charged_micros ?? 0);
  // Money a Quire process held ahead for its calls when the Mac stopped: no call, so no provider and no model choice.
  const heldAhead = e.model_id === HELD_AHEAD_ID;
  return [
    e.id,
    times.local(e.created_at),
    times.utc(e.created_at),
    e.day,
    e.run_id,
    names.task(e.task),
    names.model(e.model_id),
    e.model_id,
    heldAhead ? '' : e.chosen_by ? CHOSEN_BY[e.chosen_by] : 'not recorded',
    heldAhead ? 'none (held by Quire for calls)' : providerLabel(e.provider),
    heldAhead
      ? 'counted as spent (held ahead when your Mac stopped)'
      : keptAtMost(e)
        ? 'counted at its most (no usage reported)'
        : STATUS[e.state],
    toUsd(e.reserved_micros).toFixed(6),
    e.charged_micros === null ? '' : toUsd(e.charged_micros).toFixed(6),
    e.input_tokens,
    e.output_tokens,
    e.cached_input_tokens,
    e.cache_write_tokens,
    e.reasoning_tokens,
    e.duration_ms,
    noteWords(e),
    e.overrun_micros > 0 ? toUsd(e.overrun_micros).toFixed(6) : '',
    toUsd(counted).toFixed(6),
    e.app ?? OWN_RUNS,
  ]
    .map(csvCell)
    .join(',');
}

function toGroup(g: GroupRow): SpendGroup {
  return {
    key: g.key,
    provider: g.provider,
    spend_usd: toUsd(g.counted_micros),
    reserved_usd: toUsd(g.reserved_micros),
    calls: g.calls,
    input_tokens: g.input_tokens,
    output_tokens: g.output_tokens,
  };
}

function csvCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  const text = String(value);
  // Quote fields with separators, and neutralise spreadsheet formulas: a cell a spreadsheet would read as one (its
  // first character =, +, -, @, a tab or a carriage return) unless it is a plain number ("-12.5" stays a number).
  const safe = /^[=+\-@\t\r]/.test(text) && !/^-?\d+(\.\d+)?$/.test(text) ? `'${text}` : text;
  return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}
